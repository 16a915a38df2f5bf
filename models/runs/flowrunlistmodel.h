#pragma once
// The flow-run list: as many rows as runs match (a COUNT), the rows themselves fetched lazily in
// pages, filtered and sorted by the store, and kept live from the change feed.
#include "backend/backend.h"
#include "runs/flowrunfilter.h"
#include "runs/flowrunroles.h"

#include <QAbstractTableModel>
#include <QTimer>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace weft::studio {

class FlowRunListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit FlowRunListModel(Backend* backend, QObject* parent = nullptr);
    ~FlowRunListModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    /// Sorts in the store; columns canSort() refuses are ignored.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    /// The columns with an order in the store (not Tags and Parameters).
    static bool isSortable(int column);
    /// isSortable, and the backend can list runs in that column's order both ways: a server
    /// speaking Prefect's API sorts by start and name only.
    bool canSort(int column) const;
    static weft::FlowRunSort sortFor(int column, Qt::SortOrder order);

    FlowRunFilter filter() const { return m_filter; }
    /// Resets the model: rows of the previous filter still in flight are dropped.
    void setFilter(const FlowRunFilter& filter);
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    /// Matching runs in the store (rowCount() is this, capped at INT_MAX). -1 until counted.
    qint64 totalCount() const { return m_counted ? m_count : -1; }
    /// The run's id at `row`, or empty while its page is loading.
    QString runId(int row) const;
    /// Ids of the loaded runs in rows first…last (rows still loading are left out).
    QStringList runIds(int first, int last) const;
    /// The row of a loaded run, or -1.
    int rowOfRun(const QString& id) const;
    bool isLoaded(int row) const;
    /// Rows per page fetched at once, and how many rows are kept (pages far from the last rows
    /// asked for are dropped past that).
    void setPageSize(int rows);
    int pageSize() const { return m_pageSize; }
    void setCacheLimit(int rows) { m_cacheLimit = rows; }
    int cachedRows() const { return m_cachedRows; }
    /// Delay between a change that may move rows (a new run in the middle of the order, a state
    /// change under a state filter) and the re-count and reload of the rows in view.
    void setReloadDelay(int ms) { m_reloadTimer.setInterval(ms); }
    /// Page requests sent so far (for tests and benchmarks).
    int pageRequests() const { return m_pageRequests; }
    /// Why the last count or page failed ("couldn't load flow runs: …"), or empty.
    QString errorString() const { return m_error; }
    /// Nothing in flight or waiting: no count, page or new-run fetch, no queued feed batch and no
    /// reload scheduled. The rows then agree with the store as of the last feed batch.
    bool isSettled() const;

public Q_SLOTS:
    /// Re-counts and reloads the rows in view, keeping the filter.
    void reload();
    /// Starts over after an error: counts and loads the first page again.
    void retry();

Q_SIGNALS:
    /// The number of matching runs changed (first count, live inserts and deletions).
    void totalCountChanged(qint64 count);
    /// A page of rows arrived (after its dataChanged).
    void pageLoaded(int firstRow, int lastRow);
    /// errorString() changed (a failure, or a success after one).
    void errorChanged(const QString& error);

private:
    struct Chunk {
        int start = 0; // model row of rows[0]
        std::vector<weft::FlowRunRecord> rows;
        int end() const { return start + int(rows.size()); }
    };
    struct Pending {
        quint64 id = 0;
        int start = 0; // model rows the answer will fill, shifted as rows are inserted/removed
        int end = 0;
        bool replace = false; // a reload: overwrites loaded rows
        quint64 layout = 0;   // m_layoutEpoch when sent
    };
    struct Where {
        Chunk* chunk = nullptr;
        int index = 0;
    };

    weft::FlowRunQuery baseQuery() const;
    const weft::FlowRunRecord* record(int row) const;
    Chunk* chunkAt(int row) const;
    void want(int row) const;
    void requestWanted();
    void requestRange(int start, int end, bool replace);
    void placePage(quint64 requestId, std::vector<weft::FlowRunRecord> records);
    /// Puts records at rows start…: loaded rows are refreshed, free ones become a chunk.
    void placeRows(int start, std::vector<weft::FlowRunRecord>& records);
    void evictFarChunks();
    void dropChunk(std::size_t i);
    /// Rows were inserted at `row` (delta > 0): chunks and requests at or after it move down.
    void shiftFrom(int row, int delta);
    /// Rows first…first+n-1 were taken out of the chunks: what follows moves up.
    void removeFromLayout(int first, int n);
    void resetContents();
    void startCount(bool initial);
    void applyCount(qint64 count);
    void setCount(qint64 count);

    void onEvents(const EventBatch& batch);
    void processBatches();
    void insertCreated(std::vector<weft::FlowRunRecord> records);
    void removeRuns(const std::vector<int>& rows);
    void emitRowsChanged(std::vector<int>& rows, int firstColumn, int lastColumn);
    void refreshRunningDurations();
    void scheduleReload();
    void setError(const QString& error);

    Backend* m_backend;
    FlowRunFilter m_filter;
    int m_sortColumn = flowruns::StartColumn;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
    quint64 m_generation = 0;

    qint64 m_count = 0;
    bool m_counted = false;
    bool m_countInFlight = false;
    bool m_recount = false;    // a re-count was asked for while one was in flight
    quint64 m_countLayout = 0; // m_layoutEpoch when the count in flight was sent
    // Bumped whenever the feed inserts or removes rows. A count or page answer sent before and
    // received after such a change may or may not include it (the store and the feed are read
    // at different times): its rows can't be placed nor its count trusted, so it is asked again.
    quint64 m_layoutEpoch = 0;
    std::vector<std::unique_ptr<Chunk>> m_chunks;  // sorted by start, not overlapping
    std::unordered_map<std::string, Where> m_rows; // loaded run id → where its row is
    int m_cachedRows = 0;
    int m_pageSize = 200;
    int m_cacheLimit = 20000;

    // Rows data() asked for that are not loaded; requested together on the next event loop turn.
    mutable int m_wantFirst = -1, m_wantLast = -1;
    mutable int m_lastWanted = 0;
    // Rows data() was asked for since the last duration tick, and before that: the view.
    mutable int m_seenFirst = -1, m_seenLast = -1;
    int m_viewFirst = -1, m_viewLast = -1;
    QTimer m_requestTimer;
    std::vector<Pending> m_pending;
    quint64 m_nextRequest = 0;
    int m_pageRequests = 0;

    // Live: batches wait while the runs created by an earlier batch are being fetched, so that
    // events apply in order.
    std::vector<EventBatch> m_queuedBatches;
    bool m_fetchingCreated = false;
    std::unordered_set<std::string> m_deleted; // deleted since the last reset: never re-shown
    QTimer m_reloadTimer;
    QTimer m_durationTimer;
    QString m_error;
};

} // namespace weft::studio

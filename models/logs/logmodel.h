#pragma once
// The lines of one flow run's log (or of every run's), for a view of millions of lines.
//
// Only the ordered ids of the lines that pass the filters live in memory (8 bytes a line); the text
// of lines is fetched for the rows a view asks for, a page at a time, into a small cache evicted by
// distance. Ids stream in growing chunks, so the first rows show at once. A search keeps a second,
// sorted id list (the hits) for highlighting and hit navigation; with context lines the rows are
// only the hits and the lines around them. Live lines arrive as the change feed's Logs events: the
// new ids are fetched and appended with one insert per batch.
//
// Id work (the first load, a search, live appends) runs one job at a time; each answer carries the
// generation it was asked in and is dropped when filters (m_gen) or the search (m_searchGen)
// changed since. GUI thread only.
#include "backend/backend.h"
#include "logs/logidlist.h"
#include "logs/logroles.h"
#include "logs/tasknames.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <cstdint>
#include <set>
#include <unordered_map>
#include <vector>

namespace weft::studio {

class LogModel : public QAbstractTableModel, public LogRoles {
    Q_OBJECT
public:
    explicit LogModel(Backend* backend, QObject* parent = nullptr);
    ~LogModel() override;

    // Scope: one flow run's lines, or every run's (each line then names its run).
    void setFlowRun(const QString& flowRunId);
    void setAllRuns();
    bool isAllRuns() const { return m_allRuns; }
    QString flowRunId() const { return QString::fromStdString(m_flowRunId); }

    // Filters; each one re-reads the ids.
    void setMinLevel(int level); // Python's numbers; 0 = every level
    int minLevel() const { return m_minLevel; }
    void setLoggerNames(const QStringList& names); // empty = every logger
    QStringList loggerNames() const { return m_loggerNames; }
    void setTaskRun(const QString& taskRunId); // "" = every line of the run
    QString taskRun() const { return QString::fromStdString(m_taskRunId); }

    /// Plain words, all required (or, with `raw`, an FTS5 query: NEAR, OR, prefix*). Across all
    /// runs the rows are the matching lines; in one run every line shows and hits are marked, or,
    /// with context lines, only the hits and the lines around them.
    void setSearch(const QString& text, bool raw = false);
    QString search() const { return m_search; }
    bool hasSearch() const { return !m_search.trimmed().isEmpty(); }
    /// 0: every line, hits marked. N > 0: only hits with N lines either side (windows merged).
    void setContextLines(int lines);
    int contextLines() const { return m_context; }
    /// The rows are only the hits and their context (so not every line of filterQuery()).
    bool contextMode() const { return m_context > 0 && hasSearch() && !hitsOnly(); }
    /// The name of a task run of this run, "" until known.
    QString taskRunName(const QString& taskRunId) const;
    /// Takes task-run names from `names` (not owned) while it covers the run shown, instead of
    /// fetching them: a run page passes its RunSnapshot's, so the log and the other views agree.
    void setTaskNames(TaskNames* names);

    /// Why lines could not be loaded ("couldn't load log lines: …"), or empty. Lines whose text
    /// failed are not asked for again until retry().
    QString errorString() const { return m_error; }
    /// Loads everything again after an error.
    void retry();

    /// Ids are still streaming in (first load or after a filter change).
    bool isLoading() const { return m_job == Job::Base; }
    /// The search's hits are still streaming in.
    bool isSearching() const { return m_job == Job::Hits || m_hitsPending; }

    // Hits, in row order. k is a hit's index (0 … hitCount()-1).
    int hitCount() const;
    int hitRow(int k) const; // -1 when that hit is not a row
    /// The first hit after `row` (forward) or the last one before it; -1 when there is none.
    /// row = -1 forward gives the first hit, row = rowCount() backward the last.
    int nextHit(int row, bool forward) const;
    /// k when `row` is a hit, else -1.
    int hitIndexOfRow(int row) const;
    QList<int> searchHitRows() const;

    qint64 idAt(int row) const;
    /// The row of a line id, or -1 when it is not a row.
    int rowOfId(qint64 id) const;
    /// The row showing `id` or, when it is not a row, the first row after it (rowCount() at end).
    int rowAtOrAfterId(qint64 id) const;
    /// The loaded line of a row, or nullptr while its text is on its way.
    const weft::LogRecord* lineAt(int row) const;
    /// The ids of the rows, in order (a copy: for a download of the current view).
    std::vector<std::int64_t> rowIds(int first = 0, int last = -1) const;
    /// The query for every line the filters let through (paged by id for a download).
    weft::LogQuery filterQuery() const;
    /// The run's label in a copied or downloaded line ("" in one run's scope).
    QString runLabel(const weft::LogRecord& line) const;

    /// Asks for the text of rows [first, last] ahead of data() (views call it as they scroll).
    void prefetch(int first, int last) const;
    /// Asks for the distinct logger names of the run; they come with loggerNamesArrived().
    void requestLoggerNames();

    /// Bytes held for the lines: id lists (capacity) plus the text cache, for measurements.
    std::size_t memoryUsage() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void loadingChanged(bool loading);
    /// Every id of the current filters is in (rowCount() is final until live lines come).
    void loadFinished();
    /// The search's hits changed (more arrived, or the search was cleared).
    void hitsChanged();
    void searchFinished(int hits);
    void loggerNamesArrived(const QStringList& names);
    /// Rows were appended by live lines (after rowsInserted).
    void liveLinesAppended(int first, int last);
    /// errorString() changed.
    void errorChanged(const QString& error);

private:
    enum class Job { None, Base, Hits, Live };
    struct Page {
        std::vector<weft::LogRecord> lines; // one per row of the page; id 0 = missing
        int rows = 0;                       // rows of the page when it was asked for
    };

    void reload();
    void resetSearch();
    void pump();
    void startHits();
    void startLive();
    void onBaseChunk(std::vector<std::int64_t> ids, bool last);
    void onHitsChunk(std::vector<std::int64_t> ids, bool last);
    void applyLive(std::vector<std::int64_t> ids, std::vector<std::int64_t> hits, std::int64_t upTo,
                   bool withHits);
    void setJob(Job job);
    /// Names' failures (`aboutLines` false) never replace one of the lines'.
    void setError(const QString& error, bool aboutLines = true) const;
    weft::LogQuery baseQuery() const;
    weft::LogQuery searchQuery() const;
    bool hitsOnly() const { return m_allRuns && hasSearch(); }

    /// Appends the context windows of hits from `fromHit` on (and the tails of earlier windows
    /// that new lines extend), as one insert.
    std::size_t extendContext(std::size_t fromHit);
    std::int64_t baseIndexOf(std::int64_t id) const;
    std::int64_t rowId(int row) const;
    bool isHitId(std::int64_t id) const;

    void onEvents(const EventBatch& batch);
    void requestPage(int page) const;
    void pageArrived(int page, std::uint64_t gen, std::vector<std::int64_t> ids,
                     std::vector<weft::LogRecord> lines);
    void fetchTaskNames();
    bool namesFromSource() const;
    QString nameOfTaskRun(const std::string& taskRunId) const;
    void taskNamesChanged();
    void fetchRunNames();
    void noteUnknownRun(const std::string& flowRunId) const;

    Backend* m_backend;
    // Scope and filters.
    std::string m_flowRunId;
    bool m_allRuns = false;
    int m_minLevel = 0;
    QStringList m_loggerNames;
    std::string m_taskRunId;
    QString m_search;
    bool m_rawSearch = false;
    int m_context = 0;

    // Rows. m_ids: every line through the filters; m_hits: the search's hits among them;
    // m_ctx: in context mode, the rows as indexes into m_ids.
    LogIdList m_ids;
    LogIdList m_hits;
    LogIdList m_ctx;
    std::int64_t m_tail = 0;     // every line id <= m_tail has been considered
    std::int64_t m_liveUpTo = 0; // live lines announced up to this id

    std::uint64_t m_gen = 0;       // filters / scope
    std::uint64_t m_searchGen = 0; // the search (and the rows, in context mode)
    std::uint64_t m_rowsGen = 0;   // row numbering; pages are kept per row
    Job m_job = Job::None;
    bool m_hitsPending = false;

    // Text cache: pages of rows, a bounded number, the farthest evicted.
    static constexpr int kPageRows = 256;
    static constexpr std::size_t kMaxPages = 24;
    mutable std::unordered_map<int, Page> m_pages;
    mutable std::set<int> m_inFlight;

    // Names shown for ids.
    QPointer<TaskNames> m_taskNameSource;
    std::unordered_map<std::string, QString> m_taskNames; // fetched, without a source
    bool m_taskNamesStale = false, m_taskNamesInFlight = false;
    QTimer m_taskNamesTimer;
    mutable std::unordered_map<std::string, QString> m_runNames;
    mutable std::set<std::string> m_unknownRuns;
    bool m_runNamesInFlight = false;
    mutable QTimer m_runNamesTimer;
    mutable QString m_error;
};

} // namespace weft::studio

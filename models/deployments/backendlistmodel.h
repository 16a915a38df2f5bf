#pragma once
// The refreshing half of Studio's deployment, work-pool and worker tables: a refresh on the
// backend's events (debounced) and every few seconds (pools and workers send no events), one
// answer at a time by generation (a stale answer is dropped), and the error shown in place.
#include "backend/backend.h"

#include <QAbstractTableModel>
#include <QTimer>

namespace weft::studio {

class BackendListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit BackendListModel(Backend* backend, QObject* parent = nullptr);

    int columnCount(const QModelIndex& parent = {}) const override;
    /// Why the last refresh failed ("couldn't load deployments: …"), or empty. The rows stay as
    /// they were: the error says they may be stale.
    QString errorString() const { return m_error; }
    /// How often the rows are read again (ms; 0: only on events and refresh()).
    void setPollInterval(int ms);

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    /// An answer arrived (rows or an error).
    void refreshed();
    void errorChanged(const QString& error);

protected:
    /// Asks the backend; the answer goes to `accept(generation, …)`.
    virtual void fetch(quint64 generation) = 0;
    virtual int columns() const = 0;
    /// Columns whose text depends on the time ("12 s ago"): repainted every second.
    virtual std::vector<int> clockColumns() const { return {}; }
    /// Whether an event should bring a refresh (runs changing change next runs and slots).
    virtual bool wantsEvent(const weft::Event& e) const;

    /// True when `generation` is the newest request; an answer for an older one is dropped.
    bool isCurrent(quint64 generation) const { return generation == m_generation; }
    /// Replaces `rows` by `fresh`: a reset when the keys changed, else one dataChanged (so a
    /// periodic refresh keeps the views' selection and scroll position).
    template<class Row, class Key>
    void replaceRows(std::vector<Row>& rows, std::vector<Row> fresh, Key key) {
        const bool sameKeys =
            rows.size() == fresh.size()
            && std::equal(rows.begin(), rows.end(), fresh.begin(),
                          [&](const Row& a, const Row& b) { return key(a) == key(b); });
        if (!sameKeys) beginResetModel();
        rows = std::move(fresh);
        if (!sameKeys)
            endResetModel();
        else if (!rows.empty())
            Q_EMIT dataChanged(index(0, 0), index(int(rows.size()) - 1, columns() - 1));
        setError({});
        Q_EMIT refreshed();
    }
    void fail(const QString& error);
    Backend* backend() const { return m_backend; }

private:
    void setError(const QString& error);
    void tick();

    Backend* m_backend;
    quint64 m_generation = 0;
    QString m_error;
    QTimer m_poll;     // the periodic refresh
    QTimer m_debounce; // events → one refresh
    QTimer m_clock;    // "12 s ago" moves on
};

} // namespace weft::studio

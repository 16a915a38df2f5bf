#include "runs/flowrunlistmodel.h"

#include "runs/runformat.h"

#include <QDateTime>
#include <algorithm>
#include <climits>

namespace weft::studio {

using namespace flowruns;

FlowRunListModel::FlowRunListModel(Backend* backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend) {
    m_requestTimer.setSingleShot(true);
    m_requestTimer.setInterval(0);
    connect(&m_requestTimer, &QTimer::timeout, this, &FlowRunListModel::requestWanted);
    m_reloadTimer.setSingleShot(true);
    m_reloadTimer.setInterval(250);
    connect(&m_reloadTimer, &QTimer::timeout, this, &FlowRunListModel::reload);
    m_durationTimer.setInterval(1000);
    connect(&m_durationTimer, &QTimer::timeout, this, &FlowRunListModel::refreshRunningDurations);
    m_durationTimer.start();
    connect(m_backend, &Backend::eventsArrived, this, &FlowRunListModel::onEvents);
    connect(m_backend, &Backend::opened, this, &FlowRunListModel::resetContents);
    resetContents();
}

FlowRunListModel::~FlowRunListModel() = default;

int FlowRunListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(std::min<qint64>(m_count, INT_MAX));
}

int FlowRunListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

FlowRunListModel::Chunk* FlowRunListModel::chunkAt(int row) const {
    auto it = std::upper_bound(m_chunks.begin(), m_chunks.end(), row,
                               [](int r, const std::unique_ptr<Chunk>& c) { return r < c->start; });
    if (it == m_chunks.begin()) return nullptr;
    Chunk* c = std::prev(it)->get();
    return row < c->end() ? c : nullptr;
}

const weft::FlowRunRecord* FlowRunListModel::record(int row) const {
    Chunk* c = chunkAt(row);
    return c ? &c->rows[size_t(row - c->start)] : nullptr;
}

// Only rows of the model: the first page is asked for together with the count and may arrive
// first, and its runs are no rows until the count is in.
bool FlowRunListModel::isLoaded(int row) const {
    return row >= 0 && row < rowCount() && record(row) != nullptr;
}

QString FlowRunListModel::runId(int row) const {
    const auto* r = record(row);
    return r ? QString::fromStdString(r->id) : QString();
}

QStringList FlowRunListModel::runIds(int first, int last) const {
    QStringList ids;
    for (const auto& c : m_chunks) { // chunk by chunk: a selection of a million rows is cheap
        const int from = std::max(first, c->start), to = std::min(last, c->end() - 1);
        for (int r = from; r <= to; ++r)
            ids << QString::fromStdString(c->rows[size_t(r - c->start)].id);
    }
    return ids;
}

int FlowRunListModel::rowOfRun(const QString& id) const {
    auto it = m_rows.find(id.toStdString());
    return it == m_rows.end() ? -1 : it->second.chunk->start + it->second.index;
}

void FlowRunListModel::setPageSize(int rows) {
    m_pageSize = std::max(1, rows);
}

namespace {
QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QStringList tagList(const std::vector<std::string>& tags) {
    QStringList out;
    out.reserve(qsizetype(tags.size()));
    for (const auto& t : tags)
        out << qs(t);
    return out;
}
} // namespace

QVariant FlowRunListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    m_lastWanted = row;
    if (m_seenFirst < 0 || row < m_seenFirst) m_seenFirst = row;
    m_seenLast = std::max(m_seenLast, row);
    const weft::FlowRunRecord* r = record(row);
    if (!r) {
        want(row);
        if (role == IsPlaceholderRole) return true;
        return {};
    }
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StateColumn:
            return qs(r->state.name);
        case FlowColumn:
            return qs(r->flow_name);
        case NameColumn:
            return qs(r->name);
        case StartColumn:
            return formatTimestamp(runStartMs(*r));
        case DurationColumn: {
            const double s = runTimeS(*r, nowMs);
            return s < 0 ? QString() : formatDuration(s);
        }
        case TagsColumn:
            return tagList(r->tags).join(QStringLiteral(", "));
        case ParametersColumn:
            return parametersSummary(r->parameters);
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case StateColumn:
            return r->state.message.empty() ? qs(r->state.name)
                                            : qs(r->state.name) + u'\n' + stateMessage(r->state);
        case NameColumn:
            return tr("%1\nid %2").arg(qs(r->name), qs(r->id));
        case StartColumn: {
            const qint64 ms = runStartMs(*r);
            return tr("%1 (%2)").arg(formatRelative(ms, nowMs), formatTimestamp(ms));
        }
        case ParametersColumn:
            return qs(r->parameters.dump(2));
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::TextAlignmentRole:
        if (index.column() == DurationColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case IdRole:
        return qs(r->id);
    case StateTypeRole:
        return int(r->state.type);
    case StateNameRole:
        return qs(r->state.name);
    case StateMessageRole:
        return stateMessage(r->state);
    case StartTimeRole:
        return runStartMs(*r);
    case DurationRole: {
        const double s = runTimeS(*r, nowMs);
        return s < 0 ? QVariant() : QVariant(s);
    }
    case TagsRole:
        return tagList(r->tags);
    case IsPlaceholderRole:
        return false;
    case FlowNameRole:
        return qs(r->flow_name);
    case ExpectedStartRole:
        return qint64(r->expected_start_time / 1000);
    case EndTimeRole:
        return r->end_time ? QVariant(qint64(*r->end_time / 1000)) : QVariant();
    case ParametersRole:
        return qs(r->parameters.dump());
    }
    return {};
}

QVariant FlowRunListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    // Says why clicking the header does nothing, instead of a server's refusal.
    if (role == Qt::ToolTipRole)
        return isSortable(section) && !canSort(section)
                   ? QVariant(tr("This server cannot sort runs by this column (it sorts by start "
                                 "and by run name)."))
                   : QVariant();
    if (role != Qt::DisplayRole) return {};
    switch (section) {
    case StateColumn:
        return tr("State");
    case FlowColumn:
        return tr("Flow");
    case NameColumn:
        return tr("Run");
    case StartColumn:
        return tr("Start");
    case DurationColumn: // the store sorts it by total_run_time
        return tr("Run time");
    case TagsColumn:
        return tr("Tags");
    case ParametersColumn:
        return tr("Parameters");
    }
    return {};
}

QHash<int, QByteArray> FlowRunListModel::roleNames() const {
    auto names = QAbstractTableModel::roleNames();
    names[IdRole] = "runId";
    names[StateTypeRole] = "stateType";
    names[StateNameRole] = "stateName";
    names[StateMessageRole] = "stateMessage";
    names[StartTimeRole] = "startTime";
    names[DurationRole] = "duration";
    names[TagsRole] = "tags";
    names[IsPlaceholderRole] = "isPlaceholder";
    names[FlowNameRole] = "flowName";
    return names;
}

bool FlowRunListModel::isSortable(int column) {
    return column == StateColumn || column == FlowColumn || column == NameColumn
           || column == StartColumn || column == DurationColumn;
}

void FlowRunListModel::sort(int column, Qt::SortOrder order) {
    if (!canSort(column) || (column == m_sortColumn && order == m_sortOrder)) return;
    m_sortColumn = column;
    m_sortOrder = order;
    resetContents();
}

void FlowRunListModel::setFilter(const FlowRunFilter& filter) {
    if (filter == m_filter && m_filter.range == FlowRunFilter::Range::All) return;
    m_filter = filter; // a relative range is taken again from now even when unchanged
    resetContents();
}

weft::FlowRunSort FlowRunListModel::sortFor(int column, Qt::SortOrder order) {
    const bool desc = order == Qt::DescendingOrder;
    using S = weft::FlowRunSort;
    switch (column) {
    case StateColumn:
        return desc ? S::StateDesc : S::StateAsc;
    case FlowColumn:
        return desc ? S::FlowNameDesc : S::FlowNameAsc;
    case NameColumn:
        return desc ? S::NameDesc : S::NameAsc;
    case DurationColumn:
        return desc ? S::DurationDesc : S::DurationAsc;
    default:
        return desc ? S::ExpectedStartDesc : S::ExpectedStartAsc;
    }
}

bool FlowRunListModel::canSort(int column) const {
    return isSortable(column) && m_backend->sortsFlowRuns(sortFor(column, Qt::AscendingOrder))
           && m_backend->sortsFlowRuns(sortFor(column, Qt::DescendingOrder));
}

weft::FlowRunQuery FlowRunListModel::baseQuery() const {
    weft::FlowRunQuery q = m_filter.toQuery();
    q.sort = sortFor(m_sortColumn, m_sortOrder);
    return q;
}

// --- Contents ------------------------------------------------------------------------------

void FlowRunListModel::resetContents() {
    beginResetModel();
    ++m_generation;
    m_chunks.clear();
    m_rows.clear();
    m_cachedRows = 0;
    m_pending.clear();
    m_queuedBatches.clear();
    m_fetchingCreated = false;
    m_deleted.clear();
    m_count = 0;
    m_counted = false;
    m_countInFlight = false;
    m_recount = false;
    m_wantFirst = m_wantLast = -1;
    m_lastWanted = 0;
    m_reloadTimer.stop();
    endResetModel();
    Q_EMIT totalCountChanged(-1);
    if (!m_backend->isOpen()) return;
    startCount(true);
    requestRange(0, m_pageSize, false); // in parallel with the count: the first screen at once
}

void FlowRunListModel::startCount(bool initial) {
    if (m_countInFlight && !initial) {
        m_recount = true; // the one in flight may predate what asked for this one
        return;
    }
    m_countInFlight = true;
    m_recount = false;
    m_countLayout = m_layoutEpoch;
    const quint64 gen = m_generation;
    m_backend->countFlowRuns(baseQuery(), this, [this, gen](Result<std::int64_t> count) {
        if (gen != m_generation) return;
        m_countInFlight = false;
        if (!count) {
            m_recount = false;
            setError(tr("couldn't load flow runs: %1").arg(count.error()));
            return;
        }
        setError({});
        if (m_countLayout != m_layoutEpoch) {
            // Rows came or went meanwhile: the count may or may not hold them. Count again.
            startCount(!m_counted);
            return;
        }
        applyCount(*count);
        if (m_recount) startCount(false);
    });
}

void FlowRunListModel::applyCount(qint64 count) {
    if (!m_counted) {
        m_counted = true;
        // Rows of the first page that arrived before the count but lie past it go.
        while (!m_chunks.empty() && m_chunks.back()->start >= count)
            dropChunk(m_chunks.size() - 1);
        if (!m_chunks.empty() && m_chunks.back()->end() > count) {
            Chunk* c = m_chunks.back().get();
            for (int i = int(count) - c->start; i < int(c->rows.size()); ++i) {
                auto it = m_rows.find(c->rows[size_t(i)].id);
                if (it != m_rows.end() && it->second.chunk == c) m_rows.erase(it);
            }
            m_cachedRows -= c->end() - int(count);
            c->rows.resize(size_t(count - c->start));
        }
        if (count > 0) {
            // A reset, not an insert: views size a million rows in a third of the time.
            beginResetModel();
            m_count = count;
            endResetModel();
        }
        Q_EMIT totalCountChanged(count);
        return;
    }
    setCount(count);
}

void FlowRunListModel::setCount(qint64 count) {
    if (count == m_count) return;
    if (count > m_count) {
        beginInsertRows({}, rowCount(), int(std::min<qint64>(count, INT_MAX)) - 1);
        m_count = count;
        endInsertRows();
    } else {
        const int first = int(count);
        beginRemoveRows({}, first, rowCount() - 1);
        while (!m_chunks.empty() && m_chunks.back()->start >= first)
            dropChunk(m_chunks.size() - 1);
        if (!m_chunks.empty() && m_chunks.back()->end() > first) {
            Chunk* c = m_chunks.back().get();
            for (int i = first - c->start; i < int(c->rows.size()); ++i) {
                auto it = m_rows.find(c->rows[size_t(i)].id);
                if (it != m_rows.end() && it->second.chunk == c) m_rows.erase(it);
            }
            m_cachedRows -= c->end() - first;
            c->rows.resize(size_t(first - c->start));
        }
        for (auto& p : m_pending)
            p.end = std::min(p.end, first);
        m_count = count;
        endRemoveRows();
    }
    Q_EMIT totalCountChanged(m_count);
}

void FlowRunListModel::want(int row) const {
    if (m_wantFirst < 0 || row < m_wantFirst) m_wantFirst = row;
    if (row > m_wantLast) m_wantLast = row;
    if (!m_requestTimer.isActive()) const_cast<QTimer&>(m_requestTimer).start();
}

void FlowRunListModel::requestWanted() {
    const int first = m_wantFirst, last = std::min(m_wantLast, rowCount() - 1);
    m_wantFirst = m_wantLast = -1;
    if (first < 0 || last < first) return;
    auto isFree = [this](int r) {
        if (chunkAt(r)) return false;
        for (const auto& p : m_pending)
            if (p.start <= r && r < p.end) return false;
        return true;
    };
    // Requests cover the rows asked for, reaching back to their page's first row while those
    // are free too, and at most a page each.
    auto requestAround = [&](int from, int to) {
        for (int r = from; r <= to; ++r) {
            if (!isFree(r)) continue;
            int s = r;
            const int pageStart = r - r % m_pageSize;
            while (s > pageStart && isFree(s - 1))
                --s;
            int e = r + 1;
            const int end = std::min(rowCount(), s + m_pageSize);
            while (e < end && isFree(e))
                ++e;
            requestRange(s, e, false);
            r = e - 1;
        }
    };
    // Far-apart rows (a view's first and last, a tester's probes): only around each end.
    if (last - first < 4 * m_pageSize) {
        requestAround(first, last);
    } else {
        requestAround(first, first);
        requestAround(last, last);
    }
}

void FlowRunListModel::requestRange(int start, int end, bool replace) {
    if (end <= start) return;
    const quint64 id = ++m_nextRequest;
    m_pending.push_back({id, start, end, replace, m_layoutEpoch});
    ++m_pageRequests;
    weft::FlowRunQuery q = baseQuery();
    q.offset = start;
    q.limit = end - start;
    const quint64 gen = m_generation;
    m_backend->fetchFlowRuns(q, this, [this, gen, id](Result<std::vector<weft::FlowRunRecord>> r) {
        if (gen != m_generation) return;
        if (!r) {
            std::erase_if(m_pending, [id](const Pending& p) { return p.id == id; });
            setError(tr("couldn't load flow runs: %1").arg(r.error()));
            return;
        }
        placePage(id, std::move(*r));
    });
}

void FlowRunListModel::placePage(quint64 requestId, std::vector<weft::FlowRunRecord> records) {
    auto it = std::find_if(m_pending.begin(), m_pending.end(),
                           [&](const Pending& p) { return p.id == requestId; });
    if (it == m_pending.end()) return;
    const Pending p = *it;
    m_pending.erase(it);
    if (p.layout != m_layoutEpoch) {
        // Rows were inserted or removed since it was sent: the answer may be from before or
        // after that change, so its rows have no sure place. Ask again for the same rows.
        requestRange(p.start, p.end, p.replace);
        return;
    }
    if (!m_deleted.empty())
        std::erase_if(records, [&](const auto& r) { return m_deleted.count(r.id) > 0; });
    const qint64 limit = m_counted ? m_count : qint64(INT_MAX);
    const int room = int(std::min<qint64>(limit - p.start, p.end - p.start));
    if (room <= 0) return;
    // Fewer rows than asked for although more are counted: runs went away unseen.
    if (m_counted && int(records.size()) < room) scheduleReload();
    if (int(records.size()) > room) records.resize(size_t(room));
    if (records.empty()) return;
    const int n = int(records.size());
    placeRows(p.start, records);
    if (m_counted) {
        Q_EMIT dataChanged(index(p.start, 0), index(p.start + n - 1, ColumnCount - 1));
        Q_EMIT pageLoaded(p.start, p.start + n - 1);
    }
    evictFarChunks();
}

void FlowRunListModel::placeRows(int start, std::vector<weft::FlowRunRecord>& records) {
    bool duplicates = false;
    const int n = int(records.size());
    int i = 0;
    while (i < n) {
        const int row = start + i;
        if (Chunk* c = chunkAt(row)) {
            // A loaded row: refresh it with the newer record.
            const int index = row - c->start;
            auto& slot = c->rows[size_t(index)];
            auto old = m_rows.find(slot.id);
            if (old != m_rows.end() && old->second.chunk == c && old->second.index == index)
                m_rows.erase(old);
            slot = std::move(records[size_t(i)]);
            auto [pos, inserted] = m_rows.insert_or_assign(slot.id, Where{c, index});
            duplicates |= !inserted;
            ++i;
            continue;
        }
        // A run of unloaded rows becomes one chunk.
        int j = i;
        while (j < n && !chunkAt(start + j))
            ++j;
        auto chunk = std::make_unique<Chunk>();
        chunk->start = row;
        chunk->rows.reserve(size_t(j - i));
        for (int k = i; k < j; ++k) {
            chunk->rows.push_back(std::move(records[size_t(k)]));
            auto [pos, inserted] =
                m_rows.insert_or_assign(chunk->rows.back().id, Where{chunk.get(), k - i});
            duplicates |= !inserted;
        }
        m_cachedRows += j - i;
        auto at =
            std::upper_bound(m_chunks.begin(), m_chunks.end(), row,
                             [](int r, const std::unique_ptr<Chunk>& c) { return r < c->start; });
        m_chunks.insert(at, std::move(chunk));
        i = j;
    }
    // The same run at two rows: the store moved on between two answers. A reload settles it.
    if (duplicates) scheduleReload();
}

void FlowRunListModel::dropChunk(std::size_t i) {
    Chunk* c = m_chunks[i].get();
    for (int k = 0; k < int(c->rows.size()); ++k) {
        auto it = m_rows.find(c->rows[size_t(k)].id);
        if (it != m_rows.end() && it->second.chunk == c && it->second.index == k) m_rows.erase(it);
    }
    m_cachedRows -= int(c->rows.size());
    m_chunks.erase(m_chunks.begin() + std::ptrdiff_t(i));
}

void FlowRunListModel::evictFarChunks() {
    while (m_cachedRows > m_cacheLimit && m_chunks.size() > 1) {
        std::size_t far = 0;
        qint64 farDistance = -1;
        for (std::size_t i = 0; i < m_chunks.size(); ++i) {
            const Chunk& c = *m_chunks[i];
            const qint64 d = m_lastWanted < c.start    ? c.start - m_lastWanted
                             : m_lastWanted >= c.end() ? m_lastWanted - c.end() + 1
                                                       : 0;
            if (d > farDistance) {
                farDistance = d;
                far = i;
            }
        }
        if (farDistance == 0) break; // only the chunk in view is left
        dropChunk(far);
    }
}

void FlowRunListModel::shiftFrom(int row, int delta) {
    for (auto& c : m_chunks)
        if (c->start >= row) c->start += delta;
    for (auto& p : m_pending) {
        if (p.start >= row) {
            p.start += delta;
            p.end += delta;
        } else if (p.end > row) {
            p.end = std::max(p.start, p.end + delta);
        }
    }
}

void FlowRunListModel::removeFromLayout(int first, int n) {
    const int last = first + n - 1;
    auto moved = [&](int row) { return row > last ? row - n : row > first ? first : row; };
    for (auto& c : m_chunks)
        c->start = moved(c->start);
    for (auto& p : m_pending) {
        p.start = moved(p.start);
        p.end = std::max(p.start, moved(p.end));
    }
}

void FlowRunListModel::reload() {
    m_reloadTimer.stop();
    if (!m_backend->isOpen()) return;
    if (!m_counted) {
        startCount(false); // or once more after the one in flight
        return;
    }
    startCount(false);
    // Keep the rows around the last ones shown (refreshed in place, so nothing flickers) and
    // forget the others: they are fetched again when shown.
    const int centre = m_lastWanted;
    const int from = std::max(0, centre - 2 * m_pageSize);
    const int to = std::min(rowCount(), centre + 2 * m_pageSize);
    for (std::size_t i = m_chunks.size(); i-- > 0;)
        if (m_chunks[i]->end() <= from || m_chunks[i]->start >= to) dropChunk(i);
    std::erase_if(m_pending, [](const Pending& p) { return p.replace; });
    requestRange(from, to, true);
}

bool FlowRunListModel::isSettled() const {
    return !m_countInFlight && m_pending.empty() && !m_fetchingCreated && m_queuedBatches.empty()
           && !m_reloadTimer.isActive() && !m_requestTimer.isActive();
}

void FlowRunListModel::retry() {
    resetContents();
}

void FlowRunListModel::setError(const QString& error) {
    if (error == m_error) return;
    m_error = error;
    Q_EMIT errorChanged(error);
}

void FlowRunListModel::scheduleReload() {
    if (!m_reloadTimer.isActive()) m_reloadTimer.start();
}

} // namespace weft::studio

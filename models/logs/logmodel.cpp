// LogModel: scope, filters, the id lists and the jobs that fill them (first load, search, live).
// Text, names and data() are in logmodeldata.cpp.
#include "logs/logmodel.h"

#include <algorithm>

namespace weft::studio {

LogModel::LogModel(Backend* backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend) {
    m_runNamesTimer.setSingleShot(true);
    m_runNamesTimer.setInterval(0);
    connect(&m_runNamesTimer, &QTimer::timeout, this, &LogModel::fetchRunNames);
    m_taskNamesTimer.setSingleShot(true);
    m_taskNamesTimer.setInterval(1000); // task runs are re-read at most once a second
    connect(&m_taskNamesTimer, &QTimer::timeout, this, &LogModel::fetchTaskNames);
    connect(m_backend, &Backend::eventsArrived, this, &LogModel::onEvents);
}

LogModel::~LogModel() = default;

// ---- scope and filters ---------------------------------------------------------------------

void LogModel::setFlowRun(const QString& flowRunId) {
    const std::string id = flowRunId.toStdString();
    if (!m_allRuns && id == m_flowRunId) return;
    const bool sameRun = id == m_flowRunId;
    m_flowRunId = id;
    m_allRuns = false;
    if (!sameRun) {
        // Filters by task run and logger belong to the run they were chosen in.
        m_taskRunId.clear();
        m_loggerNames.clear();
        m_taskNames.clear();
    }
    reload();
    fetchTaskNames();
}

void LogModel::setAllRuns() {
    if (m_allRuns) return;
    m_allRuns = true;
    m_taskRunId.clear();
    reload();
}

void LogModel::setMinLevel(int level) {
    if (level == m_minLevel) return;
    m_minLevel = level;
    reload();
}

void LogModel::setLoggerNames(const QStringList& names) {
    QStringList sorted = names;
    sorted.sort();
    sorted.removeDuplicates();
    if (sorted == m_loggerNames) return;
    m_loggerNames = sorted;
    reload();
}

void LogModel::setTaskRun(const QString& taskRunId) {
    const std::string id = taskRunId.toStdString();
    if (id == m_taskRunId) return;
    m_taskRunId = id;
    reload();
}

void LogModel::setSearch(const QString& text, bool raw) {
    if (text == m_search && raw == m_rawSearch) return;
    const bool nowSearch = !text.trimmed().isEmpty();
    if (hitsOnly() || (m_allRuns && nowSearch)) {
        // Across all runs the rows are the hits: a new search is a new list.
        m_search = text;
        m_rawSearch = raw;
        reload();
        return;
    }
    const bool wasContext = contextMode();
    const bool nowContext = m_context > 0 && nowSearch;
    ++m_searchGen;
    if (m_job == Job::Hits) setJob(Job::None); // its answers are stale now
    if (wasContext || nowContext) {
        beginResetModel();
        m_search = text;
        m_rawSearch = raw;
        m_hits.clear();
        m_ctx.clear();
        ++m_rowsGen;
        m_pages.clear();
        m_inFlight.clear();
        endResetModel();
    } else {
        m_search = text;
        m_rawSearch = raw;
        const bool hadHits = !m_hits.empty();
        m_hits.clear();
        if (hadHits && rowCount() > 0)
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {IsHitRole});
    }
    m_hitsPending = nowSearch;
    Q_EMIT hitsChanged();
    pump();
}

void LogModel::setContextLines(int lines) {
    lines = std::max(0, lines);
    if (lines == m_context) return;
    if (!hasSearch() || hitsOnly()) {
        m_context = lines; // the rows do not change
        return;
    }
    beginResetModel();
    m_context = lines;
    m_ctx.clear();
    ++m_rowsGen;
    m_pages.clear();
    m_inFlight.clear();
    endResetModel();
    // Windows of the hits already here (m_ids is complete once hits are being read); later
    // chunks of hits add theirs.
    if (contextMode() && m_job != Job::Base) extendContext(0);
}

weft::LogQuery LogModel::baseQuery() const {
    weft::LogQuery q;
    if (!m_allRuns) q.flow_run_id = m_flowRunId;
    q.task_run_id = m_taskRunId;
    q.min_level = m_minLevel;
    for (const QString& name : m_loggerNames)
        q.names.push_back(name.toStdString());
    if (hitsOnly()) {
        if (m_rawSearch)
            q.fts_query = m_search.toStdString();
        else
            q.text = m_search.toStdString();
    }
    return q;
}

weft::LogQuery LogModel::searchQuery() const {
    weft::LogQuery q = baseQuery();
    if (m_rawSearch)
        q.fts_query = m_search.toStdString();
    else
        q.text = m_search.toStdString();
    return q;
}

weft::LogQuery LogModel::filterQuery() const {
    return baseQuery();
}

// ---- jobs ----------------------------------------------------------------------------------

void LogModel::setJob(Job job) {
    const bool wasLoading = m_job == Job::Base;
    m_job = job;
    if (wasLoading != (job == Job::Base)) Q_EMIT loadingChanged(job == Job::Base);
}

void LogModel::setError(const QString& error, bool aboutLines) const {
    if (error == m_error) return;
    // The lines' own failure is the one to show: names that fail (before or after it) do not
    // hide it. reload() clears it.
    if (!error.isEmpty() && !aboutLines && !m_error.isEmpty()) return;
    m_error = error;
    Q_EMIT const_cast<LogModel*>(this)->errorChanged(error);
}

void LogModel::retry() {
    reload();
    requestLoggerNames();
    fetchTaskNames();
}

void LogModel::reload() {
    setError({});
    beginResetModel();
    ++m_gen;
    ++m_searchGen;
    ++m_rowsGen;
    m_ids.clear();
    m_hits.clear();
    m_ctx.clear();
    m_tail = 0;
    m_liveUpTo = 0;
    m_pages.clear();
    m_inFlight.clear();
    m_hitsPending = hasSearch() && !hitsOnly();
    endResetModel();
    Q_EMIT hitsChanged();
    if (!m_allRuns && m_flowRunId.empty()) {
        m_hitsPending = false;
        setJob(Job::None);
        return;
    }
    setJob(Job::Base);
    const auto gen = m_gen;
    m_backend->fetchLogIds(baseQuery(), this,
                           [this, gen](Result<std::vector<std::int64_t>> ids, bool last) {
                               if (gen != m_gen) return;
                               if (!ids) {
                                   setError(tr("couldn't load log lines: %1").arg(ids.error()));
                                   setJob(Job::None);
                                   return;
                               }
                               onBaseChunk(std::move(*ids), last);
                           });
}

void LogModel::onBaseChunk(std::vector<std::int64_t> ids, bool last) {
    if (!ids.empty()) {
        m_tail = std::max(m_tail, ids.back());
        if (contextMode()) {
            m_ids.append(ids); // rows come with the hits
        } else {
            const int first = int(m_ids.size());
            beginInsertRows({}, first, first + int(ids.size()) - 1);
            m_ids.append(ids);
            endInsertRows();
        }
    }
    if (!last) return;
    setJob(Job::None);
    Q_EMIT loadFinished();
    if (hitsOnly()) {
        Q_EMIT hitsChanged();
        Q_EMIT searchFinished(hitCount());
    }
    pump();
}

void LogModel::pump() {
    if (m_job != Job::None) return;
    if (m_hitsPending) {
        startHits();
        return;
    }
    if (m_liveUpTo > m_tail) startLive();
}

void LogModel::startHits() {
    m_hitsPending = false;
    if (!hasSearch()) return pump();
    setJob(Job::Hits);
    weft::LogQuery q = searchQuery();
    q.before_id = m_tail + 1; // the lines we have; later ones come with their live batch
    const auto gen = m_gen, searchGen = m_searchGen;
    m_backend->fetchLogIds(
        q, this, [this, gen, searchGen](Result<std::vector<std::int64_t>> ids, bool last) {
            if (gen != m_gen || searchGen != m_searchGen) return;
            if (!ids) {
                setError(tr("couldn't search log lines: %1").arg(ids.error()));
                setJob(Job::None);
                Q_EMIT searchFinished(hitCount());
                return;
            }
            onHitsChunk(std::move(*ids), last);
        });
}

void LogModel::onHitsChunk(std::vector<std::int64_t> ids, bool last) {
    if (!ids.empty()) {
        const std::size_t from = m_hits.size();
        m_hits.append(ids);
        if (contextMode()) {
            extendContext(from);
        } else {
            const int r0 = rowAtOrAfterId(ids.front());
            const int r1 = rowAtOrAfterId(ids.back());
            if (r0 < rowCount())
                Q_EMIT dataChanged(index(r0, 0),
                                   index(std::min(r1, rowCount() - 1), ColumnCount - 1),
                                   {IsHitRole});
        }
        Q_EMIT hitsChanged();
    }
    if (!last) return;
    setJob(Job::None);
    Q_EMIT searchFinished(hitCount());
    pump();
}

std::size_t LogModel::extendContext(std::size_t fromHit) {
    const auto n = std::int64_t(m_ids.size());
    const std::int64_t lines = m_context;
    std::int64_t last = m_ctx.empty() ? -1 : m_ctx.back();
    // Earlier hits whose window reaches past the last row may grow with new lines.
    std::size_t h = std::min(fromHit, m_hits.size());
    while (h > 0) {
        const std::int64_t b = baseIndexOf(m_hits[h - 1]);
        if (b < 0 || b + lines <= last) break;
        --h;
    }
    std::vector<std::int64_t> add;
    for (; h < m_hits.size(); ++h) {
        const std::int64_t b = baseIndexOf(m_hits[h]);
        if (b < 0) continue;
        const std::int64_t hi = std::min(b + lines, n - 1);
        for (std::int64_t i = std::max(b - lines, last + 1); i <= hi; ++i)
            add.push_back(i);
        last = std::max(last, hi);
    }
    if (add.empty()) return 0;
    const int first = int(m_ctx.size());
    beginInsertRows({}, first, first + int(add.size()) - 1);
    m_ctx.append(add);
    endInsertRows();
    return add.size();
}

void LogModel::onEvents(const EventBatch& batch) {
    if (!m_allRuns && m_flowRunId.empty()) return;
    std::int64_t upTo = 0;
    bool newTasks = false, deleted = false;
    for (const weft::Event& e : *batch) {
        if (e.kind == weft::EventKind::Logs) {
            if (!m_allRuns && e.flow_run_id != m_flowRunId) continue;
            if (e.payload.is_object())
                upTo = std::max(upTo, e.payload.value("last_id", std::int64_t(0)));
        } else if (!m_allRuns && e.flow_run_id == m_flowRunId) {
            newTasks = newTasks || e.kind == weft::EventKind::TaskRunCreated;
            deleted = deleted || e.kind == weft::EventKind::FlowRunDeleted;
        }
    }
    if (deleted) return reload(); // its lines are gone
    if (newTasks && !namesFromSource() && !m_taskNamesTimer.isActive()) m_taskNamesTimer.start();
    if (upTo > m_liveUpTo) {
        m_liveUpTo = upTo;
        pump();
    }
}

void LogModel::startLive() {
    setJob(Job::Live);
    const auto gen = m_gen, searchGen = m_searchGen;
    const std::int64_t from = m_tail, upTo = m_liveUpTo;
    weft::LogQuery q = baseQuery();
    q.after_id = from;
    q.before_id = upTo + 1;
    const bool withHits = hasSearch() && !hitsOnly();
    auto ids = std::make_shared<std::vector<std::int64_t>>();
    // A failed live read leaves m_tail where it was: the next live batch (or Retry) reads again.
    auto failed = [this](const QString& error) {
        setError(tr("couldn't load new log lines: %1").arg(error));
        setJob(Job::None);
    };
    m_backend->fetchLogIds(q, this, [=, this](Result<std::vector<std::int64_t>> chunk, bool last) {
        if (gen != m_gen) return;
        if (!chunk) return failed(chunk.error());
        ids->insert(ids->end(), chunk->begin(), chunk->end());
        if (!last) return;
        if (!withHits || ids->empty() || searchGen != m_searchGen)
            return applyLive(std::move(*ids), {}, upTo, false);
        // The hits among the new lines, so they are marked (or have context) when they show.
        weft::LogQuery hq = searchQuery();
        hq.after_id = from;
        hq.before_id = upTo + 1;
        auto hits = std::make_shared<std::vector<std::int64_t>>();
        m_backend->fetchLogIds(
            hq, this, [=, this](Result<std::vector<std::int64_t>> chunk, bool last) {
                if (gen != m_gen) return;
                if (!chunk) return failed(chunk.error());
                hits->insert(hits->end(), chunk->begin(), chunk->end());
                if (!last) return;
                const bool current = searchGen == m_searchGen;
                applyLive(std::move(*ids), current ? std::move(*hits) : std::vector<std::int64_t>{},
                          upTo, current);
            });
    });
}

void LogModel::applyLive(std::vector<std::int64_t> ids, std::vector<std::int64_t> hits,
                         std::int64_t upTo, bool withHits) {
    setJob(Job::None);
    m_tail = std::max(m_tail, upTo);
    // Lines the first load already had (announced while it ran) are not added twice.
    if (!m_ids.empty())
        ids.erase(ids.begin(), std::upper_bound(ids.begin(), ids.end(), m_ids.back()));
    if (!m_hits.empty())
        hits.erase(hits.begin(), std::upper_bound(hits.begin(), hits.end(), m_hits.back()));
    if (!ids.empty()) {
        const std::size_t oldHits = m_hits.size();
        m_hits.append(hits);
        if (contextMode()) {
            m_ids.append(ids);
            const int first = rowCount();
            // With a stale search the rows were reset; the pending search job rebuilds them.
            const auto added = withHits ? extendContext(oldHits) : 0;
            if (added) Q_EMIT liveLinesAppended(first, first + int(added) - 1);
        } else {
            const int first = rowCount();
            const int last = first + int(ids.size()) - 1;
            beginInsertRows({}, first, last);
            m_ids.append(ids);
            endInsertRows();
            Q_EMIT liveLinesAppended(first, last);
        }
        if (!hits.empty()) Q_EMIT hitsChanged();
    }
    pump();
}

// ---- rows and hits -------------------------------------------------------------------------

std::int64_t LogModel::baseIndexOf(std::int64_t id) const {
    return m_ids.indexOf(id);
}

std::int64_t LogModel::rowId(int row) const {
    return contextMode() ? m_ids[std::size_t(m_ctx[std::size_t(row)])] : m_ids[std::size_t(row)];
}

bool LogModel::isHitId(std::int64_t id) const {
    return hitsOnly() || m_hits.contains(id);
}

int LogModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid()) return 0;
    return int(contextMode() ? m_ctx.size() : m_ids.size());
}

int LogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

qint64 LogModel::idAt(int row) const {
    return row >= 0 && row < rowCount() ? rowId(row) : 0;
}

int LogModel::rowOfId(qint64 id) const {
    const std::int64_t b = baseIndexOf(id);
    if (b < 0 || !contextMode()) return int(b);
    return int(m_ctx.indexOf(b));
}

int LogModel::rowAtOrAfterId(qint64 id) const {
    const std::size_t b = m_ids.lowerBound(id);
    if (!contextMode()) return int(b);
    return int(m_ctx.lowerBound(std::int64_t(b)));
}

std::vector<std::int64_t> LogModel::rowIds(int first, int last) const {
    const int rows = rowCount();
    if (last < 0 || last >= rows) last = rows - 1;
    first = std::max(0, first);
    std::vector<std::int64_t> out;
    if (first > last) return out;
    if (!contextMode()) return m_ids.slice(std::size_t(first), std::size_t(last - first + 1));
    out.reserve(std::size_t(last - first + 1));
    for (int r = first; r <= last; ++r)
        out.push_back(rowId(r));
    return out;
}

int LogModel::hitCount() const {
    return int(hitsOnly() ? m_ids.size() : m_hits.size());
}

int LogModel::hitRow(int k) const {
    if (k < 0 || k >= hitCount()) return -1;
    return hitsOnly() ? k : rowOfId(m_hits[std::size_t(k)]);
}

int LogModel::nextHit(int row, bool forward) const {
    const int n = hitCount();
    if (n == 0) return -1;
    if (row < 0) return forward ? 0 : -1;
    if (row >= rowCount()) return forward ? -1 : n - 1;
    if (hitsOnly()) return forward ? (row + 1 < n ? row + 1 : -1) : row - 1;
    const std::int64_t id = rowId(row);
    if (forward) {
        const std::size_t k = m_hits.upperBound(id);
        return k < std::size_t(n) ? int(k) : -1;
    }
    return int(m_hits.lowerBound(id)) - 1;
}

int LogModel::hitIndexOfRow(int row) const {
    if (row < 0 || row >= rowCount()) return -1;
    if (hitsOnly()) return row;
    const std::int64_t id = rowId(row);
    return int(m_hits.indexOf(id));
}

QList<int> LogModel::searchHitRows() const {
    QList<int> rows;
    const int n = hitCount();
    rows.reserve(n);
    for (int k = 0; k < n; ++k)
        if (const int r = hitRow(k); r >= 0) rows.push_back(r);
    return rows;
}

std::size_t LogModel::memoryUsage() const {
    std::size_t bytes = m_ids.bytes() + m_hits.bytes() + m_ctx.bytes();
    for (const auto& [page, p] : m_pages)
        for (const weft::LogRecord& l : p.lines)
            bytes += sizeof(l) + l.message.capacity() + l.name.capacity() + l.flow_run_id.capacity()
                     + l.task_run_id.capacity();
    return bytes;
}

} // namespace weft::studio

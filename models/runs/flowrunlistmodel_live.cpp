// FlowRunListModel, live: change-feed batches applied to the rows.
#include "runs/flowrunlistmodel.h"

#include "runs/runformat.h"

#include <QDateTime>
#include <algorithm>

namespace weft::studio {

using namespace flowruns;

namespace {
// More runs created in one batch than this are not fetched by id: a re-count and reload is
// cheaper than a query with that many parameters.
constexpr std::size_t kMaxCreatedFetch = 2000;

bool before(const weft::FlowRunRecord& a, const weft::FlowRunRecord& b) // expected start desc
{
    return a.expected_start_time != b.expected_start_time
               ? a.expected_start_time > b.expected_start_time
               : a.id > b.id;
}
} // namespace

void FlowRunListModel::onEvents(const EventBatch& batch) {
    if (!batch || batch->empty()) return;
    m_queuedBatches.push_back(batch);
    processBatches();
}

// O(batch): one hash look-up per event, one dataChanged per contiguous range of changed rows,
// one removal per contiguous range of deleted rows, one fetch for the created runs.
void FlowRunListModel::processBatches() {
    const bool stateMoves =
        m_filter.dependsOnState() || m_sortColumn == StateColumn || m_sortColumn == DurationColumn;
    while (!m_fetchingCreated && !m_queuedBatches.empty()) {
        const EventBatch batch = std::move(m_queuedBatches.front());
        m_queuedBatches.erase(m_queuedBatches.begin());
        std::vector<std::string> created;
        std::unordered_set<std::string> createdSet;
        std::vector<int> changed, removed;
        bool reloadNeeded = false;
        for (const weft::Event& e : *batch) {
            switch (e.kind) {
            case weft::EventKind::FlowRunCreated:
                if (createdSet.insert(e.run_id).second) created.push_back(e.run_id);
                break;
            case weft::EventKind::FlowRunState: {
                if (createdSet.count(e.run_id)) break; // its fetch brings the newest state
                auto it = m_rows.find(e.run_id);
                if (it != m_rows.end() && e.state) {
                    mergeState(it->second.chunk->rows[size_t(it->second.index)], *e.state);
                    changed.push_back(it->second.chunk->start + it->second.index);
                }
                reloadNeeded |= stateMoves;
                break;
            }
            case weft::EventKind::FlowRunDeleted: {
                m_deleted.insert(e.run_id);
                if (createdSet.erase(e.run_id)) {
                    std::erase(created, e.run_id);
                    break;
                }
                auto it = m_rows.find(e.run_id);
                if (it != m_rows.end())
                    removed.push_back(it->second.chunk->start + it->second.index);
                else
                    reloadNeeded = true; // it may have matched: the count says
                break;
            }
            case weft::EventKind::FlowRunUpdated:
                reloadNeeded |= m_rows.count(e.run_id) > 0;
                break;
            default:
                break;
            }
        }
        emitRowsChanged(changed, 0, ColumnCount - 1);
        if (!removed.empty()) removeRuns(removed);
        if (!m_counted || created.size() > kMaxCreatedFetch) {
            reloadNeeded |= !created.empty();
            created.clear();
        }
        if (reloadNeeded) scheduleReload();
        if (created.empty()) continue;
        m_fetchingCreated = true;
        weft::FlowRunQuery q = baseQuery();
        q.ids = std::move(created);
        q.limit = int(q.ids.size());
        const quint64 gen = m_generation;
        m_backend->fetchFlowRuns(q, this, [this, gen](Result<std::vector<weft::FlowRunRecord>> r) {
            if (gen != m_generation) return;
            m_fetchingCreated = false;
            if (r)
                insertCreated(std::move(*r));
            else // the new runs stay unseen: the error says so, and Retry reloads
                setError(tr("couldn't load new flow runs: %1").arg(r.error()));
            processBatches();
        });
    }
}

void FlowRunListModel::insertCreated(std::vector<weft::FlowRunRecord> records) {
    // Runs already shown came with a page read after they were written.
    bool seen = false;
    std::erase_if(records, [&](const weft::FlowRunRecord& r) {
        const bool shown = m_rows.count(r.id) > 0;
        seen |= shown;
        return shown || m_deleted.count(r.id) > 0;
    });
    if (seen) scheduleReload();
    if (records.empty()) return;
    // Only newest-first by expected start has an obvious place for new runs: the top. In any
    // other order they land somewhere in the middle; the re-count and reload put them there.
    if (m_sortColumn != StartColumn || m_sortOrder != Qt::DescendingOrder) {
        scheduleReload();
        return;
    }
    std::sort(records.begin(), records.end(), before);
    const weft::FlowRunRecord* top = record(0);
    if (!top && m_count > 0) {
        // The top row is not loaded (its page may still be in flight): whether these runs are
        // new or already counted and on their way in a page is unknown. Inserting them could
        // show them twice; the re-count and reload put them where they are.
        scheduleReload();
        return;
    }
    if (top) {
        auto later = std::find_if(records.begin(), records.end(),
                                  [top](const weft::FlowRunRecord& r) { return !before(r, *top); });
        if (later != records.end()) {
            records.erase(later, records.end()); // older than the top row: they go in the middle
            scheduleReload();
        }
    }
    const int k = int(records.size());
    if (k == 0) return;
    beginInsertRows({}, 0, k - 1);
    ++m_layoutEpoch;
    shiftFrom(0, k);
    Chunk* front = m_chunks.empty() ? nullptr : m_chunks.front().get();
    if (front && front->start == k && front->rows.size() < size_t(4 * m_pageSize)) {
        // Grow the first chunk rather than keeping a chunk per batch.
        front->rows.insert(front->rows.begin(), std::make_move_iterator(records.begin()),
                           std::make_move_iterator(records.end()));
        front->start = 0;
        for (int i = 0; i < int(front->rows.size()); ++i) {
            auto it = m_rows.find(front->rows[size_t(i)].id);
            if (i < k || it == m_rows.end())
                m_rows.insert_or_assign(front->rows[size_t(i)].id, Where{front, i});
            else if (it->second.chunk == front && it->second.index == i - k)
                it->second.index = i;
        }
    } else {
        auto chunk = std::make_unique<Chunk>();
        chunk->start = 0;
        chunk->rows = std::move(records);
        for (int i = 0; i < k; ++i)
            m_rows.insert_or_assign(chunk->rows[size_t(i)].id, Where{chunk.get(), i});
        m_chunks.insert(m_chunks.begin(), std::move(chunk));
    }
    m_cachedRows += k;
    m_count += k;
    endInsertRows();
    Q_EMIT totalCountChanged(m_count);
    evictFarChunks();
}

void FlowRunListModel::removeRuns(const std::vector<int>& rowsIn) {
    std::vector<int> rows = rowsIn;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    // From the bottom up, so the rows still to remove keep their numbers.
    std::size_t hi = rows.size();
    while (hi > 0) {
        std::size_t lo = hi - 1;
        while (lo > 0 && rows[lo - 1] == rows[lo] - 1)
            --lo;
        const int first = rows[lo], last = rows[hi - 1], n = last - first + 1;
        beginRemoveRows({}, first, last);
        ++m_layoutEpoch;
        // Row by row from their chunks, last first.
        for (int r = last; r >= first; --r) {
            Chunk* rc = chunkAt(r);
            if (!rc) continue;
            const int index = r - rc->start;
            auto it = m_rows.find(rc->rows[size_t(index)].id);
            if (it != m_rows.end() && it->second.chunk == rc && it->second.index == index)
                m_rows.erase(it);
            rc->rows.erase(rc->rows.begin() + index);
            for (int i = index; i < int(rc->rows.size()); ++i) {
                auto moved = m_rows.find(rc->rows[size_t(i)].id);
                if (moved != m_rows.end() && moved->second.chunk == rc
                    && moved->second.index == i + 1)
                    moved->second.index = i;
            }
            --m_cachedRows;
            if (rc->rows.empty()) {
                auto pos = std::find_if(m_chunks.begin(), m_chunks.end(),
                                        [rc](const auto& p) { return p.get() == rc; });
                m_chunks.erase(pos);
            }
        }
        removeFromLayout(first, n);
        m_count -= n;
        endRemoveRows();
        hi = lo;
    }
    Q_EMIT totalCountChanged(m_count);
}

void FlowRunListModel::emitRowsChanged(std::vector<int>& rows, int firstColumn, int lastColumn) {
    if (rows.empty()) return;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    std::size_t lo = 0;
    for (std::size_t i = 1; i <= rows.size(); ++i) {
        if (i < rows.size() && rows[i] == rows[i - 1] + 1) continue;
        Q_EMIT dataChanged(index(rows[lo], firstColumn), index(rows[i - 1], lastColumn));
        lo = i;
    }
}

void FlowRunListModel::refreshRunningDurations() {
    // The rows shown since the last tick (or before, when nothing was painted since).
    if (m_seenFirst >= 0) {
        m_viewFirst = m_seenFirst;
        m_viewLast = m_seenLast;
        m_seenFirst = m_seenLast = -1;
    }
    if (m_viewFirst < 0) return;
    int first = -1, last = -1;
    const int end = std::min(m_viewLast, rowCount() - 1);
    for (int r = m_viewFirst; r <= end; ++r) {
        const weft::FlowRunRecord* rec = record(r);
        if (rec && rec->state.type == weft::StateType::Running) {
            if (first < 0) first = r;
            last = r;
        }
    }
    if (first >= 0) Q_EMIT dataChanged(index(first, DurationColumn), index(last, DurationColumn));
}

} // namespace weft::studio

// RunGraphModel: each level follows a RunSnapshot, the top level the page's and an expanded
// subflow its child run's (from RunSnapshots, shared with that run's page): one fetch and one
// merge per event batch for every view of a run.
#include "graph/rungraphmodel.h"

#include "runs/runsnapshots.h"

#include <algorithm>

namespace weft::studio {

namespace {
QString qs(const std::string& s) {
    return QString::fromStdString(s);
}
} // namespace

void RunGraphModel::setSnapshot(RunSnapshot* snapshot) {
    if (snapshot == m_snapshot) return;
    if (m_snapshot) disconnect(m_snapshot, nullptr, this, nullptr);
    m_snapshot = snapshot;
    if (snapshot) {
        connect(snapshot, &RunSnapshot::reset, this, &RunGraphModel::onSnapshotReset);
        connect(snapshot, &RunSnapshot::updated, this,
                [this](const RunSnapshot::Delta& d) { onUpdated(-1, d); });
        connect(snapshot, &RunSnapshot::errorChanged, this, &RunGraphModel::errorChanged);
    }
    onSnapshotReset();
}

void RunGraphModel::setFlowRun(const QString& flowRunId) {
    if (!m_snapshot) {
        m_own = std::make_unique<RunSnapshot>(m_backend);
        setSnapshot(m_own.get());
    }
    m_snapshot->setFlowRun(flowRunId);
}

QString RunGraphModel::errorString() const {
    if (!m_subflowError.isEmpty()) return m_subflowError;
    return m_snapshot ? m_snapshot->errorString() : QString();
}

void RunGraphModel::retry() {
    if (!m_subflowError.isEmpty()) {
        m_subflowError.clear();
        Q_EMIT errorChanged(errorString());
    }
    if (m_snapshot) m_snapshot->refresh();
    for (const auto& [owner, child] : m_children)
        if (!child->errorString().isEmpty()) child->refresh();
}

RunSnapshot* RunGraphModel::snapshotOf(int owner) const {
    if (owner < 0) return m_snapshot;
    const auto it = m_children.find(owner);
    return it != m_children.end() ? it->second.get() : nullptr;
}

void RunGraphModel::attachChild(int owner) {
    std::shared_ptr<RunSnapshot>& child = m_children[owner];
    if (!child) {
        if (!m_backend) return;
        child = RunSnapshots::of(m_backend, m_runs[size_t(owner)].childFlowRunId);
        RunSnapshot* s = child.get();
        connect(s, &RunSnapshot::reset, this, [this, owner] { onChildReset(owner); });
        connect(s, &RunSnapshot::updated, this,
                [this, owner](const RunSnapshot::Delta& d) { onUpdated(owner, d); });
        connect(s, &RunSnapshot::errorChanged, this, &RunGraphModel::onChildError);
    } else if (!child->errorString().isEmpty()) {
        child->refresh(); // expanding again retries; its reset brings the task runs
        return;
    }
    onChildReset(owner);
}

void RunGraphModel::dropChildren() {
    for (const auto& [owner, child] : m_children)
        disconnect(child.get(), nullptr, this, nullptr); // others may still hold it
    m_children.clear();
}

void RunGraphModel::onChildReset(int owner) {
    RunSnapshot* child = snapshotOf(owner);
    if (!child || child->isLoading()) return; // its first answer resets it again
    Run& call = m_runs[size_t(owner)];
    const bool expanding = call.child == Run::Loading;
    if (child->taskCount() == 0 && (!child->errorString().isEmpty() || child->runDeleted())) {
        if (expanding) call.child = Run::NotLoaded; // expanding again retries
        if (!child->errorString().isEmpty()) onChildError(child->errorString());
        if (m_pendingLoads == 0) setLoading(false);
        return;
    }
    adopt(owner, expanding ? LayoutCause::Expansion : LayoutCause::Live);
}

void RunGraphModel::onChildError(const QString& error) {
    const QString shown = error.isEmpty() ? QString() : tr("subflow: %1").arg(error);
    if (shown == m_subflowError) return;
    m_subflowError = shown;
    Q_EMIT errorChanged(errorString());
}

void RunGraphModel::onSnapshotReset() {
    ++m_loadGen;
    ++m_layoutGen;
    m_flowRunId = m_snapshot ? m_snapshot->flowRunId() : QString();
    m_runs.clear();
    m_runIndex.clear();
    dropChildren();
    m_keyIds.clear();
    m_tagNames.clear();
    m_tagIds.clear();
    m_expandedSubflow.clear();
    m_expandedGroup.clear();
    m_dirty.clear();
    m_refetchTimer.stop();
    m_origin = 0;
    m_pendingLoads = 0;
    m_subflowError.clear();
    Q_EMIT aboutToChangeLayout();
    m_scene = std::make_shared<RunGraphScene>();
    m_lastCause = LayoutCause::NewRun;
    recount();
    Q_EMIT layoutChanged();
    Q_EMIT tagsChanged();
    if (m_flowRunId.isEmpty()) {
        setLoading(false);
        return;
    }
    if (m_snapshot->isLoading()) {
        setLoading(true);
        return;
    }
    if (!m_snapshot->errorString().isEmpty() && m_snapshot->taskCount() == 0) {
        setLoading(false);
        return;
    }
    setLoading(true);
    adopt(-1, LayoutCause::NewRun);
}

void RunGraphModel::adopt(int owner, LayoutCause cause) {
    // Records become runs on the pool (JSON, strings): for 10,000 task runs that is ~100 ms the
    // GUI thread does not spend. The copy is of what the level's snapshot holds now.
    const RunSnapshot* snapshot = snapshotOf(owner);
    if (!snapshot) return;
    auto records = std::make_shared<std::vector<weft::TaskRunRecord>>();
    for (int i = 0; i < snapshot->taskCount(); ++i)
        if (!m_runIndex.count(snapshot->task(i).id)) records->push_back(snapshot->task(i));
    const bool load = cause != LayoutCause::Live;
    if (load) ++m_pendingLoads;
    const quint64 gen = m_loadGen;
    runAsync<std::shared_ptr<std::vector<Run>>>(
        this, [records] { return prepare(std::move(*records)); },
        [this, gen, owner, cause, load](Result<std::shared_ptr<std::vector<Run>>> runs) {
            if (gen != m_loadGen) return;
            if (load) --m_pendingLoads;
            if (owner >= 0) m_runs[size_t(owner)].child = Run::Loaded;
            const bool added = runs && *runs && merge(owner, std::move(**runs));
            const bool moved = catchUp(owner); // the snapshot moved on while the pool worked
            if (added || moved || load)
                requestLayout(cause);
            else if (m_pendingLoads == 0)
                setLoading(false);
        });
}

void RunGraphModel::onUpdated(int owner, const RunSnapshot::Delta& d) {
    const RunSnapshot* snapshot = snapshotOf(owner);
    if (!snapshot) return;
    QVector<int> changed;
    bool relayout = false, missing = false;
    for (int i : d.changed) {
        if (const auto it = m_runIndex.find(snapshot->task(i).id); it != m_runIndex.end())
            relayout = applyRecord(it->second, snapshot->task(i), changed) || relayout;
        else
            missing = true; // still being prepared: adopt() takes the current record
    }
    if (relayout) {
        resolveUpstream();
        requestLayout(LayoutCause::Live);
    }
    if (!changed.isEmpty()) {
        std::sort(changed.begin(), changed.end());
        changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
        Q_EMIT nodesChanged(changed);
    }
    // New task runs (placeholders included: their edges and names follow with the fetch) join
    // the layout after a short debounce, as one re-layout.
    if (d.firstNew >= 0 || missing) {
        m_dirty.insert(owner);
        if (!m_refetchTimer.isActive()) m_refetchTimer.start();
    }
}

bool RunGraphModel::applyRecord(int r, const weft::TaskRunRecord& rec, QVector<int>& changed) {
    bool relayout = false;
    if (m_runs[size_t(r)].name.isEmpty() && !rec.name.empty()) {
        // A task run known from the feed got its record: name, key, edges and tags.
        auto prepared = prepare(std::vector<weft::TaskRunRecord>{rec});
        Run& fresh = prepared->front();
        Run& run = m_runs[size_t(r)];
        run.name = fresh.name;
        run.taskKey = fresh.taskKey;
        run.key = internKey(fresh.taskKey);
        run.childFlowRunId = fresh.childFlowRunId;
        run.unresolved = std::move(fresh.unresolved);
        for (const QString& tag : fresh.tagNames) {
            auto t = m_tagIds.find(tag);
            if (t == m_tagIds.end()) {
                t = m_tagIds.insert(tag, int(m_tagNames.size()));
                m_tagNames.append(tag);
            }
            run.tags.push_back(*t);
        }
        std::sort(run.tags.begin(), run.tags.end());
        relayout = true;
    }
    Run& run = m_runs[size_t(r)];
    const weft::StateType old = run.type;
    const QString name = qs(rec.state.name);
    const bool same = old == rec.state.type && name == run.stateName;
    run.type = rec.state.type;
    run.stateName = name;
    run.stateTime = rec.state.timestamp;
    run.start = rec.start_time.value_or(0);
    run.end = rec.end_time.value_or(0);
    run.runTime = rec.total_run_time;
    if (const QString child = qs(rec.child_flow_run_id); child != run.childFlowRunId) {
        // A subflow run deleted on its own: its call becomes a plain task node.
        run.childFlowRunId = child;
        if (child.isEmpty()) {
            m_expandedSubflow[size_t(r)] = 0;
            run.child = Run::NotLoaded;
            if (const auto it = m_children.find(r); it != m_children.end()) {
                disconnect(it->second.get(), nullptr, this, nullptr);
                m_children.erase(it);
            }
        }
        relayout = true;
    }
    if (same) return relayout;
    const auto& nodeOfRun = m_scene->nodeOfRun;
    const int node = size_t(r) < nodeOfRun.size() ? nodeOfRun[size_t(r)] : -1;
    if (node < 0) return relayout;
    auto& counts = m_nodeCounts[size_t(node)];
    --counts[size_t(old)];
    ++counts[size_t(rec.state.type)];
    --m_totals[size_t(old)];
    ++m_totals[size_t(rec.state.type)];
    changed.push_back(node);
    return relayout;
}

std::size_t RunGraphModel::countOf(int owner) const {
    return std::size_t(std::count_if(m_runs.begin(), m_runs.end(),
                                     [owner](const Run& r) { return r.owner == owner; }));
}

bool RunGraphModel::catchUp(int owner) {
    // The snapshot may have moved on while a copy of its records was prepared on the pool
    // (states, a placeholder's record, a deleted subflow run): apply its records as they are.
    const RunSnapshot* snapshot = snapshotOf(owner);
    if (!snapshot) return false;
    QVector<int> changed;
    bool relayout = false;
    for (int i = 0; i < snapshot->taskCount(); ++i)
        if (const auto it = m_runIndex.find(snapshot->task(i).id); it != m_runIndex.end())
            relayout = applyRecord(it->second, snapshot->task(i), changed) || relayout;
    if (relayout) resolveUpstream();
    if (!changed.isEmpty()) {
        std::sort(changed.begin(), changed.end());
        changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
        Q_EMIT nodesChanged(changed);
    }
    return relayout;
}

} // namespace weft::studio

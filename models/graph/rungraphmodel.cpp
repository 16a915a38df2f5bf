#include "graph/rungraphmodel.h"

#include "common/statepalette.h"

#include <weft/time.hpp>

#include <algorithm>

namespace weft::studio {

namespace {

// Which member state a group's stripe shows: what needs attention first.
constexpr weft::StateType UrgencyOrder[] = {
    weft::StateType::Crashed,    weft::StateType::Failed,    weft::StateType::Running,
    weft::StateType::Cancelling, weft::StateType::Paused,    weft::StateType::Pending,
    weft::StateType::Scheduled,  weft::StateType::Cancelled, weft::StateType::Completed,
};

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

} // namespace

RunGraphModel::RunGraphModel(Backend* backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend)
    , m_scene(std::make_shared<RunGraphScene>()) {
    m_refetchTimer.setSingleShot(true);
    m_refetchTimer.setInterval(200);
    connect(&m_refetchTimer, &QTimer::timeout, this, &RunGraphModel::refetchDirty);
}

RunGraphModel::~RunGraphModel() = default;

void RunGraphModel::setLayoutMode(DagMode mode) {
    if (mode == m_mode) return;
    m_mode = mode;
    if (!m_flowRunId.isEmpty()) requestLayout(LayoutCause::Mode);
}

std::shared_ptr<std::vector<RunGraphModel::Run>>
RunGraphModel::prepare(std::vector<weft::TaskRunRecord>&& records) {
    auto out = std::make_shared<std::vector<Run>>();
    out->reserve(records.size());
    for (weft::TaskRunRecord& rec : records) {
        Run run;
        run.id = std::move(rec.id);
        run.name = qs(rec.name);
        run.taskKey = qs(rec.task_key);
        run.childFlowRunId = qs(rec.child_flow_run_id);
        run.type = rec.state.type;
        run.stateName = qs(rec.state.name);
        run.stateTime = rec.state.timestamp;
        run.start = rec.start_time.value_or(0);
        run.end = rec.end_time.value_or(0);
        run.runTime = rec.total_run_time;
        run.expected = rec.expected_start_time ? rec.expected_start_time : rec.created;
        if (rec.task_inputs.is_object())
            for (const auto& [param, inputs] : rec.task_inputs.items()) {
                if (!inputs.is_array()) continue;
                for (const auto& input : inputs) {
                    if (!input.is_object()) continue;
                    const auto type = input.find("input_type"), id = input.find("id");
                    // Prefect's key for inputs that order the run without passing data.
                    if (type != input.end() && id != input.end() && id->is_string()
                        && *type == "task_run")
                        run.unresolved.push_back({id->get<std::string>(), param == "wait_for"});
                }
            }
        for (const std::string& tag : rec.tags)
            run.tagNames.push_back(qs(tag));
        out->push_back(std::move(run));
    }
    records = {};
    return out;
}

bool RunGraphModel::merge(int owner, std::vector<Run>&& runs) {
    bool added = false, newTags = false;
    QVector<int> recoloured;
    for (Run& run : runs) {
        if (auto it = m_runIndex.find(run.id); it != m_runIndex.end()) {
            Run& known = m_runs[size_t(it->second)];
            // An event may already have told us of a newer state than this snapshot.
            if (run.stateTime < known.stateTime) continue;
            const bool changed = known.type != run.type || known.stateName != run.stateName;
            known.type = run.type;
            known.stateName = std::move(run.stateName);
            known.stateTime = run.stateTime;
            known.start = run.start ? run.start : known.start;
            known.end = run.end ? run.end : known.end;
            known.runTime = run.runTime;
            if (known.name.isEmpty()) known.name = std::move(run.name); // was a placeholder
            if (known.unresolved.empty() && known.upstream.empty())
                known.unresolved = std::move(run.unresolved);
            const auto& nodeOfRun = m_scene->nodeOfRun;
            if (changed && size_t(it->second) < nodeOfRun.size()
                && nodeOfRun[size_t(it->second)] >= 0)
                recoloured.push_back(nodeOfRun[size_t(it->second)]);
            continue;
        }
        run.owner = owner;
        run.key = internKey(run.taskKey);
        for (const QString& name : run.tagNames) {
            auto t = m_tagIds.find(name);
            if (t == m_tagIds.end()) {
                t = m_tagIds.insert(name, int(m_tagNames.size()));
                m_tagNames.append(name);
                newTags = true;
            }
            run.tags.push_back(*t);
        }
        run.tagNames.clear();
        std::sort(run.tags.begin(), run.tags.end());
        if (owner < 0) {
            const weft::Micros t = run.start ? run.start : run.expected;
            if (t && (!m_origin || t < m_origin)) m_origin = t;
        }
        m_runIndex.emplace(run.id, int(m_runs.size()));
        m_runs.push_back(std::move(run));
        m_expandedSubflow.push_back(0);
        m_expandedGroup.push_back(0);
        added = true;
    }
    if (added) resolveUpstream();
    if (!recoloured.isEmpty()) {
        recount();
        std::sort(recoloured.begin(), recoloured.end());
        recoloured.erase(std::unique(recoloured.begin(), recoloured.end()), recoloured.end());
        Q_EMIT nodesChanged(recoloured);
    }
    if (newTags) Q_EMIT tagsChanged();
    return added;
}

void RunGraphModel::resolveUpstream() {
    for (Run& run : m_runs) {
        if (run.unresolved.empty()) continue;
        std::vector<Run::Unresolved> still;
        for (Run::Unresolved& up : run.unresolved) {
            if (auto it = m_runIndex.find(up.id); it != m_runIndex.end()) {
                run.upstream.push_back(it->second);
                run.orderOnly.push_back(up.orderOnly);
            } else {
                still.push_back(std::move(up));
            }
        }
        run.unresolved = std::move(still);
    }
}

int RunGraphModel::internKey(const QString& taskKey) {
    auto key = m_keyIds.find(taskKey);
    if (key == m_keyIds.end()) key = m_keyIds.insert(taskKey, int(m_keyIds.size()));
    return *key;
}

void RunGraphModel::refetchDirty() {
    for (const int owner : std::exchange(m_dirty, {})) {
        const RunSnapshot* snapshot = snapshotOf(owner);
        if (snapshot && size_t(snapshot->taskCount()) > countOf(owner))
            adopt(owner, LayoutCause::Live); // task runs the graph does not show yet
    }
}

void RunGraphModel::requestLayout(LayoutCause cause) {
    // A plain copy for the pool thread: ints and doubles, no QObject.
    RunGraphInput in;
    in.runs.resize(m_runs.size());
    in.expandedSubflow.assign(m_runs.size(), 0);
    const weft::Micros now = weft::now_us();
    const auto seconds = [this](weft::Micros t) { return double(t - m_origin) / 1e6; };
    for (size_t i = 0; i < m_runs.size(); ++i) {
        const Run& r = m_runs[i];
        RunGraphInput::Run& o = in.runs[i];
        o.owner = r.owner;
        o.key = r.key;
        o.upstream = r.upstream;
        o.orderOnly = r.orderOnly;
        o.subflow = !r.childFlowRunId.isEmpty();
        const weft::Micros start = r.start ? r.start : r.expected;
        if (start) o.start = seconds(start);
        if (r.end)
            o.end = seconds(r.end);
        else if (r.type == weft::StateType::Running && r.start)
            o.end = seconds(now);
        in.expandedSubflow[i] = m_expandedSubflow[i] && r.child == Run::Loaded;
    }
    in.expandedGroup = m_expandedGroup;
    in.options.mode = m_mode;
    in.options.layerGap = RunGraphMetrics::LayerGap;
    in.options.nodeGap = RunGraphMetrics::NodeGap;
    const quint64 gen = ++m_layoutGen;
    runAsync<std::shared_ptr<RunGraphScene>>(
        this, [in = std::move(in)] { return buildRunGraphScene(in); },
        [this, gen, cause](Result<std::shared_ptr<RunGraphScene>> scene) {
            if (gen == m_layoutGen && scene && *scene) applyScene(std::move(*scene), cause);
        });
}

void RunGraphModel::applyScene(std::shared_ptr<RunGraphScene> scene, LayoutCause cause) {
    Q_EMIT aboutToChangeLayout();
    m_scene = std::move(scene);
    m_lastCause = cause;
    ++m_layoutCount;
    recount();
    if (m_pendingLoads == 0) setLoading(false);
    Q_EMIT layoutChanged();
}

void RunGraphModel::recount() {
    const auto& nodes = m_scene->nodes;
    m_nodeCounts.assign(nodes.size(), RunGraphStateCounts{});
    m_nodeTags.assign(nodes.size(), {});
    m_totals = {};
    for (size_t i = 0; i < nodes.size(); ++i) {
        const RunGraphNode& node = nodes[i];
        auto& counts = m_nodeCounts[i];
        auto& tags = m_nodeTags[i];
        if (node.kind == RunGraphNodeKind::Group) {
            for (int m : m_scene->groups[size_t(node.group)].members) {
                ++counts[size_t(m_runs[size_t(m)].type)];
                tags.insert(tags.end(), m_runs[size_t(m)].tags.begin(),
                            m_runs[size_t(m)].tags.end());
            }
            std::sort(tags.begin(), tags.end());
            tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
        } else {
            ++counts[size_t(m_runs[size_t(node.run)].type)];
            tags = m_runs[size_t(node.run)].tags;
        }
        for (size_t t = 0; t < counts.size(); ++t)
            m_totals[t] += counts[t];
    }
}

void RunGraphModel::setLoading(bool loading) {
    if (loading == m_loading) return;
    m_loading = loading;
    Q_EMIT loadingChanged(loading);
}

const RunGraphModel::Run* RunGraphModel::runOf(int node) const {
    if (node < 0 || node >= nodeCount()) return nullptr;
    return &m_runs[size_t(m_scene->nodes[size_t(node)].run)];
}

QRectF RunGraphModel::nodeRect(int node) const {
    return node >= 0 && node < nodeCount() ? m_scene->nodes[size_t(node)].rect : QRectF();
}

RunGraphNodeKind RunGraphModel::nodeKind(int node) const {
    return node >= 0 && node < nodeCount() ? m_scene->nodes[size_t(node)].kind
                                           : RunGraphNodeKind::Task;
}

QString RunGraphModel::nodeLabel(int node) const {
    const Run* run = runOf(node);
    if (!run) return {};
    return nodeKind(node) == RunGraphNodeKind::Group ? run->taskKey : run->name;
}

QString RunGraphModel::nodeTaskRunId(int node) const {
    const Run* run = runOf(node);
    return run ? qs(run->id) : QString();
}

QString RunGraphModel::nodeChildFlowRunId(int node) const {
    const Run* run = runOf(node);
    return run ? run->childFlowRunId : QString();
}

weft::StateType RunGraphModel::nodeStateType(int node) const {
    const Run* run = runOf(node);
    if (!run) return weft::StateType::Pending;
    if (nodeKind(node) != RunGraphNodeKind::Group) return run->type;
    const auto& counts = m_nodeCounts[size_t(node)];
    for (weft::StateType t : UrgencyOrder)
        if (counts[size_t(t)] > 0) return t;
    return run->type;
}

QString RunGraphModel::nodeStateName(int node) const {
    const Run* run = runOf(node);
    if (!run) return {};
    if (nodeKind(node) == RunGraphNodeKind::Group) return stateTypeLabel(nodeStateType(node));
    return run->stateName.isEmpty() ? stateTypeLabel(run->type) : run->stateName;
}

double RunGraphModel::nodeDuration(int node) const {
    const Run* run = runOf(node);
    if (!run || (!run->start && !run->runTime)) return -1;
    // Run time, as every view shows it (runformat.h): RUNNING time over attempts, the current
    // attempt included while it runs.
    weft::Micros us = run->runTime;
    if (run->type == weft::StateType::Running)
        us += std::max<weft::Micros>(0, weft::now_us() - run->stateTime);
    return double(us) / 1e6;
}

int RunGraphModel::nodeMemberCount(int node) const {
    if (node < 0 || node >= nodeCount()) return 0;
    if (nodeKind(node) != RunGraphNodeKind::Group) return 1;
    return int(m_scene->groups[size_t(m_scene->nodes[size_t(node)].group)].members.size());
}

const RunGraphStateCounts& RunGraphModel::nodeStateCounts(int node) const {
    static const RunGraphStateCounts none{};
    return node >= 0 && size_t(node) < m_nodeCounts.size() ? m_nodeCounts[size_t(node)] : none;
}

QStringList RunGraphModel::nodeTags(int node) const {
    QStringList out;
    if (node < 0 || size_t(node) >= m_nodeTags.size()) return out;
    for (int t : m_nodeTags[size_t(node)])
        out.append(m_tagNames.value(t));
    return out;
}

bool RunGraphModel::nodeHasTag(int node, int tagId) const {
    if (node < 0 || size_t(node) >= m_nodeTags.size()) return false;
    const auto& tags = m_nodeTags[size_t(node)];
    return std::binary_search(tags.begin(), tags.end(), tagId);
}

bool RunGraphModel::isExpandable(int node) const {
    if (node < 0 || node >= nodeCount()) return false;
    const RunGraphNode& n = m_scene->nodes[size_t(node)];
    return n.kind != RunGraphNodeKind::Task || n.group >= 0;
}

bool RunGraphModel::isExpanded(int node) const {
    if (node < 0 || node >= nodeCount()) return false;
    const RunGraphNode& n = m_scene->nodes[size_t(node)];
    return n.kind == RunGraphNodeKind::SubflowFrame
           || (n.kind != RunGraphNodeKind::Group && n.group >= 0);
}

void RunGraphModel::setExpanded(int node, bool expanded) {
    if (!isExpandable(node)) return;
    const RunGraphNode& n = m_scene->nodes[size_t(node)];
    if (n.kind == RunGraphNodeKind::Group || (n.kind == RunGraphNodeKind::Task && n.group >= 0)) {
        setGroupExpanded(n.group, expanded);
        return;
    }
    Run& run = m_runs[size_t(n.run)];
    if (bool(m_expandedSubflow[size_t(n.run)]) == expanded) return;
    m_expandedSubflow[size_t(n.run)] = expanded;
    if (expanded && run.child == Run::NotLoaded) {
        run.child = Run::Loading;
        setLoading(true);
        attachChild(n.run);
        return;
    }
    if (run.child == Run::Loaded) requestLayout(LayoutCause::Expansion);
}

void RunGraphModel::setGroupExpanded(int group, bool expanded) {
    if (group < 0 || size_t(group) >= m_scene->groups.size()) return;
    const int first = m_scene->groups[size_t(group)].members.front();
    if (bool(m_expandedGroup[size_t(first)]) == expanded) return;
    m_expandedGroup[size_t(first)] = expanded;
    requestLayout(LayoutCause::Expansion);
}

void RunGraphModel::setAllGroupsExpanded(bool expanded) {
    bool changed = false;
    for (const RunGraphGroup& g : m_scene->groups) {
        char& flag = m_expandedGroup[size_t(g.members.front())];
        changed |= bool(flag) != expanded;
        flag = expanded;
    }
    if (changed) requestLayout(LayoutCause::Expansion);
}

QVector<int> RunGraphModel::nodesIn(const QRectF& rect) const {
    std::vector<int> out;
    nodesIn(rect, out);
    return QVector<int>(out.begin(), out.end());
}

void RunGraphModel::nodesIn(const QRectF& rect, std::vector<int>& out) const {
    m_scene->nodeGrid.query(rect, out);
}

void RunGraphModel::edgesIn(const QRectF& rect, std::vector<int>& out) const {
    m_scene->edgeGrid.query(rect, out);
}

int RunGraphModel::nodeAt(const QPointF& scenePos) const {
    std::vector<int> hits;
    m_scene->nodeGrid.query(QRectF(scenePos - QPointF(0.5, 0.5), QSizeF(1, 1)), hits);
    int best = -1;
    for (int i : hits) {
        const RunGraphNode& n = m_scene->nodes[size_t(i)];
        if (!n.rect.contains(scenePos)) continue;
        // A box inside a frame wins over the frame; an inner frame over an outer one.
        const auto rank = [&](int k) {
            const RunGraphNode& m = m_scene->nodes[size_t(k)];
            return (m.kind == RunGraphNodeKind::SubflowFrame ? 0 : 1000) + m.depth;
        };
        if (best < 0 || rank(i) > rank(best)) best = i;
    }
    return best;
}

int RunGraphModel::nodeForTaskRun(const QString& taskRunId) const {
    const auto it = m_runIndex.find(taskRunId.toStdString());
    if (it == m_runIndex.end() || size_t(it->second) >= m_scene->nodeOfRun.size()) return -1;
    return m_scene->nodeOfRun[size_t(it->second)];
}

} // namespace weft::studio

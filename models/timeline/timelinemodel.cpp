#include "timeline/timelinemodel.h"

#include "common/statepalette.h"
#include "timeline/timelinemath.h"
#include "timeline/timelineroles.h"

#include <QDateTime>
#include <QHash>
#include <algorithm>
#include <limits>

namespace weft::studio {

using namespace weft::studio::timeline;

namespace {
constexpr weft::Micros kForever = std::numeric_limits<weft::Micros>::max();
// Retried task runs whose state history is fetched after a load: beyond this, bars show the
// attempt count only (the history is one query per task run).
constexpr size_t kMaxHistories = 256;

// A retried run's phases from its state history; empty for a run that simply ran and ended.
std::vector<TimelinePhase> phasesOf(const std::vector<weft::State>& states) {
    std::vector<TimelinePhase> out;
    bool started = false;
    for (const weft::State& s : states) {
        started = started || s.type == weft::StateType::Running;
        if (started && (out.empty() || out.back().type != s.type))
            out.push_back({s.timestamp, s.type});
    }
    const bool simple = out.size() < 2 || (out.size() == 2 && weft::is_terminal(out.back().type));
    return simple ? std::vector<TimelinePhase>{} : out;
}
} // namespace

TimelineModel::TimelineModel(Backend* backend, QObject* parent)
    : QAbstractListModel(parent)
    , m_backend(backend) {}

TimelineModel::~TimelineModel() = default;

void TimelineModel::clear() {
    beginResetModel();
    m_tasks.clear();
    m_taskIndex.clear();
    m_intervals.clear();
    m_maxEnd.clear();
    m_openCount = m_laneCount = 0;
    m_maxClosedEnd = 0;
    m_groups.clear();
    m_laneGroup.clear();
    m_run = {};
    endResetModel();
}

void TimelineModel::setSnapshot(RunSnapshot* snapshot) {
    if (snapshot == m_snapshot) return;
    if (m_snapshot) disconnect(m_snapshot, nullptr, this, nullptr);
    m_snapshot = snapshot;
    if (snapshot) {
        connect(snapshot, &RunSnapshot::reset, this, &TimelineModel::onReset);
        connect(snapshot, &RunSnapshot::updated, this, &TimelineModel::onUpdated);
        connect(snapshot, &RunSnapshot::errorChanged, this, &TimelineModel::errorChanged);
    }
    onReset();
}

void TimelineModel::setFlowRun(const QString& flowRunId) {
    if (!m_snapshot) {
        m_own = std::make_unique<RunSnapshot>(m_backend);
        setSnapshot(m_own.get());
    }
    m_snapshot->setFlowRun(flowRunId);
}

QString TimelineModel::flowRunId() const {
    return m_snapshot ? m_snapshot->flowRunId() : QString();
}

bool TimelineModel::isLoading() const {
    return m_snapshot && m_snapshot->isLoading();
}

QString TimelineModel::errorString() const {
    return m_snapshot ? m_snapshot->errorString() : QString();
}

void TimelineModel::onReset() {
    ++m_gen; // history answers for the previous contents are dropped
    clear();
    const bool loading = isLoading();
    if (loading != m_loading) {
        m_loading = loading;
        Q_EMIT loadingChanged(loading);
    }
    if (!m_snapshot || loading || m_snapshot->flowRunId().isEmpty()) {
        Q_EMIT updated();
        return;
    }
    Changes c;
    c.run = true;
    syncRun();
    for (int i = 0; i < m_snapshot->taskCount(); ++i)
        syncTask(i, c);
    commit(c);
    Q_EMIT updated(); // also when nothing started (the "not started" count)
    if (m_snapshot->isLoaded()) Q_EMIT loaded();
}

void TimelineModel::onUpdated(const RunSnapshot::Delta& d) {
    Changes c;
    if (d.run) {
        syncRun();
        c.run = true;
    }
    for (int i : d.changed)
        syncTask(i, c);
    if (d.firstNew >= 0)
        for (int i = d.firstNew; i < m_snapshot->taskCount(); ++i)
            syncTask(i, c);
    commit(c);
}

void TimelineModel::syncRun() {
    const auto& run = m_snapshot->run();
    if (!run) {
        m_run = {};
        return;
    }
    // The record's times: a crashed run ends at its last sign of life, which the record has and
    // the crash event does not.
    m_run = {true,
             QString::fromStdString(run->name),
             run->state.type,
             run->start_time,
             run->end_time,
             run->expected_start_time ? run->expected_start_time : run->created,
             run->state.timestamp,
             run->state.id};
}

int TimelineModel::addTask(const std::string& id) {
    const int k = int(m_tasks.size());
    m_tasks.push_back(Task{});
    m_tasks.back().id = id;
    m_taskIndex.emplace(id, k);
    return k;
}

void TimelineModel::syncTask(int i, Changes& c) {
    const weft::TaskRunRecord& r = m_snapshot->task(i);
    const bool fromFeed = m_snapshot->isPlaceholder(i);
    const auto it = m_taskIndex.find(r.id);
    const int k = it != m_taskIndex.end() ? it->second : addTask(r.id);
    Task& t = m_tasks[size_t(k)];
    bool changed = false;
    if (t.placeholder && !fromFeed) {
        t.name = QString::fromStdString(r.name);
        t.taskKey = QString::fromStdString(r.task_key);
        t.placeholder = false;
        changed = true;
    }
    const bool newer =
        t.stateId.empty() || (r.state.id != t.stateId && r.state.timestamp >= t.stateTs);
    if (newer) {
        if (t.stateId.empty())
            setState(k, r.state);
        else
            applyTaskState(k, r.state, c); // follows the phases of a retried run
        changed = true;
    }
    // The snapshot's times and counts are the ones every view shows.
    if (t.placed && r.start_time && t.start && *r.start_time != *t.start) c.reorder = true;
    if (r.start_time) t.start = r.start_time;
    if (r.end_time != t.end || r.run_count != t.runCount || r.total_run_time != t.runTime)
        changed = true;
    t.end = r.end_time;
    t.runCount = r.run_count;
    t.runTime = r.total_run_time;
    if ((newer || !t.historyAsked) && !fromFeed) {
        // Retried, or waiting to retry: its phases are in its state history, not the record.
        // Asked once per task run at least, as the snapshot may merge several of its states in
        // one batch (the feed's steps are then not seen one by one), and again as it goes on.
        const bool waiting =
            t.start && !weft::is_terminal(t.state) && t.state != weft::StateType::Running;
        if ((t.runCount > 1 || waiting) && c.history.size() < kMaxHistories) {
            c.history.push_back(k);
            t.historyAsked = true;
        }
    }
    place(k, c, changed);
}

int TimelineModel::notStartedCount() const {
    return int(m_tasks.size() - m_intervals.size());
}

void TimelineModel::place(int k, Changes& c, bool changed) {
    Task& t = m_tasks[size_t(k)];
    if (!t.placed && t.start) {
        t.placed = true;
        c.started.push_back(k);
    } else if (t.placed && changed) {
        c.changed.push_back(k);
    }
}

void TimelineModel::setState(int k, const weft::State& s) {
    Task& t = m_tasks[size_t(k)];
    t.state = s.type;
    t.stateName = QString::fromStdString(s.name);
    t.stateId = s.id;
    t.stateTs = s.timestamp;
}

void TimelineModel::applyTaskState(int k, const weft::State& s, Changes& c) {
    Task& t = m_tasks[size_t(k)];
    if (s.id == t.stateId || s.timestamp < t.stateTs) return; // already in what we have
    const weft::StateType prev = t.state;
    const bool hadStart = t.start.has_value();
    if (s.type == weft::StateType::Running && !t.start) t.start = s.timestamp;
    if (hadStart) {
        // Running then ended is one plain attempt; anything else after a start (a wait for a
        // retry, a resume, a pause) splits the bar into phases.
        const bool plain = prev == weft::StateType::Running
                           && (s.type == weft::StateType::Running || weft::is_terminal(s.type));
        if (t.phases.empty() && !plain) {
            t.phases.push_back({*t.start, weft::StateType::Running});
            if (prev != weft::StateType::Running) t.phases.push_back({t.stateTs, prev});
        }
        if (!t.phases.empty() && t.phases.back().type != s.type)
            t.phases.push_back({s.timestamp, s.type});
    }
    setState(k, s);
    place(k, c, true);
}

TimelineInterval TimelineModel::makeInterval(int k) const {
    const Task& t = m_tasks[size_t(k)];
    TimelineInterval iv;
    iv.start = t.start.value_or(0);
    iv.open = !t.end.has_value();
    iv.end = iv.open ? iv.start : std::max(*t.end, iv.start);
    iv.task = k;
    iv.runCount = t.runCount;
    iv.state = t.state;
    iv.retried = t.phases.size() > 1;
    return iv;
}

int TimelineModel::findInterval(int k) const {
    const Task& t = m_tasks[size_t(k)];
    if (!t.placed || !t.start) return -1;
    TimelineInterval key;
    key.start = *t.start;
    key.task = k;
    const auto it = std::lower_bound(m_intervals.begin(), m_intervals.end(), key, before);
    return it != m_intervals.end() && it->task == k ? int(it - m_intervals.begin()) : -1;
}

void TimelineModel::commit(Changes& c) {
    if (!c.history.empty()) fetchHistories(std::exchange(c.history, {}));
    // Existing intervals change in place: one dataChanged over the rows touched.
    int lo = std::numeric_limits<int>::max();
    int hi = -1;
    for (int k : c.changed) {
        const int i = findInterval(k);
        if (i < 0) continue;
        TimelineInterval next = makeInterval(k);
        next.lane = m_intervals[size_t(i)].lane;
        m_intervals[size_t(i)] = next;
        lo = std::min(lo, i);
        hi = std::max(hi, i);
    }
    std::vector<TimelineInterval> fresh;
    fresh.reserve(c.started.size());
    for (int k : c.started)
        fresh.push_back(makeInterval(k));
    std::sort(fresh.begin(), fresh.end(), before);
    const bool inOrder =
        fresh.empty() || m_intervals.empty() || before(m_intervals.back(), fresh.front());

    std::vector<LaneGroup> groups;
    int lanes = 0;
    if (c.reorder || !inOrder) {
        // A start before the last one (clocks of two processes, a corrected record): rare, so
        // the order is rebuilt and views reset.
        beginResetModel();
        m_intervals.clear();
        for (size_t k = 0; k < m_tasks.size(); ++k)
            if (m_tasks[k].placed) m_intervals.push_back(makeInterval(int(k)));
        std::sort(m_intervals.begin(), m_intervals.end(), before);
        assignLanes(m_intervals, groups, lanes);
        setLanes(std::move(groups), lanes);
        recomputeMaxEnd(0);
        endResetModel();
    } else {
        const size_t n = m_intervals.size();
        if (m_grouped) {
            std::vector<TimelineInterval> all = m_intervals;
            all.insert(all.end(), fresh.begin(), fresh.end());
            assignLanes(all, groups, lanes);
            for (size_t i = 0; i < n; ++i) {
                if (m_intervals[i].lane == all[i].lane) continue;
                m_intervals[i].lane = all[i].lane;
                lo = std::min(lo, int(i));
                hi = std::max(hi, int(i));
            }
            for (size_t j = 0; j < fresh.size(); ++j)
                fresh[j].lane = all[n + j].lane;
        } else {
            for (size_t j = 0; j < fresh.size(); ++j)
                fresh[j].lane = int(n + j);
            lanes = int(n + fresh.size());
        }
        setLanes(std::move(groups), lanes);
        if (hi >= 0) {
            recomputeMaxEnd(size_t(lo));
            Q_EMIT dataChanged(index(lo), index(hi));
        }
        if (!fresh.empty()) {
            beginInsertRows({}, int(n), int(n + fresh.size()) - 1);
            m_intervals.insert(m_intervals.end(), fresh.begin(), fresh.end());
            recomputeMaxEnd(n);
            endInsertRows();
        }
        if (hi < 0 && fresh.empty() && !c.run) return; // nothing to show
    }
    m_openCount = 0;
    m_maxClosedEnd = 0;
    for (const TimelineInterval& iv : m_intervals) {
        m_openCount += iv.open;
        if (!iv.open) m_maxClosedEnd = std::max(m_maxClosedEnd, iv.end);
    }
    Q_EMIT updated();
}

void TimelineModel::setLanes(std::vector<LaneGroup> groups, int lanes) {
    m_groups = std::move(groups);
    m_laneCount = lanes;
    m_laneGroup.assign(m_grouped ? size_t(lanes) : 0, 0);
    for (size_t g = 0; g < m_groups.size(); ++g)
        for (int l = 0; l < m_groups[g].lanes; ++l)
            m_laneGroup[size_t(m_groups[g].firstLane + l)] = int(g);
}

void TimelineModel::assignLanes(std::vector<TimelineInterval>& ivs, std::vector<LaneGroup>& groups,
                                int& laneCount) const {
    groups.clear();
    if (!m_grouped) {
        for (size_t i = 0; i < ivs.size(); ++i)
            ivs[i].lane = int(i);
        laneCount = int(ivs.size());
        return;
    }
    // Per task key, in start order, onto as few lanes as the key's runs need at once.
    QHash<QString, int> groupOfKey;
    std::vector<TimelineMath::LaneInput> in;
    in.reserve(ivs.size());
    for (const TimelineInterval& iv : ivs) {
        const QString& key = m_tasks[size_t(iv.task)].taskKey;
        auto it = groupOfKey.find(key);
        if (it == groupOfKey.end()) {
            it = groupOfKey.insert(key, int(groups.size()));
            groups.push_back({key, 0, 0, 0});
        }
        ++groups[size_t(*it)].intervals;
        in.push_back({iv.start, iv.open ? kForever : iv.end, *it});
    }
    std::vector<int> lanes;
    const std::vector<int> counts = TimelineMath::packLanes(in, lanes);
    laneCount = 0;
    for (size_t g = 0; g < groups.size(); ++g) {
        groups[g].firstLane = laneCount;
        groups[g].lanes = counts[g];
        laneCount += counts[g];
    }
    for (size_t i = 0; i < ivs.size(); ++i)
        ivs[i].lane = lanes[i];
}

void TimelineModel::recomputeMaxEnd(size_t from) {
    m_maxEnd.resize(m_intervals.size());
    weft::Micros running = from > 0 ? m_maxEnd[from - 1] : std::numeric_limits<weft::Micros>::min();
    for (size_t i = from; i < m_intervals.size(); ++i) {
        const TimelineInterval& iv = m_intervals[i];
        running = std::max(running, iv.open ? kForever : iv.end);
        m_maxEnd[i] = running;
    }
}

void TimelineModel::fetchHistories(std::vector<int> tasks) {
    if (tasks.empty()) return;
    const quint64 gen = m_gen;
    struct Collect {
        size_t remaining;
        std::vector<std::pair<int, std::vector<weft::State>>> got;
    };
    auto collect = std::make_shared<Collect>(Collect{tasks.size(), {}});
    for (int k : tasks) {
        m_backend->fetchStateHistory(
            m_tasks[size_t(k)].id, this,
            [this, gen, k, collect](Result<std::vector<weft::State>> states) {
                if (gen != m_gen) return;
                // Without its history a retried bar shows its attempt count only: no error.
                collect->got.emplace_back(k, std::move(states).valueOr({}));
                if (--collect->remaining > 0) return;
                Changes c; // every history in, applied as one change
                for (auto& [task, history] : collect->got) {
                    Task& t = m_tasks[size_t(task)];
                    std::vector<TimelinePhase> phases = phasesOf(history);
                    // Keep phases the feed added after the history was read.
                    const weft::Micros last = history.empty() ? 0 : history.back().timestamp;
                    for (const TimelinePhase& p : t.phases)
                        if (p.start > last && (phases.empty() || phases.back().type != p.type))
                            phases.push_back(p);
                    if (!history.empty()) t.phases = std::move(phases);
                    if (t.placed) c.changed.push_back(task);
                }
                commit(c);
            });
    }
}

// --- queries -------------------------------------------------------------------------------

int TimelineModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

QHash<int, QByteArray> TimelineModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({{TaskRunIdRole, "taskRunId"},
                  {TaskKeyRole, "taskKey"},
                  {StateTypeRole, "stateType"},
                  {StateNameRole, "stateName"},
                  {StartRole, "start"},
                  {EndRole, "end"},
                  {IsOpenRole, "isOpen"},
                  {DurationRole, "duration"},
                  {RunCountRole, "runCount"},
                  {LaneRole, "lane"},
                  {IsPlaceholderRole, "isPlaceholder"}});
    return names;
}

QVariant TimelineModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int i = index.row();
    const TimelineInterval& iv = interval(i);
    const Task& t = m_tasks[size_t(iv.task)];
    if (role == Qt::DisplayRole) return name(i);
    if (role == Qt::ToolTipRole) return toolTip(i);
    if (role == TaskRunIdRole) return QString::fromStdString(t.id);
    if (role == TaskKeyRole) return t.taskKey;
    if (role == StateTypeRole) return int(iv.state);
    if (role == StateNameRole) return stateName(i);
    if (role == StartRole) return qint64(iv.start);
    if (role == EndRole) return iv.open ? QVariant() : QVariant(qint64(iv.end));
    if (role == IsOpenRole) return iv.open;
    if (role == DurationRole) return qint64(endOf(iv) - iv.start);
    if (role == RunCountRole) return iv.runCount;
    if (role == LaneRole) return iv.lane;
    if (role == IsPlaceholderRole) return t.placeholder;
    return {};
}

int TimelineModel::firstIndex(weft::Micros t) const {
    return int(std::lower_bound(m_maxEnd.begin(), m_maxEnd.end(), t) - m_maxEnd.begin());
}

int TimelineModel::lastIndex(weft::Micros t) const {
    const auto it = std::partition_point(m_intervals.begin(), m_intervals.end(),
                                         [t](const TimelineInterval& iv) { return iv.start <= t; });
    return int(it - m_intervals.begin()) - 1;
}

QString TimelineModel::name(int i) const {
    const Task& t = task(i);
    // Until its record is fetched, a run from the feed is known by its id.
    return t.placeholder ? QString::fromStdString(t.id.substr(0, 8)) : t.name;
}

QString TimelineModel::stateName(int i) const {
    const Task& t = task(i);
    return t.stateName.isEmpty() ? stateTypeLabel(t.state) : t.stateName;
}

int TimelineModel::indexOfTaskRun(const QString& taskRunId) const {
    const auto it = m_taskIndex.find(taskRunId.toStdString());
    return it == m_taskIndex.end() ? -1 : findInterval(it->second);
}

QString TimelineModel::toolTip(int i) const {
    const TimelineInterval& iv = interval(i);
    auto clock = [](weft::Micros us) {
        return QDateTime::fromMSecsSinceEpoch(us / 1000).toString(QStringLiteral("HH:mm:ss.zzz"));
    };
    const weft::Micros origin = rangeStart();
    auto row = [](const QString& label, const QString& value) {
        return QStringLiteral("<tr><td style='padding-right:10px'>%1</td><td>%2</td></tr>")
            .arg(label, value);
    };
    QString rows = row(tr("State"), stateName(i).toHtmlEscaped());
    rows += row(tr("Start"),
                tr("%1 (+%2)")
                    .arg(clock(iv.start), TimelineMath::formatDuration(double(iv.start - origin))));
    rows += row(tr("End"), iv.open ? tr("not yet") : clock(iv.end));
    // The two durations every view shows: the bar is the wall time.
    const QString wall = TimelineMath::formatDuration(double(endOf(iv) - iv.start));
    rows += row(tr("Wall time"), iv.open ? tr("%1 so far").arg(wall) : wall);
    const Task& t = task(i);
    weft::Micros running = t.runTime;
    if (t.state == weft::StateType::Running)
        running += std::max<weft::Micros>(0, now() - t.stateTs);
    rows += row(tr("Run time"), TimelineMath::formatDuration(double(running)));
    rows += row(tr("Attempts"), QString::number(std::max(1, iv.runCount)));
    if (!taskKey(i).isEmpty()) rows += row(tr("Task"), taskKey(i).toHtmlEscaped());
    return QStringLiteral("<b>%1</b><table cellspacing='0'>%2</table>")
        .arg(name(i).toHtmlEscaped(), rows);
}

void TimelineModel::setGroupByTaskKey(bool grouped) {
    if (grouped == m_grouped) return;
    m_grouped = grouped;
    std::vector<LaneGroup> groups;
    int lanes = 0;
    assignLanes(m_intervals, groups, lanes);
    setLanes(std::move(groups), lanes);
    if (!m_intervals.empty()) Q_EMIT dataChanged(index(0), index(count() - 1), {LaneRole});
    Q_EMIT updated();
}

QString TimelineModel::laneLabel(int lane) const {
    if (lane < 0 || lane >= m_laneCount) return {};
    if (!m_grouped) return name(lane);
    const LaneGroup& g = m_groups[size_t(m_laneGroup[size_t(lane)])];
    return lane == g.firstLane ? g.taskKey : QString();
}

bool TimelineModel::isLive() const {
    return m_run.known && !weft::is_terminal(m_run.state);
}

weft::Micros TimelineModel::openEnd() const {
    return weft::is_terminal(m_run.state) && m_run.end ? *m_run.end : now();
}

weft::Micros TimelineModel::rangeStart() const {
    weft::Micros s = kForever;
    if (m_run.start) s = *m_run.start;
    if (!m_intervals.empty()) s = std::min(s, m_intervals.front().start);
    if (s == kForever) s = m_run.created ? m_run.created : now();
    return s;
}

weft::Micros TimelineModel::rangeEnd() const {
    weft::Micros e = rangeStart();
    if (m_run.end)
        e = std::max(e, *m_run.end);
    else if (m_run.start && isLive())
        e = std::max(e, now());
    e = std::max(e, m_maxClosedEnd);
    if (m_openCount > 0) e = std::max(e, openEnd());
    return e;
}

weft::Micros TimelineModel::now() const {
    return m_fixedNow ? m_fixedNow : weft::now_us();
}

} // namespace weft::studio

#include "runs/taskrunmodel.h"

#include "runs/runformat.h"

#include <QDateTime>
#include <algorithm>

namespace weft::studio {

using namespace taskruns;

namespace {
QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QVariant seconds(double s) {
    return s < 0 ? QVariant() : QVariant(s);
}
} // namespace

TaskRunModel::TaskRunModel(Backend* backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend) {
    m_durationTimer.setInterval(1000);
    connect(&m_durationTimer, &QTimer::timeout, this, &TaskRunModel::refreshRunningDurations);
    m_durationTimer.start();
}

TaskRunModel::~TaskRunModel() = default;

void TaskRunModel::setSnapshot(RunSnapshot* snapshot) {
    if (snapshot == m_snapshot) return;
    if (m_snapshot) disconnect(m_snapshot, nullptr, this, nullptr);
    m_snapshot = snapshot;
    if (snapshot) {
        connect(snapshot, &RunSnapshot::reset, this, &TaskRunModel::onReset);
        connect(snapshot, &RunSnapshot::updated, this, &TaskRunModel::onUpdated);
        connect(snapshot, &RunSnapshot::loaded, this, &TaskRunModel::loaded);
        connect(snapshot, &RunSnapshot::errorChanged, this, &TaskRunModel::errorChanged);
        if (m_refetchDelay >= 0) snapshot->setRefetchDelay(m_refetchDelay);
    }
    onReset();
}

void TaskRunModel::setFlowRun(const QString& flowRunId) {
    if (!m_snapshot) {
        m_own = std::make_unique<RunSnapshot>(m_backend);
        setSnapshot(m_own.get());
    }
    m_snapshot->setFlowRun(flowRunId);
}

void TaskRunModel::refresh() {
    if (m_snapshot) m_snapshot->refresh();
}

void TaskRunModel::setRefetchDelay(int ms) {
    m_refetchDelay = ms;
    if (m_snapshot) m_snapshot->setRefetchDelay(ms);
}

void TaskRunModel::onReset() {
    beginResetModel();
    m_rows = m_snapshot ? m_snapshot->taskCount() : 0;
    endResetModel();
    Q_EMIT countsChanged();
}

void TaskRunModel::onUpdated(const RunSnapshot::Delta& d) {
    // Changed rows in contiguous ranges, one dataChanged each.
    for (std::size_t lo = 0, i = 1; i <= d.changed.size(); ++i) {
        if (i < d.changed.size() && d.changed[i] == d.changed[i - 1] + 1) continue;
        Q_EMIT dataChanged(index(d.changed[lo], 0), index(d.changed[i - 1], ColumnCount - 1));
        lo = i;
    }
    const int now = m_snapshot->taskCount();
    if (now > m_rows) {
        beginInsertRows({}, m_rows, now - 1);
        m_rows = now;
        endInsertRows();
    }
    if (!d.changed.empty() || d.firstNew >= 0) Q_EMIT countsChanged();
}

int TaskRunModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : m_rows;
}

int TaskRunModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

const weft::TaskRunRecord* TaskRunModel::taskRun(int row) const {
    return row >= 0 && row < m_rows ? &m_snapshot->task(row) : nullptr;
}

int TaskRunModel::rowOfTaskRun(const QString& id) const {
    if (!m_snapshot) return -1;
    const int i = m_snapshot->indexOf(id.toStdString());
    return i < m_rows ? i : -1;
}

QStringList TaskRunModel::upstreamNames(int row) const {
    QStringList names;
    for (int u : m_snapshot->upstream(row)) {
        const weft::TaskRunRecord& up = m_snapshot->task(u);
        const QString name = up.name.empty() ? qs(up.id).left(8) : qs(up.name);
        if (!names.contains(name)) names << name;
    }
    return names;
}

QVariant TaskRunModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const weft::TaskRunRecord& r = m_snapshot->task(row);
    const bool placeholder = m_snapshot->isPlaceholder(row);
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    auto tags = [&] {
        QStringList out;
        for (const auto& t : r.tags)
            out << qs(t);
        return out;
    };
    auto upstreamIds = [&] {
        QStringList ids;
        for (int u : m_snapshot->upstream(row))
            ids << qs(m_snapshot->task(u).id);
        return ids;
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StateColumn:
            return qs(r.state.name);
        case NameColumn:
            return placeholder && r.name.empty() ? qs(r.id).left(8) : qs(r.name);
        case AttemptsColumn:
            return r.run_count;
        case StartColumn:
            return formatTimestampMs(runStartMs(r));
        case RunTimeColumn:
            return formatDuration(runTimeS(r, nowMs));
        case WallTimeColumn:
            return formatDuration(wallTimeS(r, nowMs));
        case MessageColumn: // one line: the details pane shows the whole message
            return qs(r.state.message).section(u'\n', 0, 0);
        case CacheKeyColumn:
            return qs(r.cache_key);
        case InputsColumn:
            return upstreamNames(row).join(QStringLiteral(", "));
        case TagsColumn:
            return tags().join(QStringLiteral(", "));
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case StateColumn:
        case MessageColumn:
            return r.state.message.empty() ? qs(r.state.name)
                                           : qs(r.state.name) + u'\n' + qs(r.state.message);
        case NameColumn:
            return tr("%1\nid %2").arg(qs(r.name), qs(r.id));
        case StartColumn: {
            const qint64 ms = runStartMs(r);
            return tr("%1 (%2)").arg(formatRelative(ms, nowMs), formatTimestampMs(ms));
        }
        default:
            return headerData(index.column(), Qt::Horizontal, Qt::ToolTipRole).toString()
                   + QStringLiteral(": ") + data(index, Qt::DisplayRole).toString();
        }
    case Qt::TextAlignmentRole:
        if (index.column() == AttemptsColumn) return QVariant::fromValue(Qt::AlignCenter);
        if (index.column() == RunTimeColumn || index.column() == WallTimeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case IdRole:
        return qs(r.id);
    case StateTypeRole:
        return int(r.state.type);
    case StateNameRole:
        return qs(r.state.name);
    case StateMessageRole:
        return qs(r.state.message);
    case StartTimeRole:
        return runStartMs(r);
    case RunTimeRole:
        return seconds(runTimeS(r, nowMs));
    case WallTimeRole:
        return seconds(wallTimeS(r, nowMs));
    case TagsRole:
        return tags();
    case TaskKeyRole:
        return qs(r.task_key);
    case RunCountRole:
        return r.run_count;
    case CacheKeyRole:
        return qs(r.cache_key);
    case UpstreamIdsRole:
        return upstreamIds();
    case UpstreamNamesRole:
        return upstreamNames(row);
    case EndTimeRole:
        return r.end_time ? QVariant(qint64(*r.end_time / 1000)) : QVariant();
    case ChildFlowRunIdRole:
        return qs(r.child_flow_run_id);
    case IsPlaceholderRole:
        return placeholder;
    }
    return {};
}

QVariant TaskRunModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case RunTimeColumn:
            return tr("Run time: time spent running, over all attempts");
        case WallTimeColumn:
            return tr("Wall time: from start to end, waits between attempts included");
        default:
            return headerData(section, orientation, Qt::DisplayRole);
        }
    }
    if (role != Qt::DisplayRole) return {};
    switch (section) {
    case StateColumn:
        return tr("State");
    case NameColumn:
        return tr("Task run");
    case AttemptsColumn:
        return tr("Attempts");
    case StartColumn:
        return tr("Start");
    case RunTimeColumn:
        return tr("Run time");
    case WallTimeColumn:
        return tr("Wall time");
    case MessageColumn:
        return tr("Message");
    case CacheKeyColumn:
        return tr("Cache key");
    case InputsColumn:
        return tr("Inputs");
    case TagsColumn:
        return tr("Tags");
    }
    return {};
}

std::map<weft::StateType, int> TaskRunModel::countsByState() const {
    std::map<weft::StateType, int> counts;
    if (!m_snapshot) return counts;
    for (auto type :
         {weft::StateType::Scheduled, weft::StateType::Pending, weft::StateType::Running,
          weft::StateType::Completed, weft::StateType::Failed, weft::StateType::Cancelled,
          weft::StateType::Crashed, weft::StateType::Paused, weft::StateType::Cancelling})
        if (const int n = m_snapshot->count(type)) counts[type] = n;
    return counts;
}

void TaskRunModel::refreshRunningDurations() {
    int first = -1, last = -1;
    for (int i = 0; i < m_rows; ++i)
        if (m_snapshot->task(i).state.type == weft::StateType::Running) {
            if (first < 0) first = i;
            last = i;
        }
    if (first >= 0) Q_EMIT dataChanged(index(first, RunTimeColumn), index(last, WallTimeColumn));
}

} // namespace weft::studio

#include "models/taskrunmodel.h"

#include "models/runformat.h"

#include <QDateTime>
#include <QSet>
#include <algorithm>

namespace weft::studio {

using namespace taskruns;

namespace {
QString qs(const std::string& s) {
    return QString::fromStdString(s);
}
} // namespace

TaskRunModel::TaskRunModel(Backend* backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend) {
    m_refetchTimer.setSingleShot(true);
    m_refetchTimer.setInterval(300);
    connect(&m_refetchTimer, &QTimer::timeout, this, &TaskRunModel::refresh);
    m_durationTimer.setInterval(1000);
    connect(&m_durationTimer, &QTimer::timeout, this, &TaskRunModel::refreshRunningDurations);
    m_durationTimer.start();
    connect(m_backend, &Backend::eventsArrived, this, &TaskRunModel::onEvents);
}

void TaskRunModel::setFlowRun(const QString& flowRunId) {
    beginResetModel();
    ++m_generation;
    m_flowRunId = flowRunId;
    m_flowRunIdStd = flowRunId.toStdString();
    m_rows.clear();
    m_index.clear();
    m_loaded = false;
    m_fetchInFlight = false;
    m_refetchAgain = false;
    m_refetchTimer.stop();
    endResetModel();
    Q_EMIT countsChanged();
    refresh();
}

void TaskRunModel::refresh() {
    m_refetchTimer.stop();
    if (m_flowRunIdStd.empty()) return;
    if (m_fetchInFlight) { // one at a time; the newest events are in the next one
        m_refetchAgain = true;
        return;
    }
    m_fetchInFlight = true;
    const quint64 gen = m_generation;
    m_backend->fetchTaskRuns(m_flowRunIdStd, this,
                             [this, gen](std::vector<weft::TaskRunRecord> records) {
                                 if (gen != m_generation) return;
                                 m_fetchInFlight = false;
                                 const bool first = !m_loaded;
                                 m_loaded = true;
                                 merge(std::move(records));
                                 if (first) Q_EMIT loaded();
                                 if (std::exchange(m_refetchAgain, false)) refresh();
                             });
}

int TaskRunModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TaskRunModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

const weft::TaskRunRecord* TaskRunModel::taskRun(int row) const {
    return row >= 0 && row < int(m_rows.size()) ? &m_rows[size_t(row)].run : nullptr;
}

int TaskRunModel::rowOfTaskRun(const QString& id) const {
    auto it = m_index.find(id.toStdString());
    return it == m_index.end() ? -1 : it->second;
}

QStringList TaskRunModel::upstreamIds(const weft::TaskRunRecord& run) const {
    QStringList ids;
    if (!run.task_inputs.is_object()) return ids;
    for (const auto& [param, inputs] : run.task_inputs.items()) {
        if (!inputs.is_array()) continue;
        for (const auto& input : inputs)
            if (input.is_object() && input.value("input_type", "") == "task_run") {
                const QString id = qs(input.value("id", ""));
                if (!id.isEmpty() && !ids.contains(id)) ids << id;
            }
    }
    return ids;
}

QVariant TaskRunModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[size_t(index.row())];
    const weft::TaskRunRecord& r = row.run;
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    auto upstreamNames = [&] {
        QStringList names;
        for (const QString& id : upstreamIds(r)) {
            auto it = m_index.find(id.toStdString());
            const QString name =
                it == m_index.end() ? id.left(8) : qs(m_rows[size_t(it->second)].run.name);
            if (!names.contains(name)) names << name;
        }
        return names;
    };
    auto tags = [&] {
        QStringList out;
        for (const auto& t : r.tags)
            out << qs(t);
        return out;
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StateColumn:
            return qs(r.state.name);
        case NameColumn:
            return row.placeholder && r.name.empty() ? r.id.empty() ? QString() : qs(r.id).left(8)
                                                     : qs(r.name);
        case AttemptsColumn:
            return r.run_count;
        case StartColumn:
            return formatTimestamp(runStartMs(r));
        case DurationColumn:
            return formatDuration(runDurationS(r, nowMs));
        case CacheKeyColumn:
            return qs(r.cache_key);
        case InputsColumn:
            return upstreamNames().join(QStringLiteral(", "));
        case TagsColumn:
            return tags().join(QStringLiteral(", "));
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case StateColumn:
            return r.state.message.empty() ? qs(r.state.name)
                                           : qs(r.state.name) + u'\n' + qs(r.state.message);
        case NameColumn:
            return tr("%1\nid %2").arg(qs(r.name), qs(r.id));
        case StartColumn: {
            const qint64 ms = runStartMs(r);
            return tr("%1 (%2)").arg(formatRelative(ms, nowMs), formatTimestamp(ms));
        }
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::TextAlignmentRole:
        if (index.column() == AttemptsColumn) return QVariant::fromValue(Qt::AlignCenter);
        if (index.column() == DurationColumn)
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
    case DurationRole: {
        const double s = runDurationS(r, nowMs);
        return s < 0 ? QVariant() : QVariant(s);
    }
    case TagsRole:
        return tags();
    case TaskKeyRole:
        return qs(r.task_key);
    case RunCountRole:
        return r.run_count;
    case CacheKeyRole:
        return qs(r.cache_key);
    case UpstreamIdsRole:
        return upstreamIds(r);
    case UpstreamNamesRole:
        return upstreamNames();
    case EndTimeRole:
        return r.end_time ? QVariant(qint64(*r.end_time / 1000)) : QVariant();
    case ChildFlowRunIdRole:
        return qs(r.child_flow_run_id);
    case IsPlaceholderRole:
        return row.placeholder;
    }
    return {};
}

QVariant TaskRunModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case StateColumn:
        return tr("State");
    case NameColumn:
        return tr("Task run");
    case AttemptsColumn:
        return tr("Attempts");
    case StartColumn:
        return tr("Start");
    case DurationColumn:
        return tr("Duration");
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
    for (const Row& r : m_rows)
        ++counts[r.run.state.type];
    return counts;
}

void TaskRunModel::appendRows(std::vector<Row> rows) {
    if (rows.empty()) return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(rows.size()) - 1);
    for (auto& r : rows) {
        m_index.emplace(r.run.id, int(m_rows.size()));
        m_rows.push_back(std::move(r));
    }
    endInsertRows();
}

void TaskRunModel::emitRowsChanged(std::vector<int>& rows) {
    if (rows.empty()) return;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    std::size_t lo = 0;
    for (std::size_t i = 1; i <= rows.size(); ++i) {
        if (i < rows.size() && rows[i] == rows[i - 1] + 1) continue;
        Q_EMIT dataChanged(index(rows[lo], 0), index(rows[i - 1], ColumnCount - 1));
        lo = i;
    }
}

// O(batch): one id comparison and at most one hash look-up per event.
void TaskRunModel::onEvents(const EventBatch& batch) {
    if (m_flowRunIdStd.empty() || !batch) return;
    std::vector<Row> created;
    std::unordered_map<std::string, std::size_t> createdIndex;
    std::vector<int> changed;
    for (const weft::Event& e : *batch) {
        if (e.flow_run_id != m_flowRunIdStd) continue;
        if (e.kind == weft::EventKind::FlowRunDeleted) {
            beginResetModel();
            m_rows.clear();
            m_index.clear();
            created.clear();
            createdIndex.clear();
            changed.clear();
            endResetModel();
            continue;
        }
        if (!e.is_task_run() || !e.state) continue;
        if (auto it = m_index.find(e.run_id); it != m_index.end()) {
            mergeState(m_rows[size_t(it->second)].run, *e.state);
            changed.push_back(it->second);
        } else if (auto c = createdIndex.find(e.run_id); c != createdIndex.end()) {
            mergeState(created[c->second].run, *e.state);
        } else {
            // Known only by its event until the re-fetch brings the record.
            Row row;
            row.placeholder = true;
            row.run.id = e.run_id;
            row.run.flow_run_id = e.flow_run_id;
            row.run.state = *e.state;
            row.run.created = row.run.expected_start_time = e.state->timestamp;
            if (e.state->type == weft::StateType::Running) row.run.start_time = e.state->timestamp;
            createdIndex.emplace(e.run_id, created.size());
            created.push_back(std::move(row));
        }
    }
    if (created.empty() && changed.empty()) return;
    emitRowsChanged(changed);
    appendRows(std::move(created));
    Q_EMIT countsChanged();
    // Re-reading a big run costs in proportion to its size: the bigger, the rarer (300 ms to 2 s).
    if (!m_refetchTimer.isActive())
        m_refetchTimer.start(std::clamp(int(m_rows.size() / 10), 300, 2000));
}

void TaskRunModel::merge(std::vector<weft::TaskRunRecord> records) {
    std::vector<Row> added;
    std::vector<int> changed;
    for (auto& rec : records) {
        auto it = m_index.find(rec.id);
        if (it == m_index.end()) {
            added.push_back({std::move(rec), false});
            continue;
        }
        Row& row = m_rows[size_t(it->second)];
        if (!row.placeholder && row.run.updated == rec.updated && row.run.state.id == rec.state.id
            && row.run.run_count == rec.run_count)
            continue; // unchanged since the last fetch: most rows of a big live run
        // An event applied after the fetch read the store is newer than the fetched state.
        if (row.run.state.timestamp > rec.state.timestamp) mergeState(rec, row.run.state);
        row.run = std::move(rec);
        row.placeholder = false;
        changed.push_back(it->second);
    }
    emitRowsChanged(changed);
    appendRows(std::move(added));
    Q_EMIT countsChanged();
}

void TaskRunModel::refreshRunningDurations() {
    int first = -1, last = -1;
    for (int i = 0; i < int(m_rows.size()); ++i)
        if (m_rows[size_t(i)].run.state.type == weft::StateType::Running) {
            if (first < 0) first = i;
            last = i;
        }
    if (first >= 0) Q_EMIT dataChanged(index(first, DurationColumn), index(last, DurationColumn));
}

} // namespace weft::studio

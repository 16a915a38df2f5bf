// LogModel: the text of visible lines (pages of rows fetched on demand into a bounded cache), the
// names shown for task and flow run ids, and data().
#include "logs/logformat.h"
#include "logs/logmodel.h"

#include <algorithm>

namespace weft::studio {

namespace {
QString shortId(const std::string& id) {
    return QString::fromStdString(id.substr(0, 8));
}
} // namespace

// ---- text cache ----------------------------------------------------------------------------

const weft::LogRecord* LogModel::lineAt(int row) const {
    if (row < 0 || row >= rowCount()) return nullptr;
    const int page = row / kPageRows, offset = row % kPageRows;
    auto it = m_pages.find(page);
    if (it == m_pages.end() || offset >= it->second.rows) {
        requestPage(page); // missing, or rows were appended after it was read
        if (it == m_pages.end() || offset >= int(it->second.lines.size())) return nullptr;
    }
    const weft::LogRecord& line = it->second.lines[std::size_t(offset)];
    return line.id ? &line : nullptr; // id 0: the line was deleted meanwhile
}

void LogModel::prefetch(int first, int last) const {
    first = std::max(0, first);
    last = std::min(last, rowCount() - 1);
    if (first > last) return;
    for (int page = first / kPageRows; page <= last / kPageRows; ++page) {
        auto it = m_pages.find(page);
        const int rows = std::min(kPageRows, rowCount() - page * kPageRows);
        if (it == m_pages.end() || it->second.rows < rows) requestPage(page);
    }
}

void LogModel::requestPage(int page) const {
    if (m_inFlight.count(page)) return;
    const int first = page * kPageRows;
    const int rows = std::min(kPageRows, rowCount() - first);
    if (rows <= 0) return;
    m_inFlight.insert(page);
    weft::LogQuery q;
    q.ids = rowIds(first, first + rows - 1);
    q.limit = rows;
    // data() is const; the answer comes back to this same (non-const) model.
    auto* self = const_cast<LogModel*>(this);
    const auto gen = m_rowsGen;
    m_backend->fetchLogs(
        q, self, [self, page, gen, ids = q.ids](Result<std::vector<weft::LogRecord>> lines) {
            if (lines) return self->pageArrived(page, gen, ids, std::move(*lines));
            if (gen != self->m_rowsGen) return;
            // The page stays "in flight" so painting does not ask again in a
            // loop; the error shows instead of endless placeholders.
            self->setError(tr("couldn't load log lines: %1").arg(lines.error()));
        });
}

void LogModel::pageArrived(int page, std::uint64_t gen, std::vector<std::int64_t> ids,
                           std::vector<weft::LogRecord> lines) {
    if (gen != m_rowsGen) return; // rows were renumbered since
    m_inFlight.erase(page);
    Page p;
    p.rows = int(ids.size());
    p.lines.resize(ids.size());
    // Both are in id order; a line deleted meanwhile leaves its slot empty.
    std::size_t j = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        while (j < lines.size() && lines[j].id < ids[i])
            ++j;
        if (j < lines.size() && lines[j].id == ids[i]) p.lines[i] = std::move(lines[j++]);
    }
    m_pages[page] = std::move(p);
    while (m_pages.size() > kMaxPages) {
        // Evict the page farthest from the one the view just asked for.
        auto far = std::max_element(m_pages.begin(), m_pages.end(), [page](auto& a, auto& b) {
            return std::abs(a.first - page) < std::abs(b.first - page);
        });
        m_pages.erase(far);
    }
    const int first = page * kPageRows;
    const int last = std::min(first + int(ids.size()), rowCount()) - 1;
    if (last >= first) Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

// ---- names -----------------------------------------------------------------------------------

void LogModel::setTaskNames(TaskNames* names) {
    if (names == m_taskNameSource) return;
    if (m_taskNameSource) disconnect(m_taskNameSource, nullptr, this, nullptr);
    m_taskNameSource = names;
    if (names) connect(names, &TaskNames::changed, this, &LogModel::taskNamesChanged);
    m_taskNames.clear();
    m_taskNamesTimer.stop();
    taskNamesChanged();
    fetchTaskNames(); // when the source does not cover the run shown
}

bool LogModel::namesFromSource() const {
    return m_taskNameSource && m_taskNameSource->flowRunId().toStdString() == m_flowRunId;
}

QString LogModel::nameOfTaskRun(const std::string& taskRunId) const {
    if (taskRunId.empty()) return {};
    if (namesFromSource()) return m_taskNameSource->name(taskRunId);
    auto it = m_taskNames.find(taskRunId);
    return it != m_taskNames.end() ? it->second : QString();
}

void LogModel::taskNamesChanged() {
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, SourceColumn), index(rowCount() - 1, SourceColumn),
                           {Qt::DisplayRole, Qt::ToolTipRole, TaskRunNameRole});
}

void LogModel::fetchTaskNames() {
    if (m_allRuns || m_flowRunId.empty() || namesFromSource()) return;
    if (m_taskNamesInFlight) {
        m_taskNamesStale = true;
        return;
    }
    m_taskNamesInFlight = true;
    m_taskNamesStale = false;
    m_backend->fetchTaskRuns(
        m_flowRunId, this,
        [this, run = m_flowRunId](Result<std::vector<weft::TaskRunRecord>> runs) {
            m_taskNamesInFlight = false;
            if (!runs) {
                setError(tr("couldn't load task run names: %1").arg(runs.error()), false);
                return;
            }
            if (run == m_flowRunId && !namesFromSource()) {
                for (const auto& t : *runs)
                    m_taskNames[t.id] = QString::fromStdString(t.name);
                taskNamesChanged();
            }
            if (m_taskNamesStale || run != m_flowRunId) fetchTaskNames();
        });
}

void LogModel::noteUnknownRun(const std::string& flowRunId) const {
    if (flowRunId.empty() || m_runNames.count(flowRunId)) return;
    m_runNames.emplace(flowRunId, QString()); // asked once
    m_unknownRuns.insert(flowRunId);
    if (!m_runNamesTimer.isActive()) m_runNamesTimer.start();
}

void LogModel::fetchRunNames() {
    if (m_runNamesInFlight || m_unknownRuns.empty()) return;
    weft::FlowRunQuery q;
    while (!m_unknownRuns.empty() && q.ids.size() < 200) {
        q.ids.push_back(*m_unknownRuns.begin());
        m_unknownRuns.erase(m_unknownRuns.begin());
    }
    q.limit = int(q.ids.size());
    m_runNamesInFlight = true;
    m_backend->fetchFlowRuns(q, this, [this](Result<std::vector<weft::FlowRunRecord>> runs) {
        m_runNamesInFlight = false;
        if (!runs) {
            setError(tr("couldn't load flow run names: %1").arg(runs.error()), false);
            return;
        }
        for (const auto& r : *runs)
            m_runNames[r.id] = QString::fromStdString(r.name);
        if (!runs->empty() && rowCount() > 0)
            Q_EMIT dataChanged(index(0, RunColumn), index(rowCount() - 1, RunColumn),
                               {Qt::DisplayRole, Qt::ToolTipRole, FlowRunNameRole});
        fetchRunNames();
    });
}

void LogModel::requestLoggerNames() {
    m_backend->fetchLogNames(
        m_allRuns ? std::string() : m_flowRunId, this,
        [this](Result<std::vector<std::string>> names) {
            if (!names) {
                setError(tr("couldn't load logger names: %1").arg(names.error()), false);
                return;
            }
            QStringList list;
            for (const auto& n : *names)
                list << QString::fromStdString(n);
            Q_EMIT loggerNamesArrived(list);
        });
}

QString LogModel::taskRunName(const QString& taskRunId) const {
    return nameOfTaskRun(taskRunId.toStdString());
}

QString LogModel::runLabel(const weft::LogRecord& line) const {
    if (!m_allRuns) return {};
    auto it = m_runNames.find(line.flow_run_id);
    return it != m_runNames.end() && !it->second.isEmpty() ? it->second : shortId(line.flow_run_id);
}

// ---- data ------------------------------------------------------------------------------------

QVariant LogModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    switch (role) {
    case IdRole:
        return qint64(rowId(row));
    case IsHitRole:
        return hasSearch() && isHitId(rowId(row));
    case GapBeforeRole:
        return contextMode() && row > 0
               && m_ctx[std::size_t(row)] != m_ctx[std::size_t(row) - 1] + 1;
    default:
        break;
    }
    const weft::LogRecord* line = lineAt(row);
    if (role == IsLoadedRole) return line != nullptr;
    if (!line) return {};
    auto taskName = [&]() -> QString { return nameOfTaskRun(line->task_run_id); };
    auto runName = [&]() -> QString {
        auto it = m_runNames.find(line->flow_run_id);
        if (it == m_runNames.end()) noteUnknownRun(line->flow_run_id);
        return it != m_runNames.end() ? it->second : QString();
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return logTimeShort(line->timestamp);
        case LevelColumn:
            return logLevelName(line->level);
        case RunColumn: {
            const QString name = runName();
            return name.isEmpty() ? shortId(line->flow_run_id) : name;
        }
        case SourceColumn: {
            const QString task = taskName();
            return task.isEmpty() ? QString::fromStdString(line->name) : task;
        }
        case MessageColumn:
            return QString::fromStdString(line->message);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case TimeColumn:
            return logTimeLong(line->timestamp);
        case RunColumn:
            return tr("Flow run %1").arg(QString::fromStdString(line->flow_run_id));
        case SourceColumn: {
            QString tip = tr("Logger %1").arg(QString::fromStdString(line->name));
            if (!line->task_run_id.empty())
                tip += QLatin1Char('\n')
                       + tr("Task run %1 (%2)")
                             .arg(taskName(), QString::fromStdString(line->task_run_id));
            return tip;
        }
        case MessageColumn: {
            QString text = QString::fromStdString(line->message);
            if (text.size() > 4000) text = text.left(4000) + QStringLiteral(" …");
            return text;
        }
        default:
            return {};
        }
    case LevelRole:
        return line->level;
    case LevelNameRole:
        return logLevelName(line->level);
    case TimestampRole:
        return qint64(line->timestamp);
    case LoggerRole:
        return QString::fromStdString(line->name);
    case MessageRole:
        return QString::fromStdString(line->message);
    case TaskRunIdRole:
        return QString::fromStdString(line->task_run_id);
    case TaskRunNameRole:
        return taskName();
    case FlowRunIdRole:
        return QString::fromStdString(line->flow_run_id);
    case FlowRunNameRole:
        return runName();
    default:
        return {};
    }
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case LevelColumn:
        return tr("Level");
    case RunColumn:
        return tr("Run");
    case SourceColumn:
        return tr("Task / logger");
    case MessageColumn:
        return tr("Message");
    default:
        return {};
    }
}

QHash<int, QByteArray> LogModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert({{IdRole, "id"},
                  {LevelRole, "level"},
                  {LevelNameRole, "levelName"},
                  {TimestampRole, "timestamp"},
                  {LoggerRole, "logger"},
                  {MessageRole, "message"},
                  {TaskRunIdRole, "taskRunId"},
                  {TaskRunNameRole, "taskRunName"},
                  {FlowRunIdRole, "flowRunId"},
                  {FlowRunNameRole, "flowRunName"},
                  {IsHitRole, "isHit"},
                  {IsLoadedRole, "isLoaded"},
                  {GapBeforeRole, "gapBefore"}});
    return names;
}

} // namespace weft::studio

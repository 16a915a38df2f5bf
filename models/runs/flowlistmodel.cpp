#include "runs/flowlistmodel.h"

#include "runs/runformat.h"

#include <QLocale>
#include <algorithm>

namespace weft::studio {

FlowListModel::FlowListModel(Backend* backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend) {
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(2000);
    connect(&m_refreshTimer, &QTimer::timeout, this, &FlowListModel::refresh);
    connect(m_backend, &Backend::eventsArrived, this, &FlowListModel::onEvents);
    connect(m_backend, &Backend::opened, this, &FlowListModel::refresh);
    if (m_backend->isOpen()) refresh();
}

void FlowListModel::refresh() {
    m_refreshTimer.stop();
    const quint64 gen = ++m_generation;
    m_backend->fetchFlows(this, [this, gen](Result<std::vector<weft::FlowRecord>> flows) {
        if (gen != m_generation) return;
        if (!flows) { // the rows stay as they were; the error says they may be stale
            setError(tr("couldn't load flows: %1").arg(flows.error()));
            Q_EMIT refreshed();
            return;
        }
        setError({});
        setFlows(std::move(*flows));
    });
}

void FlowListModel::setError(const QString& error) {
    if (error == m_error) return;
    m_error = error;
    Q_EMIT errorChanged(error);
}

void FlowListModel::setFlows(std::vector<weft::FlowRecord> flows) {
    // Flows only come (ordered by name); keep rows and their figures, insert the new ones.
    std::sort(flows.begin(), flows.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    std::size_t i = 0;
    for (auto& f : flows) {
        while (i < m_rows.size() && m_rows[i].flow.name < f.name) {
            beginRemoveRows({}, int(i), int(i));
            m_rows.erase(m_rows.begin() + std::ptrdiff_t(i));
            endRemoveRows();
        }
        if (i < m_rows.size() && m_rows[i].flow.name == f.name) {
            m_rows[i].flow = std::move(f);
        } else {
            beginInsertRows({}, int(i), int(i));
            Row row;
            row.flow = std::move(f);
            m_rows.insert(m_rows.begin() + std::ptrdiff_t(i), std::move(row));
            endInsertRows();
        }
        ++i;
    }
    if (i < m_rows.size()) {
        beginRemoveRows({}, int(i), int(m_rows.size()) - 1);
        m_rows.erase(m_rows.begin() + std::ptrdiff_t(i), m_rows.end());
        endRemoveRows();
    }
    fetchFigures();
}

void FlowListModel::fetchFigures() {
    const quint64 gen = m_generation;
    m_outstanding = int(m_rows.size()) * 4;
    if (m_outstanding == 0) Q_EMIT refreshed();
    auto done = [this] {
        if (--m_outstanding == 0) Q_EMIT refreshed();
    };
    for (const Row& row : m_rows) {
        weft::FlowRunQuery q;
        q.flow_names = {row.flow.name};
        q.limit = 1;
        const std::string name = row.flow.name;
        auto rowOf = [this, name] {
            auto it = std::find_if(m_rows.begin(), m_rows.end(),
                                   [&](const Row& r) { return r.flow.name == name; });
            return it == m_rows.end() ? -1 : int(it - m_rows.begin());
        };
        m_backend->countFlowRuns(q, this, [this, gen, rowOf, done](Result<std::int64_t> n) {
            if (gen != m_generation) return;
            if (!n)
                setError(tr("couldn't count flow runs: %1").arg(n.error()));
            else if (const int r = rowOf(); r >= 0 && m_rows[size_t(r)].runs != *n) {
                m_rows[size_t(r)].runs = *n;
                Q_EMIT dataChanged(index(r, RunsColumn), index(r, RunsColumn));
            }
            done();
        });
        // The success rate's two counts (the dashboard's rule: Cancelled in neither).
        auto countIn = [&](std::vector<weft::StateType> states, qint64 Row::*field) {
            weft::FlowRunQuery byState = q;
            byState.states = std::move(states);
            m_backend->countFlowRuns(
                byState, this, [this, gen, rowOf, done, field](Result<std::int64_t> n) {
                    if (gen != m_generation) return;
                    if (!n)
                        setError(tr("couldn't count flow runs: %1").arg(n.error()));
                    else if (const int r = rowOf(); r >= 0 && m_rows[size_t(r)].*field != *n) {
                        m_rows[size_t(r)].*field = *n;
                        Q_EMIT dataChanged(index(r, SuccessRateColumn),
                                           index(r, SuccessRateColumn));
                    }
                    done();
                });
        };
        countIn({weft::StateType::Completed}, &Row::completed);
        countIn({weft::StateType::Failed, weft::StateType::Crashed}, &Row::failedOrCrashed);
        m_backend->fetchFlowRuns(
            q, this, [this, gen, rowOf, done](Result<std::vector<weft::FlowRunRecord>> runs) {
                if (gen != m_generation) return;
                if (!runs)
                    setError(tr("couldn't load the latest runs: %1").arg(runs.error()));
                else if (const int r = rowOf(); r >= 0) {
                    auto& latest = m_rows[size_t(r)].latest;
                    if (runs->empty())
                        latest.reset();
                    else
                        latest = std::move(runs->front());
                    Q_EMIT dataChanged(index(r, LatestStateColumn), index(r, LatestStartColumn));
                }
                done();
            });
    }
}

void FlowListModel::onEvents(const EventBatch& batch) {
    if (!batch) return;
    for (const auto& e : *batch) {
        switch (e.kind) {
        case weft::EventKind::FlowCreated:
        case weft::EventKind::FlowRunCreated:
        case weft::EventKind::FlowRunState:
        case weft::EventKind::FlowRunDeleted:
            if (!m_refreshTimer.isActive()) m_refreshTimer.start();
            return;
        default:
            break;
        }
    }
}

int FlowListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FlowListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QStringList FlowListModel::flowNames() const {
    QStringList names;
    for (const Row& r : m_rows)
        names << QString::fromStdString(r.flow.name);
    return names;
}

QVariant FlowListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[size_t(index.row())];
    const auto* latest = row.latest ? &*row.latest : nullptr;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return QString::fromStdString(row.flow.name);
        case RunsColumn:
            return row.runs < 0 ? QString() : QLocale().toString(row.runs);
        case SuccessRateColumn: {
            const QVariant rate = data(index, SuccessRateRole);
            return rate.isValid() ? QStringLiteral("%1 %").arg(rate.toDouble() * 100, 0, 'f', 0)
                                  : QString();
        }
        case LatestStateColumn:
            return latest ? QString::fromStdString(latest->state.name) : QString();
        case LatestStartColumn:
            return latest ? formatTimestamp(runStartMs(*latest)) : QString();
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() != SuccessRateColumn || row.completed < 0 || row.failedOrCrashed < 0)
            return {};
        return tr("%1 completed, %2 failed or crashed. Success rate = Completed / (Completed + "
                  "Failed + Crashed); Cancelled runs, and runs not finished yet, are left out.")
            .arg(row.completed)
            .arg(row.failedOrCrashed);
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(index.column() == RunsColumn
                                           || index.column() == SuccessRateColumn
                                       ? Qt::AlignRight | Qt::AlignVCenter
                                       : Qt::AlignLeft | Qt::AlignVCenter);
    case SuccessRateRole: {
        const qint64 finished = row.completed + row.failedOrCrashed;
        if (row.completed < 0 || row.failedOrCrashed < 0 || finished == 0) return {};
        return double(row.completed) / double(finished);
    }
    case FlowIdRole:
        return QString::fromStdString(row.flow.id);
    case FlowNameRole:
        return QString::fromStdString(row.flow.name);
    case RunCountRole:
        return row.runs;
    case LatestRunIdRole:
        return latest ? QString::fromStdString(latest->id) : QString();
    case StateTypeRole:
        return latest ? QVariant(int(latest->state.type)) : QVariant();
    case StateNameRole:
        return latest ? QString::fromStdString(latest->state.name) : QString();
    case StartTimeRole:
        return latest ? QVariant(runStartMs(*latest)) : QVariant();
    }
    return {};
}

QVariant FlowListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case NameColumn:
        return tr("Flow");
    case RunsColumn:
        return tr("Runs");
    case SuccessRateColumn:
        return tr("Success rate");
    case LatestStateColumn:
        return tr("Latest run");
    case LatestStartColumn:
        return tr("Started");
    }
    return {};
}

} // namespace weft::studio

#include "dashboard/dashboardmodel.h"

#include <QDateTime>

namespace weft::studio {

DashboardModel::DashboardModel(Backend* backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend) {
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(1000); // aggregates over many runs: at most once a second
    connect(&m_debounce, &QTimer::timeout, this, &DashboardModel::refresh);
    connect(m_backend, &Backend::eventsArrived, this, &DashboardModel::onEvents);
    connect(m_backend, &Backend::opened, this, &DashboardModel::refresh);
}

void DashboardModel::setRange(qint64 seconds, int buckets) {
    m_rangeS = std::max<qint64>(60, seconds);
    m_buckets = std::max(1, buckets);
    refresh();
}

void DashboardModel::refresh() {
    if (!m_backend->isOpen()) return;
    const quint64 generation = ++m_generation;
    // Buckets end on whole intervals (hours for a day, days for a month) so their labels read
    // as clock times, and the last one holds now.
    const weft::Micros span = weft::from_seconds(double(m_rangeS));
    const weft::Micros interval = std::max<weft::Micros>(1, span / m_buckets);
    const weft::Micros to = (weft::now_us() / interval + 1) * interval;
    const weft::Micros from = to - interval * m_buckets;
    m_backend->fetchDashboard(
        from, to, m_buckets, this, [this, generation](Result<DashboardData> d) {
            if (generation != m_generation) return;
            const QString error =
                d ? QString() : tr("couldn't load the dashboard: %1").arg(d.error());
            if (error != m_error) {
                m_error = error;
                Q_EMIT errorChanged(error);
            }
            if (d) apply(std::move(*d));
        });
}

void DashboardModel::onEvents(const EventBatch& batch) {
    for (const auto& e : *batch) {
        if (e.kind == weft::EventKind::FlowRunCreated || e.kind == weft::EventKind::FlowRunState
            || e.kind == weft::EventKind::FlowRunDeleted) {
            if (!m_debounce.isActive()) m_debounce.start();
            return;
        }
    }
}

void DashboardModel::apply(DashboardData d) {
    beginResetModel();
    m_data = std::move(d);
    m_loaded = true;
    endResetModel();
    Q_EMIT refreshed();
}

int DashboardModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_data.recentFailures.size());
}

int DashboardModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DashboardModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto& run = m_data.recentFailures[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return QDateTime::fromMSecsSinceEpoch(run.state.timestamp / 1000)
                .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
        case FlowColumn:
            return QString::fromStdString(run.flow_name);
        case RunColumn:
            return QString::fromStdString(run.name);
        case MessageColumn:
            return QString::fromStdString(run.state.message).simplified();
        }
        break;
    case Qt::ToolTipRole:
        return QString::fromStdString(run.state.message);
    case RunIdRole:
        return QString::fromStdString(run.id);
    case StateTypeRole:
        return int(run.state.type);
    }
    return {};
}

QVariant DashboardModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case TimeColumn:
        return tr("When");
    case FlowColumn:
        return tr("Flow");
    case RunColumn:
        return tr("Run");
    case MessageColumn:
        return tr("Message");
    }
    return {};
}

} // namespace weft::studio

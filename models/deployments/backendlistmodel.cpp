#include "deployments/backendlistmodel.h"

namespace weft::studio {

namespace {
constexpr int kPollMs = 10'000;  // pools and workers change without events
constexpr int kDebounceMs = 700; // a burst of run events → one refresh
} // namespace

BackendListModel::BackendListModel(Backend* backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend) {
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &BackendListModel::refresh);
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &BackendListModel::refresh);
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this, &BackendListModel::tick);
    connect(m_backend, &Backend::eventsArrived, this, [this](const EventBatch& batch) {
        if (!batch || m_debounce.isActive()) return;
        for (const auto& e : *batch)
            if (wantsEvent(e)) {
                m_debounce.start();
                return;
            }
    });
    connect(m_backend, &Backend::opened, this, &BackendListModel::refresh);
    m_poll.start();
    m_clock.start();
}

int BackendListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : columns();
}

void BackendListModel::setPollInterval(int ms) {
    if (ms > 0) {
        m_poll.start(ms);
    } else {
        m_poll.stop();
    }
}

void BackendListModel::refresh() {
    m_debounce.stop();
    fetch(++m_generation);
}

bool BackendListModel::wantsEvent(const weft::Event& e) const {
    switch (e.kind) {
    case weft::EventKind::FlowRunCreated:
    case weft::EventKind::FlowRunState:
    case weft::EventKind::FlowRunDeleted:
        return true;
    default:
        return false;
    }
}

void BackendListModel::fail(const QString& error) {
    setError(error);
    Q_EMIT refreshed();
}

void BackendListModel::setError(const QString& error) {
    if (error == m_error) return;
    m_error = error;
    Q_EMIT errorChanged(error);
}

void BackendListModel::tick() {
    const int rows = rowCount();
    if (rows == 0) return;
    for (int column : clockColumns())
        Q_EMIT dataChanged(index(0, column), index(rows - 1, column), {Qt::DisplayRole});
}

} // namespace weft::studio

#pragma once
// Follows the store's change feed on a thread of its own (as Studio's FeedFollower does: polls
// PRAGMA data_version, reads new events in order) and hands the ones some listener wants over as
// Prefect events, serialised once for every listener. Reads only through the public Reader API.
#include "prefect_events.hpp"

#include <QObject>
#include <QString>
#include <QThread>
#include <memory>
#include <mutex>
#include <vector>

class QTimer;

namespace weft::server {

/// One event, ready to send: its head (for filters) and {"type":"event","event":…} as text.
struct FeedEvent {
    EventHead head;
    QString message;
};
using FeedBatch = std::shared_ptr<const std::vector<FeedEvent>>;

class EventFeed : public QObject {
    Q_OBJECT
public:
    /// Starts following from the newest event (only what happens from now on is live).
    explicit EventFeed(std::shared_ptr<Store> store, int poll_ms = 20);
    ~EventFeed() override; // stops the thread

    /// What the listeners want: only events matching one of these are built and sent; with none,
    /// the feed is skipped. Thread-safe.
    void setFilters(std::vector<EventFilter> filters);

Q_SIGNALS:
    /// Queued to the receivers' threads, in feed order.
    void eventsReady(weft::server::FeedBatch batch);

private:
    class Worker;
    QThread m_thread;
    Worker* m_worker = nullptr; // lives in m_thread
};

} // namespace weft::server

Q_DECLARE_METATYPE(weft::server::FeedBatch)

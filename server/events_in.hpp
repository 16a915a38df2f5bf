#pragma once
// /api/events/in: Prefect 3's event intake over WebSocket. A client may first send
// {"type":"auth","token":…} (answered {"type":"auth_success"}), then one Event JSON per text
// frame, with no acknowledgements. `prefect.task-run.<State>` events create or move the task run
// through the store (ingest_events.hpp); the store's change feed then announces them like any
// task-run state. Other events are accepted and counted: the store keeps no free-form events.
// Events are de-duplicated by id (clients resend unconfirmed events after a reconnect); a frame
// that is not an Event closes the socket with the reason.
#include "auth.hpp"
#include "ingest_events.hpp"

#include <QObject>
#include <QWebSocket>
#include <atomic>
#include <deque>
#include <memory>
#include <unordered_set>
#include <vector>

namespace weft::server {

class EventsIn : public QObject {
    Q_OBJECT
public:
    struct Counts {
        std::int64_t stored = 0;     // task-run states written
        std::int64_t duplicates = 0; // seen before (by id), or older than the run's state
        std::int64_t dropped = 0;    // other events, and task runs of unknown flow runs
    };

    EventsIn(Engine& engine, const Auth& auth, QObject* parent = nullptr);
    ~EventsIn() override;

    /// Takes over a socket upgraded on /api/events/in (`header_authorized` as for EventsOut).
    void accept(std::unique_ptr<QWebSocket> socket, bool header_authorized);
    int clientCount() const;
    /// What the intake did so far (task-run events count once their transaction committed).
    Counts counts() const;
    void closeAll();

private:
    struct Client;
    struct Counters {
        std::atomic<std::int64_t> stored{0}, duplicates{0}, dropped{0};
    };
    void onMessage(Client* client, const QString& text);
    void closeClient(Client* client, QWebSocketProtocol::CloseCode code, const QString& reason);
    void remove(Client* client);
    /// True the first time an id is seen (of the last kRemembered).
    bool firstSighting(const std::string& id);
    /// Writes the task-run events received since the last call in one transaction.
    void submit();

    Engine& m_engine;
    const Auth& m_auth;
    std::vector<std::unique_ptr<Client>> m_clients;
    std::vector<TaskRunEvent> m_pending;
    bool m_submit_scheduled = false;
    std::unordered_set<std::string> m_seen;
    std::deque<std::string> m_seen_order;
    std::shared_ptr<Counters> m_counts = std::make_shared<Counters>();
};

} // namespace weft::server

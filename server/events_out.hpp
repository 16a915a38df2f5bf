#pragma once
// /api/events/out: Prefect 3's live event stream over WebSocket. A client sends
// {"type":"auth","token":…} (answered {"type":"auth_success"}) and then
// {"type":"filter","filter": EventFilter}, and from then on receives {"type":"event","event":…}
// for each matching event as it is committed. A message that breaks the protocol closes the
// socket with a reason; a client that does not read its events is closed once its bounded queue
// is full, so it costs the others nothing.
#include "auth.hpp"
#include "event_feed.hpp"

#include <QObject>
#include <QPointer>
#include <QWebSocket>
#include <deque>
#include <memory>
#include <vector>

namespace weft::server {

class EventsOut : public QObject {
    Q_OBJECT
public:
    struct Limits {
        /// Bytes handed to a socket and not yet written before further events wait in its queue.
        qint64 max_socket_backlog = 1 << 20;
        /// Events waiting for one client; one more closes it.
        std::size_t max_queued = 10000;
        /// How long a client may take to authenticate and send its filter.
        int handshake_ms = 30000;
    };

    EventsOut(EventFeed& feed, const Auth& auth, Limits limits, QObject* parent = nullptr);
    ~EventsOut() override;

    /// Takes over a socket upgraded on /api/events/out. `header_authorized`: the upgrade request
    /// carried valid credentials (a bearer token, as Prefect Cloud's clients send).
    void accept(std::unique_ptr<QWebSocket> socket, bool header_authorized);

    void setLimits(Limits limits) { m_limits = limits; }
    /// Clients connected and not being closed (for tests and shutdown).
    int clientCount() const;
    /// Clients that sent their filter and receive events.
    int streamingCount() const;
    /// Closes every client (server shutdown).
    void closeAll();

private:
    struct Client;
    void onMessage(Client* client, const QString& text);
    void onBatch(const FeedBatch& batch);
    void send(Client* client, const QString& message);
    void drain(Client* client);
    void closeClient(Client* client, QWebSocketProtocol::CloseCode code, const QString& reason);
    void remove(Client* client);
    void publishFilters();

    EventFeed& m_feed;
    const Auth& m_auth;
    Limits m_limits;
    std::vector<std::unique_ptr<Client>> m_clients;
};

} // namespace weft::server

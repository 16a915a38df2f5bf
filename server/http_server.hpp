#pragma once
// The HTTP side of `weft server`: QHttpServer routes that hand request bodies to the Api and turn
// its replies into responses. Every request gets an answer; nothing a client sends stops the
// server (oversized bodies 413, handler exceptions 500, unknown paths 404).
#include "api.hpp"
#include "auth.hpp"
#include "deferred_answers.hpp"
#include "event_feed.hpp"
#include "events_in.hpp"
#include "events_out.hpp"

#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerResponse>
#include <QObject>
#include <chrono>
#include <functional>
#include <optional>

class QHttpServerRequest;

namespace weft::server {

class HttpServer : public QObject {
    Q_OBJECT
public:
    /// Larger request bodies are refused with 413 before they are parsed.
    static constexpr qsizetype kMaxBodyBytes = 1 << 20;

    /// With `auth` enabled every route but GET /api/health wants credentials (401 otherwise).
    explicit HttpServer(std::shared_ptr<Engine> engine, Auth auth = {}, QObject* parent = nullptr);
    ~HttpServer() override;

    /// Listens on `address`:`port` (0: any free port); returns the port, or 0 when it could not.
    quint16 listen(const QHostAddress& address, quint16 port);

    /// Stops accepting connections, waits (the event loop running) until every answer given so
    /// far has been written or `grace` has passed, then commits everything the store has queued
    /// and calls `done`. Requests are handled on this thread as they arrive; those whose answer
    /// waits for a commit (set_state) are answered before `done` too.
    void shutdown(std::function<void()> done,
                  std::chrono::milliseconds grace = std::chrono::seconds(5));

    Api& api() { return m_api; }
    EventsOut& eventsOut() { return m_events_out; }
    EventsIn& eventsIn() { return m_events_in; }
    /// Requests whose answer waits for a commit.
    std::size_t answersWaiting() const { return m_deferred.pending(); }
    /// Client connections open now.
    int connectionCount() const;

private:
    void addRoutes();
    /// The 401 for a request without valid credentials; nullopt when it may go on.
    std::optional<QHttpServerResponse> refusal(const QHttpServerRequest& request) const;
    /// Answers with `handler` once the request passed the auth check.
    template<class Handler>
    QHttpServerResponse guarded(const QHttpServerRequest& request, Handler&& handler);
    /// As guarded, for a handler whose reply may wait for a commit: answered when it is ready.
    template<class Handler>
    void guardedLater(const QHttpServerRequest& request, QHttpServerResponder&& responder,
                      Handler&& handler);
    bool answersPending() const;
    void acceptWebSockets();

    QHttpServer m_http;
    Api m_api;
    Auth m_auth;
    EventFeed m_feed;
    EventsOut m_events_out;
    EventsIn m_events_in;
    // After m_api: destroyed first, it waits for the commits its answers wait for.
    DeferredAnswers m_deferred;
};

} // namespace weft::server

#pragma once
// A server's live updates: Prefect 3's /api/events/out WebSocket (an "auth" message, then a
// "filter", then one "event" message per state change) turned into weft::Events. When the socket
// cannot be opened, drops or stalls (no pong to a ping), it reconnects with backoff (0.5 s doubling
// to 10 s; a stream that flaps keeps its backoff) and meanwhile polls the runs that may have
// changed; on reconnecting it polls once more for what was missed.
#include "backend/restclient.h"

#include <weft/events.hpp>
#include <weft/records.hpp>

#include <QTimer>
#include <QWebSocket>
#include <unordered_map>

namespace weft::studio {

class RemoteEvents : public QObject {
    Q_OBJECT
public:
    /// `event` gets each event (kind FlowRunState / TaskRunState, or FlowRunUpdated for a run
    /// whose other fields may have changed), `status` whether the server answers: true when the
    /// socket opens or a poll succeeds, false with the reason when a poll fails.
    RemoteEvents(RestClient* rest, std::function<void(weft::Event)> event,
                 std::function<void(bool answers, const QString& why)> status,
                 QObject* parent = nullptr);
    ~RemoteEvents() override;

    void start();
    bool isLive() const { return m_live; }
    /// Why the stream is down ("" while live, or before the first attempt).
    QString downReason() const { return m_downReason; }
    void setPollInterval(int ms);
    /// The first and the longest wait before reconnecting; tests shorten them.
    void setBackoff(int firstMs, int maxMs);
    /// How often the open stream is pinged; no pong (nor message) by the next ping means the
    /// server stalled, and the stream is dropped and reopened. Tests shorten it.
    void setHeartbeat(int ms);

    /// The event in one events/out message; nullopt for other messages and other resources.
    static std::optional<weft::Event> eventFromMessage(const nlohmann::json& message);

Q_SIGNALS:
    /// The server answers again after a gap (the stream reopened after a drop, or a poll
    /// succeeded after failing): what was deleted meanwhile sent no event that arrived.
    void resumed();
    /// The stream opened (live), or dropped or stalled (not live, with the reason).
    void liveChanged(bool live, const QString& why);

private:
    void connectSocket();
    void onConnected();
    void onMessage(const QString& text);
    void parseUnparsed();
    void deliver(weft::Event e);
    void onDropped(const QString& why);
    void onHeartbeat();
    void poll();
    void polled(std::vector<weft::FlowRunRecord> runs);
    void noteState(const std::string& runId, const weft::State& state);

    RestClient* m_rest;
    std::function<void(weft::Event)> m_event;
    std::function<void(bool, const QString&)> m_status;
    QWebSocket m_socket;
    QTimer m_reconnect;
    QTimer m_poll;
    QTimer m_heartbeat;
    QTimer m_stable; // the stream stayed up this long: the backoff starts again from the first
    bool m_awaitingPong = false;
    std::vector<QString> m_unparsed; // messages waiting for the parse in flight
    bool m_parsing = false;
    bool m_aborting = false;
    QString m_downReason;
    int m_firstBackoffMs = 500;
    int m_maxBackoffMs = 10000;
    int m_backoffMs = 500;
    bool m_live = false;
    bool m_dropped = false;    // the stream dropped; cleared when it reopens
    bool m_pollFailed = false; // the last poll failed
    bool m_polling = false;    // a poll is in flight
    weft::Micros m_since = 0;  // runs that ended after this are polled
    std::unordered_map<std::string, std::string> m_stateOf; // flow run id → state id last seen
};

} // namespace weft::studio

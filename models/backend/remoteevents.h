#pragma once
// A server's live updates: Prefect 3's /api/events/out WebSocket (an "auth" message, then a
// "filter", then one "event" message per state change) turned into weft::Events. When the socket
// cannot be opened or drops, it reconnects with backoff (0.5 s doubling to 10 s) and meanwhile
// polls the runs that may have changed; on reconnecting it polls once more for what was missed.
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
    void setPollInterval(int ms);

    /// The event in one events/out message; nullopt for other messages and other resources.
    static std::optional<weft::Event> eventFromMessage(const nlohmann::json& message);

Q_SIGNALS:
    /// The server answers again after a gap (the stream reopened after a drop, or a poll
    /// succeeded after failing): what was deleted meanwhile sent no event that arrived.
    void resumed();

private:
    void connectSocket();
    void onConnected();
    void onMessage(const QString& text);
    void onDropped(const QString& why);
    void poll();
    void polled(std::vector<weft::FlowRunRecord> runs);
    void noteState(const std::string& runId, const weft::State& state);

    RestClient* m_rest;
    std::function<void(weft::Event)> m_event;
    std::function<void(bool, const QString&)> m_status;
    QWebSocket m_socket;
    QTimer m_reconnect;
    QTimer m_poll;
    int m_backoffMs = 500;
    bool m_live = false;
    bool m_dropped = false;    // the stream dropped; cleared when it reopens
    bool m_pollFailed = false; // the last poll failed
    bool m_polling = false;    // a poll is in flight
    weft::Micros m_since = 0;  // runs that ended after this are polled
    std::unordered_map<std::string, std::string> m_stateOf; // flow run id → state id last seen
};

} // namespace weft::studio

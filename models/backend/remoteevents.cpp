#include "backend/remoteevents.h"

#include "backend/backend.h"
#include "backend/backend_impl.h"

#include <weft/record_json.hpp>

#include <spdlog/spdlog.h>

namespace weft::studio {

using nlohmann::json;

namespace {
constexpr int kPollMs = 5000;
constexpr int kHeartbeatMs = 10000;
constexpr int kStableMs = 5000; // up this long before the backoff starts from the first again
constexpr weft::Micros kMargin = 10'000'000; // clocks differ; a poll looks this far back

std::string after(const std::string& text, const std::string& prefix) {
    return text.starts_with(prefix) ? text.substr(prefix.size()) : std::string();
}

// A state from the event's resource labels, when the payload has none.
weft::State stateFromLabels(const json& resource, weft::Micros occurred) {
    weft::State s;
    if (auto t = weft::state_type_from_string(resource.value("prefect.state-type", "")))
        s.type = *t;
    s.name = resource.value("prefect.state-name", "");
    s.message = resource.value("prefect.state-message", "");
    s.timestamp = weft::from_iso(resource.value("prefect.state-timestamp", "")).value_or(occurred);
    return s;
}
} // namespace

RemoteEvents::RemoteEvents(RestClient* rest, std::function<void(weft::Event)> event,
                           std::function<void(bool, const QString&)> status, QObject* parent)
    : QObject(parent)
    , m_rest(rest)
    , m_event(std::move(event))
    , m_status(std::move(status)) {
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &RemoteEvents::connectSocket);
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &RemoteEvents::poll);
    connect(&m_socket, &QWebSocket::connected, this, &RemoteEvents::onConnected);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &RemoteEvents::onMessage);
    connect(&m_socket, &QWebSocket::sslErrors, this, [this] {
        if (m_rest->settings().ignoreTlsErrors) m_socket.ignoreSslErrors();
    });
    m_heartbeat.setInterval(kHeartbeatMs);
    connect(&m_heartbeat, &QTimer::timeout, this, &RemoteEvents::onHeartbeat);
    connect(&m_socket, &QWebSocket::pong, this, [this] { m_awaitingPong = false; });
    m_stable.setSingleShot(true);
    m_stable.setInterval(kStableMs);
    connect(&m_stable, &QTimer::timeout, this, [this] { m_backoffMs = m_firstBackoffMs; });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        if (m_aborting) return;
        const QString why =
            m_socket.closeReason().isEmpty() ? m_socket.errorString() : m_socket.closeReason();
        onDropped(why);
    });
}

RemoteEvents::~RemoteEvents() {
    m_socket.disconnect(this);
    m_socket.abort();
}

void RemoteEvents::setPollInterval(int ms) {
    m_poll.setInterval(ms);
}

void RemoteEvents::setBackoff(int firstMs, int maxMs) {
    m_firstBackoffMs = m_backoffMs = firstMs;
    m_maxBackoffMs = std::max(firstMs, maxMs);
}

void RemoteEvents::setHeartbeat(int ms) {
    m_heartbeat.setInterval(ms);
}

void RemoteEvents::start() {
    m_since = weft::now_us() - kMargin;
    if (m_rest->settings().liveEvents) {
        connectSocket();
        return;
    }
    m_poll.start();
    poll();
}

void RemoteEvents::connectSocket() {
    QNetworkRequest r = m_rest->request(QStringLiteral("/events/out"));
    QUrl url = r.url();
    url.setScheme(url.scheme() == QLatin1String("https") ? QStringLiteral("wss")
                                                         : QStringLiteral("ws"));
    r.setUrl(url);
    m_socket.setSslConfiguration(r.sslConfiguration()); // the profile's CA certificate
    m_socket.open(r);
}

void RemoteEvents::onConnected() {
    // Prefect's protocol: the token first (null without one), then what to send.
    const QByteArray auth = m_rest->authorization();
    json hello = {{"type", "auth"}, {"token", nullptr}};
    if (auth.startsWith("Bearer ")) hello["token"] = auth.mid(7).toStdString();
    m_socket.sendTextMessage(QString::fromStdString(hello.dump()));
    const json filter = {{"type", "filter"},
                         {"filter",
                          {{"event", {{"prefix", {"prefect.flow-run.", "prefect.task-run."}}}},
                           {"occurred", {{"since", weft::to_iso(weft::now_us())}}}}}};
    m_socket.sendTextMessage(QString::fromStdString(filter.dump()));
    const bool wasDown = !m_live;
    m_live = true;
    m_downReason.clear();
    // A server that accepts and drops at once must not be reconnected to at the first
    // backoff again and again: the backoff starts over once the stream stayed up a while.
    m_stable.start();
    m_awaitingPong = false;
    m_heartbeat.start();
    m_poll.stop();
    Q_EMIT liveChanged(true, {});
    m_status(true, {});
    // What changed while the stream was down (or before it opened) comes with one poll.
    if (wasDown) poll();
    const bool gap = std::exchange(m_dropped, false) | std::exchange(m_pollFailed, false);
    if (gap) Q_EMIT resumed();
}

void RemoteEvents::onMessage(const QString& text) {
    m_awaitingPong = false; // it talks
    m_unparsed.push_back(text);
    if (!m_parsing) parseUnparsed();
}

// A burst of messages is parsed on the query pool, never on the GUI thread; one batch at a time,
// so events keep their order.
void RemoteEvents::parseUnparsed() {
    m_parsing = true;
    runAsync<std::vector<weft::Event>>(
        this,
        [texts = std::exchange(m_unparsed, {})] {
            std::vector<weft::Event> events;
            events.reserve(texts.size());
            for (const QString& text : texts) {
                const json message = json::parse(text.toStdString(), nullptr, false);
                if (message.is_discarded()) continue;
                if (auto e = eventFromMessage(message)) events.push_back(std::move(*e));
            }
            return events;
        },
        [this](Result<std::vector<weft::Event>> parsed) {
            m_parsing = false;
            if (parsed)
                for (weft::Event& e : *parsed)
                    deliver(std::move(e));
            if (!m_unparsed.empty()) parseUnparsed();
        });
}

void RemoteEvents::deliver(weft::Event e) {
    if (!e.is_task_run() && e.state) noteState(e.run_id, *e.state);
    m_since = std::max(m_since, e.ts - kMargin);
    m_event(std::move(e));
}

// The last ping went unanswered, and nothing else came: the server (or a proxy) stalled.
void RemoteEvents::onHeartbeat() {
    if (!m_live) return m_heartbeat.stop();
    if (!m_awaitingPong) {
        m_awaitingPong = true;
        m_socket.ping();
        return;
    }
    m_aborting = true; // no second onDropped from the abort's disconnected()
    m_socket.abort();
    m_aborting = false;
    onDropped(
        QStringLiteral("no answer to a ping within %1 s").arg(m_heartbeat.interval() / 1000.0));
}

void RemoteEvents::onDropped(const QString& why) {
    const bool wasLive = m_live;
    m_live = false;
    m_heartbeat.stop();
    m_stable.stop();
    m_downReason = why.isEmpty() ? QStringLiteral("the connection closed") : why;
    Q_EMIT liveChanged(false, m_downReason);
    m_dropped |= wasLive;
    // Not a health problem by itself (Prefect servers may have no stream): the polls that
    // replace it say whether the server answers.
    if (wasLive || !m_poll.isActive()) {
        spdlog::info("weft-studio: the event stream of {} is down ({}); reconnecting, and "
                     "polling meanwhile",
                     m_rest->server().toStdString(), why.toStdString());
        m_poll.start();
        poll();
    }
    m_reconnect.start(m_backoffMs);
    m_backoffMs = std::min(m_backoffMs * 2, m_maxBackoffMs);
}

std::optional<weft::Event> RemoteEvents::eventFromMessage(const json& message) {
    if (!message.is_object() || message.value("type", "") != "event") return std::nullopt;
    const json& ev = message.value("event", json::object());
    if (!ev.is_object()) return std::nullopt;
    const json resource = ev.value("resource", json::object());
    const std::string rid = resource.value("prefect.resource.id", "");
    weft::Event e;
    e.ts = weft::from_iso(ev.value("occurred", "")).value_or(weft::now_us());
    if (std::string id = after(rid, "prefect.flow-run."); !id.empty()) {
        e.kind = weft::EventKind::FlowRunState;
        e.run_id = e.flow_run_id = id;
    } else if (std::string tid = after(rid, "prefect.task-run."); !tid.empty()) {
        e.kind = weft::EventKind::TaskRunState;
        e.run_id = tid;
        for (const auto& r : ev.value("related", json::array()))
            if (r.is_object() && r.value("prefect.resource.role", "") == "flow-run")
                e.flow_run_id = after(r.value("prefect.resource.id", ""), "prefect.flow-run.");
        const json payload = ev.value("payload", json::object());
        if (e.flow_run_id.empty() && payload.contains("task_run")
            && payload["task_run"].is_object())
            e.flow_run_id = payload["task_run"].value("flow_run_id", "");
    } else {
        return std::nullopt;
    }
    const json payload = ev.value("payload", json::object());
    try {
        if (payload.is_object() && payload.contains("validated_state")
            && payload["validated_state"].is_object())
            e.state = weft::state_from_json(payload["validated_state"]);
        else
            e.state = stateFromLabels(resource, e.ts);
    } catch (const std::exception&) {
        e.state = stateFromLabels(resource, e.ts);
    }
    return e;
}

void RemoteEvents::noteState(const std::string& runId, const weft::State& state) {
    if (m_stateOf.size() > 200'000) m_stateOf.clear(); // bounded; a poll re-learns
    m_stateOf[runId] = state.id;
}

// Runs that may have changed: those not finished, and those that finished lately.
void RemoteEvents::poll() {
    if (m_polling) return;
    m_polling = true;
    const weft::Micros since = m_since;
    auto runs = std::make_shared<std::vector<weft::FlowRunRecord>>();
    auto convert = [](RestAnswer a) {
        std::vector<weft::FlowRunRecord> out;
        for (const auto& r : a.body)
            out.push_back(weft::flow_run_from_json(r));
        return out;
    };
    const json active = {
        {"flow_runs",
         {{"state", {{"type", {{"not_any_", {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}}}}}}}},
        {"sort", "EXPECTED_START_TIME_DESC"},
        {"limit", 200}};
    const json ended = {{"flow_runs", {{"end_time", {{"after_", weft::to_iso(since)}}}}},
                        {"sort", "END_TIME_DESC"},
                        {"limit", 200}};
    const weft::Micros started = weft::now_us();
    m_rest->send<std::vector<weft::FlowRunRecord>>(
        "POST", QStringLiteral("/flow_runs/filter"), &active, this, convert,
        [this, convert, ended, started](Result<std::vector<weft::FlowRunRecord>> first) {
            if (!first) {
                m_polling = false;
                m_pollFailed = true;
                m_status(false, first.error());
                return;
            }
            m_rest->send<std::vector<weft::FlowRunRecord>>(
                "POST", QStringLiteral("/flow_runs/filter"), &ended, this, convert,
                [this, first = std::move(*first),
                 started](Result<std::vector<weft::FlowRunRecord>> second) mutable {
                    m_polling = false;
                    m_status(second.ok(), second.error());
                    if (!second) {
                        m_pollFailed = true;
                        return;
                    }
                    if (std::exchange(m_pollFailed, false)) Q_EMIT resumed();
                    first.insert(first.end(), std::make_move_iterator(second->begin()),
                                 std::make_move_iterator(second->end()));
                    m_since = std::max(m_since, started - kMargin);
                    polled(std::move(first));
                });
        });
}

void RemoteEvents::polled(std::vector<weft::FlowRunRecord> runs) {
    for (const auto& run : runs) {
        auto it = m_stateOf.find(run.id);
        const bool changed = it == m_stateOf.end() || it->second != run.state.id;
        if (changed) {
            weft::Event e;
            e.kind = weft::EventKind::FlowRunState;
            e.run_id = e.flow_run_id = run.id;
            e.ts = run.state.timestamp;
            e.state = run.state;
            noteState(run.id, run.state);
            m_event(std::move(e));
        }
        // Its task runs may have moved, which a poll of flow runs cannot see: the views reread.
        if (changed || run.state.type == weft::StateType::Running) {
            weft::Event u;
            u.kind = weft::EventKind::FlowRunUpdated;
            u.run_id = u.flow_run_id = run.id;
            u.ts = weft::now_us();
            m_event(std::move(u));
        }
    }
}

} // namespace weft::studio

// `weft events` against a server: its past events through POST /events/filter (Prefect's
// EventPage, newest first, at most 50 a page), then, with --follow, its live ones through the
// /events/out WebSocket. Each Prefect event (a flow run or task run entering a state, its first
// one too) prints as the local feed's state event does.
#include "event_printer.hpp"

#include <weft/time.hpp>
#include <weft/ws_client.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <unordered_set>
#include <weft/record_json.hpp>

namespace weft::cli {

using nlohmann::json;

namespace {

constexpr int kServerPage = 50; // Prefect's most per page
constexpr const char* kFlowRunResource = "prefect.flow-run.";
constexpr const char* kTaskRunResource = "prefect.task-run.";

std::string text(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool starts_with(const std::string& s, const char* prefix) {
    return s.rfind(prefix, 0) == 0;
}

// A Prefect event about a run's state as the feed's event; nullopt for other events (the server
// sends only these, a Prefect server others too).
std::optional<Event> from_prefect(const json& event) {
    if (!event.is_object()) return std::nullopt;
    const json resource = event.value("resource", json::object());
    const std::string id = text(resource, "prefect.resource.id");
    const bool task = starts_with(id, kTaskRunResource);
    if (!task && !starts_with(id, kFlowRunResource)) return std::nullopt;
    const json payload = event.value("payload", json::object());
    Event e;
    e.run_id = id.substr(task ? std::strlen(kTaskRunResource) : std::strlen(kFlowRunResource));
    e.ts = from_iso(text(event, "occurred")).value_or(0);
    try {
        if (auto s = payload.find("validated_state"); s != payload.end() && s->is_object())
            e.state = state_from_json(*s);
    } catch (const std::invalid_argument&) {
        return std::nullopt; // a state this client cannot read: not one of a run's
    }
    if (!e.state) return std::nullopt;
    // Whether a run was created with the state cannot be told from the event (a live one may
    // not know the state before it): every one is a state event.
    e.kind = task ? EventKind::TaskRunState : EventKind::FlowRunState;
    e.flow_run_id =
        task ? text(payload.value("task_run", json::object()), "flow_run_id") : e.run_id;
    return e;
}

// The feed event's JSON, without a sequence number (a server's events have none).
json event_json(const Event& e) {
    json j = to_json(e);
    j["seq"] = nullptr;
    return j;
}

// Past events: the newest `limit`, oldest first. Pages go back in time: the next asks for events
// that occurred up to the oldest one seen (inclusive, so none sharing its time is lost), and
// those already seen are dropped. A server's next_page link is followed when it gives one.
std::vector<json> past_events(ApiClient& api, int limit) {
    std::deque<json> newest_first;
    std::unordered_set<std::string> seen;
    std::string until;
    json page;
    int asked = 0; // the limit of the last filter request
    while (int(newest_first.size()) < limit) {
        if (page.is_object() && page.value("next_page", json()).is_string()) {
            std::string next = page["next_page"].get<std::string>();
            if (starts_with(next, api.settings().url.c_str()))
                next = next.substr(api.settings().url.size());
            page = api.get(next);
        } else {
            json filter = {{"order", "DESC"}};
            // A later page starts with events seen already: it asks for a whole page.
            asked = kServerPage;
            if (until.empty())
                asked = std::min(kServerPage, limit);
            else
                filter["occurred"] = {{"until", until}};
            page = api.post("/events/filter", {{"filter", filter}, {"limit", asked}});
        }
        const json events = page.value("events", json::array());
        int added = 0;
        for (const auto& event : events) {
            const std::string id = text(event, "id");
            if (!seen.insert(id).second) continue;
            newest_first.push_back(event);
            until = text(event, "occurred");
            ++added;
            if (int(newest_first.size()) >= limit) break;
        }
        // The server has no older ones (or only ones sharing a time this client saw already).
        if (added == 0
            || (events.size() < size_t(asked) && !page.value("next_page", json()).is_string()))
            break;
    }
    return {newest_first.rbegin(), newest_first.rend()};
}

class RemotePrinter {
public:
    RemotePrinter(Cli& cli, bool json)
        : m_cli(cli)
        , m_json(json)
        , m_lines(cli, [](const Event& e) { return e.run_id; }) {}

    /// Prints an event not printed before (by its id: the live stream may repeat the last past
    /// ones).
    void print(const json& event) {
        if (!m_printed.insert(text(event, "id")).second) return;
        const auto e = from_prefect(event);
        if (!e) return;
        if (m_json)
            print_json_line(m_cli, event_json(*e));
        else
            m_lines.print(*e);
    }

private:
    Cli& m_cli;
    bool m_json;
    EventPrinter m_lines;
    std::unordered_set<std::string> m_printed;
};

} // namespace

void remote_events(Cli& cli, ApiClient& api, const EventsOptions& o) {
    using namespace std::chrono_literals;
    const int limit = int(parse_whole_number("--limit", o.limit, 1, kMaxLimit));
    std::unique_ptr<http::WebSocketClient> live;
    if (o.follow) {
        // Opened before the past is read: an event that happens meanwhile is in one or the other.
        try {
            live = std::make_unique<http::WebSocketClient>(api.settings(), "/events/out");
            live->send_text(json({{"type", "filter"}, {"filter", json::object()}}).dump());
        } catch (const ApiError& e) {
            throw CliError(std::string("cannot follow the server's events: ") + e.what());
        }
    }
    const std::vector<json> past = past_events(api, limit);
    if (o.json && !o.follow) {
        json array = json::array();
        for (const auto& event : past)
            if (auto e = from_prefect(event)) array.push_back(event_json(*e));
        cli.print_json(array);
        return;
    }
    RemotePrinter printer(cli, o.json);
    for (const auto& event : past)
        printer.print(event);
    cli.out() << std::flush;
    while (live) {
        std::optional<std::string> message;
        try {
            message = live->read_text(1s);
        } catch (const ApiError& e) {
            throw CliError(std::string("lost the server's event stream: ") + e.what());
        }
        if (!message) continue;
        const json j = json::parse(*message, nullptr, false);
        if (!j.is_object() || j.value("type", "") != "event") continue;
        printer.print(j.value("event", json()));
        cli.out() << std::flush;
    }
}

} // namespace weft::cli

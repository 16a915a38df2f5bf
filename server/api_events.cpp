// Past events (POST /api/events/filter): the change feed read from the start, filtered, as
// Prefect's EventPage. The live stream is events_out.cpp.
#include "api.hpp"
#include "body.hpp"
#include "prefect_events.hpp"
#include "schemas.hpp"

#include <deque>

namespace weft::server {

using nlohmann::json;

namespace {

constexpr int kMaxEventsLimit = 50; // Prefect's maximum for events/filter
constexpr int kFeedChunk = 5000;

} // namespace

Reply Api::filter_events(const std::string& text) {
    Body body = parse_body(text, &schemas::events_filter_body());
    if (body.error) return *body.error;
    const json& limit_value = body.value.contains("limit") ? body.value["limit"] : json();
    const int limit = limit_value.is_number() ? limit_value.get<int>() : kMaxEventsLimit;
    if (limit > kMaxEventsLimit)
        return Reply::json(unprocessable({{json::array({"body", "limit"}),
                                           "Input should be less than or equal to 50",
                                           "less_than_equal", limit_value}},
                                         body.value),
                           422);
    const ParsedEventFilter parsed =
        event_filter_from_json(body.value.contains("filter") ? body.value["filter"] : json());
    if (!parsed.unsupported.empty())
        return Reply::detail(422, "This server does not support filtering events by "
                                      + parsed.unsupported + " yet.");
    const EventFilter& filter = parsed.filter;

    // The store has no index of events by time or resource: the whole feed is read, in order,
    // and only the page kept is turned into JSON. The builder sees every event so that each
    // kept one knows the state before it.
    std::int64_t total = 0;
    json events = json::array();
    m_engine->store().read([&](Reader& r) {
        EventBuilder builder;
        std::deque<json> page;
        std::int64_t seq = 0;
        for (;;) {
            auto chunk = r.events_after(seq, kFeedChunk);
            for (const Event& e : chunk) {
                builder.saw(e);
                auto head = event_head(e);
                if (!head || !filter.matches(*head)) continue;
                ++total;
                if (filter.ascending && int(page.size()) >= limit) continue;
                page.push_back(builder.build(e, *head, r));
                if (!filter.ascending && int(page.size()) > limit) page.pop_front();
            }
            if (chunk.size() < size_t(kFeedChunk)) break;
            seq = chunk.back().seq;
        }
        if (!filter.ascending) std::reverse(page.begin(), page.end()); // newest first
        for (auto& e : page)
            events.push_back(std::move(e));
    });
    return Reply::json({{"events", std::move(events)}, {"total", total}, {"next_page", nullptr}});
}

} // namespace weft::server

// Counts and pages: flows/count, task_runs/count and flow_runs/paginate, over the same filter
// readings as the /filter endpoints.
#include "api.hpp"
#include "body.hpp"
#include "filters.hpp"
#include "prefect_json.hpp"
#include "schemas.hpp"

namespace weft::server {

using nlohmann::json;

Reply Api::count_flows(const std::string& text) {
    Body body = parse_body(text, &schemas::flows_filter_body());
    if (body.error) return *body.error;
    auto s = m_engine->store().read(
        [&](Reader& r) { return flow_selection(body.value, r, /*paged=*/false); });
    if (!s.unsupported.empty()) return unsupported(s.unsupported);
    return Reply::json(s.none ? 0 : std::int64_t(s.query.size()));
}

Reply Api::count_task_runs(const std::string& text) {
    Body body = parse_body(text, &schemas::task_runs_filter_body());
    if (body.error) return *body.error;
    std::int64_t count = 0;
    std::string why;
    m_engine->store().read([&](Reader& r) {
        auto s = task_run_selection(body.value, r);
        why = s.unsupported;
        if (why.empty() && !s.none) count = r.count_matching_task_runs(s.query);
    });
    if (!why.empty()) return unsupported(why);
    return Reply::json(count);
}

Reply Api::paginate_flow_runs(const std::string& text) {
    Body body = parse_body(text, &schemas::flow_runs_paginate_body());
    if (body.error) return *body.error;
    const auto limit = requested_limit(body.value);
    if (!limit) return bad_limit();
    const std::int64_t page = body.value.value("page", 1);
    json results = json::array();
    std::int64_t count = 0;
    std::string why;
    m_engine->store().read([&](Reader& r) {
        auto s = flow_run_selection(body.value, r);
        why = s.unsupported;
        if (!why.empty() || s.none) return;
        count = r.count_flow_runs(s.query);
        s.query.limit = *limit;
        s.query.offset = int((page - 1) * *limit);
        for (const auto& run : r.flow_runs(s.query))
            results.push_back(flow_run_json(run));
    });
    if (!why.empty()) return unsupported(why);
    const std::int64_t pages = *limit > 0 ? (count + *limit - 1) / *limit : 0;
    return Reply::json({{"results", results},
                        {"count", count},
                        {"limit", *limit},
                        {"pages", pages},
                        {"page", page}});
}

} // namespace weft::server

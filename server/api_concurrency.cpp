// Tag concurrency limits (Prefect's v1 concurrency_limits) over the store's own limits: the
// same limits `weft concurrency-limit create` sets and task runs take slots of.
#include "api.hpp"
#include "body.hpp"
#include "filters.hpp"
#include "prefect_json.hpp"
#include "schemas.hpp"

#include <weft/time.hpp>

#include <algorithm>

namespace weft::server {

using nlohmann::json;

namespace {

Reply limit_not_found() {
    return Reply::detail(404, "Concurrency limit not found");
}

// Prefect's ConcurrencyLimit: an id (the same for the same tag), the slots' task runs.
json limit_json(const ConcurrencyLimit& limit, const std::vector<std::string>& holders) {
    return {{"id", idempotent_run_id("concurrency limit", limit.tag)},
            {"created", to_iso(limit.created)},
            {"updated", to_iso(limit.created)},
            {"tag", limit.tag},
            {"concurrency_limit", limit.limit},
            {"active_slots", holders}};
}

std::optional<ConcurrencyLimit> find_limit(Reader& r, const std::string& tag) {
    for (auto& limit : r.concurrency_limits())
        if (limit.tag == tag) return limit;
    return std::nullopt;
}

} // namespace

Reply Api::create_concurrency_limit(const std::string& text) {
    Body body = parse_body(text, &schemas::concurrency_limit_create());
    if (body.error) return *body.error;
    const std::string tag = body.value.at("tag").get<std::string>();
    const int value = body.value.at("concurrency_limit").get<int>();
    return m_engine->store()
        .transact<Reply>([&](Txn& txn) {
            const bool existed = find_limit(txn.read(), tag).has_value();
            txn.set_concurrency_limit(tag, value);
            auto limit = find_limit(txn.read(), tag);
            return Reply::json(limit_json(*limit, txn.read().concurrency_slot_holders(tag)),
                               existed ? 200 : 201);
        })
        .get();
}

Reply Api::read_concurrency_limit(const std::string& tag) {
    return m_engine->store().read([&](Reader& r) {
        auto limit = find_limit(r, tag);
        return limit ? Reply::json(limit_json(*limit, r.concurrency_slot_holders(tag)))
                     : limit_not_found();
    });
}

Reply Api::delete_concurrency_limit(const std::string& tag) {
    const bool deleted =
        m_engine->store()
            .transact<bool>([&](Txn& txn) { return txn.delete_concurrency_limit(tag); })
            .get();
    return deleted ? Reply::json(nullptr) : limit_not_found();
}

Reply Api::filter_concurrency_limits(const std::string& text) {
    Body body = parse_body(text, &schemas::concurrency_limits_filter_body());
    if (body.error) return *body.error;
    const auto limit = requested_limit(body.value);
    if (!limit) return bad_limit();
    const auto offset = std::size_t(body.value.value("offset", 0));
    json out = json::array();
    m_engine->store().read([&](Reader& r) {
        const auto limits = r.concurrency_limits(); // by tag
        for (auto i = offset; i < limits.size() && out.size() < std::size_t(*limit); ++i)
            out.push_back(limit_json(limits[i], r.concurrency_slot_holders(limits[i].tag)));
    });
    return Reply::json(out);
}

} // namespace weft::server

#include "deployment_filters.hpp"

#include "deployment_json.hpp"
#include "json_fields.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace weft::server {

namespace {

using nlohmann::json;
using namespace fields;

bool has(const std::vector<std::string>& values, const std::string& v) {
    return std::find(values.begin(), values.end(), v) != values.end();
}

bool contains(const std::string& haystack, const std::string& needle) {
    return lowercase(haystack).find(lowercase(needle)) != std::string::npos;
}

bool deployment_matches(const DeploymentRecord& d, const json& f, const std::string& flow_name) {
    if (const json* id = part(f, "id")) {
        if (auto any = list(id, "any_"); any && !has(*any, d.id)) return false;
        if (auto not_any = list(id, "not_any_"); not_any && has(*not_any, d.id)) return false;
    }
    if (const json* name = part(f, "name")) {
        if (auto any = list(name, "any_"); any && !has(*any, d.name)) return false;
        if (auto like = text(name, "like_"); like && !contains(d.name, *like)) return false;
    }
    if (auto like = text(part(f, "flow_or_deployment_name"), "like_");
        like && !contains(d.name, *like) && !contains(flow_name, *like))
        return false;
    if (auto paused = flag(part(f, "paused"), "eq_"); paused && *paused != d.paused) return false;
    if (const json* tags = part(f, "tags")) {
        if (auto all = list(tags, "all_"))
            for (const auto& t : *all)
                if (!has(d.tags, t)) return false;
        if (auto any = list(tags, "any_")) {
            if (std::none_of(any->begin(), any->end(),
                             [&](const std::string& t) { return has(d.tags, t); }))
                return false;
        }
        if (auto null = flag(tags, "is_null_"); null && *null != d.tags.empty()) return false;
    }
    if (auto any = list(part(f, "work_queue_name"), "any_"); any && !has(*any, d.work_queue_name))
        return false;
    // Weft's deployments have no concurrency limit of their own.
    if (const json* limit = part(f, "concurrency_limit")) {
        if (limit->contains("ge_") && !(*limit)["ge_"].is_null()) return false;
        if (limit->contains("le_") && !(*limit)["le_"].is_null()) return false;
        if (auto null = flag(limit, "is_null_"); null && !*null) return false;
    }
    return true;
}

bool work_pool_matches(const WorkPoolRecord& pool, const json& f) {
    if (auto any = list(part(f, "id"), "any_"); any && !has(*any, pool.id)) return false;
    if (auto any = list(part(f, "name"), "any_"); any && !has(*any, pool.name)) return false;
    if (auto any = list(part(f, "type"), "any_"); any && !has(*any, pool.type)) return false;
    return true;
}

// Names of the pools a work_pools filter selects.
std::vector<std::string> matching_pool_names(const json& f, Reader& reader) {
    std::vector<std::string> names;
    for (const auto& pool : reader.work_pools())
        if (work_pool_matches(pool, f)) names.push_back(pool.name);
    return names;
}

std::string flow_name_of(Reader& reader, const std::string& flow_id) {
    auto flow = reader.flow(flow_id);
    return flow ? flow->name : std::string();
}

std::vector<std::string> matching_deployment_ids(const json& f, Reader& reader) {
    std::vector<std::string> ids;
    for (const auto& d : reader.deployments())
        if (deployment_matches(d, f, flow_name_of(reader, d.flow_id))) ids.push_back(d.id);
    return ids;
}

template<class T> void page(std::vector<T>& rows, const json& body) {
    const auto offset = std::min(rows.size(), std::size_t(body.value("offset", 0)));
    const auto limit = std::size_t(requested_limit(body).value_or(kMaxLimit));
    rows.erase(rows.begin(), rows.begin() + std::ptrdiff_t(offset));
    if (rows.size() > limit) rows.resize(limit);
}

} // namespace

void apply_placement_filters(const json& body, Reader& reader, FlowRunQuery& q, bool& none,
                             std::string& unsupported) {
    if (const json* f = part(body, "deployments"); sets_condition(f))
        narrow(q.deployment_ids, matching_deployment_ids(*f, reader), none);
    if (const json* f = part(body, "work_pools"); sets_condition(f))
        narrow(q.work_pool_names, matching_pool_names(*f, reader), none);
    if (const json* f = part(body, "work_pool_queues"); sets_condition(f)) {
        if (auto any = list(part(*f, "name"), "any_")) narrow(q.work_queue_names, *any, none);
        if (list(part(*f, "id"), "any_")) unsupported = "work_pool_queues.id";
    }
    const json* runs = part(body, "flow_runs");
    if (const json* f = runs ? part(*runs, "deployment_id") : nullptr) {
        if (auto any = list(f, "any_")) narrow(q.deployment_ids, *any, none);
        q.no_deployment = flag(f, "is_null_");
    }
    if (const json* f = runs ? part(*runs, "work_queue_name") : nullptr) {
        if (auto any = list(f, "any_")) narrow(q.work_queue_names, *any, none);
        if (flag(f, "is_null_")) unsupported = "flow_runs.work_queue_name.is_null_";
    }
}

std::vector<std::string> deployed_flow_ids(Reader& reader) {
    std::set<std::string> ids;
    for (const auto& d : reader.deployments())
        ids.insert(d.flow_id);
    return {ids.begin(), ids.end()};
}

Selection<std::vector<DeploymentRecord>> deployment_selection(const json& body, Reader& reader,
                                                              bool paged) {
    Selection<std::vector<DeploymentRecord>> s;
    std::vector<DeploymentRecord> rows = reader.deployments();
    if (const json* f = part(body, "deployments"))
        std::erase_if(rows, [&](const DeploymentRecord& d) {
            return !deployment_matches(d, *f, flow_name_of(reader, d.flow_id));
        });
    if (const json* f = part(body, "work_pools"); sets_condition(f)) {
        const auto names = matching_pool_names(*f, reader);
        std::erase_if(rows,
                      [&](const DeploymentRecord& d) { return !has(names, d.work_pool_name); });
    }
    if (const json* f = part(body, "work_pool_queues"); sets_condition(f)) {
        if (auto any = list(part(*f, "name"), "any_"))
            std::erase_if(rows,
                          [&](const DeploymentRecord& d) { return !has(*any, d.work_queue_name); });
        if (list(part(*f, "id"), "any_")) s.unsupported = "work_pool_queues.id";
    }
    if (sets_condition(part(body, "flows")) || sets_condition(part(body, "flow_runs"))
        || sets_condition(part(body, "task_runs"))) {
        // Deployments of the matching flows that have a matching run; flows alone select by flow.
        json runs_only = {{"flows", body.value("flows", json())},
                          {"flow_runs", body.value("flow_runs", json())},
                          {"task_runs", body.value("task_runs", json())}};
        auto runs = flow_run_selection(runs_only, reader);
        if (!runs.unsupported.empty()) s.unsupported = runs.unsupported;
        const bool by_runs =
            sets_condition(part(body, "flow_runs")) || sets_condition(part(body, "task_runs"));
        std::set<std::string> keep;
        if (!runs.none) {
            if (by_runs) {
                runs.query.limit = -1;
                runs.query.offset = 0;
                for (const auto& r : reader.flow_runs(runs.query))
                    if (!r.placement.deployment_id.empty()) keep.insert(r.placement.deployment_id);
            } else {
                for (const auto& d : rows)
                    if (runs.query.flow_ids.empty() || has(runs.query.flow_ids, d.flow_id))
                        keep.insert(d.id);
            }
        }
        std::erase_if(rows, [&](const DeploymentRecord& d) { return !keep.count(d.id); });
    }
    const std::string sort = body.value("sort", std::string("NAME_ASC"));
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
        if (sort == "NAME_DESC") return a.name > b.name;
        if (sort == "CREATED_DESC") return a.created > b.created;
        if (sort == "UPDATED_DESC") return a.updated > b.updated;
        return a.name < b.name;
    });
    if (paged) page(rows, body);
    s.query = std::move(rows);
    return s;
}

Selection<std::vector<WorkPoolRecord>> work_pool_selection(const json& body, Reader& reader) {
    Selection<std::vector<WorkPoolRecord>> s;
    std::vector<WorkPoolRecord> rows = reader.work_pools();
    if (const json* f = part(body, "work_pools"))
        std::erase_if(rows, [&](const WorkPoolRecord& p) { return !work_pool_matches(p, *f); });
    page(rows, body);
    s.query = std::move(rows);
    return s;
}

} // namespace weft::server

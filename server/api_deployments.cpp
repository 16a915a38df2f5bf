// Deployments: created or updated by flow and name (Prefect's upsert), read, filtered, paused,
// deleted, and run: create_flow_run makes a SCHEDULED run placed in the deployment's pool and
// queue, its parameters the deployment's with the request's over them.
#include "api.hpp"
#include "body.hpp"
#include "deployment_filters.hpp"
#include "deployment_json.hpp"
#include "prefect_json.hpp"
#include "scheduler.hpp"
#include "schemas.hpp"

#include <weft/time.hpp>

#include <algorithm>

namespace weft::server {

using nlohmann::json;

namespace {

Reply deployment_not_found() {
    return Reply::detail(404, "Deployment not found");
}

// The deployment in Prefect's shape: its pool's queue, and whether a worker of the pool is online.
json describe(Reader& r, const DeploymentRecord& d) {
    std::optional<WorkPoolRecord> pool;
    bool ready = false;
    if (!d.work_pool_name.empty()) pool = r.work_pool(d.work_pool_name);
    if (pool) {
        const Micros now = now_us();
        const auto workers = r.workers(pool->id);
        ready = std::any_of(workers.begin(), workers.end(),
                            [&](const WorkerRecord& w) { return worker_online(w, now); });
    }
    return deployment_json(d, pool, ready);
}

// The deployment's runs still waiting to start (SCHEDULED), made by its schedules or by hand.
std::vector<FlowRunRecord> waiting_runs(Reader& r, const std::string& deployment_id) {
    FlowRunQuery q;
    q.deployment_ids = {deployment_id};
    q.states = {StateType::Scheduled};
    q.limit = -1;
    return r.flow_runs(q);
}

// The runs its schedules made that wait still: they go when the schedules change or the
// deployment is paused (as Prefect does), and the scheduler makes them again from the new ones.
void drop_auto_scheduled_runs(Txn& txn, const std::string& deployment_id) {
    for (const auto& run : waiting_runs(txn.read(), deployment_id)) {
        const bool auto_scheduled =
            std::find(run.tags.begin(), run.tags.end(), kAutoScheduledTag) != run.tags.end();
        if (auto_scheduled && run.run_count == 0) txn.delete_flow_run(run.id);
    }
}

std::vector<std::string> union_of(std::vector<std::string> a, const std::vector<std::string>& b) {
    for (const auto& t : b)
        if (std::find(a.begin(), a.end(), t) == a.end()) a.push_back(t);
    return a;
}

} // namespace

Reply Api::create_deployment(const std::string& text) {
    Body body = parse_body(text, &schemas::deployment_create());
    if (body.error) return *body.error;
    if (auto errors = check_deployment_schedules(body.value); !errors.empty())
        return Reply::json(unprocessable(errors, body.value), 422);
    DeploymentRecord proposed = deployment_from_create(body.value);
    proposed.flow_id = lowercase_id(proposed.flow_id);
    return m_engine->store()
        .transact<Reply>([&](Txn& txn) {
            Reader& r = txn.read();
            if (!r.flow(proposed.flow_id))
                return Reply::detail(409, "Data integrity conflict: there is no flow with id "
                                              + proposed.flow_id + ".");
            if (!proposed.work_pool_name.empty() && !r.work_pool(proposed.work_pool_name))
                return Reply::detail(404,
                                     "Work pool \"" + proposed.work_pool_name + "\" not found.");
            DeploymentRecord d = proposed;
            const auto existing = r.deployment_by_name(d.flow_id, d.name);
            if (existing) {
                // Prefect's upsert: the same deployment, every field as now sent.
                d.id = existing->id;
                d.created = existing->created;
                if (same_schedules(existing->schedules, d.schedules)) {
                    d.schedules = existing->schedules; // keep their ids
                    d.scheduled_until = existing->scheduled_until;
                } else {
                    drop_auto_scheduled_runs(txn, d.id);
                }
            }
            txn.put_deployment(d);
            return Reply::json(describe(r, d), existing ? 200 : 201);
        })
        .get();
}

Reply Api::update_deployment(const std::string& raw_id, const std::string& text) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    Body body = parse_body(text, &schemas::deployment_update());
    if (body.error) return *body.error;
    if (auto errors = check_deployment_schedules(body.value); !errors.empty())
        return Reply::json(unprocessable(errors, body.value), 422);
    const std::string id = lowercase_id(raw_id);
    return m_engine->store()
        .transact<Reply>([&](Txn& txn) {
            Reader& r = txn.read();
            auto d = r.deployment(id);
            if (!d) return deployment_not_found();
            const bool was_paused = d->paused;
            const bool new_schedules = apply_deployment_update(*d, body.value);
            if (!d->work_pool_name.empty() && !r.work_pool(d->work_pool_name))
                return Reply::detail(404, "Work pool \"" + d->work_pool_name + "\" not found.");
            // As when its schedules change or it is paused through pause_deployment: the runs
            // its schedules made that wait still go; the scheduler makes new ones as it should.
            if (new_schedules || (d->paused && !was_paused)) drop_auto_scheduled_runs(txn, d->id);
            txn.put_deployment(*d);
            return Reply::no_content();
        })
        .get();
}

Reply Api::read_deployment(const std::string& raw_id) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    const std::string id = lowercase_id(raw_id);
    return m_engine->store().read([&](Reader& r) {
        auto d = r.deployment(id);
        return d ? Reply::json(describe(r, *d)) : deployment_not_found();
    });
}

Reply Api::read_deployment_by_name(const std::string& flow_name, const std::string& name) {
    return m_engine->store().read([&](Reader& r) {
        auto flow = r.flow_by_name(flow_name);
        auto d = flow ? r.deployment_by_name(flow->id, name) : std::nullopt;
        return d ? Reply::json(describe(r, *d)) : deployment_not_found();
    });
}

Reply Api::delete_deployment(const std::string& raw_id) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    const std::string id = lowercase_id(raw_id);
    return m_engine->store()
        .transact<Reply>([&](Txn& txn) {
            if (!txn.read().deployment(id)) return deployment_not_found();
            // As Prefect does: the runs that have not started go with it; the others stay.
            for (const auto& run : waiting_runs(txn.read(), id))
                txn.delete_flow_run(run.id);
            txn.delete_deployment(id);
            return Reply::no_content();
        })
        .get();
}

Reply Api::set_deployment_paused(const std::string& raw_id, bool paused) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    const std::string id = lowercase_id(raw_id);
    return m_engine->store()
        .transact<Reply>([&](Txn& txn) {
            auto d = txn.read().deployment(id);
            if (!d) return deployment_not_found();
            if (d->paused != paused) {
                if (paused) drop_auto_scheduled_runs(txn, d->id);
                d->paused = paused;
                d->updated = now_us();
                txn.put_deployment(*d);
            }
            return Reply::json(nullptr);
        })
        .get();
}

Reply Api::filter_deployments(const std::string& text) {
    Body body = parse_body(text, &schemas::deployments_filter_body());
    if (body.error) return *body.error;
    if (!requested_limit(body.value)) return bad_limit();
    std::string why;
    json out = json::array();
    m_engine->store().read([&](Reader& r) {
        auto s = deployment_selection(body.value, r);
        why = s.unsupported;
        for (const auto& d : s.query)
            out.push_back(describe(r, d));
    });
    if (!why.empty()) return unsupported(why);
    return Reply::json(out);
}

Reply Api::count_deployments(const std::string& text) {
    Body body = parse_body(text, &schemas::deployments_filter_body());
    if (body.error) return *body.error;
    auto s = m_engine->store().read(
        [&](Reader& r) { return deployment_selection(body.value, r, /*paged=*/false); });
    if (!s.unsupported.empty()) return unsupported(s.unsupported);
    return Reply::json(std::int64_t(s.query.size()));
}

Reply Api::create_deployment_flow_run(const std::string& raw_id, const std::string& text) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    Body body = parse_body(text, &schemas::deployment_flow_run_create());
    if (body.error) return *body.error;
    const std::string id = lowercase_id(raw_id);
    return m_engine->store()
        .transact<Reply>([&](Txn& txn) {
            Reader& r = txn.read();
            auto d = r.deployment(id);
            if (!d) return deployment_not_found();
            auto flow = r.flow(d->flow_id);
            if (!flow) return Reply::detail(404, "Flow not found");
            // A FlowRunCreate of the deployment's flow: its parameters under the request's, its
            // tags with the request's, SCHEDULED now unless the request says otherwise.
            json create = body.value;
            json parameters = d->parameters;
            parameters.update(body.value.value("parameters", json::object()));
            create["parameters"] = parameters;
            create["tags"] =
                union_of(d->tags, body.value.value("tags", std::vector<std::string>{}));
            if (!create.contains("state") || create["state"].is_null())
                create["state"] = {{"type", "SCHEDULED"}};
            FlowRunRecord run = flow_run_from_create(create, *flow);
            if (auto existing = r.flow_run(run.id)) // the same idempotency key
                return Reply::json(flow_run_json(*existing), 200);
            run.placement.deployment_id = d->id;
            run.placement.work_pool_name = d->work_pool_name;
            run.placement.work_queue_name = body.value.value("work_queue_name", json()).is_string()
                                                ? body.value["work_queue_name"].get<std::string>()
                                                : d->work_queue_name;
            txn.put_flow_run(run, EventKind::FlowRunCreated);
            return Reply::json(flow_run_json(run), 201);
        })
        .get();
}

} // namespace weft::server

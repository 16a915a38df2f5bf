// Work pools and their workers: pools created, read, filtered and deleted; workers' heartbeats;
// and get_scheduled_flow_runs, where workers take the pool's runs that are due.
#include "api.hpp"
#include "body.hpp"
#include "deployment_filters.hpp"
#include "deployment_json.hpp"
#include "prefect_json.hpp"
#include "schemas.hpp"

#include <weft/ids.hpp>
#include <weft/time.hpp>

#include <algorithm>

namespace weft::server {

using nlohmann::json;

namespace {

Reply pool_not_found(const std::string& name) {
    return Reply::detail(404, "Work pool \"" + name + "\" not found.");
}

// The pool's runs that hold a slot of its concurrency limit.
std::int64_t active_slots(Reader& r, const std::string& pool_name) {
    FlowRunQuery q;
    q.work_pool_names = {pool_name};
    q.states = {StateType::Pending, StateType::Running, StateType::Cancelling};
    return r.count_flow_runs(q);
}

json describe(Reader& r, const WorkPoolRecord& pool) {
    const Micros now = now_us();
    const auto workers = r.workers(pool.id);
    const bool online = std::any_of(workers.begin(), workers.end(),
                                    [&](const WorkerRecord& w) { return worker_online(w, now); });
    return work_pool_json(pool, active_slots(r, pool.name), online);
}

std::optional<Micros> time_of(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return from_iso(it->get<std::string>());
}

// A worker passes the workers filter's conditions (last_heartbeat_time, status).
bool worker_matches(const WorkerRecord& w, const json& f, Micros now) {
    if (auto t = f.find("last_heartbeat_time"); t != f.end() && t->is_object()) {
        if (auto before = time_of(*t, "before_"); before && w.last_heartbeat > *before)
            return false;
        if (auto after = time_of(*t, "after_"); after && w.last_heartbeat < *after) return false;
    }
    if (auto s = f.find("status"); s != f.end() && s->is_object()) {
        const std::string status = worker_online(w, now) ? "ONLINE" : "OFFLINE";
        const auto any = s->value("any_", json());
        const auto not_any = s->value("not_any_", json());
        if (any.is_array() && std::find(any.begin(), any.end(), status) == any.end()) return false;
        if (not_any.is_array()
            && std::find(not_any.begin(), not_any.end(), status) != not_any.end())
            return false;
    }
    return true;
}

} // namespace

Reply Api::create_work_pool(const std::string& text) {
    Body body = parse_body(text, &schemas::work_pool_create());
    if (body.error) return *body.error;
    const WorkPoolRecord pool = work_pool_from_create(body.value);
    return m_engine->store()
        .transact<Reply>([&](Txn& txn) {
            if (txn.read().work_pool(pool.name))
                return Reply::detail(409,
                                     "A work pool named \"" + pool.name + "\" already exists.");
            txn.put_work_pool(pool);
            return Reply::json(describe(txn.read(), pool), 201);
        })
        .get();
}

Reply Api::read_work_pool(const std::string& name) {
    return m_engine->store().read([&](Reader& r) {
        auto pool = r.work_pool(name);
        return pool ? Reply::json(describe(r, *pool)) : pool_not_found(name);
    });
}

Reply Api::update_work_pool(const std::string& name, const std::string& text) {
    Body body = parse_body(text, &schemas::work_pool_update());
    if (body.error) return *body.error;
    return m_engine->store()
        .transact<Reply>([&](Txn& txn) {
            auto pool = txn.read().work_pool(name);
            if (!pool) return pool_not_found(name);
            apply_work_pool_update(*pool, body.value);
            txn.put_work_pool(*pool);
            return Reply::no_content();
        })
        .get();
}

Reply Api::delete_work_pool(const std::string& name) {
    const bool deleted = m_engine->store()
                             .transact<bool>([&](Txn& txn) { return txn.delete_work_pool(name); })
                             .get();
    return deleted ? Reply::no_content() : pool_not_found(name);
}

Reply Api::filter_work_pools(const std::string& text) {
    Body body = parse_body(text, &schemas::work_pools_filter_body());
    if (body.error) return *body.error;
    if (!requested_limit(body.value)) return bad_limit();
    json out = json::array();
    m_engine->store().read([&](Reader& r) {
        for (const auto& pool : work_pool_selection(body.value, r).query)
            out.push_back(describe(r, pool));
    });
    return Reply::json(out);
}

Reply Api::worker_heartbeat(const std::string& pool_name, const std::string& text) {
    Body body = parse_body(text, &schemas::worker_heartbeat_body());
    if (body.error) return *body.error;
    const std::string name = body.value.at("name").get<std::string>();
    std::optional<int> interval;
    if (auto it = body.value.find("heartbeat_interval_seconds");
        it != body.value.end() && it->is_number())
        interval = it->get<int>();
    return m_engine->store()
        .transact<Reply>([&](Txn& txn) {
            auto pool = txn.read().work_pool(pool_name);
            if (!pool) return pool_not_found(pool_name);
            const Micros now = now_us();
            WorkerRecord worker{new_id(), pool->id, name, now, interval, now};
            for (const auto& w : txn.read().workers(pool->id)) {
                if (w.name != name) continue;
                worker.id = w.id; // the same worker, beating again
                worker.created = w.created;
                if (!interval) worker.heartbeat_interval_s = w.heartbeat_interval_s;
            }
            txn.put_worker(worker);
            return Reply::no_content();
        })
        .get();
}

Reply Api::filter_workers(const std::string& pool_name, const std::string& text) {
    Body body = parse_body(text, &schemas::workers_filter_body());
    if (body.error) return *body.error;
    const auto limit = requested_limit(body.value);
    if (!limit) return bad_limit();
    return m_engine->store().read([&](Reader& r) {
        auto pool = r.work_pool(pool_name);
        if (!pool) return pool_not_found(pool_name);
        const Micros now = now_us();
        const json filter = body.value.value("workers", json::object());
        std::vector<WorkerRecord> workers = r.workers(pool->id);
        if (filter.is_object())
            std::erase_if(workers,
                          [&](const WorkerRecord& w) { return !worker_matches(w, filter, now); });
        const auto offset = std::min(workers.size(), std::size_t(body.value.value("offset", 0)));
        json out = json::array();
        for (auto i = offset; i < workers.size() && out.size() < std::size_t(*limit); ++i)
            out.push_back(worker_json(workers[i], now));
        return Reply::json(out);
    });
}

Reply Api::scheduled_flow_runs(const std::string& pool_name, const std::string& text) {
    Body body = parse_body(text, &schemas::scheduled_flow_runs_body());
    if (body.error) return *body.error;
    const auto limit = requested_limit(body.value);
    if (!limit) return bad_limit();
    const json& b = body.value;
    FlowRunQuery q;
    q.states = {StateType::Scheduled};
    q.work_pool_names = {pool_name};
    if (auto names = b.find("work_queue_names"); names != b.end() && names->is_array())
        q.work_queue_names = names->get<std::vector<std::string>>();
    // Due by the state's scheduled time (Prefect's next_scheduled_start_time), which a retry
    // (AwaitingRetry) moves past the run's expected start: compared here, not in the query.
    const auto before = time_of(b, "scheduled_before");
    const auto after = time_of(b, "scheduled_after");
    q.sort = FlowRunSort::ExpectedStartAsc;
    q.limit = -1;
    const std::string worker = b.value("worker_name", json()).is_string()
                                   ? b["worker_name"].get<std::string>()
                                   : std::string();
    // In the writer's transaction: the slots counted are the slots left when the runs are handed
    // out, and the worker asking is recorded on them at once.
    return m_engine->store()
        .transact<Reply>([&](Txn& txn) {
            Reader& r = txn.read();
            auto pool = r.work_pool(pool_name);
            if (!pool) return pool_not_found(pool_name);
            json out = json::array();
            if (pool->is_paused) return Reply::json(out);
            if (b.contains("work_queue_names") && q.work_queue_names.empty())
                return Reply::json(out);
            std::int64_t room = *limit;
            if (pool->concurrency_limit)
                room = std::clamp<std::int64_t>(
                    *pool->concurrency_limit - active_slots(r, pool->name), 0, room);
            if (room == 0) return Reply::json(out);
            std::vector<std::pair<Micros, FlowRunRecord>> due;
            for (auto& run : r.flow_runs(q)) {
                const Micros at = run.state.scheduled_time().value_or(run.expected_start_time);
                if ((before && at > *before) || (after && at < *after)) continue;
                due.emplace_back(at, std::move(run));
            }
            std::stable_sort(due.begin(), due.end(),
                             [](const auto& x, const auto& y) { return x.first < y.first; });
            if (std::int64_t(due.size()) > room) due.resize(std::size_t(room));
            for (auto& [at, run] : due) {
                if (!worker.empty() && run.placement.worker_name != worker) {
                    run.placement.worker_name = worker;
                    txn.put_placement(run.id, run.placement);
                }
                json flow_run = flow_run_json(run);
                // Prefect's FlowRun here: the pool is said beside it.
                flow_run.erase("work_pool_id");
                flow_run.erase("work_pool_name");
                out.push_back(
                    {{"work_pool_id", pool->id},
                     {"work_queue_id", work_queue_id(pool->id, run.placement.work_queue_name)},
                     {"flow_run", flow_run}});
            }
            return Reply::json(out);
        })
        .get();
}

} // namespace weft::server

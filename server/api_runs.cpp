// Flows, flow runs, task runs and logs: creation (upserts, as Prefect's), reads, filters, counts
// and state changes through the engine's rules.
#include "api.hpp"
#include "body.hpp"
#include "filters.hpp"
#include "prefect_json.hpp"
#include "schemas.hpp"

namespace weft::server {

using nlohmann::json;

namespace {

Reply not_found(const char* what) {
    return Reply::detail(404, std::string(what) + " not found");
}

// A filter body: parsed, checked, its limit within bounds; or the reply refusing it.
Body filter_body(const std::string& text, const Schema& schema) {
    Body body = parse_body(text, &schema);
    if (!body.error && !requested_limit(body.value)) body.error = bad_limit();
    return body;
}

// The state to go on with after a transition (OrchestrationResult.state): the stored one when the
// rules let a state through, none when they refused or asked to wait.
template<class Run> std::optional<State> resulting_state(const Transition<Run>& t) {
    const bool written = t.outcome.decision == Decision::Accept
                         || (t.outcome.decision == Decision::Reject && t.outcome.state);
    if (written && t.run) return t.run->state;
    if (t.outcome.decision == Decision::Reject && t.run) return t.run->state; // stays as it is
    return std::nullopt;
}

template<class Run> Reply transition_reply(const Transition<Run>& t) {
    const bool written = t.outcome.decision == Decision::Accept
                         || (t.outcome.decision == Decision::Reject && t.outcome.state);
    return Reply::json(orchestration_result(t.outcome, resulting_state(t)), written ? 201 : 200);
}

// Waits for a deferred reply (the blocking handlers).
Reply settle(DeferredReply deferred) {
    if (deferred.now) return std::move(*deferred.now);
    return deferred.later.get();
}

Proposal proposal_of(const json& body) {
    return Proposal{state_from_create(body.at("state")), Origin::Program,
                    body.value("force", false)};
}

// A set_state body checked now, its transition decided and committed in the writer's
// transaction later: `transition` is flow_run_transition or task_run_transition.
template<class Transition>
DeferredReply deferred_transition(Engine& engine, const std::string& raw_id,
                                  const std::string& text, const char* what,
                                  Transition&& transition) {
    if (auto bad = check_path_id(raw_id)) return {std::move(bad), {}};
    Body body = parse_body(text, &schemas::set_state_body());
    if (body.error) return {std::move(body.error), {}};
    return {std::nullopt, engine.store().transact<Reply>([id = lowercase_id(raw_id),
                                                          proposal = proposal_of(body.value), what,
                                                          transition](Txn& txn) {
                try {
                    return transition_reply(transition(txn, id, proposal));
                } catch (const LookupError&) {
                    return not_found(what); // nothing was written
                }
            })};
}

} // namespace

// ---- flows ----

Reply Api::create_flow(const std::string& text) {
    Body body = parse_body(text, &schemas::flow_create());
    if (body.error) return *body.error;
    const FlowRecord proposed = flow_from_create(body.value);
    auto [flow, created] = m_engine->store()
                               .transact<std::pair<FlowRecord, bool>>([&](Txn& txn) {
                                   if (auto existing = txn.read().flow_by_name(proposed.name))
                                       return std::make_pair(*existing, false);
                                   txn.put_flow(proposed);
                                   return std::make_pair(proposed, true);
                               })
                               .get();
    return Reply::json(flow_json(flow), created ? 201 : 200);
}

Reply Api::read_flow(const std::string& raw_id) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    const std::string id = lowercase_id(raw_id);
    auto flow = m_engine->store().read([&](Reader& r) { return r.flow(id); });
    if (!flow) return not_found("Flow");
    return Reply::json(flow_json(*flow));
}

Reply Api::filter_flows(const std::string& text) {
    Body body = filter_body(text, schemas::flows_filter_body());
    if (body.error) return *body.error;
    auto s = m_engine->store().read([&](Reader& r) { return flow_selection(body.value, r); });
    if (!s.unsupported.empty()) return unsupported(s.unsupported);
    json out = json::array();
    if (!s.none)
        for (const auto& f : s.query)
            out.push_back(flow_json(f));
    return Reply::json(out);
}

// ---- flow runs ----

Reply Api::create_flow_run(const std::string& text) {
    Body body = parse_body(text, &schemas::flow_run_create());
    if (body.error) return *body.error;
    const std::string flow_id = lowercase_id(body.value.at("flow_id").get<std::string>());
    auto [run, created] =
        m_engine->store()
            .transact<std::pair<FlowRunRecord, bool>>([&](Txn& txn) {
                auto flow = txn.read().flow(flow_id);
                if (!flow) throw LookupError("Flow not found");
                FlowRunRecord run = flow_run_from_create(body.value, *flow);
                if (auto existing = txn.read().flow_run(run.id)) // the same idempotency key
                    return std::make_pair(*existing, false);
                txn.put_flow_run(run, EventKind::FlowRunCreated);
                return std::make_pair(run, true);
            })
            .get();
    return Reply::json(flow_run_json(run), created ? 201 : 200);
}

Reply Api::read_flow_run(const std::string& raw_id) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    const std::string id = lowercase_id(raw_id);
    auto run = m_engine->store().read([&](Reader& r) { return r.flow_run(id); });
    if (!run) return not_found("Flow run");
    return Reply::json(flow_run_json(*run));
}

Reply Api::delete_flow_run(const std::string& raw_id) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    try {
        m_engine->delete_flow_run(lowercase_id(raw_id));
    } catch (const LookupError&) {
        return not_found("Flow run");
    }
    return Reply::no_content();
}

Reply Api::filter_flow_runs(const std::string& text) {
    Body body = filter_body(text, schemas::flow_runs_filter_body());
    if (body.error) return *body.error;
    json out = json::array();
    std::string why;
    m_engine->store().read([&](Reader& r) {
        auto s = flow_run_selection(body.value, r);
        why = s.unsupported;
        if (!why.empty() || s.none) return;
        for (const auto& run : r.flow_runs(s.query))
            out.push_back(flow_run_json(run));
    });
    if (!why.empty()) return unsupported(why);
    return Reply::json(out);
}

Reply Api::count_flow_runs(const std::string& text) {
    // flow_runs/count takes the filters without sort, limit and offset; Prefect ignores extra
    // top-level keys of this body, and so does the schema shared with flow_runs/filter.
    Body body = parse_body(text, &schemas::flow_runs_filter_body());
    if (body.error) return *body.error;
    std::int64_t count = 0;
    std::string why;
    m_engine->store().read([&](Reader& r) {
        auto s = flow_run_selection(body.value, r);
        why = s.unsupported;
        if (why.empty() && !s.none) count = r.count_flow_runs(s.query);
    });
    if (!why.empty()) return unsupported(why);
    return Reply::json(count);
}

Reply Api::set_flow_run_state(const std::string& raw_id, const std::string& text) {
    return settle(set_flow_run_state_deferred(raw_id, text));
}

DeferredReply Api::set_flow_run_state_deferred(const std::string& raw_id, const std::string& text) {
    return deferred_transition(*m_engine, raw_id, text, "Flow run",
                               [](Txn& txn, const std::string& id, const Proposal& p) {
                                   return flow_run_transition(txn, id, p);
                               });
}

// ---- task runs ----

Reply Api::create_task_run(const std::string& text) {
    Body body = parse_body(text, &schemas::task_run_create());
    if (body.error) return *body.error;
    if (auto errors = check_task_run_create(body.value); !errors.empty())
        return Reply::json(unprocessable(errors, body.value), 422);
    TaskRunRecord proposed = task_run_from_create(body.value);
    proposed.id = lowercase_id(proposed.id);
    proposed.flow_run_id = lowercase_id(proposed.flow_run_id);
    auto [run, created] =
        m_engine->store()
            .transact<std::pair<TaskRunRecord, bool>>([&](Txn& txn) {
                Reader& r = txn.read();
                if (auto same_id = r.task_run(proposed.id)) return std::make_pair(*same_id, false);
                if (!proposed.flow_run_id.empty() && !r.flow_run(proposed.flow_run_id))
                    throw LookupError("Flow run not found");
                // Prefect's upsert key: the same task call of the same flow run.
                TaskRunQuery same_call;
                same_call.limit = 1;
                if (proposed.flow_run_id.empty())
                    same_call.no_flow_run = true;
                else
                    same_call.flow_run_ids = {proposed.flow_run_id};
                same_call.task_key = proposed.task_key;
                same_call.dynamic_key = proposed.dynamic_key;
                if (auto same = r.find_task_runs(same_call); !same.empty())
                    return std::make_pair(std::move(same.front()), false);
                txn.put_task_run(proposed, EventKind::TaskRunCreated);
                return std::make_pair(proposed, true);
            })
            .get();
    return Reply::json(task_run_json(run), created ? 201 : 200);
}

Reply Api::read_task_run(const std::string& raw_id) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    const std::string id = lowercase_id(raw_id);
    auto run = m_engine->store().read([&](Reader& r) { return r.task_run(id); });
    if (!run) return not_found("Task");
    return Reply::json(task_run_json(*run));
}

Reply Api::filter_task_runs(const std::string& text) {
    Body body = filter_body(text, schemas::task_runs_filter_body());
    if (body.error) return *body.error;
    json out = json::array();
    std::string why;
    m_engine->store().read([&](Reader& r) {
        auto s = task_run_selection(body.value, r);
        why = s.unsupported;
        if (!why.empty() || s.none) return;
        for (const auto& run : r.find_task_runs(s.query))
            out.push_back(task_run_json(run));
    });
    if (!why.empty()) return unsupported(why);
    return Reply::json(out);
}

Reply Api::set_task_run_state(const std::string& raw_id, const std::string& text) {
    return settle(set_task_run_state_deferred(raw_id, text));
}

DeferredReply Api::set_task_run_state_deferred(const std::string& raw_id, const std::string& text) {
    return deferred_transition(*m_engine, raw_id, text, "Task run",
                               [](Txn& txn, const std::string& id, const Proposal& p) {
                                   return task_run_transition(txn, id, p);
                               });
}

// ---- logs ----

Reply Api::create_logs(const std::string& text) {
    Body body = parse_body(text, nullptr, json::array());
    if (body.error) return *body.error;
    std::vector<ValidationError> errors;
    if (!body.value.is_array()) {
        errors.push_back(
            {json::array({"body"}), "Input should be a valid list", "list_type", body.value});
    } else {
        for (size_t i = 0; i < body.value.size(); ++i) {
            auto e = validate(body.value[i], schemas::log_create(), json::array({"body", i}));
            errors.insert(errors.end(), e.begin(), e.end());
        }
    }
    if (!errors.empty()) return Reply::json(unprocessable(errors, body.value), 422);
    Store& store = m_engine->store();
    std::vector<std::string> ids; // lines a program named, remembered once stored
    for (const auto& line : body.value) {
        const std::string id = lowercase_id(line.value("id", std::string()));
        if (!id.empty()) {
            // Sent again because our answer was lost: stored the first time.
            if (m_log_ids.seen(id)) continue;
            ids.push_back(id);
        }
        LogRecord record = log_from_create(line);
        record.flow_run_id = lowercase_id(record.flow_run_id);
        record.task_run_id = lowercase_id(record.task_run_id);
        store.append_log(std::move(record));
    }
    store.flush(); // 201 means stored
    for (const auto& id : ids)
        m_log_ids.remember(id);
    return Reply::json(nullptr, 201);
}

Reply Api::filter_logs(const std::string& text) {
    Body body = filter_body(text, schemas::logs_filter_body());
    if (body.error) return *body.error;
    auto s = log_selection(body.value);
    if (!s.unsupported.empty()) return unsupported(s.unsupported);
    json out = json::array();
    if (!s.none)
        for (const auto& line : m_engine->store().read([&](Reader& r) { return r.logs(s.query); }))
            out.push_back(log_json(line));
    return Reply::json(out);
}

} // namespace weft::server

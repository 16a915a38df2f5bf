#include "http_writer.hpp"

#include <weft/ids.hpp>
#include <weft/record_json.hpp>

#include <stdexcept>

namespace weft::http {

using nlohmann::json;

namespace {

constexpr std::size_t kLogBatchBytes = 256 << 10;

json parsed(std::string_view text) {
    if (text.empty()) return json();
    auto j = json::parse(text, nullptr, false);
    return j.is_discarded() ? json() : j;
}

// A StateCreate. `timestamp` is Weft's extension (docs/server.md): the time the program entered
// the state, so that reports sent late (after an outage) keep their times.
// The state's `id` goes as Prefect's state_details.transition_id: a report sent again after its
// answer was lost is known there as the same transition.
json state_create(StateType type, const std::string& name, const std::string& message,
                  const json& details, Micros timestamp, const json& data, const std::string& id) {
    json s = {{"type", std::string(to_string(type))}, {"name", name}};
    if (!message.empty()) s["message"] = message;
    json d = details.is_object() ? details : json::object();
    if (!id.empty()) d["transition_id"] = id;
    if (!d.empty()) s["state_details"] = std::move(d);
    if (timestamp) s["timestamp"] = to_iso(timestamp);
    if (type == StateType::Completed && !data.is_null()) s["data"] = data;
    return s;
}

json state_create(const State& state, const json& result) {
    return state_create(state.type, state.name, state.message, state.details, state.timestamp,
                        state.data.is_null() ? result : state.data, state.id);
}

json task_run_create(const TaskRunRecord& run) {
    json body = {{"id", run.id},
                 {"task_key", run.task_key},
                 {"dynamic_key", run.dynamic_key},
                 {"name", run.name},
                 {"tags", run.tags},
                 {"empirical_policy",
                  {{"max_retries", run.max_retries},
                   {"retries", run.max_retries},
                   {"retry_delay_seconds", 0}}},
                 {"task_inputs", run.task_inputs.is_object() ? run.task_inputs : json::object()},
                 {"state", state_create(run.state, run.has_result ? run.result : json())}};
    if (!run.flow_run_id.empty()) body["flow_run_id"] = run.flow_run_id;
    if (!run.cache_key.empty()) body["cache_key"] = run.cache_key;
    if (run.cache_expiration) body["cache_expiration"] = to_iso(*run.cache_expiration);
    return body;
}

json task_run_fields(const TaskRunRecord& run) {
    json t = task_run_create(run);
    t.erase("state");
    t["expected_start_time"] = to_iso(run.expected_start_time);
    return t;
}

// The task run's current state as Prefect 3's SDK reports it (prefect.task-run.<State>). The
// state's id is the event's: a resend after a reconnect is recognised by it.
json state_event(const TaskRunRecord& run) {
    const std::string type(to_string(run.state.type));
    const std::string name = run.state.name.empty() ? type : run.state.name;
    json related = json::array();
    if (!run.flow_run_id.empty())
        related.push_back({{"prefect.resource.id", "prefect.flow-run." + run.flow_run_id},
                           {"prefect.resource.role", "flow-run"}});
    return {
        {"id", run.state.id},
        {"occurred", to_iso(run.state.timestamp)},
        {"event", "prefect.task-run." + name},
        {"resource",
         {{"prefect.resource.id", "prefect.task-run." + run.id},
          {"prefect.resource.name", run.name},
          {"prefect.state-name", name},
          {"prefect.state-type", type},
          {"prefect.orchestration", "client"}}},
        {"related", std::move(related)},
        {"payload",
         {{"intended", {{"from", nullptr}, {"to", type}}},
          {"initial_state", nullptr},
          {"validated_state", state_create(run.state, run.has_result ? run.result : json())},
          {"task_run", task_run_fields(run)}}},
    };
}

} // namespace

HttpWriter::HttpWriter(const ApiSettings& settings, std::shared_ptr<Mirror> mirror,
                       std::shared_ptr<Sender> sender)
    : m_mirror(std::move(mirror))
    , m_sender(std::move(sender))
    , m_reader(settings, m_mirror, true) {}

HttpWriter::~HttpWriter() {
    // The store is closing: what is queued is sent now (bounded; see Sender).
    m_sender->finish();
}

void HttpWriter::begin() {
    rollback();
}

void HttpWriter::commit() {
    // The lines last: the runs they belong to are created by then. In requests well below the
    // server's 1 MiB bound on a body.
    json batch = json::array();
    std::size_t bytes = 0;
    auto send_batch = [&] {
        if (batch.empty()) return;
        const auto count = std::int64_t(batch.size());
        m_reports.push_back(Report{"POST", "/logs/", std::move(batch), count, {}});
        batch = json::array();
        bytes = 0;
    };
    for (auto& line : m_logs) {
        bytes += line.value("message", std::string()).size() + 200;
        batch.push_back(std::move(line));
        if (bytes > kLogBatchBytes) send_batch();
    }
    send_batch();
    // Sent by the Sender's thread: the transaction functions' callers (a flow run's next state)
    // go on at once, whether the server is there or not.
    m_sender->enqueue(std::move(m_reports));
    rollback();
}

void HttpWriter::rollback() noexcept {
    m_reports.clear();
    m_logs = json::array();
    m_savepoints.clear();
    m_created.clear();
}

void HttpWriter::savepoint() {
    m_savepoints.push_back(m_reports.size());
}

void HttpWriter::release_savepoint() {
    if (!m_savepoints.empty()) m_savepoints.pop_back();
}

void HttpWriter::rollback_to_savepoint() {
    // The mirror keeps what the transaction function wrote before it threw: the engine's
    // functions throw before they write.
    if (m_savepoints.empty()) return;
    m_reports.resize(m_savepoints.back());
    std::erase_if(m_created, [&](const auto& c) { return c.second >= m_reports.size(); });
}

void HttpWriter::add(Report report) {
    m_reports.push_back(std::move(report));
}

void HttpWriter::set_state(const char* runs, const std::string& id, json state, json event) {
    add(Report{"POST",
               std::string(runs) + id + "/set_state",
               json{{"state", std::move(state)}, {"force", true}},
               1,
               {},
               std::move(event)});
}

void HttpWriter::task_run_event(EventKind kind, const TaskRunColumns& c) {
    m_mirror->apply(c);
    const std::string id(c.id);
    if (kind == EventKind::TaskRunCreated && c.full_row) {
        const TaskRunRecord run = task_run_of(c);
        m_created[id] = m_reports.size();
        add(Report{"POST", "/task_runs/", task_run_create(run), 1, {}, state_event(run)});
        return;
    }
    if (c.task_inputs)
        if (auto it = m_created.find(id); it != m_created.end()) {
            Report& created = m_reports[it->second];
            created.body["task_inputs"] = parsed(*c.task_inputs);
            created.event["payload"]["task_run"]["task_inputs"] = created.body["task_inputs"];
        }
    auto run = m_mirror->task_run(id);
    set_state("/task_runs/", id,
              state_create(c.state_type, std::string(c.state_name), std::string(c.state_message),
                           parsed(c.state_details), c.state_timestamp,
                           c.has_result ? parsed(c.result) : json(), std::string(c.state_id)),
              run ? state_event(*run) : json());
}

std::int64_t HttpWriter::append_log(const LogRecord& line) {
    // The line's id (Weft's extension of LogCreate): a batch sent again after its answer was
    // lost is not stored twice.
    json j = {{"id", new_id()},
              {"name", line.name},
              {"level", line.level},
              {"message", line.message},
              {"timestamp", to_iso(line.timestamp)}};
    if (!line.flow_run_id.empty()) j["flow_run_id"] = line.flow_run_id;
    if (!line.task_run_id.empty()) j["task_run_id"] = line.task_run_id;
    m_logs.push_back(std::move(j));
    return ++m_log_id;
}

void HttpWriter::put_flow(const FlowRecord& flow) {
    m_mirror->put_flow(flow);
    add(Report{"POST", "/flows/", json{{"name", flow.name}, {"tags", flow.tags}}, 1, flow.id});
}

void HttpWriter::put_flow_run(const FlowRunRecord& run, EventKind kind) {
    m_mirror->put_flow_run(run, kind == EventKind::FlowRunCreated);
    if (kind == EventKind::FlowRunCreated) {
        // `id` is Weft's extension of FlowRunCreate (docs/server.md): the program keeps its ids.
        json body = {
            {"id", run.id},
            {"flow_id", run.flow_id},
            {"name", run.name},
            {"parameters", run.parameters.is_object() ? run.parameters : json::object()},
            {"tags", run.tags},
            {"empirical_policy",
             {{"max_retries", run.max_retries}, {"retry_delay_seconds", run.retry_delay_s}}},
            {"state", state_create(run.state, json())}};
        if (!run.flow_version.empty()) body["flow_version"] = run.flow_version;
        if (!run.parent_task_run_id.empty()) body["parent_task_run_id"] = run.parent_task_run_id;
        add(Report{"POST", "/flow_runs/", std::move(body), 1, {}});
        return;
    }
    set_state("/flow_runs/", run.id, state_create(run.state, run.result));
}

void HttpWriter::put_task_run(const TaskRunRecord& run, EventKind kind) {
    m_mirror->put_task_run(run);
    if (kind == EventKind::TaskRunCreated)
        add(Report{"POST", "/task_runs/", task_run_create(run), 1, {}, state_event(run)});
    else
        set_state("/task_runs/", run.id,
                  state_create(run.state, run.has_result ? run.result : json()), state_event(run));
}

void HttpWriter::delete_flow_run(const std::string& id) {
    m_mirror->forget_flow_run(id);
    add(Report{"DELETE", "/flow_runs/" + id, json(), 1, {}});
}

void HttpWriter::set_concurrency_limit(const std::string&, int) {
    throw std::runtime_error("concurrency limits are set on the server, not by a flow program "
                             "that reports to it (WEFT_API_URL)");
}

bool HttpWriter::delete_concurrency_limit(const std::string& tag) {
    set_concurrency_limit(tag, 0);
    return false;
}

void HttpWriter::put_pause(const PauseRecord& pause) {
    // A program only records its pause; the server keeps the resume. A pause without input has
    // nothing to keep beyond its PAUSED state.
    if (pause.resumed || pause.schema.is_null()) return;
    // Prefect keeps the input form as a flow run input under the key its PAUSED state's
    // run_input_keyset names; sent before that state, so that a resume finds it.
    Report form{"POST",
                "/flow_runs/" + pause.flow_run_id + "/input",
                json{{"key", "paused-" + pause.key + "-schema"}, {"value", pause.schema.dump()}},
                1,
                {}};
    const std::string paused = "/flow_runs/" + pause.flow_run_id + "/set_state";
    std::size_t at = m_reports.size();
    while (at > 0 && m_reports[at - 1].path != paused)
        --at;
    if (at == 0) return add(std::move(form));
    --at;
    m_reports.insert(m_reports.begin() + std::ptrdiff_t(at), std::move(form));
    for (auto& [id, index] : m_created)
        if (index >= at) ++index;
    for (auto& size : m_savepoints)
        if (size > at) ++size;
}

namespace {

[[noreturn]] void server_owns(const char* what) {
    throw std::runtime_error(std::string(what)
                             + " are managed on the server (weft deploy, weft "
                               "work-pool), not by a flow program that reports "
                               "to it (WEFT_API_URL)");
}

} // namespace

void HttpWriter::put_deployment(const DeploymentRecord&) {
    server_owns("deployments");
}

bool HttpWriter::delete_deployment(const std::string&) {
    server_owns("deployments");
}

void HttpWriter::put_work_pool(const WorkPoolRecord&) {
    server_owns("work pools");
}

bool HttpWriter::delete_work_pool(const std::string&) {
    server_owns("work pools");
}

void HttpWriter::put_worker(const WorkerRecord&) {
    server_owns("workers");
}

void HttpWriter::put_placement(const std::string&, const FlowRunPlacement&) {
    server_owns("flow-run placements");
}

} // namespace weft::http

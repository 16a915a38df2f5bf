#include "http_reader.hpp"

#include <algorithm>

namespace weft::http {

bool server_unavailable(const ApiError& e) {
    return e.status() == 0 || e.status() >= 500;
}

HttpReader::HttpReader(const ApiSettings& settings, std::shared_ptr<const Mirror> mirror,
                       bool local_first)
    : OwnClient(settings)
    , RemoteReader(client)
    , m_mirror(std::move(mirror))
    , m_local_first(local_first) {}

namespace {

// The mirror's record first when `local_first`; else the server's, the mirror's when the server
// does not have it (yet) or cannot be reached.
template<class Local, class Remote>
auto ours_or_server(bool local_first, Local&& local, Remote&& remote) -> decltype(local()) {
    if (local_first)
        if (auto mine = local()) return mine;
    try {
        if (auto theirs = remote()) return theirs;
    } catch (const ApiError& e) {
        if (!server_unavailable(e)) throw;
        if (auto mine = local()) return mine;
        throw;
    }
    return local();
}

} // namespace

std::optional<FlowRecord> HttpReader::flow_by_name(const std::string& name) {
    if (auto mine = m_mirror->flow_by_name(name)) return mine;
    try {
        return RemoteReader::flow_by_name(name);
    } catch (const ApiError& e) {
        // Inside a transaction the flow is then created anew: POST /flows/ is an upsert by name,
        // so the server answers the existing one's id once it is back.
        if (m_local_first && server_unavailable(e)) return std::nullopt;
        throw;
    }
}

std::optional<FlowRunRecord> HttpReader::flow_run(const std::string& id) {
    return ours_or_server(
        m_local_first, [&] { return m_mirror->flow_run(id); },
        [&] { return RemoteReader::flow_run(id); });
}

std::optional<TaskRunRecord> HttpReader::task_run(const std::string& id) {
    return ours_or_server(
        m_local_first, [&] { return m_mirror->task_run(id); },
        [&] { return RemoteReader::task_run(id); });
}

std::vector<TaskRunRecord> HttpReader::task_runs(const std::string& flow_run_id) {
    // A run this process created has no task run it did not create.
    if (m_mirror->created_here(flow_run_id)) return m_mirror->task_runs(flow_run_id);
    auto runs = RemoteReader::task_runs(flow_run_id);
    for (auto& mine : m_mirror->task_runs(flow_run_id)) {
        auto it = std::find_if(runs.begin(), runs.end(),
                               [&](const TaskRunRecord& r) { return r.id == mine.id; });
        if (it != runs.end())
            *it = std::move(mine);
        else
            runs.push_back(std::move(mine));
    }
    return runs;
}

std::optional<TaskRunRecord> HttpReader::cached_task_run(const std::string& cache_key, Micros now) {
    try {
        return RemoteReader::cached_task_run(cache_key, now);
    } catch (const ApiError& e) {
        // No result reused while the server is away: the task runs, as on a cache miss.
        if (!server_unavailable(e)) throw;
        return std::nullopt;
    }
}

std::vector<ConcurrencyLimit> HttpReader::concurrency_limits() {
    std::vector<ConcurrencyLimit> limits;
    try {
        // Prefect's v1 tag limits; the server takes their slots when a task run proposes RUNNING.
        for (const auto& l : client.post("/concurrency_limits/filter", {{"limit", 200}})) {
            ConcurrencyLimit limit;
            limit.tag = l.value("tag", "");
            limit.limit = l.value("concurrency_limit", 0);
            if (auto slots = l.find("active_slots"); slots != l.end() && slots->is_array())
                limit.active = int(slots->size());
            limit.created = from_iso(l.value("created", "")).value_or(0);
            limits.push_back(std::move(limit));
        }
    } catch (const ApiError& e) {
        // Limits that cannot be read now limit nothing: a program's tasks do not stop for a
        // server that is away (they are asked for again shortly).
        if (!server_unavailable(e)) throw;
    }
    return limits;
}

} // namespace weft::http

// Deployments, work pools, their workers, and flow runs' placements (deployment, pool, queue,
// claiming worker).
#include "sqlite/sqlite_rows.hpp"
#include "sqlite/sqlite_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace weft::sqlite {

namespace {

using nlohmann::json;

json json_or(const SQLite::Column& c, json fallback) {
    if (c.isNull()) return fallback;
    auto j = json::parse(c.getString(), nullptr, false);
    return j.is_discarded() ? fallback : j;
}

std::string text(const SQLite::Column& c) {
    return c.isNull() ? std::string() : c.getString();
}

void bind_opt_text(SQLite::Statement& st, int i, const std::string& s) {
    if (s.empty())
        st.bind(i);
    else
        st.bind(i, s);
}

json schedules_json(const std::vector<DeploymentSchedule>& schedules) {
    json out = json::array();
    for (const auto& s : schedules) {
        json j = {{"id", s.id}, {"active", s.active}};
        if (!s.cron.empty()) j["cron"] = s.cron;
        if (s.interval_s) j["interval_s"] = *s.interval_s;
        if (s.anchor) j["anchor"] = *s.anchor;
        if (!s.timezone.empty()) j["timezone"] = s.timezone;
        out.push_back(std::move(j));
    }
    return out;
}

std::vector<DeploymentSchedule> schedules_from(const json& list) {
    std::vector<DeploymentSchedule> out;
    if (!list.is_array()) return out;
    for (const auto& j : list) {
        if (!j.is_object()) continue;
        DeploymentSchedule s;
        s.id = j.value("id", "");
        s.active = j.value("active", true);
        s.cron = j.value("cron", "");
        if (auto it = j.find("interval_s"); it != j.end() && it->is_number())
            s.interval_s = it->get<double>();
        if (auto it = j.find("anchor"); it != j.end() && it->is_number_integer())
            s.anchor = it->get<Micros>();
        s.timezone = j.value("timezone", "");
        out.push_back(std::move(s));
    }
    return out;
}

const char* const kDeploymentColumns =
    "id, flow_id, name, entrypoint, path, parameters, tags, work_pool_name, work_queue_name, "
    "paused, schedules, description, version, job_variables, created, updated, scheduled_until, "
    "parameter_openapi_schema";

DeploymentRecord read_deployment(SQLite::Statement& st) {
    DeploymentRecord d;
    d.id = st.getColumn(0).getString();
    d.flow_id = st.getColumn(1).getString();
    d.name = st.getColumn(2).getString();
    d.entrypoint = text(st.getColumn(3));
    d.path = text(st.getColumn(4));
    d.parameters = json_or(st.getColumn(5), json::object());
    d.tags = rows::tags_from_text(st.getColumn(6).getText(""));
    d.work_pool_name = text(st.getColumn(7));
    d.work_queue_name = text(st.getColumn(8));
    d.paused = st.getColumn(9).getInt() != 0;
    d.schedules = schedules_from(json_or(st.getColumn(10), json::array()));
    d.description = text(st.getColumn(11));
    d.version = text(st.getColumn(12));
    d.job_variables = json_or(st.getColumn(13), json::object());
    d.created = st.getColumn(14).getInt64();
    d.updated = st.getColumn(15).getInt64();
    if (!st.getColumn(16).isNull()) d.scheduled_until = st.getColumn(16).getInt64();
    d.parameter_openapi_schema = json_or(st.getColumn(17), json());
    return d;
}

const char* const kWorkPoolColumns =
    "id, name, description, type, is_paused, concurrency_limit, default_queue_id, "
    "base_job_template, created, updated";

WorkPoolRecord read_work_pool(SQLite::Statement& st) {
    WorkPoolRecord p;
    p.id = st.getColumn(0).getString();
    p.name = st.getColumn(1).getString();
    p.description = text(st.getColumn(2));
    p.type = text(st.getColumn(3));
    p.is_paused = st.getColumn(4).getInt() != 0;
    if (!st.getColumn(5).isNull()) p.concurrency_limit = st.getColumn(5).getInt();
    p.default_queue_id = st.getColumn(6).getString();
    p.base_job_template = json_or(st.getColumn(7), json::object());
    p.created = st.getColumn(8).getInt64();
    p.updated = st.getColumn(9).getInt64();
    return p;
}

} // namespace

// ---- reads ----

std::vector<DeploymentRecord> SqliteReader::deployments() {
    static const std::string sql =
        std::string("SELECT ") + kDeploymentColumns + " FROM deployments ORDER BY flow_id, name";
    auto st = cached(sql.c_str());
    std::vector<DeploymentRecord> out;
    while (st->executeStep())
        out.push_back(read_deployment(*st));
    return out;
}

std::optional<DeploymentRecord> SqliteReader::deployment(const std::string& id) {
    static const std::string sql =
        std::string("SELECT ") + kDeploymentColumns + " FROM deployments WHERE id = ?";
    auto st = cached(sql.c_str());
    st->bind(1, id);
    if (!st->executeStep()) return std::nullopt;
    return read_deployment(*st);
}

std::optional<DeploymentRecord> SqliteReader::deployment_by_name(const std::string& flow_id,
                                                                 const std::string& name) {
    static const std::string sql = std::string("SELECT ") + kDeploymentColumns
                                   + " FROM deployments WHERE flow_id = ? AND name = ?";
    auto st = cached(sql.c_str());
    st->bind(1, flow_id);
    st->bind(2, name);
    if (!st->executeStep()) return std::nullopt;
    return read_deployment(*st);
}

std::vector<WorkPoolRecord> SqliteReader::work_pools() {
    static const std::string sql =
        std::string("SELECT ") + kWorkPoolColumns + " FROM work_pools ORDER BY name";
    auto st = cached(sql.c_str());
    std::vector<WorkPoolRecord> out;
    while (st->executeStep())
        out.push_back(read_work_pool(*st));
    return out;
}

std::optional<WorkPoolRecord> SqliteReader::work_pool(const std::string& name) {
    static const std::string sql =
        std::string("SELECT ") + kWorkPoolColumns + " FROM work_pools WHERE name = ?";
    auto st = cached(sql.c_str());
    st->bind(1, name);
    if (!st->executeStep()) return std::nullopt;
    return read_work_pool(*st);
}

std::vector<WorkerRecord> SqliteReader::workers(const std::string& work_pool_id) {
    auto st = cached("SELECT id, work_pool_id, name, last_heartbeat, heartbeat_interval_s, "
                     "created FROM workers WHERE work_pool_id = ? "
                     "ORDER BY last_heartbeat DESC, name");
    st->bind(1, work_pool_id);
    std::vector<WorkerRecord> out;
    while (st->executeStep()) {
        WorkerRecord w;
        w.id = st->getColumn(0).getString();
        w.work_pool_id = st->getColumn(1).getString();
        w.name = st->getColumn(2).getString();
        w.last_heartbeat = st->getColumn(3).getInt64();
        if (!st->getColumn(4).isNull()) w.heartbeat_interval_s = st->getColumn(4).getInt();
        w.created = st->getColumn(5).getInt64();
        out.push_back(std::move(w));
    }
    return out;
}

// ---- writes ----

void SqliteWriter::put_deployment(const DeploymentRecord& d) {
    auto st = m_reader.cached(
        "INSERT OR REPLACE INTO deployments(id, flow_id, name, entrypoint, path, parameters, tags, "
        "work_pool_name, work_queue_name, paused, schedules, description, version, job_variables, "
        "created, updated, scheduled_until, parameter_openapi_schema) VALUES (?, ?, ?, ?, ?, ?, ?, "
        "?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, d.id);
    st->bind(2, d.flow_id);
    st->bind(3, d.name);
    st->bind(4, d.entrypoint);
    st->bind(5, d.path);
    st->bind(6, d.parameters.dump());
    st->bind(7, rows::tags_to_text(d.tags));
    bind_opt_text(*st, 8, d.work_pool_name);
    bind_opt_text(*st, 9, d.work_queue_name);
    st->bind(10, d.paused ? 1 : 0);
    st->bind(11, schedules_json(d.schedules).dump());
    st->bind(12, d.description);
    st->bind(13, d.version);
    st->bind(14, d.job_variables.dump());
    st->bind(15, static_cast<int64_t>(d.created));
    st->bind(16, static_cast<int64_t>(d.updated));
    if (d.scheduled_until)
        st->bind(17, static_cast<int64_t>(*d.scheduled_until));
    else
        st->bind(17);
    if (d.parameter_openapi_schema.is_null())
        st->bind(18);
    else
        st->bind(18, d.parameter_openapi_schema.dump());
    st->exec();
}

bool SqliteWriter::delete_deployment(const std::string& id) {
    auto st = m_reader.cached("DELETE FROM deployments WHERE id = ?");
    st->bind(1, id);
    return st->exec() > 0;
}

void SqliteWriter::put_work_pool(const WorkPoolRecord& p) {
    auto st = m_reader.cached(
        "INSERT OR REPLACE INTO work_pools(id, name, description, type, is_paused, "
        "concurrency_limit, default_queue_id, base_job_template, created, updated) VALUES (?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, p.id);
    st->bind(2, p.name);
    st->bind(3, p.description);
    st->bind(4, p.type);
    st->bind(5, p.is_paused ? 1 : 0);
    if (p.concurrency_limit)
        st->bind(6, *p.concurrency_limit);
    else
        st->bind(6);
    st->bind(7, p.default_queue_id);
    st->bind(8, p.base_job_template.dump());
    st->bind(9, static_cast<int64_t>(p.created));
    st->bind(10, static_cast<int64_t>(p.updated));
    st->exec();
}

bool SqliteWriter::delete_work_pool(const std::string& name) {
    auto workers = m_reader.cached(
        "DELETE FROM workers WHERE work_pool_id IN (SELECT id FROM work_pools WHERE name = ?)");
    workers->bind(1, name);
    workers->exec();
    auto st = m_reader.cached("DELETE FROM work_pools WHERE name = ?");
    st->bind(1, name);
    return st->exec() > 0;
}

void SqliteWriter::put_worker(const WorkerRecord& w) {
    auto st =
        m_reader.cached("INSERT OR REPLACE INTO workers(work_pool_id, name, id, last_heartbeat, "
                        "heartbeat_interval_s, created) VALUES (?, ?, ?, ?, ?, ?)");
    st->bind(1, w.work_pool_id);
    st->bind(2, w.name);
    st->bind(3, w.id);
    st->bind(4, static_cast<int64_t>(w.last_heartbeat));
    if (w.heartbeat_interval_s)
        st->bind(5, *w.heartbeat_interval_s);
    else
        st->bind(5);
    st->bind(6, static_cast<int64_t>(w.created));
    st->exec();
}

void SqliteWriter::put_placement(const std::string& flow_run_id, const FlowRunPlacement& p) {
    if (p.empty()) {
        auto st = m_reader.cached("DELETE FROM flow_run_placements WHERE flow_run_id = ?");
        st->bind(1, flow_run_id);
        st->exec();
        return;
    }
    auto st = m_reader.cached(
        "INSERT OR REPLACE INTO flow_run_placements(flow_run_id, deployment_id, work_pool_name, "
        "work_queue_name, worker_name) VALUES (?, ?, ?, ?, ?)");
    st->bind(1, flow_run_id);
    bind_opt_text(*st, 2, p.deployment_id);
    bind_opt_text(*st, 3, p.work_pool_name);
    bind_opt_text(*st, 4, p.work_queue_name);
    bind_opt_text(*st, 5, p.worker_name);
    st->exec();
}

} // namespace weft::sqlite

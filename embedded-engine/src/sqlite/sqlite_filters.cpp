// Prefect's filter grammar (any_, not_any_, like_, before_, after_, is_null_) as SQL: the fields
// the REST API's flow_runs/filter, task_runs/filter and logs/filter add to the store's queries.
#include "sqlite/sqlite_rows.hpp"
#include "sqlite/sqlite_store.hpp"
#include "sqlite/sqlite_where.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace weft::sqlite {

namespace {

// `column IN (…)` (or NOT IN) over text values.
void text_in(Where& w, const std::string& column, const std::vector<std::string>& values,
             bool negate = false) {
    if (values.empty()) return;
    w.add(column + (negate ? " NOT IN " : " IN ") + w.placeholders(values.size()));
    for (const auto& v : values)
        w.text(v);
}

void states_in(Where& w, const std::vector<StateType>& states, bool negate = false) {
    std::vector<std::string> names;
    for (auto s : states)
        names.emplace_back(to_string(s));
    text_in(w, "state_type", names, negate);
}

// A LIKE pattern matching `text` anywhere, its wildcards escaped (SQLite's LIKE ignores ASCII
// case).
std::string contains_pattern(const std::string& text) {
    std::string pattern = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    return pattern + '%';
}

void time_range(Where& w, const std::string& column, const std::optional<Micros>& after,
                const std::optional<Micros>& before, const std::optional<bool>& is_null) {
    if (after) {
        w.add(column + " >= ?");
        w.integer(*after);
    }
    if (before) {
        w.add(column + " <= ?");
        w.integer(*before);
    }
    if (is_null) w.add(column + (*is_null ? " IS NULL" : " IS NOT NULL"));
}

void tags_empty(Where& w, const std::string& table, const std::optional<bool>& empty) {
    if (empty) w.add(*empty ? table + ".tags = '[]'" : table + ".tags != '[]'");
}

// `flow_runs.id IN (SELECT flow_run_id FROM flow_run_placements WHERE column IN (…))`.
void placed_in(Where& w, const char* column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    w.add(std::string("flow_runs.id IN (SELECT flow_run_id FROM flow_run_placements WHERE ")
          + column + " IN " + w.placeholders(values.size()) + ")");
    for (const auto& v : values)
        w.text(v);
}

void add_placement_filters(Where& w, const FlowRunQuery& q) {
    placed_in(w, "deployment_id", q.deployment_ids);
    placed_in(w, "work_pool_name", q.work_pool_names);
    placed_in(w, "work_queue_name", q.work_queue_names);
    if (q.no_deployment)
        w.add(std::string("flow_runs.id ") + (*q.no_deployment ? "NOT IN" : "IN")
              + " (SELECT flow_run_id FROM flow_run_placements WHERE deployment_id IS NOT NULL)");
}

} // namespace

void add_flow_run_filters(Where& w, const FlowRunQuery& q) {
    text_in(w, "flow_id", q.flow_ids);
    text_in(w, "id", q.not_ids, true);
    text_in(w, "name", q.names);
    if (!q.run_name_like.empty()) {
        w.add("name LIKE ? ESCAPE '\\'");
        w.text(contains_pattern(q.run_name_like));
    }
    if (!q.flow_name_like.empty()) {
        w.add("flow_id IN (SELECT id FROM flows WHERE name LIKE ? ESCAPE '\\')");
        w.text(contains_pattern(q.flow_name_like));
    }
    states_in(w, q.not_states, true);
    text_in(w, "state_name", q.state_names);
    text_in(w, "state_name", q.not_state_names, true);
    if (!q.any_tags.empty()) {
        w.add("EXISTS (SELECT 1 FROM json_each(flow_runs.tags) WHERE value IN "
              + w.placeholders(q.any_tags.size()) + ")");
        for (const auto& t : q.any_tags)
            w.text(t);
    }
    tags_empty(w, "flow_runs", q.no_tags);
    text_in(w, "flow_version", q.flow_versions);
    time_range(w, "start_time", q.start_after, q.start_before, q.start_null);
    time_range(w, "end_time", q.end_after, q.end_before, q.end_null);
    text_in(w, "parent_task_run_id", q.parent_task_run_ids);
    add_placement_filters(w, q);
}

void add_log_filters(Where& w, const LogQuery& q) {
    text_in(w, "logs.flow_run_id", q.flow_run_ids);
    if (q.max_level > 0) {
        w.add("logs.level <= ?");
        w.integer(q.max_level);
    }
    time_range(w, "logs.timestamp", q.timestamp_after, q.timestamp_before, std::nullopt);
    if (q.no_task_run)
        w.add(*q.no_task_run ? "logs.task_run_id IS NULL" : "logs.task_run_id IS NOT NULL");
}

namespace {

Where task_run_where(const TaskRunQuery& q) {
    Where w;
    text_in(w, "id", q.ids);
    text_in(w, "name", q.names);
    if (!q.name_like.empty()) {
        w.add("name LIKE ? ESCAPE '\\'");
        w.text(contains_pattern(q.name_like));
    }
    text_in(w, "flow_run_id", q.flow_run_ids);
    // A task run outside any flow run is stored with an empty flow_run_id (the column is NOT NULL).
    if (q.no_flow_run) w.add(*q.no_flow_run ? "flow_run_id = ''" : "flow_run_id != ''");
    if (q.task_key) text_in(w, "task_key", {*q.task_key});
    if (q.dynamic_key) text_in(w, "dynamic_key", {*q.dynamic_key});
    text_in(w, "cache_key", q.cache_keys);
    states_in(w, q.states);
    text_in(w, "state_name", q.state_names);
    for (const auto& tag : q.tags) {
        w.add("EXISTS (SELECT 1 FROM json_each(task_runs.tags) WHERE value = ?)");
        w.text(tag);
    }
    tags_empty(w, "task_runs", q.no_tags);
    time_range(w, "start_time", q.start_after, q.start_before, q.start_null);
    time_range(w, "end_time", q.end_after, q.end_before, q.end_null);
    time_range(w, "expected_start_time", q.expected_after, q.expected_before, std::nullopt);
    if (q.has_subflow_run)
        w.add(*q.has_subflow_run ? "child_flow_run_id IS NOT NULL" : "child_flow_run_id IS NULL");
    return w;
}

const char* task_run_order(TaskRunSort s) {
    switch (s) {
    case TaskRunSort::ExpectedStartAsc:
        return " ORDER BY expected_start_time ASC, id ASC";
    case TaskRunSort::NameAsc:
        return " ORDER BY name ASC, id ASC";
    case TaskRunSort::NameDesc:
        return " ORDER BY name DESC, id DESC";
    case TaskRunSort::EndTimeDesc:
        return " ORDER BY end_time DESC, id DESC";
    case TaskRunSort::ExpectedStartDesc:
        break;
    }
    return " ORDER BY expected_start_time DESC, id DESC";
}

} // namespace

std::optional<FlowRecord> SqliteReader::flow(const std::string& id) {
    auto st = cached("SELECT id, name, created, tags FROM flows WHERE id = ?");
    st->bind(1, id);
    if (!st->executeStep()) return std::nullopt;
    return FlowRecord{st->getColumn(0).getString(), st->getColumn(1).getString(),
                      st->getColumn(2).getInt64(),
                      rows::tags_from_text(st->getColumn(3).getText(""))};
}

std::vector<TaskRunRecord> SqliteReader::find_task_runs(const TaskRunQuery& q) {
    Where w = task_run_where(q);
    const std::string sql = std::string("SELECT ") + rows::kTaskRunColumns + " FROM task_runs"
                            + w.sql + task_run_order(q.sort) + " LIMIT ? OFFSET ?";
    w.integer(q.limit < 0 ? -1 : q.limit);
    w.integer(q.offset);
    SQLite::Statement st(db(), sql);
    w.bind(st);
    std::vector<TaskRunRecord> out;
    while (st.executeStep())
        out.push_back(rows::read_task_run(st));
    return out;
}

std::int64_t SqliteReader::count_matching_task_runs(const TaskRunQuery& q) {
    Where w = task_run_where(q);
    SQLite::Statement st(db(), "SELECT count(*) FROM task_runs" + w.sql);
    w.bind(st);
    st.executeStep();
    return st.getColumn(0).getInt64();
}

} // namespace weft::sqlite

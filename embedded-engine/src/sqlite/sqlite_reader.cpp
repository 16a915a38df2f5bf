// Read queries over one SQLite connection.
#include "sqlite/sqlite_rows.hpp"
#include "sqlite/sqlite_store.hpp"
#include "sqlite/sqlite_where.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <cctype>

namespace weft {

namespace sqlite {

SqliteReader::SqliteReader(std::unique_ptr<SQLite::Database> db)
    : m_db(std::move(db)) {}

SqliteReader::~SqliteReader() {
    m_statements.clear(); // statements before their connection
}

CachedStatement::~CachedStatement() {
    if (m_st) m_st->tryReset();
}

CachedStatement SqliteReader::cached(const char* sql) {
    auto& slot = m_statements[sql];
    if (!slot) slot = std::make_unique<SQLite::Statement>(*m_db, sql);
    slot->clearBindings();
    return CachedStatement(*slot);
}

std::vector<FlowRecord> SqliteReader::flows() {
    std::vector<FlowRecord> out;
    SQLite::Statement st(*m_db, "SELECT id, name, created, tags FROM flows ORDER BY name");
    while (st.executeStep())
        out.push_back({st.getColumn(0).getString(), st.getColumn(1).getString(),
                       st.getColumn(2).getInt64(),
                       rows::tags_from_text(st.getColumn(3).getText(""))});
    return out;
}

std::optional<FlowRecord> SqliteReader::flow_by_name(const std::string& name) {
    auto st = cached("SELECT id, name, created, tags FROM flows WHERE name = ?");
    st->bind(1, name);
    if (!st->executeStep()) return std::nullopt;
    return FlowRecord{st->getColumn(0).getString(), st->getColumn(1).getString(),
                      st->getColumn(2).getInt64(),
                      rows::tags_from_text(st->getColumn(3).getText(""))};
}

namespace {

Where flow_run_where(const FlowRunQuery& q) {
    Where w;
    if (!q.states.empty()) {
        w.add("state_type IN " + w.placeholders(q.states.size()));
        for (auto s : q.states)
            w.text(std::string(to_string(s)));
    }
    if (q.flow_names.size() == 1) {
        // "=" lets the (flow_id, expected_start_time) index give the order: a flow's newest run
        // in microseconds where "IN (SELECT …)" sorts every run of the flow (a second at 200,000).
        w.add("flow_id = (SELECT id FROM flows WHERE name = ?)");
        w.text(q.flow_names.front());
    } else if (!q.flow_names.empty()) {
        w.add("flow_id IN (SELECT id FROM flows WHERE name IN "
              + w.placeholders(q.flow_names.size()) + ")");
        for (auto& n : q.flow_names)
            w.text(n);
    }
    if (!q.ids.empty()) {
        w.add("id IN " + w.placeholders(q.ids.size()));
        for (auto& id : q.ids)
            w.text(id);
    }
    for (auto& tag : q.tags) {
        w.add("EXISTS (SELECT 1 FROM json_each(flow_runs.tags) WHERE value = ?)");
        w.text(tag);
    }
    if (!q.name_like.empty()) {
        w.add("(name LIKE ? ESCAPE '\\' OR flow_id IN (SELECT id FROM flows WHERE name LIKE ? "
              "ESCAPE '\\'))");
        std::string pattern = "%";
        for (char c : q.name_like) {
            if (c == '%' || c == '_' || c == '\\') pattern += '\\';
            pattern += c;
        }
        pattern += '%';
        w.text(pattern);
        w.text(pattern);
    }
    if (q.expected_after) {
        w.add("expected_start_time >= ?");
        w.integer(*q.expected_after);
    }
    if (q.expected_before) {
        w.add("expected_start_time <= ?");
        w.integer(*q.expected_before);
    }
    if (q.parent_task_run_id) {
        if (q.parent_task_run_id->empty()) {
            w.add("parent_task_run_id IS NULL");
        } else {
            w.add("parent_task_run_id = ?");
            w.text(*q.parent_task_run_id);
        }
    }
    add_flow_run_filters(w, q);
    return w;
}

const char* order_by(FlowRunSort s) {
    switch (s) {
    case FlowRunSort::ExpectedStartAsc:
        return " ORDER BY expected_start_time ASC, id ASC";
    case FlowRunSort::StartTimeDesc:
        return " ORDER BY start_time DESC, id DESC";
    case FlowRunSort::NameAsc:
        return " ORDER BY name ASC, id ASC";
    case FlowRunSort::EndTimeDesc:
        return " ORDER BY end_time DESC, id DESC";
    case FlowRunSort::NameDesc:
        return " ORDER BY name DESC, id DESC";
    case FlowRunSort::FlowNameAsc:
        return " ORDER BY (SELECT name FROM flows WHERE flows.id = flow_runs.flow_id) ASC, "
               "expected_start_time DESC, id DESC";
    case FlowRunSort::FlowNameDesc:
        return " ORDER BY (SELECT name FROM flows WHERE flows.id = flow_runs.flow_id) DESC, "
               "expected_start_time DESC, id DESC";
    case FlowRunSort::StateAsc:
        return " ORDER BY state_type ASC, expected_start_time DESC, id DESC";
    case FlowRunSort::StateDesc:
        return " ORDER BY state_type DESC, expected_start_time DESC, id DESC";
    case FlowRunSort::DurationAsc:
        return " ORDER BY total_run_time ASC, expected_start_time DESC, id DESC";
    case FlowRunSort::DurationDesc:
        return " ORDER BY total_run_time DESC, expected_start_time DESC, id DESC";
    case FlowRunSort::StartTimeAsc:
        return " ORDER BY start_time IS NULL, start_time ASC, id ASC";
    case FlowRunSort::ExpectedStartDesc:
        break;
    }
    return " ORDER BY expected_start_time DESC, id DESC";
}

// Below this offset a plain OFFSET is cheap enough.
constexpr int kSeekOffset = 2000;

std::vector<FlowRunRecord> flow_runs_plain(SQLite::Database& db, const FlowRunQuery& q) {
    Where w = flow_run_where(q);
    std::string sql = std::string("SELECT ") + rows::kFlowRunColumns + " FROM flow_runs" + w.sql
                      + order_by(q.sort) + " LIMIT ? OFFSET ?";
    w.integer(q.limit < 0 ? -1 : q.limit);
    w.integer(q.offset);
    SQLite::Statement st(db, sql);
    w.bind(st);
    std::vector<FlowRunRecord> out;
    while (st.executeStep())
        out.push_back(rows::read_flow_run(st));
    return out;
}
} // namespace

std::vector<FlowRunRecord> SqliteReader::flow_runs(const FlowRunQuery& q) {
    const bool desc = q.sort == FlowRunSort::ExpectedStartDesc;
    if (q.offset < kSeekOffset || !(desc || q.sort == FlowRunSort::ExpectedStartAsc))
        return flow_runs_plain(*m_db, q);
    // A deep page in expected-start order. OFFSET with the id tie-break reads every skipped row
    // from the table (seconds at 500,000 runs); the index alone finds the expected start time at
    // the offset, so only the rows tied with it are skipped by OFFSET.
    Where w = flow_run_where(q);
    SQLite::Statement at(*m_db, "SELECT expected_start_time FROM flow_runs" + w.sql
                                    + " ORDER BY expected_start_time" + (desc ? " DESC" : " ASC")
                                    + " LIMIT 1 OFFSET ?");
    w.integer(q.offset);
    w.bind(at);
    if (!at.executeStep()) return {};
    const Micros boundary = at.getColumn(0).getInt64();
    Where before = flow_run_where(q);
    before.add(desc ? "expected_start_time > ?" : "expected_start_time < ?");
    before.integer(boundary);
    SQLite::Statement count(*m_db, "SELECT count(*) FROM flow_runs" + before.sql);
    before.bind(count);
    count.executeStep();
    FlowRunQuery rest = q;
    rest.offset = int(q.offset - count.getColumn(0).getInt64());
    (desc ? rest.expected_before : rest.expected_after) = boundary;
    return flow_runs_plain(*m_db, rest);
}

std::int64_t SqliteReader::count_flow_runs(const FlowRunQuery& q) {
    Where w = flow_run_where(q);
    SQLite::Statement st(*m_db, "SELECT count(*) FROM flow_runs" + w.sql);
    w.bind(st);
    st.executeStep();
    return st.getColumn(0).getInt64();
}

std::optional<FlowRunRecord> SqliteReader::flow_run(const std::string& id) {
    static const std::string sql =
        std::string("SELECT ") + rows::kFlowRunColumns + " FROM flow_runs WHERE id = ?";
    auto st = cached(sql.c_str());
    st->bind(1, id);
    if (!st->executeStep()) return std::nullopt;
    return rows::read_flow_run(*st);
}

std::vector<std::string> SqliteReader::ids(const char* sql, const std::string& text, int limit) {
    auto st = cached(sql);
    st->bind(1, text);
    st->bind(2, limit);
    std::vector<std::string> out;
    while (st->executeStep())
        out.push_back(st->getColumn(0).getString());
    return out;
}

std::vector<std::string> SqliteReader::flow_run_ids_with_prefix(const std::string& prefix,
                                                                int limit) {
    return ids("SELECT id FROM flow_runs WHERE id >= ?1 AND id < ?1 || x'ff' LIMIT ?2", prefix,
               limit);
}

// substr(id, -n) is the last n characters: no LIKE, so no wildcards to escape.
std::vector<std::string> SqliteReader::flow_run_ids_ending_with(const std::string& suffix,
                                                                int limit) {
    return ids("SELECT id FROM flow_runs WHERE substr(id, -length(?1)) = ?1 LIMIT ?2", suffix,
               limit);
}

std::vector<std::string> SqliteReader::flow_run_ids_named(const std::string& name, int limit) {
    return ids("SELECT id FROM flow_runs WHERE name = ?1 LIMIT ?2", name, limit);
}

std::vector<FlowRunRecord> SqliteReader::flow_runs_in_states(const std::vector<StateType>& types) {
    FlowRunQuery q;
    q.states = types;
    q.limit = -1;
    return flow_runs(q);
}

std::vector<TaskRunRecord> SqliteReader::task_runs(const std::string& flow_run_id) {
    static const std::string sql = std::string("SELECT ") + rows::kTaskRunColumns
                                   + " FROM task_runs WHERE flow_run_id = ? ORDER BY id";
    auto st = cached(sql.c_str());
    st->bind(1, flow_run_id);
    std::vector<TaskRunRecord> out;
    while (st->executeStep())
        out.push_back(rows::read_task_run(*st));
    return out;
}

std::optional<TaskRunRecord> SqliteReader::task_run(const std::string& id) {
    static const std::string sql =
        std::string("SELECT ") + rows::kTaskRunColumns + " FROM task_runs WHERE id = ?";
    auto st = cached(sql.c_str());
    st->bind(1, id);
    if (!st->executeStep()) return std::nullopt;
    return rows::read_task_run(*st);
}

std::vector<std::string> SqliteReader::task_run_ids_with_prefix(const std::string& prefix,
                                                                int limit) {
    return ids("SELECT id FROM task_runs WHERE id >= ?1 AND id < ?1 || x'ff' LIMIT ?2", prefix,
               limit);
}

std::vector<std::string> SqliteReader::task_run_ids_ending_with(const std::string& suffix,
                                                                int limit) {
    return ids("SELECT id FROM task_runs WHERE substr(id, -length(?1)) = ?1 LIMIT ?2", suffix,
               limit);
}

std::int64_t SqliteReader::count_task_runs(const std::string& flow_run_id) {
    auto st = cached("SELECT count(*) FROM task_runs WHERE flow_run_id = ?");
    st->bind(1, flow_run_id);
    st->executeStep();
    return st->getColumn(0).getInt64();
}

std::optional<TaskRunRecord> SqliteReader::cached_task_run(const std::string& cache_key,
                                                           Micros now) {
    static const std::string sql =
        std::string("SELECT ") + rows::kTaskRunColumns
        + " FROM task_runs WHERE cache_key = ? AND state_type = 'COMPLETED' AND has_result = 1 "
          "AND (cache_expiration IS NULL OR cache_expiration > ?) ORDER BY id DESC LIMIT 1";
    auto st = cached(sql.c_str());
    st->bind(1, cache_key);
    st->bind(2, static_cast<int64_t>(now));
    if (!st->executeStep()) return std::nullopt;
    return rows::read_task_run(*st);
}

std::vector<State> SqliteReader::state_history(const std::string& run_id) {
    auto st = cached("SELECT state_id, state_type, state_name, state_message, ts, state_details "
                     "FROM events WHERE run_id = ? AND state_type IS NOT NULL ORDER BY seq");
    st->bind(1, run_id);
    std::vector<State> out;
    while (st->executeStep())
        out.push_back(rows::read_event_state(*st, 0));
    return out;
}

} // namespace sqlite

std::string fts_words_query(const std::string& text) {
    std::string out, word;
    auto flush = [&] {
        if (word.empty()) return;
        if (!out.empty()) out += ' ';
        out += '"';
        for (char c : word) {
            if (c == '"') out += '"'; // a quote inside a string is doubled
            out += c;
        }
        out += '"';
        word.clear();
    };
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c)))
            flush();
        else
            word += c;
    }
    flush();
    return out;
}

namespace sqlite {

namespace {
// A log query's FROM, WHERE and id column. With a text match the FTS index drives the query in
// rowid order and takes the id bounds, so a page of matches costs a page of work; an
// "id IN (SELECT rowid … MATCH)" subquery would collect every match of the database first.
struct LogSql {
    std::string from = " FROM logs";
    std::string id = "logs.id";
    Where w;
};

LogSql log_sql(const LogQuery& q) {
    LogSql s;
    Where& w = s.w;
    const std::string match = !q.fts_query.empty() ? q.fts_query : fts_words_query(q.text);
    if (!match.empty()) {
        s.from = " FROM logs_fts CROSS JOIN logs ON logs.id = logs_fts.rowid";
        s.id = "logs_fts.rowid";
        w.add("logs_fts MATCH ?");
        w.text(match);
    }
    if (!q.flow_run_id.empty()) {
        w.add("logs.flow_run_id = ?");
        w.text(q.flow_run_id);
    }
    if (!q.task_run_id.empty()) {
        w.add("logs.task_run_id = ?");
        w.text(q.task_run_id);
    }
    if (q.min_level > 0) {
        w.add("logs.level >= ?");
        w.integer(q.min_level);
    }
    if (q.after_id > 0) {
        w.add(s.id + " > ?");
        w.integer(q.after_id);
    }
    if (q.before_id > 0) {
        w.add(s.id + " < ?");
        w.integer(q.before_id);
    }
    if (!q.names.empty()) {
        w.add("logs.name IN " + w.placeholders(q.names.size()));
        for (auto& n : q.names)
            w.text(n);
    }
    if (!q.ids.empty()) {
        w.add("logs.id IN " + w.placeholders(q.ids.size()));
        for (auto id : q.ids)
            w.integer(id);
    }
    add_log_filters(w, q);
    return s;
}

constexpr const char* kQualifiedLogColumns =
    "logs.id, logs.flow_run_id, logs.task_run_id, logs.name, logs.level, logs.timestamp, "
    "logs.message"; // rows::kLogColumns, unambiguous beside logs_fts
} // namespace

std::vector<LogRecord> SqliteReader::logs(const LogQuery& q) {
    LogSql s = log_sql(q);
    std::string sql = std::string("SELECT ") + kQualifiedLogColumns + s.from + s.w.sql
                      + " ORDER BY " + s.id + (q.newest_first ? " DESC" : " ASC")
                      + " LIMIT ? OFFSET ?";
    s.w.integer(q.limit < 0 ? -1 : q.limit);
    s.w.integer(q.offset);
    SQLite::Statement st(*m_db, sql);
    s.w.bind(st);
    std::vector<LogRecord> out;
    while (st.executeStep())
        out.push_back(rows::read_log(st));
    return out;
}

std::vector<std::int64_t> SqliteReader::log_ids(const LogQuery& q, int limit) {
    LogSql s = log_sql(q);
    std::string sql = "SELECT logs.id" + s.from + s.w.sql + " ORDER BY " + s.id + " ASC LIMIT ?";
    s.w.integer(limit < 0 ? -1 : limit);
    SQLite::Statement st(*m_db, sql);
    s.w.bind(st);
    std::vector<std::int64_t> out;
    while (st.executeStep())
        out.push_back(st.getColumn(0).getInt64());
    return out;
}

std::vector<std::string> SqliteReader::log_names(const std::string& flow_run_id) {
    SQLite::Statement st(
        *m_db, flow_run_id.empty()
                   ? "SELECT DISTINCT name FROM logs ORDER BY name"
                   : "SELECT DISTINCT name FROM logs WHERE flow_run_id = ? ORDER BY name");
    if (!flow_run_id.empty()) st.bind(1, flow_run_id);
    std::vector<std::string> out;
    while (st.executeStep())
        out.push_back(st.getColumn(0).getString());
    return out;
}

std::int64_t SqliteReader::count_logs(const LogQuery& q) {
    LogSql s = log_sql(q);
    SQLite::Statement st(*m_db, "SELECT count(*)" + s.from + s.w.sql);
    s.w.bind(st);
    st.executeStep();
    return st.getColumn(0).getInt64();
}

std::vector<Event> SqliteReader::events_after(std::int64_t seq, int limit) {
    static const std::string sql = std::string("SELECT ") + rows::kEventColumns
                                   + " FROM events WHERE seq > ? ORDER BY seq LIMIT ?";
    auto st = cached(sql.c_str());
    st->bind(1, static_cast<int64_t>(seq));
    st->bind(2, limit);
    std::vector<Event> out;
    while (st->executeStep())
        out.push_back(rows::read_event(*st));
    return out;
}

std::int64_t SqliteReader::last_event_seq() {
    auto st = cached("SELECT coalesce(max(seq), 0) FROM events");
    st->executeStep();
    return st->getColumn(0).getInt64();
}

std::vector<ConcurrencyLimit> SqliteReader::concurrency_limits() {
    auto st = cached("SELECT l.tag, l.concurrency_limit, (SELECT count(*) FROM concurrency_slots "
                     "s WHERE s.tag = l.tag), l.created FROM concurrency_limits l ORDER BY l.tag");
    std::vector<ConcurrencyLimit> out;
    while (st->executeStep())
        out.push_back({st->getColumn(0).getString(), st->getColumn(1).getInt(),
                       st->getColumn(2).getInt(), st->getColumn(3).getInt64()});
    return out;
}

std::vector<std::string> SqliteReader::concurrency_slot_holders(const std::string& tag) {
    auto st = cached("SELECT task_run_id FROM concurrency_slots WHERE tag = ? ORDER BY acquired");
    st->bind(1, tag);
    std::vector<std::string> out;
    while (st->executeStep())
        out.push_back(st->getColumn(0).getString());
    return out;
}

std::int64_t SqliteReader::data_version() {
    auto st = cached("PRAGMA data_version");
    st->executeStep();
    return st->getColumn(0).getInt64();
}

std::vector<Reader::StateCount> SqliteReader::flow_run_history(Micros from, Micros to,
                                                               Micros interval) {
    std::vector<StateCount> out;
    if (interval <= 0 || to < from) return out;
    auto st = cached("SELECT (expected_start_time - ?1) / ?3, state_type, count(*) FROM flow_runs "
                     "WHERE expected_start_time >= ?1 AND expected_start_time < ?2 "
                     "GROUP BY 1, 2 ORDER BY 1, 2");
    st->bind(1, static_cast<int64_t>(from));
    st->bind(2, static_cast<int64_t>(to));
    st->bind(3, static_cast<int64_t>(interval));
    while (st->executeStep()) {
        StateCount c;
        c.interval_start = from + st->getColumn(0).getInt64() * interval;
        c.type = state_type_from_string(st->getColumn(1).getText("")).value_or(StateType::Pending);
        c.count = st->getColumn(2).getInt64();
        out.push_back(c);
    }
    return out;
}

std::vector<Reader::FlowStats> SqliteReader::flow_stats(Micros from, Micros to) {
    auto st = cached("SELECT f.name, count(*), sum(r.state_type IN ('FAILED', 'CRASHED')), "
                     "sum(r.state_type = 'COMPLETED'), "
                     "avg(CASE WHEN r.end_time IS NOT NULL THEN r.total_run_time END), "
                     "max(CASE WHEN r.end_time IS NOT NULL THEN r.total_run_time END) "
                     "FROM flow_runs r JOIN flows f ON f.id = r.flow_id "
                     "WHERE r.expected_start_time >= ?1 AND r.expected_start_time <= ?2 "
                     "GROUP BY f.name ORDER BY f.name");
    st->bind(1, static_cast<int64_t>(from));
    st->bind(2, static_cast<int64_t>(to));
    std::vector<FlowStats> out;
    while (st->executeStep()) {
        FlowStats s;
        s.flow_name = st->getColumn(0).getString();
        s.runs = st->getColumn(1).getInt64();
        s.failed = st->getColumn(2).getInt64();
        s.completed = st->getColumn(3).getInt64();
        s.mean_run_s = st->getColumn(4).getDouble() / 1e6;
        s.max_run_s = st->getColumn(5).getDouble() / 1e6;
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace sqlite
} // namespace weft

// The writer's side of the store: Txn operations and the group-commit loop body.
#include "engine_log.hpp"
#include "store_errors.hpp"
#include "store_rows.hpp"
#include "weft/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <chrono>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <thread>
#include <unordered_map>

namespace weft {

namespace {

const char* const kInsertFlowRun =
    "INSERT INTO flow_runs(id, flow_id, name, flow_version, state_id, state_type, state_name, "
    "state_message, state_timestamp, state_details, parameters, tags, parent_task_run_id, "
    "run_count, max_retries, retry_delay_s, start_time, end_time, total_run_time, "
    "expected_start_time, created, updated, program, working_dir, host, pid, pid_start, "
    "heartbeat, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)";

const char* const kUpdateFlowRun =
    "UPDATE flow_runs SET name=?3, flow_version=?4, state_id=?5, state_type=?6, state_name=?7, "
    "state_message=?8, state_timestamp=?9, state_details=?10, parameters=?11, tags=?12, "
    "parent_task_run_id=?13, run_count=?14, max_retries=?15, retry_delay_s=?16, start_time=?17, "
    "end_time=?18, total_run_time=?19, expected_start_time=?20, updated=?22, program=?23, "
    "working_dir=?24, host=?25, pid=?26, pid_start=?27, heartbeat=?28, result=?29 WHERE id=?1";

const char* const kInsertTaskRun =
    "INSERT INTO task_runs(id, flow_run_id, task_key, dynamic_key, name, state_id, state_type, "
    "state_name, state_message, state_timestamp, state_details, run_count, max_retries, "
    "start_time, end_time, total_run_time, expected_start_time, created, updated, cache_key, "
    "cache_expiration, inputs_hash, task_inputs, parameters, tags, result, has_result, "
    "child_flow_run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)";

const char* const kUpdateTaskRun =
    "UPDATE task_runs SET state_id=?6, state_type=?7, state_name=?8, state_message=?9, "
    "state_timestamp=?10, state_details=?11, run_count=?12, max_retries=?13, start_time=?14, "
    "end_time=?15, total_run_time=?16, expected_start_time=?17, updated=?19, cache_key=?20, "
    "cache_expiration=?21, inputs_hash=?22, task_inputs=?23, parameters=?24, tags=?25, "
    "result=?26, has_result=?27, child_flow_run_id=?28 WHERE id=?1";

const char* const kUpdateTaskRunState =
    "UPDATE task_runs SET state_id=?2, state_type=?3, state_name=?4, state_message=?5, "
    "state_timestamp=?6, state_details=?7, run_count=?8, start_time=?9, end_time=?10, "
    "total_run_time=?11, updated=?12, cache_key=?13, cache_expiration=?14, inputs_hash=?15, "
    "parameters=coalesce(?16, parameters), result=?17, has_result=?18, "
    "task_inputs=coalesce(?19, task_inputs) WHERE id=?1";

const char* const kInsertEvent =
    "INSERT INTO events(kind, ts, run_id, flow_run_id, state_id, state_type, state_name, "
    "state_message, state_details, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

const char* const kInsertLog = "INSERT INTO logs(flow_run_id, task_run_id, name, level, "
                               "timestamp, message) VALUES (?, ?, ?, ?, ?, ?)";

void exec_cached(Reader& r, const char* sql) {
    auto st = r.cached(sql);
    st->exec();
}

// A feed event. `details_text`, when given, is the state's details already serialised.
void insert_event(Reader& r, EventKind kind, Micros ts, const std::string& run_id,
                  const std::string& flow_run_id, const State* state, const nlohmann::json& payload,
                  const std::string* details_text = nullptr) {
    auto st = r.cached(kInsertEvent);
    st->bind(1, int(kind));
    st->bind(2, static_cast<int64_t>(ts));
    if (run_id.empty())
        st->bind(3);
    else
        st->bindNoCopy(3, run_id);
    if (flow_run_id.empty())
        st->bind(4);
    else
        st->bindNoCopy(4, flow_run_id);
    if (state) {
        st->bindNoCopy(5, state->id);
        st->bindNoCopy(6, to_string(state->type).data());
        st->bindNoCopy(7, state->name);
        st->bindNoCopy(8, state->message);
        if (details_text) {
            if (details_text->empty())
                st->bind(9);
            else
                st->bindNoCopy(9, *details_text);
        } else if (state->details.is_null()) {
            st->bind(9);
        } else {
            st->bind(9, state->details.dump());
        }
    } else {
        for (int i = 5; i <= 9; ++i)
            st->bind(i);
    }
    if (payload.is_null())
        st->bind(10);
    else
        st->bind(10, payload.dump());
    st->exec();
}

void write_task_run_row(Reader& r, const TaskRunRecord& run, const detail::TaskRunTexts& texts,
                        bool insert) {
    auto st = r.cached(insert ? kInsertTaskRun : kUpdateTaskRun);
    rows::bind_task_run(*st, run, texts);
    st->exec();
}

void task_run_event(Reader& r, const TaskRunRecord& run, EventKind kind,
                    const std::string* details_text = nullptr) {
    insert_event(r, kind, run.state.timestamp, run.id, run.flow_run_id, &run.state, nullptr,
                 details_text);
}

// An update applied to a task run whose row is not written yet.
void merge(detail::TaskRunTexts& into, detail::TaskRunTexts&& update) {
    if (update.has_parameters) into.parameters = std::move(update.parameters);
    if (update.has_task_inputs) into.task_inputs = std::move(update.task_inputs);
    into.result = std::move(update.result);
    into.details = std::move(update.details);
}

} // namespace

void Txn::put_flow(const FlowRecord& flow) {
    auto st = m_reader.cached("INSERT INTO flows(id, name, created, tags) VALUES (?, ?, ?, ?) ON "
                              "CONFLICT(name) DO NOTHING");
    st->bindNoCopy(1, flow.id);
    st->bindNoCopy(2, flow.name);
    st->bind(3, static_cast<int64_t>(flow.created));
    st->bind(4, rows::tags_to_text(flow.tags));
    if (st->exec() > 0)
        insert_event(m_reader, EventKind::FlowCreated, flow.created, flow.id, {}, nullptr,
                     {{"name", flow.name}});
}

void Txn::put_flow_run(const FlowRunRecord& run, EventKind kind) {
    // Created inserts; any other kind updates. Only creations and state changes enter the feed.
    auto st = m_reader.cached(kind == EventKind::FlowRunCreated ? kInsertFlowRun : kUpdateFlowRun);
    rows::bind_flow_run(*st, run);
    st->exec();
    if (kind == EventKind::FlowRunCreated || kind == EventKind::FlowRunState)
        insert_event(m_reader, kind, run.state.timestamp, run.id, run.id, &run.state, nullptr);
}

void Txn::put_task_run(const TaskRunRecord& run, EventKind kind) {
    write_task_run_row(m_reader, run, detail::TaskRunTexts::of(run),
                       kind == EventKind::TaskRunCreated);
    if (kind == EventKind::TaskRunCreated || kind == EventKind::TaskRunState)
        task_run_event(m_reader, run, kind);
}

void Txn::delete_flow_run(const std::string& id) {
    // Subflow runs go with their parent.
    std::vector<std::string> children;
    {
        auto st = m_reader.cached("SELECT f.id FROM flow_runs f JOIN task_runs t ON "
                                  "f.parent_task_run_id = t.id WHERE t.flow_run_id = ?");
        st->bind(1, id);
        while (st->executeStep())
            children.push_back(st->getColumn(0).getString());
        st->reset();
    }
    for (const auto& child : children)
        delete_flow_run(child);
    // The deletion's event comes first: it outlives the run's own events, so the newest event is
    // never deleted and sequence numbers are never reused.
    insert_event(m_reader, EventKind::FlowRunDeleted, now_us(), id, id, nullptr, nullptr);
    const auto deletion_seq = m_reader.db().getLastInsertRowid();
    const char* statements[] = {
        "DELETE FROM events WHERE run_id IN (SELECT id FROM task_runs WHERE flow_run_id = ?1) "
        "AND seq < ?2",
        "DELETE FROM events WHERE run_id = ?1 AND seq < ?2",
        "DELETE FROM logs WHERE flow_run_id = ?1",
        "DELETE FROM concurrency_slots WHERE flow_run_id = ?1",
        "DELETE FROM flow_run_pauses WHERE flow_run_id = ?1",
        "DELETE FROM task_runs WHERE flow_run_id = ?1",
        "DELETE FROM flow_runs WHERE id = ?1",
    };
    for (const char* sql : statements) {
        auto st = m_reader.cached(sql);
        st->bind(1, id);
        if (st->getBindParameterCount() >= 2) st->bind(2, static_cast<int64_t>(deletion_seq));
        st->exec();
    }
}

void Txn::set_concurrency_limit(const std::string& tag, int limit) {
    auto st = m_reader.cached("INSERT INTO concurrency_limits(tag, concurrency_limit, created) "
                              "VALUES (?, ?, ?) ON CONFLICT(tag) DO UPDATE SET "
                              "concurrency_limit = excluded.concurrency_limit");
    st->bind(1, tag);
    st->bind(2, limit);
    st->bind(3, static_cast<int64_t>(now_us()));
    st->exec();
    insert_event(m_reader, EventKind::ConcurrencyLimits, now_us(), {}, {}, nullptr,
                 {{"tag", tag}, {"limit", limit}});
}

bool Txn::delete_concurrency_limit(const std::string& tag) {
    auto st = m_reader.cached("DELETE FROM concurrency_limits WHERE tag = ?");
    st->bind(1, tag);
    const bool deleted = st->exec() > 0;
    auto slots = m_reader.cached("DELETE FROM concurrency_slots WHERE tag = ?");
    slots->bind(1, tag);
    slots->exec();
    if (deleted)
        insert_event(m_reader, EventKind::ConcurrencyLimits, now_us(), {}, {}, nullptr,
                     {{"tag", tag}, {"limit", nullptr}});
    return deleted;
}

std::string Txn::acquire_slots(const std::vector<std::string>& tags, const std::string& task_run_id,
                               const std::string& flow_run_id) {
    std::vector<std::string> limited;
    for (const auto& tag : tags) {
        auto st = m_reader.cached(
            "SELECT l.concurrency_limit, (SELECT count(*) FROM concurrency_slots s WHERE s.tag = "
            "l.tag AND s.task_run_id <> ?2) FROM concurrency_limits l WHERE l.tag = ?1");
        st->bind(1, tag);
        st->bind(2, task_run_id);
        if (st->executeStep()) {
            const int limit = st->getColumn(0).getInt();
            const int active = st->getColumn(1).getInt();
            st->reset();
            if (active >= limit) return tag;
            limited.push_back(tag);
        } else {
            st->reset();
        }
    }
    for (const auto& tag : limited) {
        auto st = m_reader.cached("INSERT OR IGNORE INTO concurrency_slots(tag, task_run_id, "
                                  "flow_run_id, acquired) VALUES (?, ?, ?, ?)");
        st->bind(1, tag);
        st->bind(2, task_run_id);
        st->bind(3, flow_run_id);
        st->bind(4, static_cast<int64_t>(now_us()));
        st->exec();
    }
    return {};
}

void Txn::release_slots(const std::string& task_run_id) {
    auto st = m_reader.cached("DELETE FROM concurrency_slots WHERE task_run_id = ?");
    st->bind(1, task_run_id);
    st->exec();
}

void Txn::release_slots_of_flow_run(const std::string& flow_run_id) {
    auto st = m_reader.cached("DELETE FROM concurrency_slots WHERE flow_run_id = ?");
    st->bind(1, flow_run_id);
    st->exec();
}

void Txn::heartbeat(const std::string& flow_run_id, Micros at) {
    auto st = m_reader.cached("UPDATE flow_runs SET heartbeat = ? WHERE id = ?");
    st->bind(1, static_cast<int64_t>(at));
    st->bind(2, flow_run_id);
    st->exec();
}

namespace {

// Begins the group's transaction, waiting as long as other processes hold the write lock:
// nothing queued is ever dropped for being busy.
void begin_immediate(Reader& r, const std::string& path) {
    for (int attempt = 0;; ++attempt) {
        try {
            exec_cached(r, "BEGIN IMMEDIATE");
            return;
        } catch (const SQLite::Exception& e) {
            const int code = e.getErrorCode() & 0xff;
            if (code != SQLITE_BUSY && code != SQLITE_LOCKED) throw;
            if (attempt % 10 == 0)
                detail::engine_log().warn("weft: waiting for the write lock on {} ({})", path,
                                          e.what());
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
}

// Whether an error inside the group's transaction costs the whole group: the file or the disk
// failed, or SQLite already rolled the transaction back (after SQLITE_FULL it may), so statements
// run from here on would each commit on their own.
bool group_lost(Reader& r, const SQLite::Exception& e) {
    return is_file_error(e) || sqlite3_get_autocommit(r.db().getHandle()) != 0;
}

// Log lines of one flow run written in this group: one feed event announces them.
struct LogSpan {
    std::int64_t first = 0, last = 0, count = 0;
};

} // namespace

void Store::apply_batch(std::vector<Op>& batch) {
    if (m_failed) return after_failure(batch);
    Reader& r = *m_writer;
    Txn txn(r);
    std::vector<std::function<void()>> after_commit;
    // Task runs created in this group are inserted once, with their latest fields, at the end
    // (or before any transaction function that may read them): most short tasks finish within
    // one group, which saves an UPDATE per state change.
    // Keys view the id inside the op that first created the run; that op is never modified
    // afterwards (a later put of the same run takes its slot in unwritten_order instead).
    std::unordered_map<std::string_view, std::size_t> unwritten;
    std::vector<PutTaskRun*> unwritten_order;
    std::unordered_map<std::string, LogSpan> log_spans;

    auto write_unwritten = [&] {
        for (PutTaskRun* put : unwritten_order) {
            try {
                write_task_run_row(r, put->run, put->texts, true);
            } catch (const SQLite::Exception& e) {
                if (group_lost(r, e)) throw;
                // e.g. a task run created again: it alone is skipped; the group still commits.
                detail::engine_log().error(
                    "weft: creating task run {} in {} failed and was skipped: {}", put->run.id,
                    m_path, e.what());
            }
        }
        unwritten.clear();
        unwritten_order.clear();
    };
    auto write_log_events = [&] {
        for (auto& [flow_run_id, span] : log_spans)
            insert_event(r, EventKind::Logs, now_us(), flow_run_id, flow_run_id, nullptr,
                         {{"first_id", span.first}, {"last_id", span.last}, {"count", span.count}});
        log_spans.clear();
    };

    try {
        begin_immediate(r, m_path);
    } catch (const SQLite::Exception&) {
        return lose_group(batch, std::current_exception());
    }
    for (auto& op : batch) {
        try {
            if (auto* p = std::get_if<PutTaskRun>(&op)) {
                task_run_event(r, p->run, p->kind, &p->texts.details);
                if (auto it = unwritten.find(p->run.id); it != unwritten.end()) {
                    // Put again before its row was written: one row, with the latest fields.
                    unwritten_order[it->second] = p;
                } else if (p->kind == EventKind::TaskRunCreated) {
                    unwritten.emplace(p->run.id, unwritten_order.size());
                    unwritten_order.push_back(p);
                } else {
                    write_task_run_row(r, p->run, p->texts, false);
                }
            } else if (auto* u = std::get_if<UpdateTaskRun>(&op)) {
                TaskRunUpdate& update = u->update;
                insert_event(r, EventKind::TaskRunState, update.state.timestamp, update.id,
                             update.flow_run_id, &update.state, nullptr, &u->texts.details);
                if (auto it = unwritten.find(update.id); it != unwritten.end()) {
                    PutTaskRun* put = unwritten_order[it->second];
                    std::move(update).apply_to(put->run);
                    merge(put->texts, std::move(u->texts));
                } else {
                    auto st = r.cached(kUpdateTaskRunState);
                    rows::bind_task_run_update(*st, update, u->texts);
                    st->exec();
                }
            } else if (auto* f = std::get_if<PutFlowRun>(&op)) {
                txn.put_flow_run(f->run, f->kind);
            } else if (auto* l = std::get_if<AppendLog>(&op)) {
                const LogRecord& line = l->line;
                auto st = r.cached(kInsertLog);
                if (line.flow_run_id.empty())
                    st->bind(1);
                else
                    st->bindNoCopy(1, line.flow_run_id);
                if (line.task_run_id.empty())
                    st->bind(2);
                else
                    st->bindNoCopy(2, line.task_run_id);
                st->bindNoCopy(3, line.name);
                st->bind(4, line.level);
                st->bind(5, static_cast<int64_t>(line.timestamp));
                st->bindNoCopy(6, line.message);
                st->exec();
                auto& span = log_spans[line.flow_run_id];
                const auto id = r.db().getLastInsertRowid();
                if (span.count++ == 0) span.first = id;
                span.last = id;
            } else if (auto* h = std::get_if<Heartbeat>(&op)) {
                txn.heartbeat(h->flow_run_id, h->at);
            } else if (auto* t = std::get_if<TransactOp>(&op)) {
                write_unwritten();
                write_log_events();
                exec_cached(r, "SAVEPOINT weft_txn");
                try {
                    after_commit.push_back(t->run(txn));
                    exec_cached(r, "RELEASE weft_txn");
                } catch (const SQLite::Exception& e) {
                    if (group_lost(r, e)) throw;
                    exec_cached(r, "ROLLBACK TO weft_txn");
                    exec_cached(r, "RELEASE weft_txn");
                    auto error = std::current_exception();
                    after_commit.push_back([fail = t->fail, error] { fail(error); });
                } catch (...) {
                    exec_cached(r, "ROLLBACK TO weft_txn");
                    exec_cached(r, "RELEASE weft_txn");
                    auto error = std::current_exception();
                    after_commit.push_back([fail = t->fail, error] { fail(error); });
                }
            } else if (auto* b = std::get_if<Barrier>(&op)) {
                after_commit.push_back([done = b->done] { done->set_value(); });
            }
        } catch (const SQLite::Exception& e) {
            if (group_lost(r, e)) return lose_group(batch, std::current_exception());
            // A malformed operation must not cost the others their durability.
            detail::engine_log().error("weft: a write to {} failed and was skipped: {}", m_path,
                                       e.what());
        } catch (const std::exception& e) {
            detail::engine_log().error("weft: a write to {} failed and was skipped: {}", m_path,
                                       e.what());
        }
    }
    try {
        write_unwritten();
        write_log_events();
        exec_cached(r, "COMMIT");
        ++m_commits;
    } catch (const SQLite::Exception&) {
        return lose_group(batch, std::current_exception());
    }
    for (auto& done : after_commit)
        done();
}

void Store::lose_group(std::vector<Op>& batch, const std::exception_ptr& error) {
    Reader& r = *m_writer;
    if (sqlite3_get_autocommit(r.db().getHandle()) == 0) {
        try {
            r.db().exec("ROLLBACK");
        } catch (...) {
        }
    }
    std::string why;
    try {
        std::rethrow_exception(error);
    } catch (const SQLite::Exception& e) {
        why = explain(m_path, e).what();
    } catch (const std::exception& e) {
        why = std::string("weft: cannot write to ") + m_path + ": " + e.what();
    }
    why += " Lost: the last " + std::to_string(batch.size()) + " queued writes.";
    // Committing later groups would leave the file with writes whose earlier ones are missing.
    const auto failed = std::make_exception_ptr(StoreError(stop_writing(why)));
    for (auto& op : batch) {
        if (auto* t = std::get_if<TransactOp>(&op)) t->fail(failed);
        if (auto* b = std::get_if<Barrier>(&op)) b->done->set_exception(failed);
    }
}

void Store::after_failure(std::vector<Op>& batch) {
    const auto failed = std::make_exception_ptr(StoreError(failure()));
    for (auto& op : batch) {
        if (auto* t = std::get_if<TransactOp>(&op)) {
            if (t->recovery)
                recover(*t);
            else
                t->fail(failed);
        } else if (auto* b = std::get_if<Barrier>(&op)) {
            b->done->set_exception(failed);
        } // plain writes are dropped: they may depend on what was lost
    }
}

void Store::recover(TransactOp& op) {
    Reader& r = *m_writer;
    Txn txn(r);
    try {
        begin_immediate(r, m_path);
        auto done = op.run(txn);
        exec_cached(r, "COMMIT");
        ++m_commits;
        done();
    } catch (...) {
        auto error = std::current_exception();
        if (sqlite3_get_autocommit(r.db().getHandle()) == 0) {
            try {
                r.db().exec("ROLLBACK");
            } catch (...) {
            }
        }
        try {
            std::rethrow_exception(error);
        } catch (const SQLite::Exception& e) {
            error = std::make_exception_ptr(explain(m_path, e));
        } catch (...) {
        }
        op.fail(error);
    }
}

} // namespace weft

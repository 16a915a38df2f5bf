// The writer thread's group commit, over any backend's WriterConnection: the queued operations of a
// group in one transaction, task runs created and finished within the group written once, a
// transaction function's writes rolled back alone when it throws, and the failure policy (the
// first lost group stops writing).
#include "engine_log.hpp"
#include "store_queue.hpp"
#include "weft/store.hpp"
#include "weft/store_backend.hpp"

#include <spdlog/spdlog.h>
#include <unordered_map>

namespace weft {

namespace {

// Log lines of one flow run written in this group: one feed event announces them.
struct LogSpan {
    std::int64_t first = 0, last = 0, count = 0;
};

} // namespace

void Store::apply_batch(Queue& batch) {
    if (m_failed) return after_failure(batch);
    WriterConnection& w = *m_writer;
    std::vector<std::function<void()>> after_commit;
    // Task runs created in this group are inserted once, with their latest fields, at the end
    // (or before any transaction function that may read them): most short tasks finish within
    // one group, which saves an UPDATE per state change. Their columns view the batch's texts.
    // Kept from group to group by the writer thread (one per store), so that a group allocates
    // nothing once they have grown.
    thread_local std::unordered_map<std::string_view, std::size_t> unwritten;
    thread_local std::vector<TaskRunColumns> unwritten_rows;
    unwritten.clear(); // a lost group may have left views into its texts
    unwritten_rows.clear();
    std::unordered_map<std::string, LogSpan> log_spans;

    auto write_unwritten = [&] {
        for (const TaskRunColumns& row : unwritten_rows) {
            try {
                w.write_task_run(row, true);
            } catch (const std::exception& e) {
                if (w.group_lost(std::current_exception())) throw;
                // e.g. a task run created again: it alone is skipped; the group still commits.
                detail::engine_log().error(
                    "weft: creating task run {} in {} failed and was skipped: {}", row.id, m_path,
                    e.what());
            }
        }
        unwritten.clear();
        unwritten_rows.clear();
    };
    auto write_log_events = [&] {
        for (auto& [flow_run_id, span] : log_spans)
            w.logs_event(flow_run_id, span.first, span.last, span.count);
        log_spans.clear();
    };
    // A transaction function's writes: kept when it returns, undone alone when it throws.
    auto run_transact = [&](TransactOp& t) {
        write_unwritten();
        write_log_events();
        w.savepoint();
        try {
            after_commit.push_back(t.run(w));
            w.release_savepoint();
        } catch (...) {
            auto error = std::current_exception();
            if (w.group_lost(error)) throw;
            w.rollback_to_savepoint();
            w.release_savepoint();
            after_commit.push_back([fail = t.fail, error] { fail(error); });
        }
    };
    // A task-run write: its event now, its row now or with the group's new rows.
    auto write_task_run = [&](const detail::QueuedWrite& q) {
        const TaskRunColumns run = detail::columns(q, batch.texts.data());
        w.task_run_event(q.kind, run);
        const auto it = unwritten.find(run.id);
        if (run.full_row) {
            if (it != unwritten.end()) {
                // Put again before its row was written: one row, with the latest fields.
                unwritten_rows[it->second] = run;
            } else if (q.kind == EventKind::TaskRunCreated) {
                unwritten.emplace(run.id, unwritten_rows.size());
                unwritten_rows.push_back(run);
            } else {
                w.write_task_run(run, false);
            }
        } else if (it != unwritten.end()) {
            unwritten_rows[it->second].apply(run);
        } else {
            w.update_task_run(run);
        }
    };

    try {
        w.begin();
    } catch (...) {
        return lose_group(batch, std::current_exception());
    }
    unwritten.reserve(batch.writes.size());
    for (const auto& q : batch.writes) {
        try {
            if (q.type != detail::QueuedWrite::Type::Other) {
                write_task_run(q);
                continue;
            }
            auto& op = batch.others[q.at];
            if (auto* f = std::get_if<PutFlowRun>(&op)) {
                w.put_flow_run(f->run, f->kind);
            } else if (auto* l = std::get_if<AppendLog>(&op)) {
                const auto id = w.append_log(l->line);
                auto& span = log_spans[l->line.flow_run_id];
                if (span.count++ == 0) span.first = id;
                span.last = id;
            } else if (auto* h = std::get_if<Heartbeat>(&op)) {
                w.heartbeat(h->flow_run_id, h->at);
            } else if (auto* t = std::get_if<TransactOp>(&op)) {
                run_transact(*t);
            } else if (auto* b = std::get_if<Barrier>(&op)) {
                after_commit.push_back([done = b->done] { done->set_value(); });
            }
        } catch (const std::exception& e) {
            if (w.group_lost(std::current_exception()))
                return lose_group(batch, std::current_exception());
            // A malformed operation must not cost the others their durability.
            detail::engine_log().error("weft: a write to {} failed and was skipped: {}", m_path,
                                       e.what());
        }
    }
    try {
        write_unwritten();
        write_log_events();
        w.commit();
        ++m_commits;
    } catch (...) {
        return lose_group(batch, std::current_exception());
    }
    for (auto& done : after_commit)
        done();
}

void Store::lose_group(Queue& batch, const std::exception_ptr& error) {
    m_writer->rollback();
    std::string why;
    if (auto explained = m_backend->explain(error)) {
        why = explained->what();
    } else {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            why = std::string("weft: cannot write to ") + m_path + ": " + e.what();
        } catch (...) {
            why = std::string("weft: cannot write to ") + m_path + ".";
        }
    }
    why += " Lost: the last " + std::to_string(batch.writes.size()) + " queued writes.";
    // Committing later groups would leave the file with writes whose earlier ones are missing.
    const auto failed = std::make_exception_ptr(StoreError(stop_writing(why)));
    for (auto& op : batch.others) {
        if (auto* t = std::get_if<TransactOp>(&op)) t->fail(failed);
        if (auto* b = std::get_if<Barrier>(&op)) b->done->set_exception(failed);
    }
}

void Store::after_failure(Queue& batch) {
    const auto failed = std::make_exception_ptr(StoreError(failure()));
    for (auto& op : batch.others) {
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
    WriterConnection& w = *m_writer;
    try {
        w.begin();
        auto done = op.run(w);
        w.commit();
        ++m_commits;
        done();
    } catch (...) {
        auto error = std::current_exception();
        w.rollback();
        if (auto explained = m_backend->explain(error)) error = std::make_exception_ptr(*explained);
        op.fail(error);
    }
}

} // namespace weft

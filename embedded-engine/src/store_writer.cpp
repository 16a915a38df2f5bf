// The writer thread's group commit, over any backend's WriterConnection: the queued operations of a
// group in one transaction, task runs created and finished within the group written once, a
// transaction function's writes rolled back alone when it throws, and the failure policy (the
// first lost group stops writing).
#include "engine_log.hpp"
#include "weft/store.hpp"
#include "weft/store_backend.hpp"

#include <spdlog/spdlog.h>
#include <unordered_map>

namespace weft {

namespace {

// An update applied to a task run whose row is not written yet.
void merge(detail::TaskRunTexts& into, detail::TaskRunTexts&& update) {
    if (update.has_parameters) into.parameters = std::move(update.parameters);
    if (update.has_task_inputs) into.task_inputs = std::move(update.task_inputs);
    into.result = std::move(update.result);
    into.details = std::move(update.details);
}

// Log lines of one flow run written in this group: one feed event announces them.
struct LogSpan {
    std::int64_t first = 0, last = 0, count = 0;
};

} // namespace

void Store::apply_batch(std::vector<Op>& batch) {
    if (m_failed) return after_failure(batch);
    WriterConnection& w = *m_writer;
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
                w.write_task_run(put->run, put->texts, true);
            } catch (const std::exception& e) {
                if (w.group_lost(std::current_exception())) throw;
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

    try {
        w.begin();
    } catch (...) {
        return lose_group(batch, std::current_exception());
    }
    for (auto& op : batch) {
        try {
            if (auto* p = std::get_if<PutTaskRun>(&op)) {
                w.task_run_event(p->kind, p->run.id, p->run.flow_run_id, p->run.state,
                                 p->texts.details);
                if (auto it = unwritten.find(p->run.id); it != unwritten.end()) {
                    // Put again before its row was written: one row, with the latest fields.
                    unwritten_order[it->second] = p;
                } else if (p->kind == EventKind::TaskRunCreated) {
                    unwritten.emplace(p->run.id, unwritten_order.size());
                    unwritten_order.push_back(p);
                } else {
                    w.write_task_run(p->run, p->texts, false);
                }
            } else if (auto* u = std::get_if<UpdateTaskRun>(&op)) {
                TaskRunUpdate& update = u->update;
                w.task_run_event(EventKind::TaskRunState, update.id, update.flow_run_id,
                                 update.state, u->texts.details);
                if (auto it = unwritten.find(update.id); it != unwritten.end()) {
                    PutTaskRun* put = unwritten_order[it->second];
                    std::move(update).apply_to(put->run);
                    merge(put->texts, std::move(u->texts));
                } else {
                    w.update_task_run(update, u->texts);
                }
            } else if (auto* f = std::get_if<PutFlowRun>(&op)) {
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

void Store::lose_group(std::vector<Op>& batch, const std::exception_ptr& error) {
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

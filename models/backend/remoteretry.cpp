// Retrying runs on a server, as Prefect's UI does: the run is set to SCHEDULED ("AwaitingRetry")
// and a worker of its pool picks it up, reusing its completed task runs. On Weft's server a retry
// may start from a task run: the AwaitingRetry state names it in its details, the shape
// `weft flow-run retry --from-task` sends (weft/remote_actions.hpp), and the worker's program
// runs that task run and what depends on it again.
#include "backend/remotebackend.h"

#include <weft/remote_actions.hpp>
#include <weft/states.hpp>

namespace weft::studio {

using nlohmann::json;

namespace {

// Why a run (the server's JSON) cannot be retried from one of its task runs, else empty: the
// checks `weft flow-run retry --from-task` makes against a server.
QString fromTaskRefusal(const json& run) {
    const auto deployment = run.find("deployment_id");
    if (deployment == run.end() || !deployment->is_string())
        return RemoteBackend::tr("This run was not made by a deployment, so no worker can run it "
                                 "again.");
    const auto type = weft::state_type_from_string(run.value("state_type", ""));
    if (!type || !(weft::is_resumable(*type) || *type == weft::StateType::Completed))
        return RemoteBackend::tr("The run is %1: only a FAILED, CRASHED, CANCELLED or COMPLETED "
                                 "run can be retried from a task run.")
            .arg(QString::fromStdString(run.value("state_type", "")));
    return {};
}

// A command's failure to be sent as a refusal with its reason.
Backend::Done<CommandResult> refusingErrors(Backend::Done<CommandResult> done) {
    return [done](Result<CommandResult> r) {
        if (!r) return done(CommandResult{false, r.error(), std::nullopt});
        done(std::move(*r));
    };
}

} // namespace

void RemoteBackend::retryFlowRun(const std::string& id, const std::string& fromTaskRunId,
                                 QObject* context, Done<CommandResult> done) {
    if (!fromTaskRunId.empty()) return retryFromTaskRun(id, fromTaskRunId, context, done);
    weft::State s;
    s.type = weft::StateType::Scheduled;
    s.name = "AwaitingRetry";
    s.message = "Retried from Weft Studio.";
    proposeState("flow_runs", id, s, true, context, [done](Result<CommandResult> r) {
        if (r && r->ok)
            r->message = tr("Scheduled for a retry: a worker of the server picks it up.");
        done(std::move(r));
    });
}

// The run and the task run are read first, for the CLI's checks (a deployment's run, finished,
// and the task run its own); the state is then forced, as the whole retry's is, since the rules
// keep a COMPLETED run from becoming SCHEDULED otherwise.
void RemoteBackend::retryFromTaskRun(const std::string& id, const std::string& taskRunId,
                                     QObject* context, Done<CommandResult> done) {
    if (const QString why = cannot(Capability::RetryFromTask); !why.isEmpty())
        return answerLater<CommandResult>(context, done, CommandResult{false, why, std::nullopt});
    done = refusingErrors(std::move(done));
    QPointer<QObject> guard(context);
    QPointer<RemoteBackend> self(this);
    m_rest->send<QString>(
        "GET", QStringLiteral("/flow_runs/%1").arg(QString::fromStdString(id)), nullptr, context,
        [](RestAnswer a) { return fromTaskRefusal(a.body); },
        [guard, self, id, taskRunId, done](Result<QString> refusal) {
            if (!refusal) return done(QueryError{refusal.error()});
            if (!refusal->isEmpty()) return done(CommandResult{false, *refusal, std::nullopt});
            if (!self) return;
            self->m_rest->send<std::string>(
                "GET", QStringLiteral("/task_runs/%1").arg(QString::fromStdString(taskRunId)),
                nullptr, guard.data(),
                [](RestAnswer a) { return a.body.value("flow_run_id", std::string()); },
                [guard, self, id, taskRunId, done](Result<std::string> owner) {
                    if (!owner) return done(QueryError{owner.error()});
                    if (*owner != id)
                        return done(CommandResult{
                            false, tr("The task run belongs to another flow run."), std::nullopt});
                    if (!self) return;
                    weft::State s = weft::states::awaiting_retry(
                        weft::now_us(),
                        "Retried from Weft Studio from task run " + taskRunId + ".");
                    s.details[weft::kRetryFromTaskRunKey] = taskRunId;
                    self->proposeState(
                        "flow_runs", id, s, true, guard.data(), [done](Result<CommandResult> r) {
                            if (r && r->ok)
                                r->message =
                                    tr("Scheduled for a retry from the task run: a worker of the "
                                       "server runs it and what depends on it again.");
                            done(std::move(r));
                        });
                });
        });
}

} // namespace weft::studio

#pragma once
// What Studio's models know of an engine: asynchronous queries and commands, and batches of
// change-feed events. EmbeddedBackend serves them from a local database; a remote backend serves
// them over REST and a WebSocket event stream. Models and widgets see only this interface.
#include "backend/deploymentdata.h"
#include "backend/result.h"

#include <weft/engine.hpp>
#include <weft/events.hpp>
#include <weft/records.hpp>
#include <weft/store.hpp>

#include <QObject>
#include <QPointer>
#include <QString>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace weft::studio {

using EventBatch = std::shared_ptr<const std::vector<weft::Event>>;

/// Counts and series for the dashboard, over a time range.
struct DashboardData {
    struct Bucket {
        weft::Micros start = 0;
        std::map<weft::StateType, int> runsByState; // runs whose expected start falls in it
    };
    std::vector<Bucket> buckets;
    struct FlowStats {
        std::string flowName;
        int runs = 0;
        int completed = 0;
        int failed = 0;                    // failed or crashed
        std::optional<double> successRate; // weft::success_rate: cancelled runs left out
        double meanDurationS = 0;
        double maxDurationS = 0;
    };
    std::vector<FlowStats> flows;
    std::vector<weft::FlowRunRecord> recentFailures; // newest first
    std::int64_t totalRuns = 0;
    std::int64_t completed = 0;
    std::int64_t failed = 0;           // failed or crashed
    std::optional<double> successRate; // none when no run finished
};

/// A command's answer: the rules' outcome for state changes, or an error.
struct CommandResult {
    bool ok = false;
    QString message; // the rule's reason, or the error
    std::optional<weft::Outcome> outcome;
    std::string createdRunId; // the flow run a command made (createDeploymentRun), else empty
};

/// Every query runs away from the GUI thread and answers a Result: its value, or the error that
/// kept it from one (views show it in place, never as empty data). `done` runs on the GUI thread,
/// and not at all if `context` (a GUI-thread object) was destroyed meanwhile. Callers drop stale
/// answers with their own generation counters. Nothing here assumes a local database: a network
/// backend answers the same way, later and with its own errors.
class Backend : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~Backend() override = default;

    /// "Local database /path/weft.db" or "Server http://…".
    virtual QString description() const = 0;
    virtual bool isOpen() const = 0;
    /// True when runs may be read but not changed (another user's database, a read-only mount):
    /// views disable their controls.
    virtual bool isReadOnly() const { return false; }

    /// Commands that not every backend can carry out (a server starts no programs for Studio).
    enum class Capability {
        RunAgain,
        Resume,
        RetryFromTask,
        Deployments,     // reading deployments, work pools and workers
        RunDeployment,   // createDeploymentRun
        PauseDeployment, // setDeploymentPaused
    };
    /// Why this backend cannot do `c`, for the disabled control's tooltip; empty when it can.
    virtual QString cannot(Capability c) const {
        if (c == Capability::Deployments || c == Capability::RunDeployment
            || c == Capability::PauseDeployment)
            return tr("Deployments live on a server: connect Studio to one.");
        return {};
    }

    /// Whether the backend can list flow runs in order `sort`: Prefect's API knows a few orders
    /// only (FlowRunSort), so a server refuses Studio's others; views offer only these.
    virtual bool sortsFlowRuns(weft::FlowRunSort sort) const {
        (void)sort;
        return true;
    }

    template<class T> using Done = std::function<void(Result<T>)>;
    /// A chunk of log ids; `last` ends the stream (an error always ends it).
    using IdChunk = std::function<void(Result<std::vector<std::int64_t>> ids, bool last)>;

    /// False from a query that failed until one succeeds: the status bar says so.
    bool isHealthy() const { return m_healthError.isEmpty(); }
    /// The last failure while unhealthy, else empty.
    QString healthError() const { return m_healthError; }

    virtual void fetchFlows(QObject* context, Done<std::vector<weft::FlowRecord>> done) = 0;
    virtual void fetchFlowRuns(const weft::FlowRunQuery& query, QObject* context,
                               Done<std::vector<weft::FlowRunRecord>> done) = 0;
    virtual void countFlowRuns(const weft::FlowRunQuery& query, QObject* context,
                               Done<std::int64_t> done) = 0;
    virtual void fetchFlowRun(const std::string& id, QObject* context,
                              Done<std::optional<weft::FlowRunRecord>> done) = 0;
    /// Ids of flow runs starting with `prefix` (at most two: one means the prefix is unique).
    virtual void fetchFlowRunIdsWithPrefix(const std::string& prefix, QObject* context,
                                           Done<std::vector<std::string>> done) = 0;
    virtual void fetchTaskRuns(const std::string& flowRunId, QObject* context,
                               Done<std::vector<weft::TaskRunRecord>> done) = 0;
    virtual void fetchStateHistory(const std::string& runId, QObject* context,
                                   Done<std::vector<weft::State>> done) = 0;
    /// Log lines in id order (or newest first), at most query.limit.
    virtual void fetchLogs(const weft::LogQuery& query, QObject* context,
                           Done<std::vector<weft::LogRecord>> done) = 0;
    /// Ids of every log line matching `query` (its limit ignored), delivered in chunks so a
    /// model can show the first lines at once: `chunk(ids, last)` is called until last is true.
    virtual void fetchLogIds(const weft::LogQuery& query, QObject* context, IdChunk chunk) = 0;
    /// The distinct logger names of a flow run's lines (every run's when empty), sorted. Not
    /// pure, so backends without it answer an empty list.
    virtual void fetchLogNames(const std::string& flowRunId, QObject* context,
                               Done<std::vector<std::string>> done) {
        (void)flowRunId;
        QMetaObject::invokeMethod(
            context, [done] { done(std::vector<std::string>{}); }, Qt::QueuedConnection);
    }
    virtual void fetchDashboard(weft::Micros from, weft::Micros to, int buckets, QObject* context,
                                Done<DashboardData> done) = 0;

    // Commands. People's changes go through the engine's rules: a refusal carries the reason.
    virtual void setFlowRunState(const std::string& id, const weft::State& state, bool force,
                                 QObject* context, Done<CommandResult> done) = 0;
    virtual void setTaskRunState(const std::string& id, const weft::State& state, bool force,
                                 QObject* context, Done<CommandResult> done) = 0;
    virtual void cancelFlowRun(const std::string& id, QObject* context,
                               Done<CommandResult> done) = 0;
    virtual void deleteFlowRun(const std::string& id, QObject* context,
                               Done<CommandResult> done) = 0;
    /// Resumes a run (its completed task runs are reused); with a task run, that task run and
    /// everything downstream of it run again.
    virtual void retryFlowRun(const std::string& id, const std::string& fromTaskRunId,
                              QObject* context, Done<CommandResult> done) = 0;
    /// Starts a new run of a flow run's flow with `parameters` (a JSON object), by the program
    /// that ran it, where it ran. Backends that cannot start programs refuse.
    virtual void runFlowAgain(const std::string& flowRunId, const nlohmann::json& parameters,
                              QObject* context, Done<CommandResult> done) {
        (void)flowRunId;
        (void)parameters;
        QMetaObject::invokeMethod(
            context,
            [done] {
                done(CommandResult{false, tr("This backend cannot start flow programs."),
                                   std::nullopt});
            },
            Qt::QueuedConnection);
    }
    /// The input fields (a JSON schema) the PAUSED run's pause waits for; null when none. Backends
    /// without pauses answer null.
    virtual void fetchPauseInput(const std::string& id, QObject* context,
                                 Done<nlohmann::json> done) {
        (void)id;
        QMetaObject::invokeMethod(
            context, [done] { done(nlohmann::json()); }, Qt::QueuedConnection);
    }
    /// Resumes a PAUSED run with `input` (null: none), starting a suspended run's program again.
    /// A refusal (bad input names its field) leaves the run paused.
    virtual void resumeFlowRun(const std::string& id, const nlohmann::json& input, QObject* context,
                               Done<CommandResult> done) {
        (void)id;
        (void)input;
        QMetaObject::invokeMethod(
            context,
            [done] {
                done(CommandResult{false, QStringLiteral("This backend cannot resume runs."),
                                   std::nullopt});
            },
            Qt::QueuedConnection);
    }

    // Deployments, work pools and workers (backend/deploymentdata.h). Backends without them
    // answer cannot(Capability::Deployments) as the error.
    virtual void fetchDeployments(QObject* context, Done<std::vector<DeploymentInfo>> done) {
        unavailable<std::vector<DeploymentInfo>>(context, std::move(done));
    }
    virtual void fetchWorkPools(QObject* context, Done<std::vector<WorkPoolInfo>> done) {
        unavailable<std::vector<WorkPoolInfo>>(context, std::move(done));
    }
    /// The workers of the pool named `pool`, the most recent heartbeat first.
    virtual void fetchWorkers(const std::string& pool, QObject* context,
                              Done<std::vector<WorkerInfo>> done) {
        (void)pool;
        unavailable<std::vector<WorkerInfo>>(context, std::move(done));
    }
    /// A SCHEDULED run of a deployment, due now, with `parameters` (a JSON object) over the
    /// deployment's own; its id is the answer's createdRunId. A refusal carries the reason.
    virtual void createDeploymentRun(const std::string& deploymentId,
                                     const nlohmann::json& parameters, QObject* context,
                                     Done<CommandResult> done) {
        (void)deploymentId;
        (void)parameters;
        QMetaObject::invokeMethod(
            context,
            [done, why = cannot(Capability::RunDeployment)] {
                done(CommandResult{false, why, std::nullopt});
            },
            Qt::QueuedConnection);
    }
    /// Pauses (or resumes) a deployment's schedules.
    virtual void setDeploymentPaused(const std::string& deploymentId, bool paused, QObject* context,
                                     Done<CommandResult> done) {
        (void)deploymentId;
        (void)paused;
        QMetaObject::invokeMethod(
            context,
            [done, why = cannot(Capability::PauseDeployment)] {
                done(CommandResult{false, why, std::nullopt});
            },
            Qt::QueuedConnection);
    }

Q_SIGNALS:
    /// Change-feed events, in order, in batches (never one signal per event). GUI thread.
    void eventsArrived(const weft::studio::EventBatch& batch);
    /// Events per second over the last second, for the status bar.
    void eventRateChanged(double perSecond);
    void opened();
    void failed(const QString& message);
    /// A query failed after successes (healthy false, the error), or one succeeded after
    /// failures (healthy true). GUI thread.
    void healthChanged(bool healthy, const QString& error);

protected:
    /// Every answer passes here on the GUI thread (an empty error: a success).
    void noteAnswer(const QString& error) {
        if (error == m_healthError) return;
        if (!error.isEmpty() && !m_healthError.isEmpty()) { // still unhealthy: newest reason
            m_healthError = error;
            return;
        }
        m_healthError = error;
        Q_EMIT healthChanged(error.isEmpty(), error);
    }
    /// Wraps `done` so its answer is noted first (the wrapper outlives no one: it holds a guard).
    template<class T> Done<T> noting(Done<T> done) {
        return [self = QPointer<Backend>(this), done = std::move(done)](Result<T> r) {
            if (self) self->noteAnswer(r.error());
            done(std::move(r));
        };
    }

    /// Answers cannot(Capability::Deployments) as `done`'s error, later on the GUI thread.
    template<class T> void unavailable(QObject* context, Done<T> done) {
        QMetaObject::invokeMethod(
            context,
            [done = std::move(done), why = cannot(Capability::Deployments)] {
                done(QueryError{why});
            },
            Qt::QueuedConnection);
    }

private:
    QString m_healthError;
};

/// Background: the query pool, whose threads run below the GUI thread. Normal: a thread at normal
/// priority, for work that starts programs (they inherit the starting thread's nice value).
enum class WorkPriority { Background, Normal };

/// Runs `work` on the query pool (or, Normal, the launch pool) and hands its value, or the
/// exception it threw as an error, to `done` on the GUI thread, unless `context` died meanwhile.
template<class T>
void runAsync(QObject* context, std::function<T()> work, std::function<void(Result<T>)> done,
              WorkPriority priority = WorkPriority::Background);

} // namespace weft::studio

Q_DECLARE_METATYPE(weft::studio::EventBatch)

#include "backend/backend_impl.h"

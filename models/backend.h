#pragma once
// What Studio's models know of an engine: asynchronous queries and commands, and batches of
// change-feed events. EmbeddedBackend serves them from a local database; a remote backend serves
// them over REST and a WebSocket event stream. Models and widgets see only this interface.
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
        int failed = 0;
        double meanDurationS = 0;
        double maxDurationS = 0;
    };
    std::vector<FlowStats> flows;
    std::vector<weft::FlowRunRecord> recentFailures; // newest first
    std::int64_t totalRuns = 0;
};

/// A command's answer: the rules' outcome for state changes, or an error.
struct CommandResult {
    bool ok = false;
    QString message; // the rule's reason, or the error
    std::optional<weft::Outcome> outcome;
};

/// Every query runs away from the GUI thread; `done` runs on the GUI thread, and not at all if
/// `context` was destroyed meanwhile. Callers drop stale answers with their own generation
/// counters.
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

    template<class T> using Done = std::function<void(T)>;

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
    virtual void
    fetchLogIds(const weft::LogQuery& query, QObject* context,
                std::function<void(std::vector<std::int64_t> ids, bool last)> chunk) = 0;
    /// The distinct logger names of a flow run's lines (every run's when empty), sorted. Not
    /// pure, so backends without it answer an empty list.
    virtual void fetchLogNames(const std::string& flowRunId, QObject* context,
                               Done<std::vector<std::string>> done) {
        (void)flowRunId;
        QMetaObject::invokeMethod(
            context, [done] { done({}); }, Qt::QueuedConnection);
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
    /// The input fields (a JSON schema) the PAUSED run's pause waits for; null when none. Backends
    /// without pauses answer null.
    virtual void fetchPauseInput(const std::string& id, QObject* context,
                                 Done<nlohmann::json> done) {
        (void)id;
        QMetaObject::invokeMethod(
            context, [done] { done(nullptr); }, Qt::QueuedConnection);
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

Q_SIGNALS:
    /// Change-feed events, in order, in batches (never one signal per event). GUI thread.
    void eventsArrived(const weft::studio::EventBatch& batch);
    /// Events per second over the last second, for the status bar.
    void eventRateChanged(double perSecond);
    void opened();
    void failed(const QString& message);
};

/// Runs `work` on Qt's global thread pool and hands its result to `done` on `context`'s thread.
template<class T>
void runAsync(QObject* context, std::function<T()> work, std::function<void(T)> done);

} // namespace weft::studio

Q_DECLARE_METATYPE(weft::studio::EventBatch)

#include "models/backend_impl.h"

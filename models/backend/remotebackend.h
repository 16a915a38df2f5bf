#pragma once
// The backend on a Weft or Prefect server: REST for queries and commands (RestClient), the
// /api/events/out WebSocket for live updates (RemoteEvents, polling when there is none), log
// lines numbered on this side (RemoteLogs). Nothing blocks the GUI thread.
#include "backend/backend.h"
#include "backend/restclient.h"

#include <QTimer>
#include <unordered_map>
#include <unordered_set>

namespace weft::studio {

class RemoteEvents;
class RemoteLogs;

class RemoteBackend : public Backend {
    Q_OBJECT
public:
    explicit RemoteBackend(RemoteSettings settings, QObject* parent = nullptr);
    ~RemoteBackend() override;

    /// Checks that the server answers (GET /health, then an authenticated read) and starts the
    /// live updates; emits opened(), or failed() with the reason.
    void open();

    QString description() const override;
    bool isOpen() const override { return m_open; }
    QString cannot(Capability c) const override;
    bool sortsFlowRuns(weft::FlowRunSort sort) const override;
    /// True once open() found Weft's server (not Prefect's): its extensions can be used.
    bool isWeftServer() const { return m_weftServer; }
    const RemoteSettings& settings() const { return m_rest->settings(); }
    /// True while the WebSocket streams events; false while polling (or disconnected).
    bool isLive() const;
    /// "connected" while the stream is live, else "reconnecting (why)" / "connecting", for
    /// the status bar.
    QString linkStatus() const;
    /// How often the fallback polls, the reconnect backoff (first, longest) and the stream's
    /// heartbeat, in ms; tests shorten them.
    void setPollInterval(int ms);
    void setBackoff(int firstMs, int maxMs);
    void setHeartbeat(int ms);

Q_SIGNALS:
    /// The event stream opened or went down; `status` is linkStatus().
    void linkChanged(bool live, const QString& status);

public:
    void fetchFlows(QObject* context, Done<std::vector<weft::FlowRecord>> done) override;
    void fetchFlowRuns(const weft::FlowRunQuery& query, QObject* context,
                       Done<std::vector<weft::FlowRunRecord>> done) override;
    void countFlowRuns(const weft::FlowRunQuery& query, QObject* context,
                       Done<std::int64_t> done) override;
    void fetchFlowRun(const std::string& id, QObject* context,
                      Done<std::optional<weft::FlowRunRecord>> done) override;
    void fetchFlowRunIdsWithPrefix(const std::string& prefix, QObject* context,
                                   Done<std::vector<std::string>> done) override;
    void fetchTaskRuns(const std::string& flowRunId, QObject* context,
                       Done<std::vector<weft::TaskRunRecord>> done) override;
    void fetchStateHistory(const std::string& runId, QObject* context,
                           Done<std::vector<weft::State>> done) override;
    void fetchLogs(const weft::LogQuery& query, QObject* context,
                   Done<std::vector<weft::LogRecord>> done) override;
    void fetchLogIds(const weft::LogQuery& query, QObject* context, IdChunk chunk) override;
    void fetchLogNames(const std::string& flowRunId, QObject* context,
                       Done<std::vector<std::string>> done) override;
    void fetchDashboard(weft::Micros from, weft::Micros to, int buckets, QObject* context,
                        Done<DashboardData> done) override;

    void setFlowRunState(const std::string& id, const weft::State& state, bool force,
                         QObject* context, Done<CommandResult> done) override;
    void setTaskRunState(const std::string& id, const weft::State& state, bool force,
                         QObject* context, Done<CommandResult> done) override;
    void cancelFlowRun(const std::string& id, QObject* context, Done<CommandResult> done) override;
    void deleteFlowRun(const std::string& id, QObject* context, Done<CommandResult> done) override;
    // remoteretry.cpp
    /// Prefect's retry: the run goes to Scheduled ("AwaitingRetry") and a worker picks it up.
    /// From a task run on Weft's server, the state names the task run (a Prefect server
    /// refuses: it has no "from here").
    void retryFlowRun(const std::string& id, const std::string& fromTaskRunId, QObject* context,
                      Done<CommandResult> done) override;
    void runFlowAgain(const std::string& flowRunId, const nlohmann::json& parameters,
                      QObject* context, Done<CommandResult> done) override;

    // remotepause.cpp
    /// The form of the PAUSED run's pause: the flow run input its run_input_keyset names.
    void fetchPauseInput(const std::string& id, QObject* context,
                         Done<nlohmann::json> done) override;
    /// POST /flow_runs/{id}/resume: the server checks the input against the form.
    void resumeFlowRun(const std::string& id, const nlohmann::json& input, QObject* context,
                       Done<CommandResult> done) override;

    // remotedeployments.cpp
    void fetchDeployments(QObject* context, Done<std::vector<DeploymentInfo>> done) override;
    void fetchWorkPools(QObject* context, Done<std::vector<WorkPoolInfo>> done) override;
    void fetchWorkers(const std::string& pool, QObject* context,
                      Done<std::vector<WorkerInfo>> done) override;
    void createDeploymentRun(const std::string& deploymentId, const nlohmann::json& parameters,
                             QObject* context, Done<CommandResult> done) override;
    void setDeploymentPaused(const std::string& deploymentId, bool paused, QObject* context,
                             Done<CommandResult> done) override;

private:
    void addDeploymentDetails(std::vector<DeploymentInfo> deployments, QObject* context,
                              Done<std::vector<DeploymentInfo>> done);
    void fillFlowNames(std::vector<weft::FlowRunRecord> runs, QObject* context,
                       Done<std::vector<weft::FlowRunRecord>> done);
    // remoteretry.cpp
    void retryFromTaskRun(const std::string& id, const std::string& taskRunId, QObject* context,
                          Done<CommandResult> done);
    void proposeState(const char* runs, const std::string& id, const weft::State& state, bool force,
                      QObject* context, Done<CommandResult> done);
    void sawRuns(const std::vector<weft::FlowRunRecord>& runs);
    void sawFlowRun(const std::string& id);
    void checkRunsStillExist();
    void onEvents(std::vector<weft::Event> events);
    void deliver();
    void refreshLogs();
    /// Hands `value` to `done` later, on the GUI thread (unless `context` died), as an answer.
    template<class T> void answerLater(QObject* context, Done<T> done, Result<T> value) {
        auto shared = std::make_shared<Result<T>>(std::move(value));
        QMetaObject::invokeMethod(
            context, [done, shared] { done(std::move(*shared)); }, Qt::QueuedConnection);
    }

    RestClient* m_rest;
    RemoteEvents* m_events;
    RemoteLogs* m_logs;
    bool m_open = false;
    bool m_weftServer = false; // GET /admin/version said so (isWeftServerVersion)
    std::unordered_map<std::string, std::string> m_flowNames; // flow id → name
    std::unordered_set<std::string> m_knownRuns;              // flow and task runs seen
    std::unordered_set<std::string> m_taskRuns;               // the task runs among them
    // The flow runs seen most lately (oldest first, bounded): after a gap in the stream they
    // are checked, so runs deleted meanwhile leave the views.
    std::vector<std::string> m_recentFlowRuns;
    std::unordered_set<std::string> m_recentFlowRunSet;
    std::vector<weft::Event> m_pending;        // the next batch
    QTimer m_batchTimer;                       // one batch per ~100 ms
    std::unordered_set<std::string> m_logRuns; // runs whose lines may have grown
    QTimer m_logTimer;
    std::int64_t m_seq = 0;
    qint64 m_rateWindowStart = 0;
    int m_rateCount = 0;
};

/// A server's OrchestrationResult as a command's answer: a refusal's reason is its message.
CommandResult commandResult(const nlohmann::json& result);

} // namespace weft::studio

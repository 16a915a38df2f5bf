#pragma once
// The backend on a local database: the engine in-process, queries on Qt's thread pool, and a
// follower thread that reads the change feed and delivers it in batches.
#include "backend/backend.h"

#include <QThread>
#include <atomic>

namespace weft::studio {

class FeedFollower;

class EmbeddedBackend : public Backend {
    Q_OBJECT
public:
    /// Whether opening may create a missing database file: only a new database or the demo may;
    /// a path the user typed must exist.
    enum class Create { IfMissing, Never };

    explicit EmbeddedBackend(QString databasePath, QObject* parent = nullptr);
    EmbeddedBackend(QString databasePath, Create create, QObject* parent = nullptr);
    ~EmbeddedBackend() override;

    /// Opens the database away from the GUI thread (read-only when this user may not write it);
    /// emits opened() or failed() with a message that names the file and what to do.
    void open();
    /// Blocking variant for tests and command-line checks; returns an empty string on success.
    QString openNow();

    QString databasePath() const { return m_path; }
    QString description() const override;
    bool isOpen() const override { return m_engine != nullptr; }
    bool isReadOnly() const override;
    /// The engine, once open (shared with the follower and workers). Thread-safe to use.
    std::shared_ptr<weft::Engine> engine() const { return m_engine; }
    /// Sequence number of the last event delivered.
    std::int64_t lastSeq() const { return m_lastSeq; }
    /// How often the follower polls the feed (ms); tests shorten it.
    void setPollInterval(int ms);

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
    void retryFlowRun(const std::string& id, const std::string& fromTaskRunId, QObject* context,
                      Done<CommandResult> done) override;
    void runFlowAgain(const std::string& flowRunId, const nlohmann::json& parameters,
                      QObject* context, Done<CommandResult> done) override;
    // embeddedbackend_pause.cpp
    void fetchPauseInput(const std::string& id, QObject* context,
                         Done<nlohmann::json> done) override;
    void resumeFlowRun(const std::string& id, const nlohmann::json& input, QObject* context,
                       Done<CommandResult> done) override;

    // embeddedbackend_deployments.cpp: what `weft deploy` wrote to this database, read only.
    QString cannot(Capability c) const override;
    void fetchDeployments(QObject* context, Done<std::vector<DeploymentInfo>> done) override;
    void fetchWorkPools(QObject* context, Done<std::vector<WorkPoolInfo>> done) override;
    void fetchWorkers(const std::string& pool, QObject* context,
                      Done<std::vector<WorkerInfo>> done) override;

private:
    void started(std::shared_ptr<weft::Engine> engine, std::int64_t seq);
    void deliver(EventBatch batch);
    template<class T>
    void query(QObject* context, std::function<T(weft::Reader&)> work, Done<T> done);

    QString m_path;
    Create m_create = Create::IfMissing;
    std::shared_ptr<weft::Engine> m_engine;
    QThread m_feedThread;
    FeedFollower* m_follower = nullptr;
    std::int64_t m_lastSeq = 0;
    int m_pollMs = 50;
    // Event rate, measured on the GUI thread over one-second windows.
    qint64 m_rateWindowStart = 0;
    int m_rateCount = 0;
};

} // namespace weft::studio

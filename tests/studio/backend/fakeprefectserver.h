#pragma once
// A Prefect-3-shaped server for tests, on 127.0.0.1: it answers the routes Studio reads with the
// recorded answers in tests/data/prefect-responses/ (schema-valid, with every field Prefect sends),
// filtered and paged the way Prefect does for the filters Studio sends. What Prefect lacks or
// refuses is refused the same way: no /api/events/out (Studio falls back to polling), 422 for a
// sort outside FlowRunSort, 404 for unknown runs. Tests may change a run's state or delete it.
#include <nlohmann/json.hpp>

#include <QByteArray>
#include <QList>
#include <QTcpServer>
#include <QUrl>

class FakePrefectServer : public QTcpServer {
public:
    /// Loads the recorded answers from `folder` and listens on a free port of 127.0.0.1.
    explicit FakePrefectServer(const QString& folder);

    QUrl api() const;
    /// A recorded file as loaded (e.g. "flow_runs_filter.json").
    const nlohmann::json& recorded(const QString& file) const;

    /// The flow runs served now (starts as flow_runs_filter.json).
    nlohmann::json& runs() { return m_runs; }
    /// Gives the run a new state (a new state id, as Prefect's orchestration does).
    void setRunState(const std::string& runId, const std::string& type, const std::string& name);
    void deleteRun(const std::string& runId);

    struct Request {
        QByteArray method;
        QString path; // without /api and the query
        QString query;
        nlohmann::json body;
    };
    QList<Request> requests;
    int count(const QByteArray& method, const QString& path) const;

private:
    void onReadyRead(class QTcpSocket* socket);
    /// The status and body for one request.
    std::pair<int, nlohmann::json> answer(const Request& r) const;
    nlohmann::json flowRuns(const nlohmann::json& body, bool* badSort) const;

    std::map<QString, nlohmann::json> m_recorded;
    nlohmann::json m_runs;
};

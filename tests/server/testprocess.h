#pragma once
// What the tests that run real processes share: a weft-server child on a free port of 127.0.0.1,
// `weft` and flow programs run to their end with the environment that points them at it, and the
// REST reads those tests wait on (each bounded: a request waits at most 10 s, a process 30 s).
#include "serverprocess.h"

#include <QCoreApplication>
#include <QProcessEnvironment>
#include <QStringList>

/// A process run to its end: its exit code (-1 when it did not end in time or crashed) and what
/// it wrote.
struct ProcessRun {
    int code = -1;
    QString out, err;
};

inline const QRegularExpression
    kUuid(QStringLiteral("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));

inline QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

/// build/bin/NAME: `weft`, `weft-server`, the examples (WEFT_BIN_DIR).
inline QString binPath(const QString& name) {
    return qEnvironmentVariable("WEFT_BIN_DIR") + QLatin1Char('/') + name;
}
/// A program built beside the test (build/tests/bin/NAME).
inline QString testBinPath(const QString& name) {
    return QCoreApplication::applicationDirPath() + QLatin1Char('/') + name;
}

/// Runs `program` with `env` (in `workingDir` when given) until it ends, at most `timeoutMs`;
/// one that does not end by then is killed and reported with code -1.
inline ProcessRun runProcess(const QString& program, const QStringList& args,
                             const QProcessEnvironment& env, const QString& workingDir = {},
                             int timeoutMs = 30000) {
    QProcess p;
    p.setProcessEnvironment(env);
    if (!workingDir.isEmpty()) p.setWorkingDirectory(workingDir);
    p.start(program, args);
    ProcessRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    if (p.exitStatus() == QProcess::NormalExit) r.code = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

/// build/bin/weft-server as a child process, stopped (SIGTERM, then SIGKILL) when destroyed.
class ServerProcess {
public:
    ServerProcess() = default;
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;
    ~ServerProcess() { stop(); }

    /// Starts it on `db` at `port` (0: any free one) with `more` arguments (e.g. --api-key K) and
    /// waits for it to listen; false when it did not (what it said is in error()).
    bool start(const QString& db, quint16 port = 0, const QStringList& more = {}) {
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start(
            binPath(QStringLiteral("weft-server")),
            QStringList{QStringLiteral("--port"), QString::number(port), QStringLiteral("--db"), db}
                + more);
        if (!m_process.waitForStarted()) return false;
        m_port = waitForPort(m_process, m_error);
        return m_port != 0;
    }
    void stop() {
        if (m_process.state() == QProcess::NotRunning) return;
        m_process.terminate();
        if (!m_process.waitForFinished(20000)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    /// Kills it (SIGKILL) and waits for it to be gone: a server that crashed.
    void kill() {
        if (m_process.state() == QProcess::NotRunning) return;
        m_process.kill();
        m_process.waitForFinished(10000);
    }

    QProcess& process() { return m_process; }
    quint16 port() const { return m_port; }
    QByteArray error() const { return m_error; }
    /// http://127.0.0.1:PORT/api
    QString base() const { return QStringLiteral("http://127.0.0.1:%1/api").arg(m_port); }
    /// base() followed by `path` ("/flows/filter"), as a URL.
    QUrl url(const QString& path = {}) const { return QUrl(base() + path); }

    /// The environment of `weft` or a flow program working against this server: WEFT_API_URL
    /// set, no WEFT_DB, WEFT_HOME `home` (so nothing of the user's is touched).
    QProcessEnvironment environment(const QString& home) const {
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("WEFT_DB"));
        env.insert(QStringLiteral("WEFT_HOME"), home);
        env.insert(QStringLiteral("WEFT_API_URL"), base());
        return env;
    }

    /// environment() for a `weft worker` that polls every 0.2 s, beats every second and gives a
    /// cancelled run's program 3 s: quick enough for tests.
    QProcessEnvironment workerEnvironment(const QString& home) const {
        auto env = environment(home);
        env.insert(QStringLiteral("WEFT_WORKER_POLL_SECONDS"), QStringLiteral("0.2"));
        env.insert(QStringLiteral("WEFT_WORKER_HEARTBEAT_SECONDS"), QStringLiteral("1"));
        env.insert(QStringLiteral("WEFT_WORKER_CANCEL_GRACE_SECONDS"), QStringLiteral("3"));
        return env;
    }

    /// One request to PATH under /api (a JSON body unless null).
    HttpAnswer api(const QByteArray& method, const QString& path,
                   const nlohmann::json& body = nullptr) const {
        return request(method, QUrl(base() + path),
                       body.is_null() ? QByteArray() : QByteArray::fromStdString(body.dump()));
    }

    nlohmann::json flowRun(const std::string& id) const {
        return api("GET", QStringLiteral("/flow_runs/") + qs(id)).body;
    }
    /// The flow run's state type ("" when it cannot be read).
    std::string stateOf(const std::string& id) const { return flowRun(id).value("state_type", ""); }
    nlohmann::json taskRuns(const std::string& flowRunId) const {
        return api("POST", QStringLiteral("/task_runs/filter"),
                   {{"flow_runs", {{"id", {{"any_", {flowRunId}}}}}},
                    {"sort", "EXPECTED_START_TIME_ASC"}})
            .body;
    }
    /// The flow run's task run of `taskKey` (an empty object when it has none).
    nlohmann::json taskRun(const std::string& flowRunId, const std::string& taskKey) const {
        for (const auto& t : taskRuns(flowRunId))
            if (t.value("task_key", "") == taskKey) return t;
        return nlohmann::json::object();
    }

private:
    QProcess m_process;
    quint16 m_port = 0;
    QByteArray m_error;
};

#pragma once
// Running build/bin programs against a test database, and reading their --json output.
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QTest>
#include <algorithm>

struct Ran {
    int code = -1;
    QByteArray out;
    QByteArray err;
    QJsonDocument json() const { return QJsonDocument::fromJson(out); }
};

inline QString binary(const QString& name) {
    return qEnvironmentVariable("WEFT_BIN_DIR") + QLatin1Char('/') + name;
}

// Nothing from the machine's environment may redirect or reshape the programs: a server URL,
// another home, a task runner size or the examples' own switch.
inline QProcessEnvironment environmentFor(const QString& db, const QStringList& extra = {}) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("WEFT_DB"), db);
    env.insert(QStringLiteral("NO_COLOR"), QStringLiteral("1"));
    for (const char* name : {"WEFT_EXAMPLE_FIX", "WEFT_API_URL", "WEFT_HOME",
                             "WEFT_TASK_RUNNER_THREADS", "SDK_NO_CRASH"})
        env.remove(QString::fromLatin1(name));
    for (const QString& kv : extra) {
        const auto eq = kv.indexOf(QLatin1Char('='));
        env.insert(kv.left(eq), kv.mid(eq + 1));
    }
    return env;
}

/// Runs a program to completion: at most two minutes from start to end, however long starting
/// takes on a loaded machine (no separate, shorter limit for the start).
inline Ran runProgram(const QString& name, const QStringList& args, const QString& db,
                      const QStringList& env = {}) {
    QProcess p;
    p.setProcessEnvironment(environmentFor(db, env));
    const QDeadlineTimer deadline(120000);
    p.start(binary(name), args);
    Ran r;
    if (!p.waitForFinished(int(std::max<qint64>(1, deadline.remainingTime())))
        || p.exitStatus() != QProcess::NormalExit) {
        const bool running = p.state() != QProcess::NotRunning;
        if (running) {
            p.kill();
            p.waitForFinished();
        }
        r.err = (running ? "did not finish in two minutes: " : "did not run to its end: ")
                + p.errorString().toUtf8() + "\n" + p.readAllStandardError();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

inline Ran weftCli(const QStringList& args, const QString& db, const QStringList& env = {}) {
    return runProgram(QStringLiteral("weft"), args, db, env);
}

/// `weft flow-run ls --json` filtered by flow.
inline QJsonArray flowRuns(const QString& db, const QString& flow) {
    return weftCli({QStringLiteral("flow-run"), QStringLiteral("ls"), QStringLiteral("--flow"),
                    flow, QStringLiteral("--limit"), QStringLiteral("0"), QStringLiteral("--json")},
                   db)
        .json()
        .array();
}

inline QJsonArray taskRuns(const QString& db, const QString& flowRunId) {
    return weftCli({QStringLiteral("task-run"), QStringLiteral("ls"), QStringLiteral("--flow-run"),
                    flowRunId, QStringLiteral("--json")},
                   db)
        .json()
        .array();
}

inline QJsonObject taskRunNamed(const QJsonArray& runs, const QString& name) {
    for (const auto& v : runs)
        if (v.toObject().value(QStringLiteral("name")).toString() == name) return v.toObject();
    return {};
}

#pragma once
// A fixture database with known flows, runs, task runs and logs, and a way to run `weft` on it.
#include <weft/engine.hpp>

#include <QByteArray>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>
#include <string>

namespace fixture {

// Ids chosen so that prefixes are unique ("aaaa0001"), shared ("aaaa000") or unknown ("ffff").
inline const std::string kCompleted = "aaaa0001-0000-7000-8000-000000000001"; // etl, brisk-otter
inline const std::string kFailed = "aaaa0002-0000-7000-8000-000000000002";    // etl, calm-heron
inline const std::string kRunning = "bbbb0003-0000-7000-8000-000000000003";   // report, dark-lynx
inline const std::string kCrashed = "cccc0004-0000-7000-8000-000000000004";   // report, eager-mole
inline const std::string kLive = "cccc0005-0000-7000-8000-000000000005";      // etl, fuzzy-yak

// Task runs of kCompleted (extract-0, transform-0, load-0) and of kFailed (extract-0, load-0).
inline const std::string kCompletedExtract = "dddd0001-0000-7000-8000-000000000011";
inline const std::string kCompletedLoad = "dddd0003-0000-7000-8000-000000000013";
inline const std::string kFailedLoad = "eeee0002-0000-7000-8000-000000000022";
inline const std::string kLiveTask = "eeee0005-0000-7000-8000-000000000055";

} // namespace fixture

struct CliResult {
    int code = -1;
    QByteArray out;
    QByteArray err;

    QJsonDocument json() const { return QJsonDocument::fromJson(out); }
    /// One line starting "weft: " (the contract for every failure).
    bool oneLineError() const;
};

class CliFixture {
public:
    CliFixture();
    ~CliFixture();

    bool isValid() const { return m_dir.isValid(); }
    QString dir() const { return m_dir.path(); }
    QString db() const { return m_dir.filePath(QStringLiteral("weft.db")); }
    /// The fake flow program recorded as launch.program of the completed and failed runs: it
    /// writes its arguments, working directory and WEFT_DB to argv.txt beside it, prints a line
    /// and exits with status 3 (or kills itself with $FAKE_FLOW_SIGNAL when that is set).
    QString program() const { return m_dir.filePath(QStringLiteral("bin/fake-flow")); }
    QString workDir() const { return m_dir.filePath(QStringLiteral("work")); }
    QString argvFile() const { return m_dir.filePath(QStringLiteral("bin/argv.txt")); }

    /// The store the fixture was written with, kept open (tests write to it while `weft` runs).
    weft::Store& store() { return *m_store; }

    /// Runs `weft --db DB args…` and waits for it.
    CliResult run(const QStringList& args) const;
    /// Runs `weft args…` as given (no --db), with `env` and in `workingDir` when given.
    CliResult runRaw(const QStringList& args, const QProcessEnvironment& env,
                     const QString& workingDir = {}) const;
    /// The environment `weft` runs in: no WEFT_DB or WEFT_HOME from outside, NO_COLOR set.
    QProcessEnvironment environment() const;

    weft::FlowRunRecord flowRun(const std::string& id);
    /// Stores a new state for a run as its program would, bypassing the rules.
    void setFlowRunState(const std::string& id, const weft::State& state);
    void appendLog(const std::string& flowRunId, const std::string& taskRunId, int level,
                   const std::string& message);

private:
    void populate();
    void writeProgram();

    QTemporaryDir m_dir;
    std::shared_ptr<weft::Store> m_store;
};

/// Where the built `weft` is (WEFT_BIN_DIR, set by ctest).
QString weftBinary();

inline QString q(const std::string& s) {
    return QString::fromStdString(s);
}
/// Non-empty lines.
inline QStringList lines(const QByteArray& text) {
    return QString::fromUtf8(text).split(u'\n', Qt::SkipEmptyParts);
}

#include "clifixture.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <weft/ids.hpp>

using namespace Qt::StringLiterals;

namespace {

using weft::Micros;
using weft::StateType;

constexpr Micros kHour = 3600LL * 1000 * 1000;
constexpr Micros kRunTime = 2'500'000; // 2.5 s for every finished run

weft::FlowRecord makeFlow(const std::string& name, Micros created) {
    return weft::FlowRecord{weft::new_id(), name, created, {}};
}

weft::State stateAt(StateType type, Micros at, std::string message = {}) {
    weft::State s = weft::make_state(type, {}, std::move(message));
    s.timestamp = at;
    return s;
}

// A run that ran from `expected` on: finished after kRunTime unless still running.
weft::FlowRunRecord makeRun(const std::string& id, const weft::FlowRecord& flow,
                            const std::string& name, StateType type, Micros expected) {
    weft::FlowRunRecord r;
    r.id = id;
    r.flow_id = flow.id;
    r.flow_name = flow.name;
    r.name = name;
    r.created = r.updated = r.expected_start_time = expected;
    r.start_time = expected;
    r.run_count = 1;
    if (type == StateType::Running) {
        r.state = stateAt(type, weft::now_us() - 10'000'000);
    } else {
        r.end_time = expected + kRunTime;
        r.total_run_time = kRunTime;
        r.state = stateAt(type, *r.end_time, type == StateType::Completed ? "" : "it went wrong");
    }
    return r;
}

weft::TaskRunRecord makeTask(const std::string& id, const weft::FlowRunRecord& run,
                             const std::string& key, StateType type) {
    weft::TaskRunRecord t;
    t.id = id;
    t.flow_run_id = run.id;
    t.task_key = key;
    t.dynamic_key = "0";
    t.name = key + "-0";
    t.created = t.updated = t.expected_start_time = run.expected_start_time;
    t.start_time = run.expected_start_time;
    t.run_count = 1;
    t.state =
        stateAt(type, run.expected_start_time + 1000, type == StateType::Failed ? "disk full" : "");
    if (weft::is_terminal(type)) t.end_time = t.state.timestamp;
    return t;
}

} // namespace

bool CliResult::oneLineError() const {
    const QByteArray e = err.trimmed();
    return e.startsWith("weft: ") && !e.contains('\n');
}

QString weftBinary() {
    // Run by hand, the test finds the build's bin/ from its own tests/bin/.
    const QString dir = qEnvironmentVariableIsSet("WEFT_BIN_DIR")
                            ? qEnvironmentVariable("WEFT_BIN_DIR")
                            : QCoreApplication::applicationDirPath() + u"/../../bin"_s;
    return QDir::cleanPath(dir + u"/weft"_s);
}

CliFixture::CliFixture() {
    if (!m_dir.isValid()) return;
    QDir(m_dir.path()).mkpath(u"work"_s);
    QDir(m_dir.path()).mkpath(u"bin"_s);
    writeProgram();
    m_store = weft::Store::open(db().toStdString());
    populate();
}

CliFixture::~CliFixture() = default;

void CliFixture::writeProgram() {
    QFile f(program());
    f.open(QIODevice::WriteOnly);
    f.write("#!/bin/sh\n"
            "out=\"$(dirname \"$0\")/argv.txt\"\n"
            "{ printf '%s\\n' \"$@\"; pwd -P; printf '%s\\n' \"$WEFT_DB\"; } > \"$out.tmp\"\n"
            "mv \"$out.tmp\" \"$out\"\n" // complete or absent: readers never see half a file
            "echo \"fake flow says hello\"\n"
            "[ -n \"$FAKE_FLOW_SIGNAL\" ] && kill -\"$FAKE_FLOW_SIGNAL\" $$\n"
            "exit 3\n");
    f.close();
    f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
}

void CliFixture::populate() {
    using namespace fixture;
    const Micros t0 = weft::now_us() - 24 * kHour;
    const auto etl = makeFlow("etl", t0);
    const auto report = makeFlow("report", t0);

    auto completed = makeRun(kCompleted, etl, "brisk-otter", StateType::Completed, t0 + kHour);
    completed.parameters = {{"n", 3}};
    completed.tags = {"nightly"};
    completed.result = {{"rows", 3}};
    completed.launch = {program().toStdString(), workDir().toStdString()};
    auto failed = makeRun(kFailed, etl, "calm-heron", StateType::Failed, t0 + 2 * kHour);
    failed.launch = completed.launch;
    failed.max_retries = 2;
    auto running = makeRun(kRunning, report, "dark-lynx", StateType::Running, t0 + 3 * kHour);
    auto crashed = makeRun(kCrashed, report, "eager-mole", StateType::Crashed, t0 + 4 * kHour);
    crashed.launch = {m_dir.filePath(u"bin/gone"_s).toStdString(), workDir().toStdString()};
    // As the engine's crash detection writes it: the times in the details, not in the text.
    crashed.state.message = "The process that ran this flow run (pid 4242 on box) is gone.";
    crashed.state.details = {{"last_seen_time", weft::to_iso(t0 + 4 * kHour)},
                             {"detected_time", weft::to_iso(t0 + 5 * kHour)}};
    auto live = makeRun(kLive, etl, "fuzzy-yak", StateType::Running, t0 + 5 * kHour);
    live.process = weft::this_process(); // "still running": this test process is alive

    std::vector<weft::TaskRunRecord> tasks = {
        makeTask(kCompletedExtract, completed, "extract", StateType::Completed),
        makeTask("dddd0002-0000-7000-8000-000000000012", completed, "transform",
                 StateType::Completed),
        makeTask(kCompletedLoad, completed, "load", StateType::Completed),
        makeTask("eeee0001-0000-7000-8000-000000000021", failed, "extract", StateType::Completed),
        makeTask(kFailedLoad, failed, "load", StateType::Failed),
        makeTask(kLiveTask, live, "extract", StateType::Running),
    };

    m_store
        ->transact<void>([&](weft::Txn& txn) {
            txn.put_flow(etl);
            txn.put_flow(report);
            for (const auto* run : {&completed, &failed, &running, &crashed, &live})
                txn.put_flow_run(*run, weft::EventKind::FlowRunCreated);
            for (const auto& t : tasks)
                txn.put_task_run(t, weft::EventKind::TaskRunCreated);
        })
        .get();

    appendLog(kCompleted, {}, weft::Info, "Starting brisk-otter");
    appendLog(kCompleted, kCompletedExtract, weft::Debug, "read 3 rows");
    appendLog(kCompleted, "dddd0002-0000-7000-8000-000000000012", weft::Warning, "slow input");
    appendLog(kCompleted, kCompletedLoad, weft::Error, "disk almost full");
    appendLog(kCompleted, {}, weft::Info, "Finished");
    appendLog(kFailed, kFailedLoad, weft::Error, "disk full");
    m_store->flush();
}

void CliFixture::appendLog(const std::string& flowRunId, const std::string& taskRunId, int level,
                           const std::string& message) {
    weft::LogRecord line;
    line.flow_run_id = flowRunId;
    line.task_run_id = taskRunId;
    line.name = taskRunId.empty() ? "weft.flow_runs" : "weft.task_runs";
    line.level = level;
    line.timestamp = weft::now_us();
    line.message = message;
    m_store->append_log(std::move(line));
}

weft::FlowRunRecord CliFixture::flowRun(const std::string& id) {
    auto run = m_store->read([&](weft::Reader& r) { return r.flow_run(id); });
    return run.value_or(weft::FlowRunRecord{});
}

void CliFixture::setFlowRunState(const std::string& id, const weft::State& state) {
    m_store
        ->transact<void>([&](weft::Txn& txn) {
            auto run = txn.read().flow_run(id);
            if (!run) return;
            weft::enter_state(*run, state);
            txn.put_flow_run(*run, weft::EventKind::FlowRunState);
        })
        .get();
}

QProcessEnvironment CliFixture::environment() const {
    auto env = QProcessEnvironment::systemEnvironment();
    env.remove(u"WEFT_DB"_s);
    env.remove(u"WEFT_HOME"_s);
    env.remove(u"WEFT_API_URL"_s);
    env.insert(u"HOME"_s, m_dir.path()); // nothing falls back to the user's own database
    env.insert(u"NO_COLOR"_s, u"1"_s);
    return env;
}

CliResult CliFixture::run(const QStringList& args) const {
    return runRaw(QStringList{u"--db"_s, db()} + args, environment());
}

CliResult CliFixture::runRaw(const QStringList& args, const QProcessEnvironment& env,
                             const QString& workingDir) const {
    QProcess p;
    p.setProcessEnvironment(env);
    if (!workingDir.isEmpty()) p.setWorkingDirectory(workingDir);
    p.start(weftBinary(), args);
    CliResult r;
    if (!p.waitForStarted(10000) || !p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        r.err = "weft did not finish: " + p.errorString().toUtf8();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

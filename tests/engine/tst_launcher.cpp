// The launcher: every reason a flow run may not be rerun, the requests it builds, starting a
// program attached (its exit code or signal reported) and detached (own session, no terminal),
// what a run records of its launch, and the schema step that added those columns.
#include "enginetest.hpp"
#include "weft/engine.hpp"
#include "weft/launcher.hpp"
#include "weft/store.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <csignal>
#include <unistd.h>

// The first schema step as Weft 1 shipped it (append-only: it never changes), to write a
// database the way the previous Weft did.
namespace weft::schema {
const std::vector<const char*>& migrations();
}

using namespace weft;
using namespace enginetest;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(weft::RerunRefusal)

namespace {

// Records its arguments, folder, a few variables, its stdin and its session leader to
// record.txt beside it (whole or not at all), says hello, then exits with $PROBE_EXIT or kills
// itself with $PROBE_SIGNAL.
const char* const kProbe =
    "#!/bin/sh\n"
    "out=\"$(dirname \"$0\")/record.txt\"\n"
    "{ printf 'arg=%s\\n' \"$@\"; printf 'cwd=%s\\n' \"$(pwd -P)\";\n"
    "  printf 'WEFT_DB=%s\\nWEFT_MODE=%s\\nPWD=%s\\n' \"$WEFT_DB\" \"$WEFT_MODE\" \"$PWD\";\n"
    "  printf 'stdin=%s\\n' \"$(readlink /proc/$$/fd/0)\";\n"
    "  printf 'session=%s\\n' \"$(cut -d' ' -f6 /proc/$$/stat)\"; printf 'pid=%s\\n' $$;\n"
    "  printf 'group=%s\\n' \"$(cut -d' ' -f5 /proc/$$/stat)\";\n"
    "} > \"$out.tmp\"\n"
    "mv \"$out.tmp\" \"$out\"\n"
    "echo probe says hello\n"
    "[ -n \"$PROBE_SIGNAL\" ] && kill -\"$PROBE_SIGNAL\" $$\n"
    "exit \"${PROBE_EXIT:-0}\"\n";

bool sqlExec(const std::string& path, const std::string& statements) {
    sqlite3* db = nullptr;
    bool ok = sqlite3_open(path.c_str(), &db) == SQLITE_OK
              && sqlite3_exec(db, statements.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

} // namespace

class TestLauncher : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void refusals_data();
    void refusals();
    void allowed_data();
    void allowed();
    void rerunRequest();
    void newRunRequestKeepsTypes();
    void attachedReportsExitCode();
    void attachedReportsSignal();
    void detachedRunsInItsOwnSession();
    void supervisedRunsInItsOwnGroup();
    void spawnFailureIsAValue();
    void launchIsRecordedWithoutSecrets();
    void launchColumnsRoundTrip();
    void schemaOneDatabaseMigrates();

private:
    std::string path(const QString& name) const { return m_dir.filePath(name).toStdString(); }
    QString probe() const { return m_dir.filePath(QStringLiteral("bin/probe")); }
    QString recordFile() const { return m_dir.filePath(QStringLiteral("bin/record.txt")); }
    QStringList record() const {
        QFile f(recordFile());
        if (!f.open(QIODevice::ReadOnly)) return {};
        return QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
    }
    FlowRunRecord runWith(StateType type, const std::string& name) const {
        FlowRunRecord r = make_flow_run("flow-id", name, make_state(type));
        r.flow_name = "etl";
        r.launch.program = probe().toStdString();
        r.launch.working_dir = m_dir.filePath(QStringLiteral("work")).toStdString();
        return r;
    }
    std::string put(FlowRunRecord r) {
        m_store->put_flow_run(r, EventKind::FlowRunCreated);
        return r.id;
    }

    QTemporaryDir m_dir;
    std::shared_ptr<Store> m_store;
    // Flow runs and task runs of the fixture, by role.
    std::map<QString, std::string> m_ids;
};

void TestLauncher::initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("bin")));
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("work")));
    QFile f(probe());
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(kProbe);
    f.close();
    QVERIFY(f.setPermissions(f.permissions() | QFileDevice::ExeOwner));
    QFile plain(m_dir.filePath(QStringLiteral("bin/not-executable")));
    QVERIFY(plain.open(QIODevice::WriteOnly));
    plain.write("#!/bin/sh\n");
    plain.close();
    QVERIFY(plain.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));

    m_store = Store::open(path(QStringLiteral("weft.db")));
    m_ids[u"failed"_s] = put(runWith(StateType::Failed, "calm-heron"));
    m_ids[u"crashed"_s] = put(runWith(StateType::Crashed, "eager-mole"));
    m_ids[u"cancelled"_s] = put(runWith(StateType::Cancelled, "quiet-owl"));
    auto completed = runWith(StateType::Completed, "brisk-otter");
    m_ids[u"completed"_s] = put(completed);
    auto running = runWith(StateType::Running, "dark-lynx"); // its process is gone
    m_ids[u"running"_s] = put(running);
    auto live = runWith(StateType::Running, "fuzzy-yak");
    live.process = this_process(); // this test process is alive
    m_ids[u"live"_s] = put(live);
    auto claimed = runWith(StateType::Pending, "keen-salmon"); // taken over for a rerun
    claimed.process = this_process();
    m_ids[u"claimed"_s] = put(claimed);
    auto noProgram = runWith(StateType::Failed, "no-program");
    noProgram.launch = {};
    m_ids[u"noProgram"_s] = put(noProgram);
    auto gone = runWith(StateType::Failed, "gone");
    gone.launch.program = path(QStringLiteral("bin/gone"));
    m_ids[u"programGone"_s] = put(gone);
    auto notExec = runWith(StateType::Failed, "not-exec");
    notExec.launch.program = path(QStringLiteral("bin/not-executable"));
    m_ids[u"notExecutable"_s] = put(notExec);
    auto folderGone = runWith(StateType::Failed, "folder-gone");
    folderGone.launch.working_dir = path(QStringLiteral("no-such-folder"));
    m_ids[u"folderGone"_s] = put(folderGone);

    auto task = make_task_run(completed.id, "load", 0, states::completed());
    m_ids[u"completedTask"_s] = task.id;
    m_store->put_task_run(task, EventKind::TaskRunCreated);
    auto other = make_task_run(m_ids[u"failed"_s], "load", 0, states::failed("boom"));
    m_ids[u"failedTask"_s] = other.id;
    m_store->put_task_run(other, EventKind::TaskRunCreated);
    m_store->flush();
}

void TestLauncher::init() {
    QFile::remove(recordFile());
}

void TestLauncher::refusals_data() {
    QTest::addColumn<QString>("run");
    QTest::addColumn<QString>("task");
    QTest::addColumn<RerunRefusal>("refusal");
    QTest::addColumn<QString>("says");
    using R = RerunRefusal;
    QTest::addRow("unknown run") << u"0000"_s << QString() << R::UnknownRun
                                 << u"no flow run with id 0000"_s;
    QTest::addRow("unknown task run")
        << u"failed"_s << u"9999"_s << R::UnknownTaskRun << u"no task run with id 9999"_s;
    QTest::addRow("task run of another run")
        << u"completed"_s << u"failedTask"_s << R::TaskRunOfAnotherRun
        << u"belongs to another flow run"_s;
    QTest::addRow("still running")
        << u"live"_s << QString() << R::StillRunning << u"still has it"_s;
    QTest::addRow("claimed by a rerun")
        << u"claimed"_s << QString() << R::StillRunning << u"is PENDING and process"_s;
    QTest::addRow("completed without a task run")
        << u"completed"_s << QString() << R::CompletedNeedsFromTask
        << u"or a COMPLETED one from one of its task runs"_s;
    QTest::addRow("running, its process gone")
        << u"running"_s << QString() << R::NotFinished
        << u"is RUNNING; only a FAILED, CRASHED or CANCELLED run"_s;
    QTest::addRow("no program") << u"noProgram"_s << QString() << R::NoProgram
                                << u"does not record the program"_s;
    QTest::addRow("program gone") << u"programGone"_s << QString() << R::ProgramMissing
                                  << u"bin/gone, no longer exists"_s;
    QTest::addRow("not executable")
        << u"notExecutable"_s << QString() << R::ProgramNotExecutable << u"is not executable"_s;
    QTest::addRow("folder gone") << u"folderGone"_s << QString() << R::WorkingDirGone
                                 << u"no-such-folder, no longer exists"_s;
}

void TestLauncher::refusals() {
    QFETCH(QString, run);
    QFETCH(QString, task);
    QFETCH(RerunRefusal, refusal);
    QFETCH(QString, says);
    const std::string runId = m_ids.count(run) ? m_ids[run] : run.toStdString();
    const std::string taskId = task.isEmpty()      ? std::string()
                               : m_ids.count(task) ? m_ids[task]
                                                   : task.toStdString();
    const RerunCheck check = check_rerun(*m_store, runId, taskId);
    QVERIFY(!check.ok());
    QCOMPARE(int(check.refusal), int(refusal));
    QVERIFY2(qs(check.reason).contains(says), check.reason.c_str());
    // One line, for a command line's "weft: …" and a dialog alike.
    QVERIFY(!qs(check.reason).contains(u'\n'));
    QCOMPARE(check.run.has_value(), refusal != RerunRefusal::UnknownRun);
}

void TestLauncher::allowed_data() {
    QTest::addColumn<QString>("run");
    QTest::addColumn<QString>("task");
    QTest::addRow("failed") << u"failed"_s << QString();
    QTest::addRow("crashed") << u"crashed"_s << QString();
    QTest::addRow("cancelled") << u"cancelled"_s << QString();
    QTest::addRow("failed, from its task run") << u"failed"_s << u"failedTask"_s;
    QTest::addRow("completed, from its task run") << u"completed"_s << u"completedTask"_s;
}

void TestLauncher::allowed() {
    QFETCH(QString, run);
    QFETCH(QString, task);
    const RerunCheck check =
        check_rerun(*m_store, m_ids[run], task.isEmpty() ? std::string() : m_ids[task]);
    QVERIFY2(check.ok(), check.reason.c_str());
    QVERIFY(check.reason.empty());
    QCOMPARE(qs(check.run->id), qs(m_ids[run]));
}

void TestLauncher::rerunRequest() {
    FlowRunRecord run = runWith(StateType::Failed, "calm-heron");
    run.launch.environment = {{"WEFT_DB", "relative.db"}, {"WEFT_MODE", "recorded"}};
    const auto r = rerun_request(run, "task-1", "here.db");
    QCOMPARE(qs(r.program), probe());
    QCOMPARE(qsl(r.arguments),
             (QStringList{u"rerun"_s, qs(run.id), u"--from-task"_s, u"task-1"_s}));
    QCOMPARE(qs(r.working_dir), qs(run.launch.working_dir));
    // The recorded variables, but the database the launcher names, as an absolute path.
    const std::vector<std::pair<std::string, std::string>> want{
        {"WEFT_MODE", "recorded"},
        {"WEFT_DB", QDir::current().absoluteFilePath(u"here.db"_s).toStdString()},
        {"PWD", run.launch.working_dir}};
    QVERIFY(r.environment == want);
    QVERIFY(!r.detach);
    QCOMPARE(qsl(rerun_request(run, {}, "here.db").arguments),
             (QStringList{u"rerun"_s, qs(run.id)}));
}

void TestLauncher::newRunRequestKeepsTypes() {
    const FlowRunRecord run = runWith(StateType::Completed, "brisk-otter");
    const auto params =
        nlohmann::json::parse(R"({"n": 3, "name": "7", "on": true, "rows": [1, 2], "x": 1.5})");
    const auto r = new_run_request(run, params, "/db/weft.db");
    // Each value as JSON: the flow program reads "7" back as the string it was, not a number.
    QCOMPARE(qsl(r.arguments),
             (QStringList{u"run"_s, u"etl"_s, u"--param"_s, u"n=3"_s, u"--param"_s, u"name=\"7\""_s,
                          u"--param"_s, u"on=true"_s, u"--param"_s, u"rows=[1,2]"_s, u"--param"_s,
                          u"x=1.5"_s}));
    QCOMPARE(qs(r.working_dir), qs(run.launch.working_dir));
}

void TestLauncher::attachedReportsExitCode() {
    qputenv("PROBE_EXIT", "3");
    qputenv("WEFT_MODE", "inherited");
    FlowRunRecord run = runWith(StateType::Failed, "calm-heron");
    run.launch.environment = {{"WEFT_MODE", "recorded"}};
    const LaunchResult r = launch(rerun_request(run, {}, path(QStringLiteral("weft.db"))));
    qunsetenv("PROBE_EXIT");
    qunsetenv("WEFT_MODE");
    QVERIFY2(r.ok(), r.error.c_str());
    QVERIFY(r.pid > 0);
    QVERIFY(r.exit);
    QCOMPARE(r.exit->code, 3);
    QCOMPARE(r.exit->signal, 0);
    QCOMPARE(r.exit->shell_code(), 3);
    const QStringList got = record();
    QCOMPARE(got.mid(0, 2), (QStringList{u"arg=rerun"_s, u"arg="_s + qs(run.id)}));
    QVERIFY(got.contains(u"cwd="_s + QDir(qs(run.launch.working_dir)).canonicalPath()));
    QVERIFY(got.contains(u"WEFT_DB="_s + qs(path(QStringLiteral("weft.db")))));
    QVERIFY(got.contains(u"WEFT_MODE=recorded"_s)); // what the run had wins over the launcher's
    QVERIFY(got.contains(u"PWD="_s + qs(run.launch.working_dir)));
    // Attached: the child shares this process's session.
    QVERIFY(got.contains(u"session="_s + QString::number(getsid(0))));
    // SIGINT is this process's again once the child ended.
    struct sigaction now {};
    sigaction(SIGINT, nullptr, &now);
    QVERIFY(now.sa_handler != SIG_IGN);
}

void TestLauncher::attachedReportsSignal() {
    qputenv("PROBE_SIGNAL", "TERM");
    const LaunchResult r =
        launch(rerun_request(runWith(StateType::Failed, "calm-heron"), {}, "weft.db"));
    qunsetenv("PROBE_SIGNAL");
    QVERIFY2(r.ok(), r.error.c_str());
    QCOMPARE(r.exit->signal, SIGTERM);
    QCOMPARE(r.exit->shell_code(), 128 + SIGTERM);
}

void TestLauncher::detachedRunsInItsOwnSession() {
    auto request = rerun_request(runWith(StateType::Failed, "calm-heron"), {}, "weft.db");
    request.detach = true;
    const LaunchResult r = launch(request);
    QVERIFY2(r.ok(), r.error.c_str());
    QVERIFY(r.pid > 0);
    QVERIFY(!r.exit); // not waited for
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(recordFile()), 10000);
    const QStringList got = record();
    QCOMPARE(got.value(0), u"arg=rerun"_s);
    QVERIFY2(got.contains(u"stdin=/dev/null"_s), qPrintable(got.join(u'\n')));
    // It leads its own session: no terminal's Ctrl-C or hang-up reaches it.
    QVERIFY2(got.contains(u"session="_s + QString::number(r.pid)), qPrintable(got.join(u'\n')));
    QVERIFY(got.contains(u"pid="_s + QString::number(r.pid)));
    // Reaped by the launcher once it ends: no zombie stays behind.
    QTRY_VERIFY_WITH_TIMEOUT(kill(r.pid, 0) != 0, 10000);
}

void TestLauncher::supervisedRunsInItsOwnGroup() {
    auto request = rerun_request(runWith(StateType::Failed, "calm-heron"), {}, "weft.db");
    request.supervised = true;
    qputenv("PROBE_EXIT", "5");
    const LaunchResult r = launch(request);
    qunsetenv("PROBE_EXIT");
    QVERIFY2(r.ok(), r.error.c_str());
    QVERIFY(!r.exit); // the caller waits for it
    // Ours to reap: its exit code comes back once, then it is nobody's child.
    const std::optional<ChildExit> exit = reap_child(r.pid, /*block=*/true);
    QVERIFY(exit.has_value());
    QCOMPARE(exit->code, 5);
    QVERIFY(!reap_child(r.pid));
    const QStringList got = record();
    // Its own process group (a Ctrl-C for the worker is not its), in this session.
    QVERIFY2(got.contains(u"group="_s + QString::number(r.pid)), qPrintable(got.join(u'\n')));
    QVERIFY2(got.contains(u"session="_s + QString::number(getsid(0))), qPrintable(got.join(u'\n')));
}

void TestLauncher::spawnFailureIsAValue() {
    FlowRunRecord run = runWith(StateType::Failed, "calm-heron");
    run.launch.working_dir = path(QStringLiteral("no-such-folder"));
    LaunchResult r = launch(rerun_request(run, {}, "weft.db"));
    QVERIFY(!r.ok());
    QVERIFY2(qs(r.error).contains(u"no-such-folder"_s), r.error.c_str());
    QCOMPARE(r.pid, -1);
    run = runWith(StateType::Failed, "calm-heron");
    run.launch.program = path(QStringLiteral("bin/not-executable"));
    auto request = rerun_request(run, {}, "weft.db");
    request.detach = true;
    r = launch(request);
    QVERIFY(!r.ok());
    QVERIFY2(qs(r.error).contains(u"Permission denied"_s), r.error.c_str());
    QVERIFY(!QFile::exists(recordFile()));
}

void TestLauncher::launchIsRecordedWithoutSecrets() {
    qputenv("WEFT_MODE", "recorded");
    qputenv("WEFT_API_KEY", "secret");
    qputenv("WEFT_TOKEN", "secret");
    qputenv("NOT_WEFT", "x");
    const LaunchInfo info = current_launch();
    qunsetenv("WEFT_MODE");
    qunsetenv("WEFT_API_KEY");
    qunsetenv("WEFT_TOKEN");
    qunsetenv("NOT_WEFT");
    QCOMPARE(qs(info.program), QCoreApplication::applicationFilePath());
    QCOMPARE(qs(info.working_dir), QDir::currentPath());
    QCOMPARE(qsl(info.arguments), QCoreApplication::arguments().mid(1));
    bool mode = false;
    for (const auto& [key, value] : info.environment) {
        QVERIFY2(key.starts_with("WEFT_"), key.c_str()); // never PATH, HOME, …
        QVERIFY2(key != "WEFT_API_KEY" && key != "WEFT_TOKEN", key.c_str());
        if (key == "WEFT_MODE") mode = value == "recorded";
    }
    QVERIFY(mode);
    QVERIFY(std::is_sorted(info.environment.begin(), info.environment.end()));
}

void TestLauncher::launchColumnsRoundTrip() {
    FlowRunRecord run = runWith(StateType::Failed, "round-trip");
    run.launch.arguments = {"run", "etl", "--param", "n=3"};
    run.launch.environment = {{"WEFT_HOME", "/h"}, {"WEFT_MODE", "x"}};
    put(run);
    m_store->flush();
    auto got = m_store->read([&](Reader& r) { return r.flow_run(run.id); });
    QVERIFY(got);
    QCOMPARE(qsl(got->launch.arguments), qsl(run.launch.arguments));
    QVERIFY(got->launch.environment == run.launch.environment);
    // Updated with the run (a rerun's claim records the new launch).
    run.launch.arguments = {"rerun", run.id};
    run.launch.environment.clear();
    m_store->put_flow_run(run, EventKind::FlowRunState);
    m_store->flush();
    got = m_store->read([&](Reader& r) { return r.flow_run(run.id); });
    QCOMPARE(qsl(got->launch.arguments), (QStringList{u"rerun"_s, qs(run.id)}));
    QVERIFY(got->launch.environment.empty());
}

void TestLauncher::schemaOneDatabaseMigrates() {
    // A database as the previous Weft wrote it: schema 1 and one flow run in it.
    const std::string p = path(QStringLiteral("schema1.db"));
    const std::string v1 = std::string(weft::schema::migrations().at(0))
                           + "PRAGMA user_version=1;"
                             "INSERT INTO flows(id, name, created) VALUES ('f1', 'etl', 1);"
                             "INSERT INTO flow_runs(id, flow_id, name, state_id, state_type, "
                             "state_name, state_timestamp, expected_start_time, created, updated, "
                             "program, working_dir) VALUES ('r1', 'f1', 'old-run', 's1', 'FAILED', "
                             "'Failed', 5, 5, 5, 5, '/bin/old', '/srv');";
    QVERIFY(sqlExec(p, v1));
    {
        auto store = Store::open(p);
        auto old = store->read([](Reader& r) { return r.flow_run("r1"); });
        QVERIFY(old);
        QCOMPARE(qs(old->name), u"old-run"_s);
        QCOMPARE(qs(old->launch.program), u"/bin/old"_s);
        QCOMPARE(qs(old->launch.working_dir), u"/srv"_s);
        QVERIFY(old->launch.arguments.empty()); // not recorded then
        QVERIFY(old->launch.environment.empty());
        // The old run still reruns, by program and folder alone.
        const auto r = rerun_request(*old, {}, p);
        QCOMPARE(qsl(r.arguments), (QStringList{u"rerun"_s, u"r1"_s}));

        FlowRunRecord fresh = runWith(StateType::Failed, "new-run");
        fresh.launch.arguments = {"run"};
        store->put_flow_run(fresh, EventKind::FlowRunCreated);
        store->flush();
        auto got = store->read([&](Reader& r) { return r.flow_run(fresh.id); });
        QCOMPARE(qsl(got->launch.arguments), (QStringList{u"run"_s}));
    }
    // Reopened: already migrated, nothing lost.
    auto again = Store::open(p);
    QCOMPARE(again->read([](Reader& r) { return r.count_flow_runs({}); }), std::int64_t(2));
}

QTEST_GUILESS_MAIN(TestLauncher)
#include "tst_launcher.moc"

// `PROGRAM execute RUN_ID`: a flow program takes over a flow run made elsewhere (a deployment's
// run, which a worker starts it for) and runs it with the run's stored parameters. Of two programs
// started for the same run exactly one runs it; the other exits 3. Real processes on a temporary
// database; the runs are made through the Store API, as a server makes them.
#include "sdktest.hpp"

#include <QCoreApplication>
#include <QProcess>
#include <QTest>

#include <algorithm>

using namespace sdktest;

namespace {

struct Ran {
    int code = -1;
    QString err;
};

} // namespace

class TestExecute : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup() { m_engine.reset(); }
    void runsScheduledRunWithItsParameters();
    void takesOverRunAWorkerClaimed();
    void twoProgramsOneRun();
    void refusesRunThatDoesNotWait_data();
    void refusesRunThatDoesNotWait();
    void crashedRunSetBackToScheduledReusesCompletedTasks();
    void badParametersFailTheRun();
    void unknownFlowIsAUsageError();

private:
    std::string make_run(const std::string& flow, nlohmann::json parameters, weft::State state);
    weft::FlowRunRecord read(const std::string& id);
    QProcess* start(const QStringList& args, bool crash = false);
    Ran finish(QProcess* p);
    Ran execute(const std::string& id, bool crash = false) {
        return finish(start({QStringLiteral("execute"), qs(id)}, crash));
    }

    QTemporaryDir m_dir;
    QString m_db;
    std::shared_ptr<weft::Engine> m_engine;
};

void TestExecute::init() {
    QVERIFY(m_dir.isValid());
    m_db = m_dir.path() + QLatin1Char('/') + QLatin1String(QTest::currentTestFunction())
           + QStringLiteral(".db");
    weft::StoreOptions options;
    options.create = true;
    m_engine = weft::Engine::open(m_db.toStdString(), options);
}

// A run as a server makes it for a deployment: no process, the given state.
std::string TestExecute::make_run(const std::string& flow, nlohmann::json parameters,
                                  weft::State state) {
    weft::Store& store = m_engine->store();
    const std::string flow_id =
        store
            .transact<std::string>([&](weft::Txn& txn) {
                if (auto f = txn.read().flow_by_name(flow)) return f->id;
                weft::FlowRecord record{weft::new_id(), flow, weft::now_us(), {}};
                txn.put_flow(record);
                return record.id;
            })
            .get();
    weft::FlowRunRecord run;
    run.id = weft::new_id();
    run.flow_id = flow_id;
    run.flow_name = flow;
    run.name = "deployed-" + run.id.substr(run.id.size() - 6);
    run.state = std::move(state);
    run.parameters = std::move(parameters);
    run.created = run.updated = run.expected_start_time = run.state.timestamp;
    store.put_flow_run(run, weft::EventKind::FlowRunCreated);
    store.flush();
    return run.id;
}

weft::FlowRunRecord TestExecute::read(const std::string& id) {
    return m_engine->store()
        .read([&](weft::Reader& r) { return r.flow_run(id); })
        .value_or(weft::FlowRunRecord{});
}

QProcess* TestExecute::start(const QStringList& args, bool crash) {
    auto* p = new QProcess(this);
    auto env = QProcessEnvironment::systemEnvironment();
    if (!crash) env.insert(QStringLiteral("SDK_NO_CRASH"), QStringLiteral("1"));
    p->setProcessEnvironment(env);
    p->start(QCoreApplication::applicationDirPath() + QStringLiteral("/sdk_flow_program"),
             QStringList{QStringLiteral("--db"), m_db} + args);
    return p;
}

Ran TestExecute::finish(QProcess* p) {
    Ran r;
    if (!p->waitForFinished(30000)) p->kill();
    if (p->exitStatus() == QProcess::NormalExit) r.code = p->exitCode();
    r.err = QString::fromUtf8(p->readAllStandardError());
    p->deleteLater();
    return r;
}

void TestExecute::runsScheduledRunWithItsParameters() {
    const auto id = make_run("add", {{"a", 2}, {"b", 3}}, weft::states::scheduled(weft::now_us()));
    const Ran ran = execute(id);
    QVERIFY2(ran.code == 0, qPrintable(ran.err));
    const auto run = read(id);
    QCOMPARE(run.state.type, weft::StateType::Completed);
    QCOMPARE(js(run.result), QStringLiteral("5"));
    QCOMPARE(run.run_count, 1);
    QVERIFY(run.process.pid > 0); // the program recorded itself on the run
    const auto tasks = m_engine->store().read([&](weft::Reader& r) { return r.task_runs(id); });
    QCOMPARE(tasks.size(), size_t(1));
    QCOMPARE(tasks[0].state.type, weft::StateType::Completed);
}

void TestExecute::takesOverRunAWorkerClaimed() {
    const auto id = make_run("add", {{"a", 1}, {"b", 1}}, weft::states::scheduled(weft::now_us()));
    // The worker's claim: PENDING through the rules, no process recorded.
    auto claimed =
        m_engine->set_flow_run_state(id, {weft::states::pending(), weft::Origin::Program});
    QVERIFY(claimed.outcome.accepted());
    const Ran ran = execute(id);
    QVERIFY2(ran.code == 0, qPrintable(ran.err));
    QCOMPARE(read(id).state.type, weft::StateType::Completed);
}

void TestExecute::twoProgramsOneRun() {
    const auto id = make_run("add", {{"a", 4}, {"b", 4}}, weft::states::scheduled(weft::now_us()));
    QProcess* first = start({QStringLiteral("execute"), qs(id)});
    QProcess* second = start({QStringLiteral("execute"), qs(id)});
    const Ran a = finish(first);
    const Ran b = finish(second);
    QList<int> codes{a.code, b.code};
    std::sort(codes.begin(), codes.end());
    QCOMPARE(codes, (QList<int>{0, 3}));
    const Ran& loser = a.code == 3 ? a : b;
    QVERIFY2(loser.err.contains(QStringLiteral("was not run")), qPrintable(loser.err));
    const auto run = read(id);
    QCOMPARE(run.state.type, weft::StateType::Completed);
    QCOMPARE(run.run_count, 1); // ran once
    const auto tasks = m_engine->store().read([&](weft::Reader& r) { return r.task_runs(id); });
    QCOMPARE(tasks.size(), size_t(1));
}

void TestExecute::refusesRunThatDoesNotWait_data() {
    QTest::addColumn<int>("type");
    QTest::addRow("completed") << int(weft::StateType::Completed);
    QTest::addRow("failed") << int(weft::StateType::Failed);
    QTest::addRow("cancelled") << int(weft::StateType::Cancelled);
}

void TestExecute::refusesRunThatDoesNotWait() {
    QFETCH(int, type);
    const auto state = weft::make_state(weft::StateType(type), {}, "ended elsewhere");
    const auto id = make_run("add", {{"a", 1}, {"b", 2}}, state);
    const Ran ran = execute(id);
    QCOMPARE(ran.code, 3);
    QVERIFY2(ran.err.contains(QStringLiteral("SCHEDULED or PENDING")), qPrintable(ran.err));
    const auto run = read(id);
    QCOMPARE(run.state.type, weft::StateType(type)); // untouched
    QCOMPARE(run.run_count, 0);
}

void TestExecute::crashedRunSetBackToScheduledReusesCompletedTasks() {
    const auto id = make_run("crash", {{"code", 4}}, weft::states::scheduled(weft::now_us()));
    QCOMPARE(execute(id, true).code, 4); // dies after its first task
    QCOMPARE(m_engine->detect_crashes(), 1);
    QCOMPARE(read(id).state.type, weft::StateType::Crashed);

    // A retry through the API: back to SCHEDULED, which a later program's crash detection must
    // not take for the dead program's own retry.
    auto retry = m_engine->set_flow_run_state(
        id, {weft::states::awaiting_retry(weft::now_us()), weft::Origin::Program});
    QVERIFY2(retry.outcome.accepted(), retry.outcome.reason.c_str());
    QCOMPARE(read(id).process.pid, 0);

    const Ran ran = execute(id);
    QVERIFY2(ran.code == 0, qPrintable(ran.err));
    const auto run = read(id);
    QCOMPARE(run.state.type, weft::StateType::Completed);
    QCOMPARE(js(run.result), QStringLiteral("6"));
    QCOMPARE(run.run_count, 2);
    const auto steps = m_engine->store().read([&](weft::Reader& r) { return r.task_runs(id); });
    QCOMPARE(steps.size(), size_t(2));
    for (const auto& s : steps) {
        QCOMPARE(s.state.type, weft::StateType::Completed);
        QCOMPARE(s.run_count, 1); // the first step was reused, not run again
    }
}

void TestExecute::badParametersFailTheRun() {
    const auto id =
        make_run("add", {{"a", "two"}, {"b", 3}}, weft::states::scheduled(weft::now_us()));
    const Ran ran = execute(id);
    QCOMPARE(ran.code, 1);
    const auto run = read(id);
    QCOMPARE(run.state.type, weft::StateType::Failed);
    QVERIFY2(run.state.message.find("parameter") != std::string::npos, run.state.message.c_str());
}

void TestExecute::unknownFlowIsAUsageError() {
    const auto id =
        make_run("elsewhere", nlohmann::json::object(), weft::states::scheduled(weft::now_us()));
    const Ran ran = execute(id);
    QCOMPARE(ran.code, 2);
    QVERIFY2(ran.err.contains(QStringLiteral("does not have")), qPrintable(ran.err));
    QCOMPARE(read(id).state.type, weft::StateType::Scheduled);
}

QTEST_GUILESS_MAIN(TestExecute)
#include "tst_execute.moc"

// Deployments, work pools and workers as Studio's models show them: schedules in words, the
// embedded backend's reading of a local database, stale answers dropped, and the readers of
// Prefect's response shapes the remote backend uses.
#include "backend/embeddedbackend.h"
#include "deployments/deploymentlistmodel.h"
#include "deployments/scheduleformat.h"
#include "deployments/workerlistmodel.h"
#include "deployments/workpoollistmodel.h"
#include "fixtures.h"

#include <weft/deployment_json.hpp>
#include <weft/engine.hpp>
#include <weft/ids.hpp>
#include <weft/time.hpp>

#include <QAbstractItemModelTester>
#include <QColor>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace weft::studio;
using nlohmann::json;

namespace {

// An embedded backend whose deployment answers wait until the test releases them, in any order.
class HoldingBackend : public EmbeddedBackend {
public:
    using EmbeddedBackend::EmbeddedBackend;
    std::vector<Done<std::vector<DeploymentInfo>>> held;
    void fetchDeployments(QObject*, Done<std::vector<DeploymentInfo>> done) override {
        held.push_back(std::move(done));
    }
};

DeploymentInfo named(const std::string& name) {
    DeploymentInfo d;
    d.deployment.id = weft::new_id();
    d.deployment.name = name;
    return d;
}

} // namespace

class TestDeploymentModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void scheduleWords();
    void localDatabase();
    void staleAnswersAreDropped();
    void localDatabaseCannotRunDeployments();
    void readsPrefectShapes();
};

void TestDeploymentModels::scheduleWords() {
    QCOMPARE(intervalInWords(30), u"every 30 s"_qs);
    QCOMPARE(intervalInWords(60), u"every minute"_qs);
    QCOMPARE(intervalInWords(300), u"every 5 min"_qs);
    QCOMPARE(intervalInWords(5400), u"every 1.5 h"_qs);
    QCOMPARE(intervalInWords(7200), u"every 2 h"_qs);
    QCOMPARE(intervalInWords(86400), u"every day"_qs);
    QCOMPARE(intervalInWords(3 * 86400), u"every 3 days"_qs);
    QCOMPARE(cronInWords("* * * * *"), u"every minute"_qs);
    QCOMPARE(cronInWords("*/15 * * * *"), u"every 15 min"_qs);
    QCOMPARE(cronInWords("30 * * * *"), u"hourly at :30"_qs);
    QCOMPARE(cronInWords("0 9 * * *"), u"daily at 09:00"_qs);
    QCOMPARE(cronInWords("@daily"), u"daily"_qs);
    QCOMPARE(cronInWords("0 9 * * 1-5"), u"cron 0 9 * * 1-5"_qs);
    weft::DeploymentSchedule cron;
    cron.cron = "0 9 * * *";
    cron.timezone = "Europe/Paris";
    weft::DeploymentSchedule every;
    every.interval_s = 300;
    every.active = false;
    QCOMPARE(schedulesInWords({every, cron}),
             u"every 5 min (inactive); daily at 09:00 (Europe/Paris)"_qs);
    QCOMPARE(schedulesInWords({}), u"none"_qs);
}

void TestDeploymentModels::localDatabase() {
    QTemporaryDir dir;
    EmbeddedBackend backend(dir.filePath(QStringLiteral("d.db")));
    QCOMPARE(backend.openNow(), QString());
    weft::Store& store = backend.engine()->store();
    fixtures::RunSpec spec;
    spec.flow_name = "etl";
    fixtures::writeRun(store, spec); // makes the flow
    const std::string flowId = store.read([](weft::Reader& r) { return r.flows().front().id; });
    // A run waiting for its time, in 10 min: the deployment's next run.
    weft::FlowRunRecord next;
    next.id = weft::new_id();
    next.flow_id = flowId;
    next.flow_name = "etl";
    next.name = "next";
    next.created = next.updated = weft::now_us();
    next.expected_start_time = weft::now_us() + 600'000'000;
    next.state.type = weft::StateType::Scheduled;
    next.state.name = "Scheduled";
    next.state.timestamp = next.created;
    store.put_flow_run(next, weft::EventKind::FlowRunCreated);
    store.flush();

    weft::WorkPoolRecord pool;
    pool.id = weft::new_id();
    pool.name = "local";
    pool.concurrency_limit = 3;
    weft::DeploymentRecord d;
    d.id = weft::new_id();
    d.flow_id = flowId;
    d.name = "nightly";
    d.work_pool_name = "local";
    d.work_queue_name = "default";
    d.tags = {"a", "b"};
    weft::DeploymentSchedule s;
    s.interval_s = 300;
    d.schedules = {s};
    const weft::Micros now = weft::now_us();
    weft::WorkerRecord fresh{weft::new_id(), pool.id, "w-fresh", now, 30, now};
    weft::WorkerRecord stale{weft::new_id(), pool.id, "w-stale", now - 600'000'000, 30, now};
    store
        .transact<bool>([&](weft::Txn& txn) {
            txn.put_work_pool(pool);
            txn.put_deployment(d);
            txn.put_worker(fresh);
            txn.put_worker(stale);
            weft::FlowRunPlacement placement;
            placement.deployment_id = d.id;
            placement.work_pool_name = "local";
            txn.put_placement(next.id, placement);
            return true;
        })
        .get();

    DeploymentListModel deployments(&backend);
    QAbstractItemModelTester t1(&deployments,
                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(deployments.rowCount(), 1);
    QCOMPARE(deployments.errorString(), QString());
    auto cell = [&](int column) { return deployments.index(0, column).data().toString(); };
    QCOMPARE(cell(DeploymentListModel::NameColumn), u"nightly"_qs);
    QCOMPARE(cell(DeploymentListModel::FlowColumn), u"etl"_qs);
    QCOMPARE(cell(DeploymentListModel::ScheduleColumn), u"every 5 min"_qs);
    QCOMPARE(cell(DeploymentListModel::PausedColumn), u"Active"_qs);
    QCOMPARE(cell(DeploymentListModel::PoolColumn), u"local"_qs);
    QCOMPARE(cell(DeploymentListModel::TagsColumn), u"a, b"_qs);
    QCOMPARE(deployments.index(0, 0).data(DeploymentListModel::NextRunRole).toLongLong(),
             next.expected_start_time / 1000);
    QVERIFY(cell(DeploymentListModel::NextRunColumn).startsWith(u"in "));
    QCOMPARE(deployments.deployment(0)->status, std::string("READY"));

    WorkPoolListModel pools(&backend);
    QAbstractItemModelTester t2(&pools, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(pools.rowCount(), 1);
    auto poolCell = [&](int column) { return pools.index(0, column).data().toString(); };
    QCOMPARE(poolCell(WorkPoolListModel::NameColumn), u"local"_qs);
    QCOMPARE(poolCell(WorkPoolListModel::StatusColumn), u"Ready"_qs);
    QCOMPARE(poolCell(WorkPoolListModel::WorkersColumn), u"1 of 2 online"_qs);
    QCOMPARE(poolCell(WorkPoolListModel::ConcurrencyColumn), u"0 of 3 running"_qs);
    QCOMPARE(poolCell(WorkPoolListModel::HeartbeatColumn), u"just now"_qs);

    WorkerListModel workers(&backend);
    QAbstractItemModelTester t3(&workers, QAbstractItemModelTester::FailureReportingMode::QtTest);
    workers.setPool(QStringLiteral("local"));
    QTRY_COMPARE(workers.rowCount(), 2);
    // The most recent heartbeat first; online green, offline not.
    QCOMPARE(workers.index(0, WorkerListModel::NameColumn).data().toString(), u"w-fresh"_qs);
    QCOMPARE(workers.index(0, WorkerListModel::StatusColumn).data().toString(), u"Online"_qs);
    QCOMPARE(workers.index(1, WorkerListModel::StatusColumn).data().toString(), u"Offline"_qs);
    QCOMPARE(workers.index(1, WorkerListModel::HeartbeatColumn).data().toString(),
             u"10 min ago"_qs);
    QCOMPARE(
        workers.index(0, WorkerListModel::StatusColumn).data(Qt::ForegroundRole).value<QColor>(),
        onlineColour(true));
    QVERIFY(onlineColour(true) != onlineColour(false));
    // An unknown pool is an error in place, not an empty list.
    QSignalSpy failed(&workers, &WorkerListModel::errorChanged);
    workers.setPool(QStringLiteral("nope"));
    QTRY_VERIFY(workers.errorString().contains(u"nope"));
    QCOMPARE(workers.rowCount(), 0);
}

void TestDeploymentModels::staleAnswersAreDropped() {
    QTemporaryDir dir;
    HoldingBackend backend(dir.filePath(QStringLiteral("h.db")));
    QCOMPARE(backend.openNow(), QString());
    DeploymentListModel model(&backend);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.refresh();
    model.refresh();
    QVERIFY(backend.held.size() >= 2);
    const std::size_t n = backend.held.size();
    backend.held[n - 1](std::vector<DeploymentInfo>{named("new-a"), named("new-b")});
    QCOMPARE(model.rowCount(), 2);
    backend.held[n - 2](std::vector<DeploymentInfo>{named("old")}); // late: dropped
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, 0).data().toString(), u"new-a"_qs);
    backend.held[n - 2](QueryError{QStringLiteral("late failure")}); // dropped too
    QCOMPARE(model.errorString(), QString());
}

void TestDeploymentModels::localDatabaseCannotRunDeployments() {
    QTemporaryDir dir;
    EmbeddedBackend backend(dir.filePath(QStringLiteral("c.db")));
    QCOMPARE(backend.openNow(), QString());
    QVERIFY(backend.cannot(Backend::Capability::Deployments).isEmpty());
    QVERIFY(!backend.cannot(Backend::Capability::RunDeployment).isEmpty());
    QObject context;
    std::optional<CommandResult> answer;
    backend.createDeploymentRun("x", json::object(), &context,
                                [&](Result<CommandResult> r) { answer = *r; });
    QTRY_VERIFY(answer.has_value());
    QVERIFY(!answer->ok);
    QCOMPARE(answer->message, backend.cannot(Backend::Capability::RunDeployment));
}

void TestDeploymentModels::readsPrefectShapes() {
    const json deployment = json::parse(R"({
        "id": "d1", "name": "nightly", "flow_id": "f1", "paused": true, "description": null,
        "version": "3", "tags": ["x"], "parameters": {"n": 2}, "work_pool_name": "pool",
        "work_queue_name": "default", "entrypoint": "./etl:etl", "path": null,
        "created": "2026-01-02T03:04:05Z", "unknown_field": {"a": 1},
        "schedules": [
            {"id": "s1", "active": true, "schedule": {"interval": 3600.0,
             "anchor_date": "2026-01-01T00:00:00Z", "timezone": "UTC"}},
            {"id": "s2", "active": false, "schedule": {"cron": "0 9 * * *",
             "timezone": "Europe/Paris", "day_or": true}},
            {"id": "s3", "active": true, "schedule": {"rrule": "FREQ=DAILY"}}
        ]})");
    const auto d = weft::deployment_from_json(deployment);
    QCOMPARE(d.name, std::string("nightly"));
    QVERIFY(d.paused);
    QCOMPARE(d.parameters, json({{"n", 2}}));
    QCOMPARE(d.schedules.size(), std::size_t(3));
    QCOMPARE(*d.schedules[0].interval_s, 3600.0);
    QCOMPARE(d.schedules[0].timezone, std::string()); // UTC
    QVERIFY(d.schedules[0].anchor.has_value());
    QCOMPARE(d.schedules[1].cron, std::string("0 9 * * *"));
    QCOMPARE(d.schedules[1].timezone, std::string("Europe/Paris"));
    QVERIFY(!d.schedules[1].active);
    QVERIFY(d.schedules[2].cron.empty() && !d.schedules[2].interval_s);
    QCOMPARE(scheduleInWords(d.schedules[2]), u"a schedule Studio cannot read"_qs);

    const auto pool = weft::work_pool_from_json(json::parse(
        R"({"id": "p1", "name": "pool", "type": "process", "is_paused": false,
            "concurrency_limit": null, "status": "READY", "active_slots": 2})"));
    QCOMPARE(pool.name, std::string("pool"));
    QVERIFY(!pool.concurrency_limit);
    const auto worker = weft::worker_from_json(json::parse(
        R"({"id": "w1", "name": "w", "work_pool_id": "p1",
            "last_heartbeat_time": "2026-01-02T03:04:05Z", "heartbeat_interval_seconds": 15})"));
    QCOMPARE(*worker.heartbeat_interval_s, 15);
    QCOMPARE(worker.last_heartbeat, *weft::from_iso("2026-01-02T03:04:05Z"));
    // A wrong type is an error, not a silent default.
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, weft::deployment_from_json(json{{"name", 3}}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, weft::work_pool_from_json(json::array()));
}

QTEST_MAIN(TestDeploymentModels)
#include "tst_deploymentmodels.moc"

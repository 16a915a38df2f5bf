// TaskRunModel: the task runs of one flow run, counts per state, live updates.
#include "backend/embeddedbackend.h"
#include "runs/taskrunmodel.h"

#include "fixtures.h"

#include <weft/engine.hpp>
#include <weft/ids.hpp>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace weft::studio;
using namespace weft::studio::taskruns;

class TestTaskRunModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void loadsAllTaskRuns();
    void countsByState();
    void upstreamNames();
    void staleRunIsDropped();
    void liveCreatedAndStateChanges();
    void liveManyInOneBatch();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EmbeddedBackend> m_backend;
};

void TestTaskRunModel::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    m_backend = std::make_unique<EmbeddedBackend>(m_dir->filePath(QStringLiteral("t.db")));
    m_backend->setPollInterval(10);
    QCOMPARE(m_backend->openNow(), QString());
}

void TestTaskRunModel::cleanup() {
    m_backend.reset();
    m_dir.reset();
}

void TestTaskRunModel::loadsAllTaskRuns() {
    fixtures::RunSpec spec;
    spec.tasks = fixtures::fanOut(300);
    const auto written = fixtures::writeRun(m_backend->engine()->store(), spec);
    fixtures::RunSpec other;
    other.tasks = fixtures::chain(7);
    fixtures::writeRun(m_backend->engine()->store(), other);
    m_backend->engine()->store().flush();
    TaskRunModel model(m_backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&model, &TaskRunModel::loaded);
    model.setFlowRun(QString::fromStdString(written.flow_run_id));
    QVERIFY(loaded.wait(5000));
    QVERIFY(model.isLoaded());
    QCOMPARE(model.rowCount(), 302);
    QCOMPARE(model.columnCount(), int(ColumnCount));
    for (const auto& id : written.task_run_ids)
        QVERIFY(model.rowOfTaskRun(QString::fromStdString(id)) >= 0);
    const int load = model.rowOfTaskRun(QString::fromStdString(written.task_run_ids.back()));
    QCOMPARE(model.data(model.index(load, NameColumn)).toString(), QStringLiteral("load-0"));
    QCOMPARE(model.data(model.index(load, 0), TaskKeyRole).toString(), QStringLiteral("load"));
    QCOMPARE(model.data(model.index(load, AttemptsColumn)).toInt(), 1);
    QCOMPARE(model.data(model.index(load, 0), IsPlaceholderRole).toBool(), false);
    const QString duration = model.data(model.index(load, RunTimeColumn)).toString();
    QVERIFY2(duration.endsWith(u" s") || duration.endsWith(u" ms"), qPrintable(duration));
    QVERIFY(model.data(model.index(load, 0), StartTimeRole).toLongLong() > 0);
}

void TestTaskRunModel::countsByState() {
    fixtures::RunSpec spec;
    spec.tasks = fixtures::fanOut(50); // every tenth mapped task (i % 10 == 7) failed
    const auto written = fixtures::writeRun(m_backend->engine()->store(), spec);
    m_backend->engine()->store().flush();
    TaskRunModel model(m_backend.get());
    QSignalSpy loaded(&model, &TaskRunModel::loaded);
    model.setFlowRun(QString::fromStdString(written.flow_run_id));
    QVERIFY(loaded.wait(5000));
    const auto counts = model.countsByState();
    QCOMPARE(counts.at(weft::StateType::Failed), 5);
    QCOMPARE(counts.at(weft::StateType::Completed), 47);
    QCOMPARE(int(counts.size()), 2);
}

void TestTaskRunModel::upstreamNames() {
    fixtures::RunSpec spec;
    spec.tasks = fixtures::chain(3);
    spec.tasks[2].upstream = {0, 1};
    const auto written = fixtures::writeRun(m_backend->engine()->store(), spec);
    m_backend->engine()->store().flush();
    TaskRunModel model(m_backend.get());
    QSignalSpy loaded(&model, &TaskRunModel::loaded);
    model.setFlowRun(QString::fromStdString(written.flow_run_id));
    QVERIFY(loaded.wait(5000));
    const int last = model.rowOfTaskRun(QString::fromStdString(written.task_run_ids[2]));
    QCOMPARE(model.data(model.index(last, 0), UpstreamIdsRole).toStringList(),
             (QStringList{QString::fromStdString(written.task_run_ids[0]),
                          QString::fromStdString(written.task_run_ids[1])}));
    QCOMPARE(model.data(model.index(last, InputsColumn)).toString(),
             QStringLiteral("step-0, step-1"));
    const int first = model.rowOfTaskRun(QString::fromStdString(written.task_run_ids[0]));
    QCOMPARE(model.data(model.index(first, InputsColumn)).toString(), QString());
}

void TestTaskRunModel::staleRunIsDropped() {
    fixtures::RunSpec a, b;
    a.tasks = fixtures::chain(400);
    b.tasks = fixtures::chain(3);
    const auto ra = fixtures::writeRun(m_backend->engine()->store(), a);
    const auto rb = fixtures::writeRun(m_backend->engine()->store(), b);
    m_backend->engine()->store().flush();
    TaskRunModel model(m_backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&model, &TaskRunModel::loaded);
    model.setFlowRun(QString::fromStdString(ra.flow_run_id));
    model.setFlowRun(QString::fromStdString(rb.flow_run_id));
    QVERIFY(loaded.wait(5000));
    QCOMPARE(model.rowCount(), 3);
    QTRY_COMPARE(loaded.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.flowRunId(), QString::fromStdString(rb.flow_run_id));
}

void TestTaskRunModel::liveCreatedAndStateChanges() {
    auto& store = m_backend->engine()->store();
    fixtures::RunSpec spec;
    spec.state = weft::StateType::Running;
    spec.tasks = fixtures::chain(2);
    const auto written = fixtures::writeRun(store, spec);
    store.flush();
    TaskRunModel model(m_backend.get());
    model.setRefetchDelay(20);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&model, &TaskRunModel::loaded);
    model.setFlowRun(QString::fromStdString(written.flow_run_id));
    QVERIFY(loaded.wait(5000));
    QCOMPARE(model.rowCount(), 2);

    // A new task run: it appears from its event, then the re-fetch fills in its record.
    weft::TaskRunRecord task;
    task.id = weft::new_id();
    task.flow_run_id = written.flow_run_id;
    task.task_key = "late";
    task.dynamic_key = "0";
    task.name = "late-0";
    task.cache_key = "abc123";
    task.created = task.updated = task.expected_start_time = weft::now_us();
    task.state = weft::make_state(weft::StateType::Pending);
    store.put_task_run(task, weft::EventKind::TaskRunCreated);
    QTRY_COMPARE(model.rowCount(), 3);
    const int row = model.rowOfTaskRun(QString::fromStdString(task.id));
    QCOMPARE(row, 2);
    QTRY_COMPARE(model.data(model.index(row, NameColumn)).toString(), QStringLiteral("late-0"));
    QCOMPARE(model.data(model.index(row, CacheKeyColumn)).toString(), QStringLiteral("abc123"));
    QCOMPARE(model.data(model.index(row, 0), IsPlaceholderRole).toBool(), false);

    // Its states follow, and the counts with them.
    QSignalSpy counts(&model, &TaskRunModel::countsChanged);
    weft::enter_state(task, weft::states::running());
    store.update_task_run(weft::TaskRunUpdate::of(task));
    QTRY_COMPARE(model.data(model.index(row, 0), StateTypeRole).toInt(),
                 int(weft::StateType::Running));
    QVERIFY(model.data(model.index(row, 0), RunTimeRole).isValid());
    weft::enter_state(task, weft::states::failed("nope"));
    store.update_task_run(weft::TaskRunUpdate::of(task));
    QTRY_COMPARE(model.data(model.index(row, 0), StateTypeRole).toInt(),
                 int(weft::StateType::Failed));
    QCOMPARE(model.data(model.index(row, 0), StateMessageRole).toString(), QStringLiteral("nope"));
    QVERIFY(counts.count() >= 1);
    QCOMPARE(model.countsByState().at(weft::StateType::Failed), 1);
    QCOMPARE(model.rowCount(), 3);
}

void TestTaskRunModel::liveManyInOneBatch() {
    auto& store = m_backend->engine()->store();
    fixtures::RunSpec spec;
    spec.state = weft::StateType::Running;
    const auto written = fixtures::writeRun(store, spec);
    fixtures::RunSpec other;
    other.state = weft::StateType::Running;
    const auto unrelated = fixtures::writeRun(store, other);
    store.flush();
    TaskRunModel model(m_backend.get());
    model.setRefetchDelay(20);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&model, &TaskRunModel::loaded);
    model.setFlowRun(QString::fromStdString(written.flow_run_id));
    QVERIFY(loaded.wait(5000));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy batches(m_backend.get(), &Backend::eventsArrived);
    for (int i = 0; i < 1000; ++i) {
        for (const auto* run : {&written, &unrelated}) {
            weft::TaskRunRecord task;
            task.id = weft::new_id();
            task.flow_run_id = run->flow_run_id;
            task.task_key = "many";
            task.dynamic_key = std::to_string(i);
            task.name = "many-" + task.dynamic_key;
            task.created = task.updated = task.expected_start_time = weft::now_us();
            task.state = weft::make_state(weft::StateType::Pending);
            store.put_task_run(task, weft::EventKind::TaskRunCreated);
        }
    }
    store.flush();
    QTRY_COMPARE(model.rowCount(), 1000);
    QVERIFY(inserted.count() <= batches.count() + 1); // one insert per batch (and the re-fetch)
    QTRY_VERIFY(!model.data(model.index(999, 0), IsPlaceholderRole).toBool());
    QCOMPARE(model.countsByState().at(weft::StateType::Pending), 1000);
}

QTEST_GUILESS_MAIN(TestTaskRunModel)
#include "tst_taskrunmodel.moc"

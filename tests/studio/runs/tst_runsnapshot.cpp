// One snapshot per run: a live run written as the engine writes it (task runs created, started,
// retried, ended, batch after batch through the change feed) and, at several points, the Task
// runs table, the Timeline and the Graph adapting one RunSnapshot agree on how many task runs
// there are, in which states, and how long each ran.
#include "backend/embeddedbackend.h"
#include "fixtures.h"
#include "graph/rungraphmodel.h"
#include "runs/runsnapshot.h"
#include "runs/taskrunmodel.h"
#include "timeline/timelinemodel.h"
#include "timeline/timelineroles.h"

#include <weft/engine.hpp>
#include <weft/ids.hpp>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace weft::studio;

class TestRunSnapshot : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void viewsAgreeOnALiveRun();
    void crashedRunEndsAtItsLastSignOfLife();
    void crashDetectionAtOpenRunsOffTheGuiThread();
    void bigRefetchIsMergedASlicePerTurn();

private:
    /// Empty when the views agree with the snapshot; else what differs.
    QString disagreement() const;
    weft::TaskRunRecord create(const std::string& name);
    void enter(weft::TaskRunRecord& task, weft::State state, weft::Micros at);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EmbeddedBackend> m_backend;
    std::unique_ptr<RunSnapshot> m_snapshot;
    std::unique_ptr<TaskRunModel> m_table;
    std::unique_ptr<TimelineModel> m_timeline;
    std::unique_ptr<RunGraphModel> m_graph;
    std::string m_run;
};

void TestRunSnapshot::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    m_backend = std::make_unique<EmbeddedBackend>(m_dir->filePath(QStringLiteral("t.db")));
    m_backend->setPollInterval(10);
    QCOMPARE(m_backend->openNow(), QString());
}

void TestRunSnapshot::cleanup() {
    m_graph.reset();
    m_timeline.reset();
    m_table.reset();
    m_snapshot.reset();
    m_backend.reset();
    m_dir.reset();
}

weft::TaskRunRecord TestRunSnapshot::create(const std::string& name) {
    weft::TaskRunRecord task;
    task.id = weft::new_id();
    task.flow_run_id = m_run;
    task.task_key = name;
    task.dynamic_key = "0";
    task.name = name + "-0";
    task.created = task.updated = task.expected_start_time = weft::now_us() - 60'000'000;
    task.state = weft::make_state(weft::StateType::Pending);
    task.state.timestamp = task.created;
    m_backend->engine()->store().put_task_run(task, weft::EventKind::TaskRunCreated);
    return task;
}

// As the engine does it (enter_state keeps run_count, start, end and total run time).
void TestRunSnapshot::enter(weft::TaskRunRecord& task, weft::State state, weft::Micros at) {
    state.timestamp = at;
    weft::enter_state(task, state);
    m_backend->engine()->store().update_task_run(weft::TaskRunUpdate::of(task));
}

QString TestRunSnapshot::disagreement() const {
    const RunSnapshot& s = *m_snapshot;
    const int n = s.taskCount();
    QStringList out;
    if (m_table->rowCount() != n) out << QStringLiteral("table %1 rows").arg(m_table->rowCount());
    // The timeline draws the started ones and says how many it leaves out.
    if (m_timeline->count() + m_timeline->notStartedCount() != n)
        out << QStringLiteral("timeline %1 bars + %2 not started")
                   .arg(m_timeline->count())
                   .arg(m_timeline->notStartedCount());
    if (m_graph->taskRunCount() != n || m_graph->nodeCount() != n)
        out << QStringLiteral("graph %1 task runs, %2 nodes")
                   .arg(m_graph->taskRunCount())
                   .arg(m_graph->nodeCount());
    if (m_graph->stateTotals() != s.counts()) out << QStringLiteral("graph state totals");
    for (const auto& [type, count] : m_table->countsByState())
        if (s.count(type) != count) out << QStringLiteral("table count of state %1").arg(int(type));
    StateCounts started{};
    int notStarted = 0;
    for (int i = 0; i < n; ++i) {
        const weft::TaskRunRecord& t = s.task(i);
        if (t.start_time)
            ++started[size_t(t.state.type)];
        else
            ++notStarted;
    }
    StateCounts bars{};
    for (const TimelineInterval& iv : m_timeline->intervals())
        ++bars[size_t(iv.state)];
    if (bars != started) out << QStringLiteral("timeline states");
    if (m_timeline->notStartedCount() != notStarted) out << QStringLiteral("not started");
    // Durations of ended task runs: one run time (table, graph), one wall time (table, bar).
    for (int i = 0; i < n; ++i) {
        const weft::TaskRunRecord& t = s.task(i);
        if (!weft::is_terminal(t.state.type) || !t.start_time) continue;
        const QString id = QString::fromStdString(t.id);
        const int row = m_table->rowOfTaskRun(id);
        const double runTime = m_table->index(row, 0).data(taskruns::RunTimeRole).toDouble();
        const double wallTime = m_table->index(row, 0).data(taskruns::WallTimeRole).toDouble();
        if (runTime != double(t.total_run_time) / 1e6)
            out << id + QStringLiteral(" table run time");
        if (m_graph->nodeDuration(m_graph->nodeForTaskRun(id)) != runTime)
            out << id + QStringLiteral(" graph run time");
        const int bar = m_timeline->indexOfTaskRun(id);
        const qint64 barUs =
            bar < 0 ? -1 : m_timeline->index(bar).data(timeline::DurationRole).toLongLong();
        if (barUs != qint64(std::llround(wallTime * 1e6)))
            out << id + QStringLiteral(" bar %1 µs, wall time %2 s").arg(barUs).arg(wallTime);
    }
    return out.join(QStringLiteral("; "));
}

void TestRunSnapshot::viewsAgreeOnALiveRun() {
    auto& store = m_backend->engine()->store();
    fixtures::RunSpec spec;
    spec.state = weft::StateType::Running;
    m_run = fixtures::writeRun(store, spec).flow_run_id;
    store.flush();

    m_snapshot = std::make_unique<RunSnapshot>(m_backend.get());
    m_snapshot->setRefetchDelay(20);
    m_table = std::make_unique<TaskRunModel>(m_backend.get());
    m_timeline = std::make_unique<TimelineModel>(m_backend.get());
    m_graph = std::make_unique<RunGraphModel>(m_backend.get());
    m_graph->setRelayoutDelay(20);
    // Testers before anything is in the models (the graph model is no item model).
    QAbstractItemModelTester t1(m_table.get(),
                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(m_timeline.get(),
                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_table->setSnapshot(m_snapshot.get());
    m_timeline->setSnapshot(m_snapshot.get());
    m_graph->setSnapshot(m_snapshot.get());
    QSignalSpy loaded(m_snapshot.get(), &RunSnapshot::loaded);
    m_snapshot->setFlowRun(QString::fromStdString(m_run));
    QVERIFY(loaded.wait(5000));
    QCOMPARE(m_snapshot->taskCount(), 0);

    const weft::Micros t0 = weft::now_us() - 30'000'000;
    // 1. Four task runs created, two started.
    auto a = create("a"), b = create("b"), c = create("c"), d = create("d");
    enter(a, weft::states::running(), t0);
    enter(b, weft::states::running(), t0 + 1000);
    QTRY_COMPARE_WITH_TIMEOUT(m_snapshot->count(weft::StateType::Running), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(disagreement(), QString(), 5000);
    QCOMPARE(m_timeline->notStartedCount(), 2);

    // 2. `a` ends after 201 ms; `b` fails, waits 2 s to retry, runs 300 ms more and ends: its
    //    run time (500 ms) is far from its wall time (2.5 s), and every view says the same.
    enter(a, weft::states::completed(), t0 + 201'000);
    enter(b, weft::states::awaiting_retry(t0 + 2'201'000), t0 + 201'000);
    enter(b, weft::states::retrying(), t0 + 2'201'000);
    enter(b, weft::states::completed(), t0 + 2'501'000);
    enter(c, weft::states::running(), t0 + 3'000'000);
    QTRY_COMPARE_WITH_TIMEOUT(m_snapshot->count(weft::StateType::Completed), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(disagreement(), QString(), 5000);
    const int rowA = m_table->rowOfTaskRun(QString::fromStdString(a.id));
    const int rowB = m_table->rowOfTaskRun(QString::fromStdString(b.id));
    QCOMPARE(m_table->index(rowA, taskruns::RunTimeColumn).data().toString(),
             QStringLiteral("201 ms"));
    QCOMPARE(m_table->index(rowB, taskruns::RunTimeColumn).data().toString(),
             QStringLiteral("500 ms"));
    QCOMPARE(m_table->index(rowB, taskruns::WallTimeColumn).data().toString(),
             QStringLiteral("2.5 s"));
    QCOMPARE(m_table->index(rowB, taskruns::AttemptsColumn).data().toInt(), 2);

    // 3. Many more in one go, some failing with a message, the rest left pending.
    std::vector<weft::TaskRunRecord> more;
    for (int i = 0; i < 40; ++i)
        more.push_back(create("m" + std::to_string(i)));
    for (int i = 0; i < 40; i += 2) {
        enter(more[size_t(i)], weft::states::running(), t0 + 4'000'000 + i);
        enter(more[size_t(i)],
              i % 4 ? weft::states::completed() : weft::states::failed("ValueError: bad row"),
              t0 + 4'100'000 + i * 1000);
    }
    enter(c, weft::states::completed(), t0 + 5'000'000);
    QTRY_COMPARE_WITH_TIMEOUT(m_snapshot->taskCount(), 44, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_snapshot->count(weft::StateType::Failed), 10, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(disagreement(), QString(), 5000);
    QCOMPARE(m_timeline->notStartedCount(), 21); // d and the 20 pending
    const int failedRow = m_table->rowOfTaskRun(QString::fromStdString(more[0].id));
    QCOMPARE(m_table->index(failedRow, taskruns::MessageColumn).data().toString(),
             QStringLiteral("ValueError: bad row"));
    QVERIFY(m_table->index(failedRow, taskruns::StartColumn).data().toString().contains(u'.'));
    (void)d;
}

// The engine ends a crashed run at its last sign of life; the crash is noticed later. The run's
// end (the timeline's right edge and the header's wall time) follows the record, not the
// moment the CRASHED state was written.
void TestRunSnapshot::crashedRunEndsAtItsLastSignOfLife() {
    auto& store = m_backend->engine()->store();
    fixtures::RunSpec spec;
    spec.state = weft::StateType::Running;
    spec.tasks = fixtures::chain(1);
    auto written = fixtures::writeRun(store, spec);
    m_run = written.flow_run_id;
    store.flush();
    {
        // Run by this (live) process: the engine's own crash sweep must not crash it first.
        auto live = store.read([&](weft::Reader& r) { return r.flow_run(m_run); });
        QVERIFY(live);
        live->process = weft::this_process();
        store.put_flow_run(*live, weft::EventKind::FlowRunUpdated);
    }
    store.flush();
    m_snapshot = std::make_unique<RunSnapshot>(m_backend.get());
    m_snapshot->setRefetchDelay(20);
    m_timeline = std::make_unique<TimelineModel>(m_backend.get());
    m_timeline->setSnapshot(m_snapshot.get());
    QSignalSpy loaded(m_snapshot.get(), &RunSnapshot::loaded);
    m_snapshot->setFlowRun(QString::fromStdString(m_run));
    QVERIFY(loaded.wait(5000));

    auto run = store.read([&](weft::Reader& r) { return r.flow_run(m_run); });
    QVERIFY(run);
    // The fixture stamps the run's states from its spec's start, which may lie a little ahead of
    // the clock: the crash is noticed after the run's latest state, as the engine's would be.
    const weft::Micros noticed = std::max(weft::now_us(), run->state.timestamp + 1);
    const weft::Micros lastSign = noticed - 20'000'000;
    weft::State crashed = weft::states::crashed("The process is gone.");
    crashed.timestamp = noticed;
    weft::enter_state(*run, crashed);
    run->end_time = lastSign; // what the engine's crash detection records
    store.put_flow_run(*run, weft::EventKind::FlowRunState);
    store.flush();
    QTRY_VERIFY_WITH_TIMEOUT(m_snapshot->run() && m_snapshot->run()->end_time
                                 && *m_snapshot->run()->end_time == lastSign,
                             5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_timeline->runState(), weft::StateType::Crashed, 5000);
    QCOMPARE(m_timeline->runEnd().value_or(0), lastSign);
    QCOMPARE(m_timeline->openEnd(), lastSign);
}

// Opening a database marks runs whose process is gone as CRASHED (it reads and writes the store):
// that happens on the query pool. open() returns at once and the GUI thread keeps turning.
void TestRunSnapshot::crashDetectionAtOpenRunsOffTheGuiThread() {
    const QString path = m_dir->filePath(QStringLiteral("crash.db"));
    std::string id;
    {
        auto store = weft::Store::open(path.toStdString());
        fixtures::RunSpec spec;
        spec.state = weft::StateType::Running;
        id = fixtures::writeRun(*store, spec).flow_run_id;
        store->flush();
        auto run = store->read([&](weft::Reader& r) { return r.flow_run(id); });
        QVERIFY(run);
        run->process = weft::this_process();
        run->process.start_ticks += 1; // the same pid, another process: this one is gone
        store->put_flow_run(*run, weft::EventKind::FlowRunUpdated);
        store->flush();
    }
    EmbeddedBackend backend(path, EmbeddedBackend::Create::Never);
    QSignalSpy opened(&backend, &Backend::opened);
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(0);
    connect(&ticker, &QTimer::timeout, [&ticks] { ++ticks; });
    ticker.start();
    backend.open();
    QVERIFY(!backend.isOpen()); // not opened (nor swept) on this thread
    QVERIFY(opened.wait(10000));
    QVERIFY(ticks > 0); // the event loop turned while the pool opened the database
    const auto run =
        backend.engine()->store().read([&](weft::Reader& r) { return r.flow_run(id); });
    QVERIFY(run);
    QCOMPARE(run->state.type, weft::StateType::Crashed);
}

// A re-fetch of a big live run changes many task runs at once (placeholders getting their
// records); the GUI thread merges it a slice per event-loop turn, each slice its own update that
// the views apply, instead of one turn as long as the run is big.
void TestRunSnapshot::bigRefetchIsMergedASlicePerTurn() {
    auto& store = m_backend->engine()->store();
    fixtures::RunSpec spec;
    spec.state = weft::StateType::Running;
    spec.tasks = {};
    m_run = fixtures::writeRun(store, spec).flow_run_id;
    store.flush();
    m_snapshot = std::make_unique<RunSnapshot>(m_backend.get());
    m_snapshot->setRefetchDelay(60'000); // the test asks for the re-fetch itself
    m_snapshot->setMergeSlice(10);
    m_table = std::make_unique<TaskRunModel>(m_backend.get());
    QAbstractItemModelTester tester(m_table.get(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_table->setSnapshot(m_snapshot.get());
    QSignalSpy loaded(m_snapshot.get(), &RunSnapshot::loaded);
    m_snapshot->setFlowRun(QString::fromStdString(m_run));
    QVERIFY(loaded.wait(5000));

    for (int i = 0; i < 25; ++i)
        create("t" + std::to_string(i));
    store.flush();
    // Known from their events first: placeholders without names.
    QTRY_COMPARE_WITH_TIMEOUT(m_snapshot->taskCount(), 25, 5000);
    QVERIFY(m_snapshot->isPlaceholder(0));

    struct Slice {
        int changed, placeholdersLeft;
    };
    std::vector<Slice> slices;
    const auto watch =
        connect(m_snapshot.get(), &RunSnapshot::updated, this, [&](const RunSnapshot::Delta& d) {
            int left = 0;
            for (int i = 0; i < m_snapshot->taskCount(); ++i)
                left += m_snapshot->isPlaceholder(i);
            slices.push_back({int(d.changed.size()), left});
        });
    m_snapshot->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(slices.size(), size_t(3), 5000);
    QCOMPARE(slices[0].changed, 10);
    QCOMPARE(slices[0].placeholdersLeft, 15); // the rest waits for the next turns
    QCOMPARE(slices[1].changed, 10);
    QCOMPARE(slices[2].changed, 5);
    QCOMPARE(slices[2].placeholdersLeft, 0);
    QCOMPARE(m_table->rowCount(), 25);
    QCOMPARE(m_table->index(0, taskruns::NameColumn).data().toString(), QStringLiteral("t0-0"));
    disconnect(watch);

    // The fetch is over once the last slice is in: the next one is not held back.
    auto t = create("late");
    store.flush();
    m_snapshot->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(m_snapshot->taskCount(), 26, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_snapshot->isPlaceholder(m_snapshot->indexOf(t.id)), 5000);
}

QTEST_GUILESS_MAIN(TestRunSnapshot)
#include "tst_runsnapshot.moc"

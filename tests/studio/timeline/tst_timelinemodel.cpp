// TimelineModel on fixture databases: order, open intervals, the visible-window search against a
// brute-force scan, lanes, retries, and live growth through EmbeddedBackend's feed.
#include "backend/embeddedbackend.h"
#include "timeline/timelinemodel.h"
#include "timeline/timelineroles.h"
#include "timelinetestdata.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

using namespace weft::studio;
using namespace weft::studio::timeline;
using namespace timelinetest;
using weft::StateType;

namespace {
constexpr weft::Micros kStart = 1'700'000'000'000'000; // a fixed run start

struct Db {
    QTemporaryDir dir;
    std::unique_ptr<EmbeddedBackend> backend;
    Db() {
        backend = std::make_unique<EmbeddedBackend>(dir.filePath(QStringLiteral("weft.db")));
        backend->setPollInterval(10);
        const QString error = backend->openNow();
        if (!error.isEmpty()) qFatal("%s", qPrintable(error));
    }
    weft::Store& store() { return backend->engine()->store(); }
    std::string write(const fixtures::RunSpec& spec) {
        auto w = fixtures::writeRun(store(), spec);
        store().flush();
        return w.flow_run_id;
    }
    // Waits until the feed has delivered every event committed so far, so that batches counted
    // afterwards hold only what the test writes next.
    bool waitForFeed() {
        const auto events = store().open_reader()->events_after(0, 1'000'000);
        if (events.empty()) return true;
        const std::int64_t last = events.back().seq;
        bool caughtUp = false;
        auto c = QObject::connect(backend.get(), &Backend::eventsArrived, [&](const EventBatch& b) {
            if (!b->empty() && b->back().seq >= last) caughtUp = true;
        });
        const bool ok = QTest::qWaitFor([&] { return caughtUp; }, 5000);
        QObject::disconnect(c);
        return ok;
    }
};

fixtures::RunSpec runOf(std::vector<fixtures::TaskSpec> tasks,
                        StateType state = StateType::Completed) {
    fixtures::RunSpec spec;
    spec.start = kStart;
    spec.state = state;
    spec.duration_s = 200;
    spec.tasks = std::move(tasks);
    return spec;
}

// Loads `runId` into `model` (with a tester attached before anything is in it).
bool load(TimelineModel& model, const std::string& runId) {
    QSignalSpy loaded(&model, &TimelineModel::loaded);
    model.setFlowRun(QString::fromStdString(runId));
    return loaded.wait(5000);
}

bool sortedByStart(const TimelineModel& m) {
    for (int i = 1; i < m.count(); ++i)
        if (m.interval(i - 1).start > m.interval(i).start) return false;
    return true;
}
} // namespace

class TestTimelineModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chainInStartOrder() {
        Db db;
        const std::string run = db.write(runOf(fixtures::chain(5)));
        TimelineModel model(db.backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, run));
        QCOMPARE(model.count(), 5);
        QCOMPARE(model.laneCount(), 5);
        for (int i = 0; i < 5; ++i) {
            const TimelineInterval& iv = model.interval(i);
            QCOMPARE(model.name(i), QStringLiteral("step-%1").arg(i));
            QCOMPARE(iv.lane, i);
            QVERIFY(!iv.open);
            QCOMPARE(iv.state, StateType::Completed);
            // fixtures: running 10 µs after the start offset, ended duration_s after it
            QCOMPARE(iv.start, kStart + weft::from_seconds(i) + 10);
            QCOMPARE(iv.end, kStart + weft::from_seconds(i + 1));
            const QModelIndex idx = model.index(i);
            QCOMPARE(idx.data(StartRole).toLongLong(), qint64(iv.start));
            QCOMPARE(idx.data(EndRole).toLongLong(), qint64(iv.end));
            QCOMPARE(idx.data(RunCountRole).toInt(), 1);
            QCOMPARE(model.indexOfTaskRun(idx.data(TaskRunIdRole).toString()), i);
            QVERIFY(
                idx.data(Qt::ToolTipRole).toString().contains(QStringLiteral("step-%1").arg(i)));
        }
        QCOMPARE(model.rangeStart(), kStart + 10); // the first task run's start, before the run's
        QCOMPARE(model.rangeEnd(), kStart + weft::from_seconds(200));
        QVERIFY(!model.isLive());
    }

    void fanOutSortedWithStates() {
        Db db;
        const std::string run = db.write(runOf(fixtures::fanOut(30)));
        TimelineModel model(db.backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, run));
        QCOMPARE(model.count(), 32);
        QVERIFY(sortedByStart(model));
        QCOMPARE(model.name(0), QStringLiteral("extract-0"));
        QCOMPARE(model.name(31), QStringLiteral("load-0"));
        int failed = 0;
        for (int i = 0; i < model.count(); ++i)
            failed += model.interval(i).state == StateType::Failed;
        QCOMPARE(failed, 3); // every tenth mapped task, from the 8th
    }

    void runningTasksAreOpen() {
        Db db;
        auto tasks = fixtures::chain(4);
        tasks[2].state = StateType::Running;
        tasks[3].state = StateType::Pending; // not started: not on the timeline
        const std::string run = db.write(runOf(tasks, StateType::Running));
        TimelineModel model(db.backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const weft::Micros now = kStart + weft::from_seconds(7);
        model.setFixedNow(now);
        QVERIFY(load(model, run));
        QCOMPARE(model.count(), 3);
        const TimelineInterval& open = model.interval(2);
        QVERIFY(open.open);
        QCOMPARE(model.endOf(open), now);
        QVERIFY(!model.index(2).data(EndRole).isValid());
        QVERIFY(model.index(2).data(IsOpenRole).toBool());
        QCOMPARE(model.index(2).data(DurationRole).toLongLong(), qint64(now - open.start));
        QVERIFY(model.isLive());
        QCOMPARE(model.rangeEnd(), now);
        QCOMPARE(model.firstIndex(now + 1'000'000'000), 2); // open: reaches any time
    }

    void visibleWindow_data() {
        QTest::addColumn<double>("from");
        QTest::addColumn<double>("to");
        QTest::addRow("before everything") << -5.0 << -1.0;
        QTest::addRow("the first layer") << 0.0 << 0.5;
        QTest::addRow("a thin slice") << 3.41 << 3.42;
        QTest::addRow("across layers") << 2.7 << 6.2;
        QTest::addRow("an instant") << 4.5 << 4.5;
        QTest::addRow("the end") << 9.5 << 12.0;
        QTest::addRow("after everything") << 100.0 << 200.0;
        QTest::addRow("everything") << -1.0 << 100.0;
    }
    void visibleWindow() {
        QFETCH(double, from);
        QFETCH(double, to);
        Db db;
        const std::string run = db.write(runOf(staggeredLayers(10, 25, true), StateType::Running));
        TimelineModel model(db.backend.get());
        model.setFixedNow(kStart + weft::from_seconds(10.3));
        QVERIFY(load(model, run));
        QCOMPARE(model.count(), 250);
        QVERIFY(sortedByStart(model));
        const weft::Micros t0 = kStart + weft::from_seconds(from);
        const weft::Micros t1 = kStart + weft::from_seconds(to);
        const int first = model.firstIndex(t0);
        const int last = model.lastIndex(t1);
        int visible = 0;
        for (int i = 0; i < model.count(); ++i) {
            const TimelineInterval& iv = model.interval(i);
            const bool overlaps = iv.start <= t1 && model.endOf(iv) >= t0;
            if (overlaps) {
                ++visible;
                QVERIFY2(
                    i >= first && i <= last,
                    qPrintable(QStringLiteral("%1 outside [%2, %3]").arg(i).arg(first).arg(last)));
            }
            // The bounds are tight: nothing before `first` reaches t0, nothing after `last`
            // starts by t1, and `first` itself or something before it does reach t0.
            if (i < first) QVERIFY(!iv.open && iv.end < t0);
            if (i > last) QVERIFY(iv.start > t1);
        }
        if (first < model.count()) {
            bool reaches = false;
            for (int i = 0; i <= first; ++i)
                reaches = reaches || model.interval(i).open || model.interval(i).end >= t0;
            QVERIFY(reaches);
        }
        if (last >= 0) QVERIFY(model.interval(last).start <= t1);
        if (to < 0 || from > 50) QCOMPARE(visible, 0);
        if (from < 0 && to > 50) QCOMPARE(visible, 250);
    }

    void groupedLanesDoNotOverlap() {
        Db db;
        auto tasks = fixtures::chain(6);              // one lane: each step after the last
        auto fan = fixtures::fanOut(12, "transform"); // 12 at once: 12 lanes
        for (auto& t : fan)
            t.upstream.clear(), t.start_s += 10;
        tasks.insert(tasks.end(), fan.begin(), fan.end());
        const std::string run = db.write(runOf(tasks));
        TimelineModel model(db.backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, run));
        QCOMPARE(model.laneCount(), model.count());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setGroupByTaskKey(true);
        QCOMPARE(changed.count(), 1);
        const auto& groups = model.groups();
        QCOMPARE(int(groups.size()), 4);
        QCOMPARE(groups[0].taskKey, QStringLiteral("step"));
        QCOMPARE(groups[0].lanes, 1);
        QCOMPARE(groups[0].intervals, 6);
        QCOMPARE(groups[2].taskKey, QStringLiteral("transform"));
        QCOMPARE(groups[2].lanes, 12);
        QCOMPARE(model.laneCount(), 1 + 1 + 12 + 1);
        QCOMPARE(model.laneLabel(0), QStringLiteral("step"));
        QCOMPARE(model.laneLabel(groups[2].firstLane), QStringLiteral("transform"));
        QCOMPARE(model.laneLabel(groups[2].firstLane + 1), QString());
        for (int i = 0; i < model.count(); ++i)
            for (int j = i + 1; j < model.count(); ++j) {
                const TimelineInterval& a = model.interval(i);
                const TimelineInterval& b = model.interval(j);
                if (a.lane == b.lane) QVERIFY(model.endOf(a) <= b.start);
            }
        model.setGroupByTaskKey(false);
        for (int i = 0; i < model.count(); ++i)
            QCOMPARE(model.interval(i).lane, i);
    }

    void retriedRunHasPhases() {
        Db db;
        const std::string run = db.write(runOf(fixtures::chain(2)));
        const std::string id = writeRetried(db.store(), run, kStart, "flaky", 3, 1.0, 2.0, 1.5);
        db.store().flush();
        TimelineModel model(db.backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, run));
        const int i = model.indexOfTaskRun(QString::fromStdString(id));
        QCOMPARE(i, 2);
        QCOMPARE(model.interval(i).runCount, 2);
        QTRY_VERIFY(model.interval(i).retried); // the state history comes after the load
        const auto phases = model.phases(i);
        QCOMPARE(int(phases.size()), 4);
        QCOMPARE(phases[0].type, StateType::Running);
        QCOMPARE(phases[1].type, StateType::Scheduled); // AwaitingRetry
        QCOMPARE(phases[1].start, kStart + weft::from_seconds(4) + 10);
        QCOMPARE(phases[2].type, StateType::Running);
        QCOMPARE(phases[2].start, kStart + weft::from_seconds(6) + 10);
        QCOMPARE(phases[3].type, StateType::Completed);
        QCOMPARE(model.interval(i).end, kStart + weft::from_seconds(7.5) + 10);
    }

    void liveUpdatesOneSignalPerBatch() {
        Db db;
        fixtures::RunSpec spec = runOf({}, StateType::Running);
        spec.start = weft::now_us();
        const std::string run = db.write(spec);
        // The run's own events may reach the feed in a batch of their own, after the load below;
        // they are not part of what this test counts.
        QVERIFY(db.waitForFeed());
        // Updates per feed batch of this run: counted between a slot connected before the
        // model's (so it runs first) and one connected after it.
        int updates = 0;
        int before = 0;
        int batchesOfRun = 0;
        std::vector<int> perBatch;
        auto ofRun = [&](const EventBatch& b) {
            return std::any_of(b->begin(), b->end(),
                               [&](const weft::Event& e) { return e.flow_run_id == run; });
        };
        connect(db.backend.get(), &Backend::eventsArrived, this, [&] { before = updates; });
        TimelineModel model(db.backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        connect(&model, &TimelineModel::updated, this, [&] { ++updates; });
        QVERIFY(load(model, run));
        QCOMPARE(model.count(), 0);
        QVERIFY(model.isLive());
        connect(db.backend.get(), &Backend::eventsArrived, this, [&](const EventBatch& b) {
            if (!ofRun(b)) return;
            ++batchesOfRun;
            perBatch.push_back(updates - before);
        });
        QSignalSpy updated(&model, &TimelineModel::updated);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        // 50 task runs start, in one transaction of the store.
        std::vector<weft::TaskRunRecord> tasks(50);
        const weft::Micros t0 = weft::now_us();
        db.store()
            .transact<void>([&](weft::Txn& txn) {
                for (int i = 0; i < 50; ++i) {
                    weft::TaskRunRecord& t = tasks[size_t(i)];
                    t.id = weft::new_id();
                    t.flow_run_id = run;
                    t.task_key = "live";
                    t.dynamic_key = std::to_string(i);
                    t.name = "live-" + t.dynamic_key;
                    t.created = t.updated = t.expected_start_time = t0 + i;
                    t.state = stateAt(StateType::Pending, t0 + i);
                    txn.put_task_run(t, weft::EventKind::TaskRunCreated);
                    weft::enter_state(t, stateAt(StateType::Running, t0 + 100 + i));
                    txn.put_task_run(t, weft::EventKind::TaskRunState);
                }
            })
            .get();
        QTRY_COMPARE(model.count(), 50);
        QVERIFY(sortedByStart(model));
        for (int i = 0; i < 50; ++i)
            QVERIFY(model.interval(i).open);
        QCOMPARE(inserted.count(), batchesOfRun);
        // Names are not in the feed: one refresh fetches them.
        QTRY_COMPARE(model.name(0), QStringLiteral("live-0"));
        QCOMPARE(model.index(49).data(TaskKeyRole).toString(), QStringLiteral("live"));

        // They end, again in one transaction: intervals close in place.
        const int batchesBefore = batchesOfRun;
        const int updatesBefore = int(updated.count());
        db.store()
            .transact<void>([&](weft::Txn& txn) {
                for (auto& t : tasks) {
                    weft::enter_state(t, stateAt(StateType::Completed, t0 + 5000));
                    txn.put_task_run(t, weft::EventKind::TaskRunState);
                }
            })
            .get();
        QTRY_COMPARE(model.interval(49).open, false);
        QCOMPARE(int(updated.count()) - updatesBefore, batchesOfRun - batchesBefore);
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(model.interval(i).end, t0 + 5000);
            QCOMPARE(model.interval(i).state, StateType::Completed);
        }
        QCOMPARE(model.count(), 50);
        QCOMPARE(inserted.count(), batchesBefore); // closing inserts nothing
        QCOMPARE(perBatch, std::vector<int>(size_t(batchesOfRun), 1));
    }

    void liveRetryBuildsPhasesFromTheFeed() {
        Db db;
        fixtures::RunSpec spec = runOf(fixtures::chain(1), StateType::Running);
        const std::string run = db.write(spec);
        TimelineModel model(db.backend.get());
        QVERIFY(load(model, run));
        QCOMPARE(model.count(), 1);
        const std::string id =
            writeRetried(db.store(), run, kStart, "flaky", 2, 0.5, 1.0, 0.5, false);
        db.store().flush();
        QTRY_COMPARE(model.count(), 2);
        const int i = model.indexOfTaskRun(QString::fromStdString(id));
        QTRY_COMPARE(model.interval(i).runCount, 2);
        QVERIFY(model.interval(i).open); // the second attempt still runs
        // States the run snapshot merged in one batch reach the timeline as one change: the
        // phases come with the task run's state history, read once its record is known.
        QTRY_VERIFY(model.interval(i).retried);
        const auto phases = model.phases(i);
        QCOMPARE(int(phases.size()), 3);
        QCOMPARE(phases[1].type, StateType::Scheduled);
        QCOMPARE(phases[2].start, kStart + weft::from_seconds(3.5) + 10);
    }

    void runStateFollowsTheFeed() {
        Db db;
        fixtures::RunSpec spec = runOf(fixtures::chain(2), StateType::Running);
        const std::string run = db.write(spec);
        TimelineModel model(db.backend.get());
        QVERIFY(load(model, run));
        QVERIFY(model.isLive());
        QVERIFY(!model.runEnd());
        auto record = db.store().read([&](weft::Reader& r) { return r.flow_run(run); });
        QVERIFY(record);
        weft::enter_state(*record, stateAt(StateType::Completed, kStart + weft::from_seconds(30)));
        db.store().put_flow_run(*record, weft::EventKind::FlowRunState);
        db.store().flush();
        QTRY_VERIFY(!model.isLive());
        QCOMPARE(model.runState(), StateType::Completed);
        QVERIFY(model.runEnd().has_value());
    }

    // 5,000 task runs start and finish through the feed: every one is shown, named and grouped.
    // (How long the GUI thread spends on it is weft-bench-studio's ingest_max_stall_ms.)
    void liveIngestOfFiveThousand() {
        Db db;
        fixtures::RunSpec spec = runOf({}, StateType::Running);
        spec.start = weft::now_us();
        const std::string run = db.write(spec);
        TimelineModel model(db.backend.get());
        QVERIFY(load(model, run));
        const weft::Micros t0 = weft::now_us();
        for (int chunk = 0; chunk < 10; ++chunk) {
            // Runs on the writer thread later: `chunk` by value.
            db.store().transact<void>([&, chunk](weft::Txn& txn) {
                for (int i = chunk * 500; i < chunk * 500 + 500; ++i) {
                    weft::TaskRunRecord t;
                    t.id = weft::new_id();
                    t.flow_run_id = run;
                    t.task_key = "live" + std::to_string(i % 7);
                    t.dynamic_key = std::to_string(i);
                    t.name = t.task_key + "-" + t.dynamic_key;
                    t.created = t.updated = t.expected_start_time = t0 + i * 100;
                    t.state = stateAt(StateType::Pending, t0 + i * 100);
                    txn.put_task_run(t, weft::EventKind::TaskRunCreated);
                    weft::enter_state(t, stateAt(StateType::Running, t0 + i * 100 + 10));
                    txn.put_task_run(t, weft::EventKind::TaskRunState);
                    weft::enter_state(t, stateAt(StateType::Completed, t0 + i * 100 + 5000));
                    txn.put_task_run(t, weft::EventKind::TaskRunState);
                }
            });
        }
        db.store().flush();
        QTRY_COMPARE_WITH_TIMEOUT(model.count(), 5000, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(model.name(4999), QStringLiteral("live1-4999"), 20000);
        model.setGroupByTaskKey(true);
        QCOMPARE(int(model.groups().size()), 7);
    }

    void switchingRunsDropsStaleAnswers() {
        Db db;
        const std::string a = db.write(runOf(fixtures::chain(3)));
        const std::string b = db.write(runOf(fixtures::fanOut(4)));
        TimelineModel model(db.backend.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &TimelineModel::loaded);
        model.setFlowRun(QString::fromStdString(a));
        model.setFlowRun(QString::fromStdString(b));
        QVERIFY(loaded.wait(5000));
        QCOMPARE(model.count(), 6);
        QCOMPARE(model.flowRunId(), QString::fromStdString(b));
        model.setFlowRun({});
        QCOMPARE(model.count(), 0);
        QCOMPARE(loaded.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestTimelineModel)
#include "tst_timelinemodel.moc"

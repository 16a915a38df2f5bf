// Errors are not empty data: a query that fails reaches every model as an error (never as "no
// task runs"), Retry recovers, the backend reports itself unhealthy and healthy again, and an
// answer for an object destroyed while its query ran is dropped safely.
#include "dashboard/dashboardmodel.h"
#include "fixtures.h"
#include "flakybackend.h"
#include "graph/rungraphmodel.h"
#include "logs/logmodel.h"
#include "runs/flowlistmodel.h"
#include "runs/flowrunlistmodel.h"
#include "runs/taskrunmodel.h"
#include "timeline/timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace weft::studio;

namespace {
const QString kMalformed = QString::fromLatin1(FlakyBackend::kError);
}

class TestRunErrors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void runAsyncAnswersAnErrorForAnException();
    void runAsyncDropsAnswersOfDestroyedContexts();
    void taskRunsShowTheErrorThenRecover();
    void timelineAndGraphShowTheError();
    void logsShowTheErrorInsteadOfPlaceholders();
    void listsAndDashboardShowTheError();
    void healthFollowsAnswers();

private:
    std::string writeRun(int tasks, int logLines = 0);
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FlakyBackend> m_backend;
};

void TestRunErrors::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    m_backend = std::make_unique<FlakyBackend>(m_dir->filePath(QStringLiteral("t.db")));
    m_backend->setPollInterval(10);
    QCOMPARE(m_backend->openNow(), QString());
}

void TestRunErrors::cleanup() {
    queryPool()->waitForDone(5000);
    m_backend.reset();
    m_dir.reset();
}

std::string TestRunErrors::writeRun(int tasks, int logLines) {
    fixtures::RunSpec spec;
    spec.tasks = fixtures::chain(tasks);
    spec.log_lines = logLines;
    const auto written = fixtures::writeRun(m_backend->engine()->store(), spec);
    m_backend->engine()->store().flush();
    return written.flow_run_id;
}

void TestRunErrors::runAsyncAnswersAnErrorForAnException() {
    QObject context;
    std::optional<Result<int>> answer;
    runAsync<int>(
        &context, []() -> int { throw std::runtime_error("disk I/O error"); },
        [&](Result<int> r) { answer.emplace(std::move(r)); });
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 5000);
    QVERIFY(!answer->ok());
    QCOMPARE(answer->error(), QStringLiteral("disk I/O error"));

    answer.reset();
    runAsync<int>(
        &context, [] { return 42; }, [&](Result<int> r) { answer.emplace(std::move(r)); });
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 5000);
    QVERIFY(answer->ok());
    QCOMPARE(**answer, 42);
}

// The context dies while its query runs (held on a semaphore), or races the worker's post (no
// hold): the answer must never reach it. The guard is read on the GUI thread, so under ASan a
// post to a dead object would show as a use after free.
void TestRunErrors::runAsyncDropsAnswersOfDestroyedContexts() {
    int late = 0; // answers that reached a context after it was destroyed
    int answered = 0;
    auto start = [&](QObject* context, std::shared_ptr<bool> dead,
                     std::shared_ptr<QSemaphore> hold) {
        runAsync<std::vector<int>>(
            context,
            [hold] {
                if (hold) hold->acquire();
                return std::vector<int>(100, 1);
            },
            [&late, &answered, dead](Result<std::vector<int>>) {
                ++answered;
                if (*dead) ++late;
            });
    };
    // Destroyed while the query runs.
    for (int i = 0; i < 200; ++i) {
        auto hold = std::make_shared<QSemaphore>();
        auto dead = std::make_shared<bool>(false);
        auto* context = new QObject;
        start(context, dead, hold);
        *dead = true;
        delete context;
        hold->release();
    }
    // Destroyed while the answer is on its way (racing the worker's post).
    for (int i = 0; i < 2000; ++i) {
        auto dead = std::make_shared<bool>(false);
        auto* context = new QObject;
        start(context, dead, nullptr);
        if (i % 2) QThread::yieldCurrentThread();
        *dead = true;
        delete context;
    }
    // One that lives: its answer comes.
    QObject alive;
    auto notDead = std::make_shared<bool>(false);
    start(&alive, notDead, nullptr);
    QVERIFY(queryPool()->waitForDone(10000));
    QTRY_COMPARE_WITH_TIMEOUT(answered, 1, 5000);
    QCoreApplication::processEvents();
    QCOMPARE(late, 0);
    QCOMPARE(answered, 1);
}

void TestRunErrors::taskRunsShowTheErrorThenRecover() {
    const std::string run = writeRun(5);
    m_backend->setFailing(true);
    TaskRunModel model(m_backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy errors(&model, &TaskRunModel::errorChanged);
    QSignalSpy loaded(&model, &TaskRunModel::loaded);
    model.setFlowRun(QString::fromStdString(run));
    QVERIFY(loaded.wait(5000));
    QVERIFY(model.isLoaded());
    QCOMPARE(model.rowCount(), 0);
    // Not "no task runs": the error, naming what failed and why.
    QCOMPARE(model.errorString(), QStringLiteral("couldn't load task runs: ") + kMalformed);
    QVERIFY(errors.count() >= 1);

    m_backend->setFailing(false);
    model.refresh(); // Retry
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 5, 5000);
    QCOMPARE(model.errorString(), QString());
    QCOMPARE(errors.last().at(0).toString(), QString());
}

void TestRunErrors::timelineAndGraphShowTheError() {
    const std::string run = writeRun(4);
    m_backend->setFailing(true);
    RunSnapshot snapshot(m_backend.get());
    TimelineModel timeline(m_backend.get());
    QAbstractItemModelTester tester(&timeline,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    timeline.setSnapshot(&snapshot);
    RunGraphModel graph(m_backend.get());
    graph.setSnapshot(&snapshot);
    QSignalSpy loaded(&snapshot, &RunSnapshot::loaded);
    snapshot.setFlowRun(QString::fromStdString(run));
    QVERIFY(loaded.wait(5000));
    QVERIFY(!timeline.isLoading());
    QVERIFY(!graph.isLoading());
    QVERIFY2(timeline.errorString().endsWith(kMalformed), qPrintable(timeline.errorString()));
    QVERIFY2(graph.errorString().endsWith(kMalformed), qPrintable(graph.errorString()));
    QCOMPARE(timeline.count(), 0);
    QCOMPARE(graph.nodeCount(), 0);

    m_backend->setFailing(false);
    graph.retry();
    QTRY_COMPARE_WITH_TIMEOUT(timeline.count(), 4, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(graph.nodeCount(), 4, 5000);
    QCOMPARE(timeline.errorString(), QString());
    QCOMPARE(graph.errorString(), QString());
}

void TestRunErrors::logsShowTheErrorInsteadOfPlaceholders() {
    const std::string run = writeRun(2, 300);
    LogModel model(m_backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&model, &LogModel::loadFinished);
    model.setFlowRun(QString::fromStdString(run));
    QVERIFY(finished.wait(5000));
    QCOMPARE(model.rowCount(), 300);
    QCOMPARE(model.errorString(), QString());

    // The ids are in, the text fails: the lines say why instead of loading forever.
    m_backend->setFailing(true);
    QVERIFY(model.lineAt(299) == nullptr);
    QTRY_COMPARE_WITH_TIMEOUT(model.errorString(),
                              QStringLiteral("couldn't load log lines: ") + kMalformed, 5000);
    QVERIFY(model.lineAt(299) == nullptr);

    m_backend->setFailing(false);
    model.retry();
    QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() == 300 && model.lineAt(299) != nullptr, 5000);
    QCOMPARE(model.errorString(), QString());

    // Ids that cannot be read at all.
    m_backend->setFailing(true);
    model.retry();
    QTRY_COMPARE_WITH_TIMEOUT(model.errorString(),
                              QStringLiteral("couldn't load log lines: ") + kMalformed, 5000);
    QVERIFY(!model.isLoading());
}

void TestRunErrors::listsAndDashboardShowTheError() {
    writeRun(1);
    m_backend->setFailing(true);
    FlowRunListModel runs(m_backend.get());
    QAbstractItemModelTester t1(&runs, QAbstractItemModelTester::FailureReportingMode::QtTest);
    FlowListModel flows(m_backend.get());
    QAbstractItemModelTester t2(&flows, QAbstractItemModelTester::FailureReportingMode::QtTest);
    DashboardModel dashboard(m_backend.get());
    dashboard.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(runs.errorString().endsWith(kMalformed), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(flows.errorString().endsWith(kMalformed), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard.errorString().endsWith(kMalformed), 5000);
    QCOMPARE(runs.totalCount(), qint64(-1)); // unknown, not 0
    QVERIFY(!dashboard.isLoaded());

    m_backend->setFailing(false);
    runs.retry();
    flows.refresh();
    dashboard.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(runs.totalCount(), qint64(1), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(flows.rowCount(), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard.isLoaded(), 5000);
    QCOMPARE(runs.errorString(), QString());
    QCOMPARE(flows.errorString(), QString());
    QCOMPARE(dashboard.errorString(), QString());
}

void TestRunErrors::healthFollowsAnswers() {
    const std::string run = writeRun(1);
    QSignalSpy health(m_backend.get(), &Backend::healthChanged);
    QVERIFY(m_backend->isHealthy());
    m_backend->setFailing(true);
    TaskRunModel model(m_backend.get());
    model.setFlowRun(QString::fromStdString(run));
    QVERIFY(health.wait(5000));
    QCOMPARE(health.count(), 1);
    QCOMPARE(health.at(0).at(0).toBool(), false);
    QCOMPARE(health.at(0).at(1).toString(), kMalformed);
    QVERIFY(!m_backend->isHealthy());

    m_backend->setFailing(false);
    model.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(m_backend->isHealthy(), 5000);
    QCOMPARE(health.count(), 2);
    QCOMPARE(health.at(1).at(0).toBool(), true);
}

QTEST_GUILESS_MAIN(TestRunErrors)
#include "tst_runerrors.moc"

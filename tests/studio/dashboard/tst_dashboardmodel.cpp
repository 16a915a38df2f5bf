// DashboardModel on a real database: runs per state in time buckets that end on whole
// intervals, per-flow counts, durations and failures, recent failures newest first, and a live
// refresh when a run fails later.
#include "backend/embeddedbackend.h"
#include "dashboard/dashboardmodel.h"
#include "fixtures.h"

#include <weft/engine.hpp>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace weft::studio;

namespace {
constexpr weft::Micros kHour = 3600LL * 1000 * 1000;

const DashboardData::FlowStats* statsOf(const DashboardData& d, const std::string& flow) {
    for (const auto& f : d.flows)
        if (f.flowName == flow) return &f;
    return nullptr;
}

int runsIn(const DashboardData::Bucket& b, weft::StateType type) {
    auto it = b.runsByState.find(type);
    return it == b.runsByState.end() ? 0 : it->second;
}
} // namespace

class TestDashboardModel : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;
    weft::Micros m_now = 0;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath(QStringLiteral("dash.db"));
        m_now = weft::now_us();
        auto store = weft::Store::open(m_db.toStdString());
        auto run = [&](const char* flow, weft::StateType state, double hoursAgo, double seconds,
                       const char* message = "") {
            fixtures::RunSpec spec;
            spec.flow_name = flow;
            spec.state = state;
            spec.start = m_now - weft::Micros(hoursAgo * double(kHour));
            spec.duration_s = seconds;
            spec.message = message;
            fixtures::writeRun(*store, spec);
        };
        run("etl", weft::StateType::Completed, 0.1, 2);
        run("etl", weft::StateType::Completed, 0.2, 4);
        run("etl", weft::StateType::Failed, 0.3, 6, "upload refused");
        run("report", weft::StateType::Completed, 5.5, 1);
        run("report", weft::StateType::Crashed, 5.6, 1, "process gone");
        run("report", weft::StateType::Completed, 30, 1); // outside a day's range
        store->flush();
    }

    void aggregatesTheLastDay() {
        EmbeddedBackend backend(m_db);
        QCOMPARE(backend.openNow(), QString());
        DashboardModel model(&backend);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy refreshed(&model, &DashboardModel::refreshed);
        model.setRange(24 * 3600, 24);
        QTRY_VERIFY(model.isLoaded());
        const DashboardData& d = model.data();

        QCOMPARE(int(d.buckets.size()), 24);
        const weft::Micros interval = kHour;
        for (const auto& b : d.buckets)
            QCOMPARE(b.start % interval, 0); // whole hours
        QVERIFY(d.buckets.back().start <= m_now && m_now < d.buckets.back().start + interval);
        int total = 0;
        for (const auto& b : d.buckets)
            for (const auto& [type, n] : b.runsByState)
                total += n;
        QCOMPARE(total, 5);
        // The three recent etl runs fall in the last hour or the one before it.
        const auto& last = d.buckets.back();
        const auto& previous = d.buckets[d.buckets.size() - 2];
        QCOMPARE(runsIn(last, weft::StateType::Completed)
                     + runsIn(previous, weft::StateType::Completed),
                 2);
        QCOMPARE(runsIn(last, weft::StateType::Failed) + runsIn(previous, weft::StateType::Failed),
                 1);

        const auto* etl = statsOf(d, "etl");
        QVERIFY(etl);
        QCOMPARE(etl->runs, 3);
        QCOMPARE(etl->failed, 1);
        QVERIFY(qAbs(etl->meanDurationS - 4.0) < 0.01);
        QVERIFY(qAbs(etl->maxDurationS - 6.0) < 0.01);
        const auto* report = statsOf(d, "report");
        QVERIFY(report);
        QCOMPARE(report->runs, 2);
        QCOMPARE(report->failed, 1); // crashed counts as a failure

        // Recent failures, newest first, as table rows.
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, DashboardModel::FlowColumn).data().toString(),
                 QStringLiteral("etl"));
        QCOMPARE(model.index(0, DashboardModel::MessageColumn).data().toString(),
                 QStringLiteral("upload refused"));
        QCOMPARE(model.index(1, DashboardModel::FlowColumn).data().toString(),
                 QStringLiteral("report"));
        QCOMPARE(model.index(1, 0).data(DashboardModel::StateTypeRole).toInt(),
                 int(weft::StateType::Crashed));
        QVERIFY(!model.index(0, 0).data(DashboardModel::RunIdRole).toString().isEmpty());
    }

    void aLongerRangeTakesOlderRuns() {
        EmbeddedBackend backend(m_db);
        QCOMPARE(backend.openNow(), QString());
        DashboardModel model(&backend);
        QSignalSpy refreshed(&model, &DashboardModel::refreshed);
        model.setRange(7 * 24 * 3600, 7);
        QTRY_VERIFY(refreshed.count() >= 1);
        QCOMPARE(int(model.data().buckets.size()), 7);
        QCOMPARE(statsOf(model.data(), "report")->runs, 3);
    }

    void aNewFailureRefreshesIt() {
        EmbeddedBackend backend(m_db);
        backend.setPollInterval(10);
        QCOMPARE(backend.openNow(), QString());
        DashboardModel model(&backend);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRange(24 * 3600, 24);
        QTRY_COMPARE(model.rowCount(), 2);
        {
            auto store = weft::Store::open(m_db.toStdString());
            fixtures::RunSpec spec;
            spec.flow_name = "ingest";
            spec.state = weft::StateType::Failed;
            spec.message = "disk full";
            fixtures::writeRun(*store, spec);
            store->flush();
        }
        QTRY_COMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, DashboardModel::MessageColumn).data().toString(),
                 QStringLiteral("disk full"));
        QVERIFY(statsOf(model.data(), "ingest"));
    }
};

QTEST_GUILESS_MAIN(TestDashboardModel)
#include "tst_dashboardmodel.moc"

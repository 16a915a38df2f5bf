// FlowListModel: flows with run counts and their latest run, refreshed live.
#include "backend/embeddedbackend.h"
#include "runs/flowlistmodel.h"

#include "fixtures.h"

#include <weft/engine.hpp>
#include <weft/ids.hpp>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace weft::studio;

class TestFlowListModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void flowsWithFigures();
    void liveNewFlowAndRuns();
    void successRateLeavesCancelledOut();
};

void TestFlowListModel::successRateLeavesCancelledOut() {
    QTemporaryDir dir;
    EmbeddedBackend backend(dir.filePath(QStringLiteral("f.db")));
    QCOMPARE(backend.openNow(), QString());
    auto runs = [&](const char* flow, weft::StateType state, int n) {
        for (int i = 0; i < n; ++i) {
            fixtures::RunSpec spec;
            spec.flow_name = flow;
            spec.state = state;
            fixtures::writeRun(backend.engine()->store(), spec);
        }
    };
    runs("etl", weft::StateType::Completed, 3);
    runs("etl", weft::StateType::Failed, 1);
    runs("etl", weft::StateType::Cancelled, 2);
    runs("etl", weft::StateType::Running, 1);
    runs("idle", weft::StateType::Cancelled, 1);
    backend.engine()->store().flush();
    FlowListModel model(&backend);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy refreshed(&model, &FlowListModel::refreshed);
    model.refresh();
    QTRY_VERIFY(refreshed.count() > 0 && model.rowCount() == 2);
    const QModelIndex etl =
        model.index(model.flowNames().indexOf(u"etl"_qs), FlowListModel::SuccessRateColumn);
    QTRY_COMPARE(etl.data(FlowListModel::SuccessRateRole).toDouble(), 0.75); // 3 / (3 + 1)
    QCOMPARE(etl.data().toString(), QStringLiteral("75 %"));
    QVERIFY(etl.data(Qt::ToolTipRole).toString().contains(u"Cancelled"));
    // Only cancelled runs: no rate, not 0 %.
    const QModelIndex idle =
        model.index(model.flowNames().indexOf(u"idle"_qs), FlowListModel::SuccessRateColumn);
    QVERIFY(!idle.data(FlowListModel::SuccessRateRole).isValid());
    QCOMPARE(idle.data().toString(), QString());
}

void TestFlowListModel::flowsWithFigures() {
    QTemporaryDir dir;
    EmbeddedBackend backend(dir.filePath(QStringLiteral("f.db")));
    backend.setPollInterval(10);
    QCOMPARE(backend.openNow(), QString());
    fixtures::writeManyRuns(backend.engine()->store(), 200);
    FlowListModel model(&backend);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy refreshed(&model, &FlowListModel::refreshed);
    model.refresh();
    QTRY_VERIFY(refreshed.count() > 0 && model.rowCount() == 5
                && model.data(model.index(4, 0), FlowListModel::RunCountRole).toLongLong() >= 0);
    QTRY_VERIFY(model.data(model.index(0, 0), FlowListModel::LatestRunIdRole).toString().size()
                > 0);
    QCOMPARE(model.flowNames(), (QStringList{QStringLiteral("backfill"), QStringLiteral("etl"),
                                             QStringLiteral("ml-train"), QStringLiteral("reports"),
                                             QStringLiteral("sync")}));
    qint64 total = 0;
    for (int r = 0; r < model.rowCount(); ++r) {
        const qint64 n = model.data(model.index(r, 0), FlowListModel::RunCountRole).toLongLong();
        weft::FlowRunQuery q;
        q.flow_names = {model.flowNames()[r].toStdString()};
        QCOMPARE(n, backend.engine()->store().read(
                        [&](weft::Reader& rd) { return rd.count_flow_runs(q); }));
        total += n;
        q.limit = 1;
        const auto latest =
            backend.engine()->store().read([&](weft::Reader& rd) { return rd.flow_runs(q); });
        QCOMPARE(model.data(model.index(r, 0), FlowListModel::LatestRunIdRole).toString(),
                 QString::fromStdString(latest.front().id));
        QVERIFY(model.data(model.index(r, 0), FlowListModel::StateTypeRole).isValid());
    }
    QCOMPARE(total, qint64(200));
}

void TestFlowListModel::liveNewFlowAndRuns() {
    QTemporaryDir dir;
    EmbeddedBackend backend(dir.filePath(QStringLiteral("f.db")));
    backend.setPollInterval(10);
    QCOMPARE(backend.openNow(), QString());
    fixtures::RunSpec spec;
    spec.flow_name = "first";
    fixtures::writeRun(backend.engine()->store(), spec);
    FlowListModel model(&backend);
    model.setRefreshDelay(20);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(model.rowCount(), 1);
    QTRY_COMPARE(model.data(model.index(0, 0), FlowListModel::RunCountRole).toLongLong(),
                 qint64(1));
    spec.flow_name = "another";
    spec.state = weft::StateType::Failed;
    const auto written = fixtures::writeRun(backend.engine()->store(), spec);
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("another"));
    QTRY_COMPARE(model.data(model.index(0, 0), FlowListModel::LatestRunIdRole).toString(),
                 QString::fromStdString(written.flow_run_id));
    QCOMPARE(model.data(model.index(0, 0), FlowListModel::StateTypeRole).toInt(),
             int(weft::StateType::Failed));
}

QTEST_GUILESS_MAIN(TestFlowListModel)
#include "tst_flowlistmodel.moc"

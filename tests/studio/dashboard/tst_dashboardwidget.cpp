// DashboardWidget on a real database: the success rate follows the one rule its tooltip states
// (Cancelled left out), and the runs-by-state axis is labelled in round steps.
#include "backend/embeddedbackend.h"
#include "dashboard/dashboardmodel.h"
#include "dashboard/dashboardwidget.h"
#include "dashboard/niceaxis.h"
#include "fixtures.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

using namespace weft::studio;

class TestDashboardWidget : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath(QStringLiteral("dash.db"));
        auto store = weft::Store::open(m_db.toStdString());
        const weft::Micros now = weft::now_us();
        auto runs = [&](weft::StateType state, int count) {
            for (int i = 0; i < count; ++i) {
                fixtures::RunSpec spec;
                spec.state = state;
                spec.start = now - 60'000'000; // a minute ago: one bucket of the last hour
                spec.duration_s = 1;
                fixtures::writeRun(*store, spec);
            }
        };
        runs(weft::StateType::Completed, 9);
        runs(weft::StateType::Failed, 2);
        runs(weft::StateType::Crashed, 1);
        runs(weft::StateType::Cancelled, 3);
        store->flush();
    }

    void successRateLeavesCancelledOut() {
        EmbeddedBackend backend(m_db);
        QCOMPARE(backend.openNow(), QString());
        DashboardModel model(&backend);
        DashboardWidget widget(&model);
        model.setRange(3600, 12);
        QTRY_VERIFY(model.isLoaded());
        // 9 / (9 + 2 + 1); counting the 3 cancelled runs would give 60 %.
        QCOMPARE(widget.successRate()->text(), QStringLiteral("75.0 %"));
        QVERIFY(widget.successRate()->toolTip().contains(QLatin1String("Cancelled")));
        QCOMPARE(widget.failureView()->toolTip(), DashboardWidget::rateRule());
    }

    void runsAxisHasRoundTicks() {
        EmbeddedBackend backend(m_db);
        QCOMPARE(backend.openNow(), QString());
        DashboardModel model(&backend);
        DashboardWidget widget(&model);
        model.setRange(3600, 12);
        QTRY_VERIFY(model.isLoaded());
        const auto axes = widget.historyView()->chart()->axes(Qt::Vertical);
        QCOMPARE(axes.size(), 1);
        auto* y = qobject_cast<QValueAxis*>(axes.front());
        QVERIFY(y);
        // 15 runs in the tallest bucket: 0/5/10/15, not 0/3.75/7.5/….
        QCOMPARE(y->min(), 0.0);
        QCOMPARE(y->max(), 15.0);
        QCOMPARE(y->tickCount(), 4);
        const double step = (y->max() - y->min()) / (y->tickCount() - 1);
        QCOMPARE(step, niceAxis(15, 5, true).step);
    }
};

QTEST_MAIN(TestDashboardWidget)
#include "tst_dashboardwidget.moc"

// DashboardWidget on a real database: the success rate follows the one rule its tooltip states
// (Cancelled left out), and the runs-by-state axis is labelled in round steps.
#include "backend/embeddedbackend.h"
#include "dashboard/dashboardmodel.h"
#include "dashboard/dashboardwidget.h"
#include "dashboard/niceaxis.h"
#include "fixtures.h"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QLabel>
#include <QTableView>
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

    // Without failures in the range the dashboard says so where the table of failures would be;
    // with them, the table is shown.
    void noFailuresIsSaid() {
        const QString empty = m_dir.filePath(QStringLiteral("calm.db"));
        {
            auto store = weft::Store::open(empty.toStdString());
            fixtures::RunSpec spec; // completed, started now
            fixtures::writeRun(*store, spec);
            store->flush();
        }
        EmbeddedBackend calm(empty);
        QCOMPARE(calm.openNow(), QString());
        DashboardModel calmModel(&calm);
        DashboardWidget calmWidget(&calmModel);
        calmWidget.show();
        auto* none = calmWidget.findChild<QLabel*>(QStringLiteral("noFailures"));
        QVERIFY(none);
        QTRY_VERIFY(calmModel.isLoaded() && none->isVisible());
        QVERIFY(!calmWidget.findChild<QTableView*>()->isVisible());

        EmbeddedBackend backend(m_db);
        QCOMPARE(backend.openNow(), QString());
        DashboardModel model(&backend);
        DashboardWidget widget(&model);
        widget.show();
        QTRY_VERIFY(model.isLoaded() && model.rowCount() > 0);
        QTRY_VERIFY(widget.findChild<QTableView*>()->isVisible());
        QVERIFY(!widget.findChild<QLabel*>(QStringLiteral("noFailures"))->isVisible());
    }

    // Every range's time labels are read whole under their bars in a window of the default
    // size: each label is narrower than its bar's share of the plot (24 hourly ones were not).
    void timeLabelsFitUnderTheirBars() {
        EmbeddedBackend backend(m_db);
        QCOMPARE(backend.openNow(), QString());
        DashboardModel model(&backend);
        DashboardWidget widget(&model);
        widget.resize(1200, 800);
        widget.show();
        QVERIFY(QTest::qWaitForWindowExposed(&widget));
        auto* range = widget.findChild<QComboBox*>();
        QVERIFY(range);
        const int bars[] = {12, 12, 14, 15}; // last hour, 24 hours, 7 days, 30 days
        QCOMPARE(range->count(), 4);
        auto axis = [&] {
            const auto axes = widget.historyView()->chart()->axes(Qt::Horizontal);
            return axes.isEmpty() ? nullptr : qobject_cast<QBarCategoryAxis*>(axes.front());
        };
        for (int i = 0; i < range->count(); ++i) {
            range->setCurrentIndex(i);
            QTRY_VERIFY(axis() && axis()->count() == bars[i]);
            QBarCategoryAxis* x = axis();
            const double bar = widget.historyView()->chart()->plotArea().width() / x->count();
            const QFontMetrics fm(x->labelsFont());
            for (const QString& label : x->categories())
                QVERIFY2(fm.horizontalAdvance(label) + 4 < bar,
                         qPrintable(QStringLiteral("%1: \"%2\" in %3 px")
                                        .arg(range->itemText(i), label)
                                        .arg(bar)));
        }
    }
};

QTEST_MAIN(TestDashboardWidget)
#include "tst_dashboardwidget.moc"

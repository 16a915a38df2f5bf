// The dashboard's value axes: ticks at 1, 2, 2.5 or 5 times a power of ten, from 0 to a step
// multiple at or above the largest value.
#include "dashboard/niceaxis.h"

#include <QTest>
#include <cmath>

using namespace weft::studio;

class TestNiceAxis : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void ticks_data() {
        QTest::addColumn<double>("maxValue");
        QTest::addColumn<int>("maxIntervals");
        QTest::addColumn<bool>("integers");
        QTest::addColumn<double>("top");
        QTest::addColumn<double>("step");
        QTest::addColumn<int>("tickCount");
        // The reported axis: 0/902/1805 for a largest bar of 1805.
        QTest::addRow("1805 runs") << 1805.0 << 5 << true << 2000.0 << 500.0 << 5;
        QTest::addRow("3610 runs") << 3610.0 << 5 << true << 4000.0 << 1000.0 << 5;
        QTest::addRow("exact multiple") << 3000.0 << 5 << true << 3000.0 << 1000.0 << 4;
        QTest::addRow("one run") << 1.0 << 5 << true << 1.0 << 1.0 << 2;
        QTest::addRow("7 runs") << 7.0 << 5 << true << 8.0 << 2.0 << 5;
        QTest::addRow("no runs") << 0.0 << 5 << true << 1.0 << 1.0 << 2;
        QTest::addRow("counts skip 2.5") << 12.0 << 5 << true << 15.0 << 5.0 << 4;
        QTest::addRow("counts take 25") << 110.0 << 5 << true << 125.0 << 25.0 << 6;
        QTest::addRow("seconds 2.5") << 12.0 << 5 << false << 12.5 << 2.5 << 6;
        QTest::addRow("fractions") << 0.37 << 5 << false << 0.4 << 0.1 << 5;
        QTest::addRow("few intervals") << 902.0 << 2 << true << 1000.0 << 500.0 << 3;
        QTest::addRow("not finite") << qInf() << 5 << false << 1.0 << 1.0 << 2;
    }
    void ticks() {
        QFETCH(double, maxValue);
        QFETCH(int, maxIntervals);
        QFETCH(bool, integers);
        QFETCH(double, top);
        QFETCH(double, step);
        QFETCH(int, tickCount);
        const NiceAxis axis = niceAxis(maxValue, maxIntervals, integers);
        QCOMPARE(axis.top, top);
        QCOMPARE(axis.step, step);
        QCOMPARE(axis.tickCount, tickCount);
        QVERIFY(axis.top >= maxValue || !std::isfinite(maxValue));
    }
};

QTEST_GUILESS_MAIN(TestNiceAxis)
#include "tst_niceaxis.moc"

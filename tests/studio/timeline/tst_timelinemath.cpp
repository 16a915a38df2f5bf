// TimelineMath alone: time <-> pixels, zoom around a point, clamping, rows, ticks and labels.
#include "timeline/timelinemath.h"

#include <QTest>
#include <limits>

using weft::studio::TimelineMath;

namespace {
constexpr double kS = 1e6;
constexpr double kMin = 60 * kS;
constexpr double kH = 60 * kMin;

TimelineMath tenSecondsOn1000px() {
    TimelineMath m;
    m.limitStart = 0;
    m.limitEnd = 10 * kS;
    m.width = 1000;
    m.viewStart = 0;
    m.viewSpan = 10 * kS;
    return m;
}
} // namespace

class TestTimelineMath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void mapping_data() {
        QTest::addColumn<double>("t");
        QTest::addColumn<double>("x");
        QTest::addRow("start") << 0.0 << 0.0;
        QTest::addRow("middle") << 5 * kS << 500.0;
        QTest::addRow("end") << 10 * kS << 1000.0;
        QTest::addRow("before") << -1 * kS << -100.0;
        QTest::addRow("sub-pixel") << 5000.0 << 0.5;
    }
    void mapping() {
        QFETCH(double, t);
        QFETCH(double, x);
        const TimelineMath m = tenSecondsOn1000px();
        QCOMPARE(m.xOf(t), x);
        QCOMPARE(m.timeAt(x), t);
        QCOMPARE(m.usPerPixel(), 10000.0);
    }

    void zoomKeepsPointUnderCursor_data() {
        QTest::addColumn<double>("x");
        QTest::addColumn<double>("factor");
        QTest::addRow("in at left") << 0.0 << 2.0;
        QTest::addRow("in at middle") << 500.0 << 4.0;
        QTest::addRow("in at right") << 1000.0 << 1.25;
        QTest::addRow("in then out") << 300.0 << 0.8;
    }
    void zoomKeepsPointUnderCursor() {
        QFETCH(double, x);
        QFETCH(double, factor);
        TimelineMath m = tenSecondsOn1000px();
        m.zoomTimeAround(500, 8); // room to move both ways without clamping
        const double before = m.timeAt(x);
        const double span = m.viewSpan;
        m.zoomTimeAround(x, factor);
        QVERIFY(qAbs(m.timeAt(x) - before) < 1e-6);
        QVERIFY(qAbs(m.viewSpan - span / factor) < 1e-6);
    }

    void zoomIsClamped() {
        TimelineMath m = tenSecondsOn1000px();
        m.zoomTimeAround(500, 1e12);
        QCOMPARE(m.viewSpan, m.minSpan);
        m.zoomTimeAround(500, 1e-12);
        QCOMPARE(m.viewSpan, m.maxSpan());
        // Wider than the run: the run sits in the middle.
        QCOMPARE(m.viewStart + m.viewSpan / 2, 5 * kS);
    }

    void panIsClamped_data() {
        QTest::addColumn<double>("dx");
        QTest::addColumn<double>("start");
        QTest::addRow("a little right") << 100.0 << 0.5 * kS;
        QTest::addRow("far left") << -1e9 << -0.5 * kS; // 10 % of the 5 s view before 0
        QTest::addRow("far right") << 1e9 << 5.5 * kS;  // 10 s + 0.5 s - 5 s
    }
    void panIsClamped() {
        QFETCH(double, dx);
        QFETCH(double, start);
        TimelineMath m = tenSecondsOn1000px();
        m.zoomTimeAround(0, 2); // 5 s across, starting at 0
        m.panPixels(dx);
        QCOMPARE(m.viewStart, start);
    }

    void fitShowsRangeWithMargins() {
        TimelineMath m = tenSecondsOn1000px();
        m.limitStart = 2 * kS;
        m.limitEnd = 4 * kS;
        m.fitTime(2 * kS, 4 * kS, 50);
        QCOMPARE(m.xOf(2 * kS), 50.0);
        QCOMPARE(m.xOf(4 * kS), 950.0);
    }

    void resizeKeepsScale() {
        TimelineMath m = tenSecondsOn1000px();
        m.limitEnd = 100 * kS;
        m.setWidth(500);
        QCOMPARE(m.usPerPixel(), 10000.0);
        QCOMPARE(m.viewSpan, 5 * kS);
        QCOMPARE(m.viewStart, 0.0);
    }

    void rows_data() {
        QTest::addColumn<double>("y");
        QTest::addColumn<int>("row");
        QTest::addRow("first") << 0.0 << 4; // offset 100 px at 22 px a row
        QTest::addRow("next") << 10.0 << 5;
        QTest::addRow("below the rows area") << 500.0 << -1;
        QTest::addRow("above") << -1.0 << -1;
    }
    void rows() {
        QFETCH(double, y);
        QFETCH(int, row);
        TimelineMath m;
        m.setHeight(400);
        m.setRowCount(100);
        m.rowHeight = 22;
        m.scrollRows(100);
        QCOMPARE(m.rowAt(y), row);
        QCOMPARE(m.firstVisibleRow(), 4);
        QCOMPARE(m.lastVisibleRow(), (100 + 400 + 21) / 22 - 1);
    }

    void rowZoomKeepsRowUnderCursor() {
        TimelineMath m;
        m.setHeight(400);
        m.setRowCount(1000);
        m.rowHeight = 10;
        m.scrollRows(2000);
        const double pos = (150 + m.rowOffset) / m.rowHeight;
        m.zoomRowsAround(150, 1.5);
        QCOMPARE(m.rowHeight, 15.0);
        QVERIFY(qAbs((150 + m.rowOffset) / m.rowHeight - pos) < 1e-9);
        m.zoomRowsAround(150, 1e9);
        QCOMPARE(m.rowHeight, m.maxRowHeight);
        m.zoomRowsAround(150, 1e-9);
        QCOMPARE(m.rowHeight, 0.4); // every row in the view, no less
        QCOMPARE(m.rowOffset, 0.0);
    }

    void fitRows_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<double>("height");
        QTest::addRow("few rows keep the preferred height")
            << 5 << TimelineMath::kPreferredRowHeight;
        QTest::addRow("many rows shrink") << 100 << 4.0;
        QTest::addRow("very many rows shrink below a pixel") << 10000 << 0.04;
        QTest::addRow("none") << 0 << TimelineMath::kPreferredRowHeight;
    }
    void fitRows() {
        QFETCH(int, rows);
        QFETCH(double, height);
        TimelineMath m;
        m.setHeight(400);
        m.setRowCount(rows);
        m.scrollRows(50);
        m.fitRows();
        QCOMPARE(m.rowHeight, height);
        QCOMPARE(m.rowOffset, 0.0);
        QVERIFY(m.contentHeight() <= m.height + 1e-9);
    }

    void niceStep_data() {
        QTest::addColumn<double>("min");
        QTest::addColumn<double>("step");
        QTest::addRow("below a µs") << 0.3 << 1.0;
        QTest::addRow("3 µs") << 3.0 << 5.0;
        QTest::addRow("exactly 2 ms") << 2000.0 << 2000.0;
        QTest::addRow("120 ms") << 120e3 << 200e3;
        QTest::addRow("600 ms") << 600e3 << 1 * kS;
        QTest::addRow("1.1 s") << 1.1 * kS << 2 * kS;
        QTest::addRow("11 s") << 11 * kS << 15 * kS;
        QTest::addRow("40 s") << 40 * kS << 1 * kMin;
        QTest::addRow("3 min") << 3 * kMin << 5 * kMin;
        QTest::addRow("20 min") << 20 * kMin << 30 * kMin;
        QTest::addRow("2.5 h") << 2.5 * kH << 3 * kH;
        QTest::addRow("7 h") << 7 * kH << 12 * kH;
        QTest::addRow("30 h") << 30 * kH << 48 * kH;
    }
    void niceStep() {
        QFETCH(double, min);
        QFETCH(double, step);
        QCOMPARE(TimelineMath::niceStep(min), step);
    }

    void ticks_data() {
        QTest::addColumn<double>("viewStart");
        QTest::addColumn<double>("viewSpan");
        QTest::addColumn<double>("origin");
        QTest::addColumn<double>("step");
        QTest::addColumn<double>("minor");
        QTest::addColumn<double>("first");
        // 1000 px, labels at least 80 px apart.
        QTest::addRow("10 s run") << 0.0 << 10 * kS << 0.0 << 1 * kS << 200e3 << 0.0;
        QTest::addRow("aligned on the origin")
            << 1.3 * kS << 10 * kS << 0.3 * kS << 1 * kS << 200e3 << 1.3 * kS;
        QTest::addRow("before the origin")
            << -2.5 * kS << 10 * kS << 0.0 << 1 * kS << 200e3 << -2 * kS;
        QTest::addRow("an hour") << 0.0 << kH << 0.0 << 5 * kMin << 1 * kMin << 0.0;
        QTest::addRow("deep zoom")
            << 5 * kS + 37 << 1000.0 << 5 * kS << 100.0 << 20.0 << 5 * kS + 100;
    }
    void ticks() {
        QFETCH(double, viewStart);
        QFETCH(double, viewSpan);
        QFETCH(double, origin);
        QFETCH(double, step);
        QFETCH(double, minor);
        QFETCH(double, first);
        TimelineMath m;
        m.width = 1000;
        m.viewStart = viewStart;
        m.viewSpan = viewSpan;
        const TimelineMath::Ticks t = m.ticks(origin, 80);
        QCOMPARE(t.step, step);
        QCOMPARE(t.minorStep, minor);
        QVERIFY2(qAbs(t.first - first) < 1e-6, qPrintable(QString::number(t.first, 'f')));
        QVERIFY(m.xOf(t.first + t.step) - m.xOf(t.first) >= 80);
    }

    void formatOffset_data() {
        QTest::addColumn<double>("offset");
        QTest::addColumn<double>("step");
        QTest::addColumn<QString>("label");
        QTest::addRow("zero") << 0.0 << 1 * kS << QStringLiteral("0");
        QTest::addRow("rounding noise is zero") << 1e-7 << 100.0 << QStringLiteral("0");
        QTest::addRow("µs steps in ms") << 1200.0 << 100.0 << QStringLiteral("1.2 ms");
        QTest::addRow("ms") << 250e3 << 50e3 << QStringLiteral("250 ms");
        QTest::addRow("seconds with decimals") << 1.25 * kS << 250e3 << QStringLiteral("1.25 s");
        QTest::addRow("whole seconds") << 15 * kS << 5 * kS << QStringLiteral("15 s");
        QTest::addRow("fixed decimals per step") << 1.5 * kS << 250e3 << QStringLiteral("1.50 s");
        QTest::addRow("floating noise") << 2.9999999 * kS << 1 * kS << QStringLiteral("3 s");
        QTest::addRow("minutes and seconds") << 90 * kS << 10 * kS << QStringLiteral("1 min 30 s");
        QTest::addRow("whole minute") << 120 * kS << 30 * kS << QStringLiteral("2 min");
        QTest::addRow("minute step drops seconds")
            << 5 * kMin << 1 * kMin << QStringLiteral("5 min");
        QTest::addRow("sub-second after a minute")
            << 61.5 * kS << 500e3 << QStringLiteral("1 min 1.5 s");
        QTest::addRow("hours") << 2.25 * kH << 15 * kMin << QStringLiteral("2 h 15 min");
        QTest::addRow("hour step") << 3 * kH << 1 * kH << QStringLiteral("3 h");
        QTest::addRow("days") << 26 * kH << 2 * kH << QStringLiteral("1 d 2 h");
        QTest::addRow("negative") << -2 * kS << 1 * kS << QStringLiteral("-2 s");
    }
    void formatOffset() {
        QFETCH(double, offset);
        QFETCH(double, step);
        QFETCH(QString, label);
        QCOMPARE(TimelineMath::formatOffset(offset, step), label);
    }

    void packLanes_data() {
        // Intervals as (start, end, group); end -1 is open. Expected lanes and lanes per group.
        QTest::addColumn<QList<QList<int>>>("intervals");
        QTest::addColumn<QList<int>>("lanes");
        QTest::addColumn<QList<int>>("perGroup");
        QTest::addRow("none") << QList<QList<int>>{} << QList<int>{} << QList<int>{};
        QTest::addRow("a chain shares one lane")
            << QList<QList<int>>{{0, 10, 0}, {10, 20, 0}, {25, 30, 0}} << QList<int>{0, 0, 0}
            << QList<int>{1};
        QTest::addRow("overlaps take new lanes")
            << QList<QList<int>>{{0, 10, 0}, {1, 10, 0}, {2, 10, 0}} << QList<int>{0, 1, 2}
            << QList<int>{3};
        QTest::addRow("the lowest free lane is reused")
            << QList<QList<int>>{{0, 5, 0}, {1, 20, 0}, {2, 6, 0}, {7, 9, 0}}
            << QList<int>{0, 1, 2, 0} << QList<int>{3};
        QTest::addRow("open intervals keep their lane")
            << QList<QList<int>>{{0, -1, 0}, {1, 2, 0}, {5, 6, 0}} << QList<int>{0, 1, 1}
            << QList<int>{2};
        QTest::addRow("groups stack in order")
            << QList<QList<int>>{{0, 10, 0}, {0, 10, 1}, {1, 10, 1}, {2, 10, 0}, {3, 4, 2}}
            << QList<int>{0, 2, 3, 1, 4} << QList<int>{2, 2, 1};
    }
    void packLanes() {
        QFETCH(QList<QList<int>>, intervals);
        QFETCH(QList<int>, lanes);
        QFETCH(QList<int>, perGroup);
        std::vector<TimelineMath::LaneInput> in;
        for (const auto& iv : intervals)
            in.push_back(
                {iv[0], iv[1] < 0 ? std::numeric_limits<std::int64_t>::max() : iv[1], iv[2]});
        std::vector<int> got;
        const std::vector<int> counts = TimelineMath::packLanes(in, got);
        QCOMPARE(QList<int>(got.begin(), got.end()), lanes);
        QCOMPARE(QList<int>(counts.begin(), counts.end()), perGroup);
    }

    void formatDuration_data() {
        QTest::addColumn<double>("us");
        QTest::addColumn<QString>("text");
        QTest::addRow("µs") << 850.0 << QStringLiteral("850 µs");
        QTest::addRow("ms, 2 decimals") << 1250.0 << QStringLiteral("1.25 ms");
        QTest::addRow("ms, 1 decimal") << 12500.0 << QStringLiteral("12.5 ms");
        QTest::addRow("ms, whole") << 250e3 << QStringLiteral("250 ms");
        QTest::addRow("rounds up to a second") << 999.9e3 << QStringLiteral("1.00 s");
        QTest::addRow("s") << 1.2345 * kS << QStringLiteral("1.23 s");
        QTest::addRow("tens of s") << 12.34 * kS << QStringLiteral("12.3 s");
        QTest::addRow("rounds up to a minute") << 59.97 * kS << QStringLiteral("1 min");
        QTest::addRow("min s") << 184.4 * kS << QStringLiteral("3 min 4 s");
        QTest::addRow("h min") << 2 * kH + 5 * kMin + 10 * kS << QStringLiteral("2 h 5 min");
        QTest::addRow("negative is zero") << -5.0 << QStringLiteral("0 µs");
    }
    void formatDuration() {
        QFETCH(double, us);
        QFETCH(QString, text);
        QCOMPARE(TimelineMath::formatDuration(us), text);
    }
};

QTEST_GUILESS_MAIN(TestTimelineMath)
#include "tst_timelinemath.moc"

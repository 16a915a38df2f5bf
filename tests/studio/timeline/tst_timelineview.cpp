// TimelineView offscreen: it paints bars in their state colours where barRect() says, wheel
// gestures change only what they should, fit shows every bar, clicks name the bar, exports write
// whole timelines; paint times for 10,000 task runs are printed; pictures on request
// (WEFT_TIMELINE_PICTURES=DIR).
#include "backend/embeddedbackend.h"
#include "common/statepalette.h"
#include "common/theme.h"
#include "timeline/timelinemodel.h"
#include "timeline/timelinepainter.h"
#include "timeline/timelineview.h"
#include "timeline/timelinewidget.h"
#include "timelinetestdata.h"

#include <QApplication>
#include <QLayout>
#include <QPainter>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <functional>

using namespace weft::studio;
using namespace timelinetest;
using weft::StateType;

namespace {
constexpr weft::Micros kStart = 1'700'000'000'000'000;

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
};

bool load(TimelineModel& model, const std::string& runId) {
    QSignalSpy loaded(&model, &TimelineModel::loaded);
    model.setFlowRun(QString::fromStdString(runId));
    return loaded.wait(10000);
}

void wheel(QWidget* target, QPointF pos, int delta, Qt::KeyboardModifiers mods) {
    QWheelEvent e(pos, target->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton, mods,
                  Qt::NoScrollPhase, false);
    QApplication::sendEvent(target, &e);
}

QColor pixel(const QImage& image, QPointF p) {
    return image.pixelColor(p.toPoint());
}

// A shown view on the ETL run with its retry history in.
struct EtlView {
    Db db;
    EtlRun run;
    TimelineModel model{db.backend.get()};
    TimelineView view;
    int retried = -1;
    int open = -1;
    explicit EtlView(QSize size = {1100, 520}) {
        run = writeEtl(db.store(), kStart);
        model.setFixedNow(run.now);
        view.setModel(&model);
        view.resize(size);
        view.show();
        if (!QTest::qWaitForWindowExposed(&view) || !load(model, run.written.flow_run_id)) return;
        retried = model.indexOfTaskRun(QString::fromStdString(run.retriedId));
        for (int i = 0; i < model.count(); ++i)
            if (model.interval(i).open) open = i;
    }
};
} // namespace

class TestTimelineView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QApplication::setStyle(QStringLiteral("Fusion")); }

    void paintsBarsInStateColours() {
        EtlView v;
        QCOMPARE(v.model.count(), 17); // 2 extracts, validate, 12 transforms, aggregate, load
        QVERIFY(v.retried >= 0 && v.open >= 0);
        QTRY_VERIFY(v.model.interval(v.retried).retried); // its state history came in
        const QImage image = v.view.viewport()->grab().toImage();
        const QColor base = v.view.palette().color(QPalette::Base);
        int notBase = 0;
        for (int y = 0; y < image.height(); y += 4)
            for (int x = 0; x < image.width(); x += 4)
                notBase += image.pixelColor(x, y) != base;
        QVERIFY(notBase > image.width() * image.height() / 16 / 10);
        for (int i = 0; i < v.model.count(); ++i) {
            const TimelineInterval& iv = v.model.interval(i);
            const QRectF r = v.view.barRect(i);
            QVERIFY(v.view.barArea().contains(r.center().toPoint()));
            if (i == v.retried) continue;
            // Near the start: clear of the duration text inside and of an open bar's faded end.
            QCOMPARE(pixel(image, {r.left() + 3, r.center().y()}), stateColor(iv.state, false));
        }
        QCOMPARE(v.model.interval(v.open).state, StateType::Running);
        // An open bar is solid up to shortly before now, where it fades.
        const QRectF open = v.view.barRect(v.open);
        QCOMPARE(pixel(image, {open.right() - 24, open.center().y()}),
                 stateColor(StateType::Running, false));
        const QColor fading = pixel(image, {open.right() - 2, open.center().y()});
        QVERIFY(fading != stateColor(StateType::Running, false) && fading != base);
        // The retried bar: a failed first attempt, a hatched wait, then its completed retry.
        const auto phases = v.model.phases(v.retried);
        QCOMPARE(int(phases.size()), 4);
        const QRectF r = v.view.barRect(v.retried);
        auto xOf = [&](weft::Micros t) {
            return v.view.labelWidth() + v.view.math().xOf(double(t));
        };
        const double y = r.center().y();
        QCOMPARE(pixel(image, {(xOf(phases[0].start) + xOf(phases[1].start)) / 2, y}),
                 stateColor(StateType::Failed, false));
        QCOMPARE(pixel(image, {(xOf(phases[2].start) + xOf(phases[3].start)) / 2, y}),
                 stateColor(StateType::Completed, false));
        const QColor gap = pixel(image, {(xOf(phases[1].start) + xOf(phases[2].start)) / 2, y});
        QVERIFY(gap != stateColor(StateType::Completed, false) && gap != base);
    }

    void openBarsGrowWithTime() {
        EtlView v;
        const double before = v.view.barRect(v.open).width();
        v.model.setFixedNow(v.run.now + weft::from_seconds(6));
        QTRY_VERIFY(v.view.barRect(v.open).width() > before + 20); // the live timer repaints
    }

    void shiftWheelZoomsTimeOnly() {
        EtlView v;
        const TimelineMath before = v.view.math();
        const QPointF at(v.view.labelWidth() + 300, v.view.axisHeight() + 40);
        const double timeUnder = before.timeAt(300);
        wheel(v.view.viewport(), at, 240, Qt::ShiftModifier);
        const TimelineMath& after = v.view.math();
        QVERIFY(after.viewSpan < before.viewSpan * 0.7);
        QVERIFY(qAbs(after.timeAt(300) - timeUnder) < after.usPerPixel());
        QCOMPARE(after.rowHeight, before.rowHeight);
        QCOMPARE(after.rowOffset, before.rowOffset);
        wheel(v.view.viewport(), at, -240, Qt::ShiftModifier);
        QVERIFY(qAbs(v.view.math().viewSpan - before.viewSpan) < 1);
    }

    void ctrlWheelZoomsRowsOnly() {
        EtlView v;
        const TimelineMath before = v.view.math();
        const QPointF at(v.view.labelWidth() + 300, v.view.axisHeight() + 40);
        wheel(v.view.viewport(), at, 360, Qt::ControlModifier);
        const TimelineMath& after = v.view.math();
        QVERIFY(after.rowHeight > before.rowHeight * 1.5);
        QCOMPARE(after.viewSpan, before.viewSpan);
        QCOMPARE(after.viewStart, before.viewStart);
        // Now taller than the view: the plain wheel scrolls rows, and nothing else.
        const TimelineMath tall = v.view.math();
        wheel(v.view.viewport(), at, -120, Qt::NoModifier);
        QVERIFY(v.view.math().rowOffset > tall.rowOffset);
        QCOMPARE(v.view.math().rowHeight, tall.rowHeight);
        QCOMPARE(v.view.math().viewSpan, tall.viewSpan);
        QCOMPARE(v.view.verticalScrollBar()->value(), int(std::lround(v.view.math().rowOffset)));
    }

    void fitShowsEveryBar() {
        EtlView v;
        const QPointF at(v.view.labelWidth() + 100, v.view.axisHeight() + 20);
        wheel(v.view.viewport(), at, 1200, Qt::ShiftModifier);
        wheel(v.view.viewport(), at, 1200, Qt::ControlModifier);
        QTest::keyClick(&v.view, Qt::Key_F);
        const QRectF area = v.view.barArea();
        const QImage image = v.view.viewport()->grab().toImage();
        for (int i = 0; i < v.model.count(); ++i) {
            const QRectF r = v.view.barRect(i);
            QVERIFY2(area.adjusted(-0.5, -0.5, 0.5, 0.5).contains(r), qPrintable(v.model.name(i)));
            if (i != v.retried)
                QCOMPARE(pixel(image, {r.left() + std::min(3.0, r.width() / 2), r.center().y()}),
                         stateColor(v.model.interval(i).state, false));
        }
    }

    void clickAndContextMenuNameTheBar() {
        EtlView v;
        QSignalSpy activated(&v.view, &TimelineView::taskRunActivated);
        QSignalSpy menu(&v.view, &TimelineView::contextMenuRequested);
        const int i = 4;
        const QPoint at = v.view.barRect(i).center().toPoint();
        QTest::mouseClick(v.view.viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toString(), v.model.taskRunId(i));
        QCOMPARE(v.view.currentTaskRun(), v.model.taskRunId(i));
        // Empty space: nothing.
        QTest::mouseClick(v.view.viewport(), Qt::LeftButton, {},
                          QPoint(v.view.barArea().right() - 5, v.view.barArea().top() + 3));
        QCOMPARE(activated.count(), 1);
        QContextMenuEvent e(QContextMenuEvent::Mouse, at, v.view.viewport()->mapToGlobal(at));
        QApplication::sendEvent(v.view.viewport(), &e);
        QCOMPARE(menu.count(), 1);
        QCOMPARE(menu.at(0).at(0).toString(), v.model.taskRunId(i));
        QCOMPARE(menu.at(0).at(1).toPoint(), v.view.viewport()->mapToGlobal(at));
    }

    void exportsWholeTimeline() {
        EtlView v;
        // Zoomed into a corner first: the export still holds every row and the whole run.
        const QPointF at(v.view.labelWidth() + 50, v.view.axisHeight() + 10);
        wheel(v.view.viewport(), at, 1200, Qt::ShiftModifier);
        wheel(v.view.viewport(), at, 1200, Qt::ControlModifier);
        QTemporaryDir out;
        const QString png = out.filePath(QStringLiteral("timeline.png"));
        const QString svg = out.filePath(QStringLiteral("timeline.svg"));
        QVERIFY(v.view.exportTo(png));
        QVERIFY(v.view.exportTo(svg));
        QImage image(png);
        QVERIFY(!image.isNull());
        const int rowsHeight = int(v.model.laneCount() * TimelineMath::kPreferredRowHeight);
        QVERIFY(image.height() >= rowsHeight);
        int coloured = 0;
        const QColor completed = stateColor(StateType::Completed, false);
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); x += 2)
                coloured += image.pixelColor(x, y) == completed;
        QVERIFY(coloured > 1000);
        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        QVERIFY(renderer.viewBox().height() >= rowsHeight);
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("<svg"));
        QVERIFY(text.contains(completed.name().toLatin1()));
    }

    void pictures() {
        const QString dir = qEnvironmentVariable("WEFT_TIMELINE_PICTURES");
        if (dir.isEmpty()) QSKIP("set WEFT_TIMELINE_PICTURES=DIR to render pictures");
        Db db;
        const EtlRun etl = writeEtl(db.store(), kStart);
        fixtures::RunSpec big;
        big.flow_name = "backfill";
        big.name = "amber-lynx";
        big.start = kStart;
        big.duration_s = 21.2;
        big.tasks = staggeredLayers(20, 100);
        const std::string bigRun = fixtures::writeRun(db.store(), big).flow_run_id;
        db.store().flush();
        for (const bool dark : {false, true}) {
            QApplication::setPalette(dark ? ThemeManager::darkPalette()
                                          : ThemeManager::lightPalette());
            const QString theme = dark ? QStringLiteral("dark") : QStringLiteral("light");
            auto shoot = [&](const std::string& run, weft::Micros now, QSize size,
                             const QString& name,
                             const std::function<void(TimelineWidget&)>& adjust) {
                TimelineWidget w(db.backend.get());
                w.model()->setFixedNow(now);
                w.resize(size);
                w.show();
                QVERIFY(QTest::qWaitForWindowExposed(&w));
                QVERIFY(load(*w.model(), run));
                if (run == etl.written.flow_run_id) { // the retry's history is fetched after a load
                    const int i = w.model()->indexOfTaskRun(QString::fromStdString(etl.retriedId));
                    QTRY_VERIFY(w.model()->interval(i).retried);
                }
                if (adjust) adjust(w);
                w.layout()->activate();
                QCoreApplication::sendPostedEvents(); // scroll bars show or hide on a queued call
                QVERIFY(
                    w.grab().save(QStringLiteral("%1/timeline-%2-%3.png").arg(dir, name, theme)));
            };
            shoot(etl.written.flow_run_id, etl.now, {1200, 540}, QStringLiteral("etl"), {});
            shoot(etl.written.flow_run_id, etl.now, {1200, 540}, QStringLiteral("etl-hover"),
                  [&](TimelineWidget& w) {
                      const int i =
                          w.model()->indexOfTaskRun(QString::fromStdString(etl.retriedId));
                      const QPointF at = w.view()->barRect(i).center();
                      QMouseEvent move(QEvent::MouseMove, at, w.view()->viewport()->mapToGlobal(at),
                                       Qt::NoButton, Qt::NoButton, Qt::NoModifier);
                      QApplication::sendEvent(w.view()->viewport(), &move);
                      w.view()->setCurrentTaskRun(w.model()->taskRunId(4));
                  });
            shoot(
                etl.written.flow_run_id, etl.now, {1200, 540}, QStringLiteral("etl-grouped"),
                [&](TimelineWidget& w) {
                    w.model()->setGroupByTaskKey(true);
                    QVERIFY(
                        w.view()->exportTo(QStringLiteral("%1/export-etl-%2.svg").arg(dir, theme)));
                    QVERIFY(
                        w.view()->exportTo(QStringLiteral("%1/export-etl-%2.png").arg(dir, theme)));
                    QSvgRenderer svg(QStringLiteral("%1/export-etl-%2.svg").arg(dir, theme));
                    QImage drawn(svg.defaultSize(), QImage::Format_ARGB32);
                    drawn.fill(Qt::transparent);
                    QPainter painter(&drawn);
                    svg.render(&painter);
                    painter.end();
                    QVERIFY(drawn.save(QStringLiteral("%1/export-etl-%2.svg.png").arg(dir, theme)));
                });
            shoot(bigRun, kStart, {1200, 720}, QStringLiteral("2000"), {});
            shoot(bigRun, kStart, {1200, 720}, QStringLiteral("2000-zoomed"),
                  [](TimelineWidget& w) {
                      const QPointF at(w.view()->labelWidth() + 420, w.view()->axisHeight() + 300);
                      for (int k = 0; k < 100 && w.view()->math().rowHeight < 22; ++k)
                          wheel(w.view()->viewport(), at, 120, Qt::ControlModifier);
                      wheel(w.view()->viewport(), at, 120 * 9, Qt::ShiftModifier);
                  });
            shoot(bigRun, kStart, {1200, 720}, QStringLiteral("2000-grouped"),
                  [&](TimelineWidget& w) {
                      w.model()->setGroupByTaskKey(true);
                      QVERIFY(w.view()->exportTo(
                          QStringLiteral("%1/export-2000-%2.png").arg(dir, theme)));
                  });
        }
    }
};

QTEST_MAIN(TestTimelineView)
#include "tst_timelineview.moc"

// RunGraphView offscreen: colours where the nodes are, clicks, expand, fit, keys, export, live
// recolouring, edge kinds. (Paint times of 10,000-node graphs are in weft-bench-studio.)
#include "backend/embeddedbackend.h"
#include "common/statepalette.h"
#include "common/theme.h"
#include "graph/rungraphedges.h"
#include "graph/rungraphpainter.h"
#include "graph/rungraphview.h"
#include "graph/rungraphwidget.h"
#include "graphfixtures.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>

using namespace weft::studio;
using weft::StateType;

namespace {

int colourDistance(QColor a, QColor b) {
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green())
           + std::abs(a.blue() - b.blue());
}

// Whether some pixel of `area` is within `tolerance` of `colour`.
bool hasColour(const QImage& image, QRect area, QColor colour, int tolerance = 30) {
    area = area.intersected(image.rect());
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x)
            if (colourDistance(image.pixelColor(x, y), colour) <= tolerance) return true;
    return false;
}

} // namespace

class TestRunGraphView : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<EmbeddedBackend> m_backend;
    graphfixtures::EtlRun m_etl;

    weft::Store& store() { return m_backend->engine()->store(); }

    static bool load(RunGraphModel& model, const std::string& id) {
        model.setFlowRun(QString::fromStdString(id));
        QSignalSpy done(&model, &RunGraphModel::loadingChanged);
        return model.isLoading() && done.wait(20000) && !model.isLoading();
    }

    static QPoint centreOf(const RunGraphView& view, int node) {
        return view.mapFromScene(view.model()->nodeRect(node).center()).toPoint();
    }

    int node(const RunGraphModel& model, const std::string& id) {
        return model.nodeForTaskRun(QString::fromStdString(id));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_backend = std::make_unique<EmbeddedBackend>(m_dir.filePath(QStringLiteral("view.db")));
        m_backend->setPollInterval(10);
        QCOMPARE(m_backend->openNow(), QString());
        m_etl = graphfixtures::writeEtlRun(store());
    }
    void cleanupTestCase() { m_backend.reset(); }

    void paintsStateColoursWhereTheNodesAre() {
        RunGraphModel model(m_backend.get());
        RunGraphView view(&model);
        view.resize(1100, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(load(model, m_etl.parent.flow_run_id));
        const QImage image = view.viewport()->grab().toImage();
        QVERIFY(!image.isNull());
        QVERIFY(image.pixelColor(2, 2) == view.palette().color(QPalette::Base));
        for (int n = 0; n < model.nodeCount(); ++n) {
            const QRect box = QRectF(view.mapFromScene(model.nodeRect(n).topLeft()),
                                     view.mapFromScene(model.nodeRect(n).bottomRight()))
                                  .toRect();
            QVERIFY2(view.viewport()->rect().contains(box), qPrintable(model.nodeLabel(n)));
            QVERIFY2(hasColour(image, box, stateColor(model.nodeStateType(n))),
                     qPrintable(model.nodeLabel(n)));
        }
        // The group's bar shows both of its members' states.
        const int group = node(model, m_etl.transformIds[0]);
        const QRect box = QRectF(view.mapFromScene(model.nodeRect(group).topLeft()),
                                 view.mapFromScene(model.nodeRect(group).bottomRight()))
                              .toRect();
        QVERIFY(hasColour(image, box, stateColor(StateType::Completed)));
        QVERIFY(hasColour(image, box, stateColor(StateType::Failed)));
        QVERIFY(!hasColour(image, view.viewport()->rect(), stateColor(StateType::Scheduled), 10));
    }

    void clicksActivateAndExpand() {
        RunGraphModel model(m_backend.get());
        RunGraphView view(&model);
        view.resize(1100, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(load(model, m_etl.parent.flow_run_id));
        QSignalSpy activated(&view, &RunGraphView::taskRunActivated);
        QSignalSpy menu(&view, &RunGraphView::contextMenuRequested);

        const int extract = node(model, m_etl.parent.task_run_ids[0]);
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, centreOf(view, extract));
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.first().first().toString(),
                 QString::fromStdString(m_etl.parent.task_run_ids[0]));
        QCOMPARE(view.selectedTaskRunId(), QString::fromStdString(m_etl.parent.task_run_ids[0]));

        QContextMenuEvent right(QContextMenuEvent::Mouse, centreOf(view, extract),
                                view.viewport()->mapToGlobal(centreOf(view, extract)));
        QCoreApplication::sendEvent(view.viewport(), &right);
        QCOMPARE(menu.count(), 1);
        QCOMPARE(menu.first().first().toString(),
                 QString::fromStdString(m_etl.parent.task_run_ids[0]));

        // Empty space clears the selection and activates nothing.
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, QPoint(3, 3));
        QCOMPARE(activated.count(), 1);
        QVERIFY(view.selectedTaskRunId().isEmpty());

        // Double-click on the `.map` group shows its twelve task runs, keeping it in place.
        QSignalSpy relaid(&model, &RunGraphModel::layoutChanged);
        const int group = node(model, m_etl.transformIds[0]);
        const QPointF before = view.mapFromScene(model.nodeRect(group).topLeft());
        QTest::mouseDClick(view.viewport(), Qt::LeftButton, {}, centreOf(view, group));
        QVERIFY(relaid.wait());
        QCOMPARE(model.nodeCount(), 6 - 1 + 12);
        const QPointF after =
            view.mapFromScene(model.nodeRect(node(model, m_etl.transformIds[0])).topLeft());
        QVERIFY2(QLineF(before, after).length() < 2, "the expanded group moved on screen");

        // A click on the subflow's chevron expands it into a frame.
        view.fitToView();
        const int report = node(model, m_etl.reportTaskRunId);
        const QRectF chevron = RunGraphPainter(&model).chevronRect(report);
        QVERIFY(!chevron.isEmpty());
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {},
                          view.mapFromScene(chevron.center()).toPoint());
        QVERIFY(relaid.wait());
        QCOMPARE(model.nodeKind(node(model, m_etl.reportTaskRunId)),
                 RunGraphNodeKind::SubflowFrame);
        QCOMPARE(model.nodeCount(), 17 + 3);
        QCOMPARE(activated.count(), 1); // the chevron toggles, it does not activate
    }

    void orderOnlyEdgesAreDashed() {
        // Two pairs apart: x → y passes data (solid), p → q only orders (wait_for: dashed).
        fixtures::RunSpec spec;
        spec.tasks.push_back({"x", StateType::Completed, {}, 0, 1, {}});
        spec.tasks.push_back({"y", StateType::Completed, {0}, 1, 1, {}});
        spec.start = weft::now_us() - weft::from_seconds(60);
        const auto run = fixtures::writeRun(store(), spec);
        const std::string p = graphfixtures::addTaskRun(store(), run.flow_run_id, "p", {});
        graphfixtures::addTaskRun(store(), run.flow_run_id, "q", {}, {p});
        RunGraphModel model(m_backend.get());
        RunGraphView view(&model);
        view.resize(900, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(load(model, run.flow_run_id));
        QCOMPARE(model.edgeCount(), 2);
        const QImage image = view.viewport()->grab().toImage();
        if (const QString dir = qEnvironmentVariable("WEFT_TEST_PICTURES"); !dir.isEmpty())
            image.save(dir + QStringLiteral("/rungraph-edge-kinds.png"));
        const QColor base = view.palette().color(QPalette::Base);
        // The share of points along the edge's curve with ink at or next to them.
        const auto inked = [&](int e) {
            const QPolygonF& pts = model.edgePolyline(e);
            const EdgeCubic c = edgeCubic(pts.first(), pts.last());
            int ink = 0, samples = 0;
            for (double t = 0.1; t <= 0.9; t += 0.004, ++samples) {
                const QPoint at = view.mapFromScene(pointAt(c, t)).toPoint();
                for (int dy = -1; dy <= 1; ++dy)
                    if (colourDistance(image.pixelColor(at + QPoint(0, dy)), base) > 60) {
                        ++ink;
                        break;
                    }
            }
            return double(ink) / samples;
        };
        for (int e = 0; e < model.edgeCount(); ++e) {
            QCOMPARE(model.edgePolyline(e).size(), 2);
            const double share = inked(e);
            if (model.edgeIsOrderOnly(e)) {
                QVERIFY2(share > 0.3 && share < 0.85, qPrintable(QString::number(share)));
            } else {
                QVERIFY2(share > 0.95, qPrintable(QString::number(share)));
            }
        }
    }

    void fitShowsEveryNode() {
        const auto fan = fixtures::writeRun(store(), {.tasks = fixtures::fanOut(200)});
        store().flush();
        RunGraphModel model(m_backend.get());
        RunGraphView view(&model);
        view.resize(900, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(load(model, fan.flow_run_id));
        QSignalSpy relaid(&model, &RunGraphModel::layoutChanged);
        model.setAllGroupsExpanded(true);
        QVERIFY(relaid.wait());
        QCOMPARE(model.nodeCount(), 202);
        view.setZoom(2.5);
        QVERIFY(!view.visibleSceneRect().contains(model.boundingRect()));
        view.fitToView();
        const QRectF viewport = view.viewport()->rect();
        for (int n = 0; n < model.nodeCount(); ++n) {
            const QRectF r(view.mapFromScene(model.nodeRect(n).topLeft()),
                           view.mapFromScene(model.nodeRect(n).bottomRight()));
            QVERIFY2(viewport.contains(r), qPrintable(model.nodeLabel(n)));
        }
        // Zoomed this far out the boxes are dots, still in their colours.
        const QImage image = view.viewport()->grab().toImage();
        QVERIFY(hasColour(image, image.rect(), stateColor(StateType::Failed), 20));
        QVERIFY(hasColour(image, image.rect(), stateColor(StateType::Completed), 20));

        // Keys: + zooms in, arrows pan, F fits again.
        const double fitted = view.zoom();
        QTest::keyClick(&view, Qt::Key_Plus);
        QCOMPARE(view.zoom(), fitted * 1.25);
        view.setZoom(1);
        const QPointF top = view.visibleSceneRect().topLeft();
        QTest::keyClick(&view, Qt::Key_Down);
        QVERIFY(view.visibleSceneRect().top() > top.y());
        QTest::keyClick(&view, Qt::Key_F);
        QCOMPARE(view.zoom(), fitted);
    }

    void exportsPngAndSvg() {
        RunGraphModel model(m_backend.get());
        RunGraphView view(&model);
        view.resize(500, 400);
        QVERIFY(load(model, m_etl.parent.flow_run_id));
        const QString png = m_dir.filePath(QStringLiteral("graph.png"));
        QVERIFY(view.exportTo(png));
        const QImage image(png);
        QVERIFY(!image.isNull());
        const QRectF b = model.boundingRect();
        QCOMPARE(image.width(), int(std::ceil(b.width() + 56)));
        QCOMPARE(image.height(), int(std::ceil(b.height() + 56)));
        const int extract = node(model, m_etl.parent.task_run_ids[0]);
        const QRect box =
            model.nodeRect(extract).translated(-b.topLeft() + QPointF(28, 28)).toRect();
        QVERIFY(hasColour(image, box, stateColor(StateType::Completed)));

        const QString svg = m_dir.filePath(QStringLiteral("graph.svg"));
        QVERIFY(view.exportTo(svg));
        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        QCOMPARE(renderer.viewBoxF().size().toSize(), image.size());
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("<svg"));
        QVERIFY(text.contains("extract-0")); // labels are text, not outlines
    }

    void liveStateRecolours() {
        auto tasks = fixtures::chain(3);
        tasks[2].state = StateType::Running;
        const auto run =
            fixtures::writeRun(store(), {.state = StateType::Running,
                                         .start = weft::now_us() - weft::from_seconds(60),
                                         .tasks = tasks});
        store().flush();
        RunGraphModel model(m_backend.get());
        RunGraphView view(&model);
        view.resize(900, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(load(model, run.flow_run_id));
        const int last = node(model, run.task_run_ids[2]);
        const QRect box = QRectF(view.mapFromScene(model.nodeRect(last).topLeft()),
                                 view.mapFromScene(model.nodeRect(last).bottomRight()))
                              .toRect();
        QVERIFY(hasColour(view.viewport()->grab().toImage(), box, stateColor(StateType::Running)));
        QSignalSpy changed(&model, &RunGraphModel::nodesChanged);
        graphfixtures::setTaskRunState(store(), run.task_run_ids[2], StateType::Failed);
        QVERIFY(changed.wait());
        const QImage image = view.viewport()->grab().toImage();
        QVERIFY(hasColour(image, box, stateColor(StateType::Failed)));
        QVERIFY(!hasColour(image, box, stateColor(StateType::Running), 10));
    }

    void tagFilterHidesOthers() {
        RunGraphModel model(m_backend.get());
        RunGraphView view(&model);
        view.resize(1100, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(load(model, m_etl.parent.flow_run_id));
        view.setTagFilter(QStringLiteral("cpu"), RunGraphTagMode::Only);
        QSignalSpy activated(&view, &RunGraphView::taskRunActivated);
        const int extract = node(model, m_etl.parent.task_run_ids[0]); // tagged io, not cpu
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, centreOf(view, extract));
        QCOMPARE(activated.count(), 0);
        const QImage image = view.viewport()->grab().toImage();
        const QRect box = QRectF(view.mapFromScene(model.nodeRect(extract).topLeft()),
                                 view.mapFromScene(model.nodeRect(extract).bottomRight()))
                              .toRect();
        QVERIFY(!hasColour(image, box, stateColor(StateType::Completed), 10));
        view.setTagFilter(QStringLiteral("io"), RunGraphTagMode::Highlight);
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, centreOf(view, extract));
        QCOMPARE(activated.count(), 1);
    }

    void darkPaletteIsRespected() {
        RunGraphModel model(m_backend.get());
        RunGraphWidget widget(&model);
        widget.setPalette(ThemeManager::darkPalette());
        widget.resize(1100, 520);
        widget.show();
        QVERIFY(QTest::qWaitForWindowExposed(&widget));
        QVERIFY(load(model, m_etl.parent.flow_run_id));
        RunGraphView* view = widget.view();
        const QImage image = view->viewport()->grab().toImage();
        QCOMPARE(image.pixelColor(2, 2), ThemeManager::darkPalette().color(QPalette::Base));
        const int extract = node(model, m_etl.parent.task_run_ids[0]);
        const QRect box = QRectF(view->mapFromScene(model.nodeRect(extract).topLeft()),
                                 view->mapFromScene(model.nodeRect(extract).bottomRight()))
                              .toRect();
        QVERIFY(hasColour(image, box, stateColor(StateType::Completed, true)));
        QVERIFY(hasColour(image, box, ThemeManager::darkPalette().color(QPalette::Text),
                          60)); // the label
    }

    // A collapsed subflow's box holds its name and "· subflow" beside the chevron, and a name
    // too long for any box loses its middle, not the end that tells runs apart.
    void subflowAndLongLabelsAreNotCut() {
        fixtures::RunSpec parent;
        parent.tasks = {
            {.task_key = "weather_report", .duration_s = 1.25},
            {.task_key = "station_region_with_a_rather_long_descriptive_name", .duration_s = 0.4}};
        const auto written = fixtures::writeRun(store(), parent);
        fixtures::RunSpec child;
        child.tasks = fixtures::chain(2);
        const auto childRun = fixtures::writeRun(store(), child);
        graphfixtures::linkSubflow(store(), written.task_run_ids[0], childRun.flow_run_id);
        store().flush();
        RunGraphModel model(m_backend.get());
        QVERIFY(load(model, written.flow_run_id));
        RunGraphPainter painter(&model);
        painter.setFont(QApplication::font());
        const int call = node(model, written.task_run_ids[0]);
        QCOMPARE(model.nodeKind(call), RunGraphNodeKind::Subflow);
        const QString subtitle = painter.shownSubtitle(call);
        QVERIFY2(subtitle.endsWith(QStringLiteral("subflow")), qPrintable(subtitle));
        QVERIFY2(!subtitle.contains(QChar(0x2026)), qPrintable(subtitle));
        QCOMPARE(painter.shownLabel(call), model.nodeLabel(call));

        const int longer = node(model, written.task_run_ids[1]);
        const QString label = painter.shownLabel(longer), full = model.nodeLabel(longer);
        QVERIFY2(label.contains(QChar(0x2026)), qPrintable(label)); // it does not fit
        QVERIFY2(label.startsWith(full.left(4)) && label.endsWith(full.right(2)),
                 qPrintable(label));
    }
};

QTEST_MAIN(TestRunGraphView)
#include "tst_rungraphview.moc"

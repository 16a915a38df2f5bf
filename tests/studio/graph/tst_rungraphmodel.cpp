// RunGraphModel over fixture databases: nodes, edges, `.map` groups, subflows, live updates, the
// spatial index and stale layouts.
#include "backend/embeddedbackend.h"
#include "graph/rungraphmodel.h"
#include "graphfixtures.h"
#include "runs/runsnapshots.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace weft::studio;
using weft::StateType;

class TestRunGraphModel : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<EmbeddedBackend> m_backend;

    weft::Store& store() { return m_backend->engine()->store(); }

    fixtures::Written write(std::vector<fixtures::TaskSpec> tasks,
                            StateType state = StateType::Completed) {
        fixtures::RunSpec spec;
        spec.tasks = std::move(tasks);
        spec.state = state;
        spec.start = weft::now_us() - weft::from_seconds(600); // states written later are newer
        auto w = fixtures::writeRun(store(), spec);
        store().flush();
        return w;
    }

    // Opens a run and waits for its first layout.
    static bool load(RunGraphModel& model, const std::string& id) {
        model.setFlowRun(QString::fromStdString(id));
        if (!model.isLoading()) return false;
        QSignalSpy done(&model, &RunGraphModel::loadingChanged);
        return done.wait(10000) && !model.isLoading();
    }

    static int countKind(const RunGraphModel& m, RunGraphNodeKind kind) {
        int n = 0;
        for (int i = 0; i < m.nodeCount(); ++i)
            n += m.nodeKind(i) == kind;
        return n;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_backend = std::make_unique<EmbeddedBackend>(m_dir.filePath(QStringLiteral("graph.db")));
        m_backend->setPollInterval(10);
        QCOMPARE(m_backend->openNow(), QString());
    }
    void cleanupTestCase() { m_backend.reset(); }

    void chainHasOneNodePerTaskRun() {
        const auto run = write(fixtures::chain(5));
        RunGraphModel model(m_backend.get());
        QVERIFY(load(model, run.flow_run_id));
        QCOMPARE(model.nodeCount(), 5);
        QCOMPARE(model.edgeCount(), 4);
        QCOMPARE(countKind(model, RunGraphNodeKind::Task), 5);
        double lastX = -1;
        for (const auto& id : run.task_run_ids) { // layers run left to right
            const int node = model.nodeForTaskRun(QString::fromStdString(id));
            QVERIFY(node >= 0);
            QCOMPARE(model.nodeTaskRunId(node), QString::fromStdString(id));
            QCOMPARE(model.nodeStateType(node), StateType::Completed);
            QVERIFY(model.nodeRect(node).x() > lastX);
            lastX = model.nodeRect(node).x();
            QVERIFY(model.boundingRect().contains(model.nodeRect(node)));
        }
        for (int e = 0; e < model.edgeCount(); ++e) {
            QVERIFY(model.edgePolyline(e).size() >= 2);
            QCOMPARE(model.nodeRect(model.edgeSource(e)).right(),
                     model.edgePolyline(e).first().x());
        }
    }

    void layersGroupOnlyTheirRoots() {
        const auto run = write(fixtures::layers(4, 5));
        RunGraphModel model(m_backend.get());
        QVERIFY(load(model, run.flow_run_id));
        // The first layer's task runs share a key and (no) upstream task runs: a `.map` group.
        QCOMPARE(model.nodeCount(), 16);
        QCOMPARE(model.edgeCount(), 5 + 2 * 12);
        QCOMPARE(countKind(model, RunGraphNodeKind::Group), 1);
        QCOMPARE(model.nodeMemberCount(
                     model.nodeForTaskRun(QString::fromStdString(run.task_run_ids[0]))),
                 5);
        QSignalSpy relaid(&model, &RunGraphModel::layoutChanged);
        model.setAllGroupsExpanded(true);
        QVERIFY(relaid.wait());
        QCOMPARE(model.nodeCount(), 20);
        QCOMPARE(model.edgeCount(), 36); // 3 layer boundaries × (5 × 2 + 2)
        QCOMPARE(countKind(model, RunGraphNodeKind::Group), 0);
    }

    void fanOutCollapsesToOneGroupAndExpands() {
        const auto run = write(fixtures::fanOut(50));
        RunGraphModel model(m_backend.get());
        QVERIFY(load(model, run.flow_run_id));
        QCOMPARE(model.nodeCount(), 3);
        QCOMPARE(model.edgeCount(), 2);
        const int group = model.nodeForTaskRun(QString::fromStdString(run.task_run_ids[1]));
        QCOMPARE(model.nodeKind(group), RunGraphNodeKind::Group);
        QCOMPARE(model.nodeForTaskRun(QString::fromStdString(run.task_run_ids[50])), group);
        QCOMPARE(model.nodeMemberCount(group), 50);
        QCOMPARE(model.nodeLabel(group), QStringLiteral("step"));
        const auto& counts = model.nodeStateCounts(group);
        QCOMPARE(counts[size_t(StateType::Completed)], 45);
        QCOMPARE(counts[size_t(StateType::Failed)], 5); // i % 10 == 7
        QCOMPARE(model.nodeStateType(group), StateType::Failed);
        QVERIFY(model.isExpandable(group));
        QVERIFY(!model.isExpanded(group));

        QSignalSpy layout(&model, &RunGraphModel::layoutChanged);
        model.setExpanded(group, true);
        QVERIFY(layout.wait());
        QCOMPARE(model.lastLayoutCause(), RunGraphModel::LayoutCause::Expansion);
        QCOMPARE(model.nodeCount(), 52);
        QCOMPARE(model.edgeCount(), 100);
        QCOMPARE(countKind(model, RunGraphNodeKind::Group), 0);
        const int member = model.nodeForTaskRun(QString::fromStdString(run.task_run_ids[8]));
        QVERIFY(model.isExpanded(member));
        QCOMPARE(model.nodeStateType(member), StateType::Failed);
        QCOMPARE(model.scene().groups.size(), size_t(1));
        QVERIFY(model.scene().groups[0].frame.contains(model.nodeRect(member)));

        model.setExpanded(member, false); // collapsing a member folds its group
        QVERIFY(layout.wait());
        QCOMPARE(model.nodeCount(), 3);
        model.setAllGroupsExpanded(true);
        QVERIFY(layout.wait());
        QCOMPARE(model.nodeCount(), 52);
    }

    void edgesKeepTheirKind() {
        // a → b with data; c takes a's data and waits for b (wait_for); d both takes b's data and
        // waits for it (data wins); e1, e2 only wait for a, and fold into one group whose one
        // edge stays order-only.
        const auto run = write(fixtures::chain(2));
        const std::string a = run.task_run_ids[0], b = run.task_run_ids[1];
        const std::string c = graphfixtures::addTaskRun(store(), run.flow_run_id, "c", {a}, {b});
        const std::string d = graphfixtures::addTaskRun(store(), run.flow_run_id, "d", {b}, {b});
        const std::string e1 = graphfixtures::addTaskRun(store(), run.flow_run_id, "e", {}, {a});
        const std::string e2 = graphfixtures::addTaskRun(store(), run.flow_run_id, "e", {}, {a});
        RunGraphModel model(m_backend.get());
        QVERIFY(load(model, run.flow_run_id));
        const auto node = [&](const std::string& id) {
            return model.nodeForTaskRun(QString::fromStdString(id));
        };
        QCOMPARE(node(e1), node(e2));
        QCOMPARE(model.nodeKind(node(e1)), RunGraphNodeKind::Group);
        // "data", "order" or "none" for the drawn edge between two task runs' nodes.
        const auto kind = [&](const std::string& from, const std::string& to) {
            for (int e = 0; e < model.edgeCount(); ++e)
                if (model.edgeSource(e) == node(from) && model.edgeTarget(e) == node(to))
                    return model.edgeIsOrderOnly(e) ? QStringLiteral("order")
                                                    : QStringLiteral("data");
            return QStringLiteral("none");
        };
        QCOMPARE(model.edgeCount(), 5);
        QCOMPARE(kind(a, b), QStringLiteral("data"));
        QCOMPARE(kind(a, c), QStringLiteral("data"));
        QCOMPARE(kind(b, c), QStringLiteral("order"));
        QCOMPARE(kind(b, d), QStringLiteral("data"));
        QCOMPARE(kind(a, e1), QStringLiteral("order"));

        // Expanded, each member keeps its own order-only edge.
        QSignalSpy layout(&model, &RunGraphModel::layoutChanged);
        model.setExpanded(node(e1), true);
        QVERIFY(layout.wait());
        QCOMPARE(model.edgeCount(), 6);
        QCOMPARE(kind(a, e1), QStringLiteral("order"));
        QCOMPARE(kind(a, e2), QStringLiteral("order"));
    }

    void subflowExpandsIntoAFrame() {
        const auto etl = graphfixtures::writeEtlRun(store());
        RunGraphModel model(m_backend.get());
        QVERIFY(load(model, etl.parent.flow_run_id));
        // extract, validate, transform ×12 as one group, aggregate, load, report
        QCOMPARE(model.nodeCount(), 6);
        QCOMPARE(model.edgeCount(), 6);
        const int report = model.nodeForTaskRun(QString::fromStdString(etl.reportTaskRunId));
        QCOMPARE(model.nodeKind(report), RunGraphNodeKind::Subflow);
        QCOMPARE(model.nodeChildFlowRunId(report), QString::fromStdString(etl.child.flow_run_id));
        QCOMPARE(model.nodeStateType(report), StateType::Running);

        QSignalSpy layout(&model, &RunGraphModel::layoutChanged);
        model.setExpanded(report, true);
        QVERIFY(model.isLoading()); // the child run's task runs are fetched
        QVERIFY(layout.wait());
        QCOMPARE(model.nodeCount(), 9);
        QCOMPARE(model.edgeCount(), 8);
        QVERIFY(!model.isLoading());
        const int frame = model.nodeForTaskRun(QString::fromStdString(etl.reportTaskRunId));
        QCOMPARE(model.nodeKind(frame), RunGraphNodeKind::SubflowFrame);
        QVERIFY(model.isExpanded(frame));
        QCOMPARE(model.scene().frames, std::vector<int>{frame});
        for (const auto& id : etl.child.task_run_ids) {
            const int n = model.nodeForTaskRun(QString::fromStdString(id));
            QVERIFY(n >= 0);
            QCOMPARE(model.scene().nodes[size_t(n)].frame, frame);
            QCOMPARE(model.scene().nodes[size_t(n)].depth, 1);
            QVERIFY(model.nodeRect(frame).contains(model.nodeRect(n)));
            QCOMPARE(model.nodeAt(model.nodeRect(n).center()), n); // the box, not the frame
        }
        QCOMPARE(model.nodeStateType(
                     model.nodeForTaskRun(QString::fromStdString(etl.child.task_run_ids[1]))),
                 StateType::Running);

        model.setExpanded(frame, false);
        QVERIFY(layout.wait());
        QCOMPARE(model.nodeCount(), 6);
        QCOMPARE(model.nodeForTaskRun(QString::fromStdString(etl.child.task_run_ids[0])), -1);
        model.setExpanded(model.nodeForTaskRun(QString::fromStdString(etl.reportTaskRunId)), true);
        QVERIFY(layout.wait()); // already loaded: straight to the layout
        QCOMPARE(model.nodeCount(), 9);
    }

    // An expanded subflow adapts its child run's RunSnapshot, the one every view of that run
    // shares (here: the child run's page, open before): its nodes take the child's live states,
    // and task runs the child creates later join its frame.
    void expandedSubflowFollowsTheChildsSnapshot() {
        const auto etl = graphfixtures::writeEtlRun(store());
        const QString childId = QString::fromStdString(etl.child.flow_run_id);
        const std::shared_ptr<RunSnapshot> childPage = RunSnapshots::of(m_backend.get(), childId);
        QCOMPARE(RunSnapshots::of(m_backend.get(), childId), childPage); // one per run
        QTRY_VERIFY(childPage->isLoaded());
        childPage->setRefetchDelay(20);
        RunGraphModel model(m_backend.get());
        model.setRelayoutDelay(20);
        QVERIFY(load(model, etl.parent.flow_run_id));
        QSignalSpy layout(&model, &RunGraphModel::layoutChanged);
        model.setExpanded(model.nodeForTaskRun(QString::fromStdString(etl.reportTaskRunId)), true);
        QVERIFY(layout.wait());
        QCOMPARE(model.nodeCount(), 9);
        const int frame = model.nodeForTaskRun(QString::fromStdString(etl.reportTaskRunId));
        QCOMPARE(model.nodeKind(frame), RunGraphNodeKind::SubflowFrame);

        const std::string upload = etl.child.task_run_ids[1];
        const auto stateOf = [&](const std::string& id) {
            return model.nodeStateType(model.nodeForTaskRun(QString::fromStdString(id)));
        };
        QCOMPARE(stateOf(upload), StateType::Running);
        graphfixtures::setTaskRunState(store(), upload, StateType::Failed);
        QTRY_COMPARE(stateOf(upload), StateType::Failed);
        QCOMPARE(childPage->task(childPage->indexOf(upload)).state.type, StateType::Failed);
        QCOMPARE(model.nodeStateName(model.nodeForTaskRun(QString::fromStdString(upload))),
                 QStringLiteral("Failed"));

        const std::string late = graphfixtures::addTaskRun(store(), etl.child.flow_run_id, "late",
                                                           {etl.child.task_run_ids[0]});
        QTRY_VERIFY_WITH_TIMEOUT(model.nodeForTaskRun(QString::fromStdString(late)) >= 0, 10000);
        const int lateNode = model.nodeForTaskRun(QString::fromStdString(late));
        const int frameNow = model.nodeForTaskRun(QString::fromStdString(etl.reportTaskRunId));
        QCOMPARE(model.scene().nodes[size_t(lateNode)].frame, frameNow);
        QCOMPARE(model.nodeLabel(lateNode),
                 QString::fromStdString(childPage->task(childPage->indexOf(late)).name));
        graphfixtures::setTaskRunState(store(), late, StateType::Completed);
        QTRY_COMPARE(stateOf(late), StateType::Completed);
        // The frame and the child's page agree on the child's task runs.
        std::vector<std::string> childTasks = etl.child.task_run_ids;
        childTasks.push_back(late);
        QCOMPARE(childPage->taskCount(), int(childTasks.size()));
        for (const std::string& id : childTasks)
            QCOMPARE(stateOf(id), childPage->task(childPage->indexOf(id)).state.type);
    }

    // A subflow run deleted on its own (while shown, or before) leaves a plain task node on the
    // parent's graph: no "open" arrow or expansion to a run that is not there.
    void deletedSubflowRunLeavesAPlainNode() {
        const auto etl = graphfixtures::writeEtlRun(store());
        RunGraphModel model(m_backend.get());
        model.setRelayoutDelay(20);
        QVERIFY(load(model, etl.parent.flow_run_id));
        const QString report = QString::fromStdString(etl.reportTaskRunId);
        QCOMPARE(model.nodeKind(model.nodeForTaskRun(report)), RunGraphNodeKind::Subflow);
        m_backend->engine()->delete_flow_run(etl.child.flow_run_id);
        QTRY_COMPARE(model.nodeKind(model.nodeForTaskRun(report)), RunGraphNodeKind::Task);
        QVERIFY(!model.isExpandable(model.nodeForTaskRun(report)));
        QCOMPARE(model.nodeChildFlowRunId(model.nodeForTaskRun(report)), QString());

        // Deleted before the page opened: a finished call whose child is not there.
        const auto other = graphfixtures::writeEtlRun(store());
        graphfixtures::setTaskRunState(store(), other.reportTaskRunId, StateType::Completed);
        m_backend->engine()->delete_flow_run(other.child.flow_run_id);
        store().flush();
        RunGraphModel fresh(m_backend.get());
        QVERIFY(load(fresh, other.parent.flow_run_id));
        const QString otherReport = QString::fromStdString(other.reportTaskRunId);
        QTRY_COMPARE(fresh.nodeKind(fresh.nodeForTaskRun(otherReport)), RunGraphNodeKind::Task);
        QVERIFY(!fresh.isExpandable(fresh.nodeForTaskRun(otherReport)));
    }

    void tagsAreCollected() {
        const auto etl = graphfixtures::writeEtlRun(store());
        RunGraphModel model(m_backend.get());
        QVERIFY(load(model, etl.parent.flow_run_id));
        const int io = model.tagId(QStringLiteral("io")), cpu = model.tagId(QStringLiteral("cpu"));
        QVERIFY(io >= 0 && cpu >= 0);
        QVERIFY(model.tags().contains(QStringLiteral("io")));
        const int group = model.nodeForTaskRun(QString::fromStdString(etl.transformIds[0]));
        QVERIFY(model.nodeHasTag(group, cpu));
        QVERIFY(!model.nodeHasTag(group, io));
        QCOMPARE(model.nodeTags(group), QStringList{QStringLiteral("cpu")});
        const int extract =
            model.nodeForTaskRun(QString::fromStdString(etl.parent.task_run_ids[0]));
        QVERIFY(model.nodeHasTag(extract, io));
    }

    void stateChangeRecoloursWithoutRelayout() {
        auto tasks = fixtures::chain(3);
        tasks[2].state = StateType::Running;
        const auto run = write(tasks, StateType::Running);
        RunGraphModel model(m_backend.get());
        QVERIFY(load(model, run.flow_run_id));
        const int node = model.nodeForTaskRun(QString::fromStdString(run.task_run_ids[2]));
        QCOMPARE(model.nodeStateType(node), StateType::Running);
        const QRectF rect = model.nodeRect(node);
        const int layouts = model.layoutCount();
        QSignalSpy changed(&model, &RunGraphModel::nodesChanged);
        QSignalSpy relaid(&model, &RunGraphModel::layoutChanged);

        graphfixtures::setTaskRunState(store(), run.task_run_ids[2], StateType::Failed);
        QVERIFY(changed.wait());
        QCOMPARE(changed.first().first().value<QVector<int>>(), QVector<int>{node});
        QCOMPARE(model.nodeStateType(node), StateType::Failed);
        QCOMPARE(model.nodeStateName(node), QStringLiteral("Failed"));
        QCOMPARE(model.stateTotals()[size_t(StateType::Failed)], 1);
        QCOMPARE(model.nodeRect(node), rect);
        QCOMPARE(relaid.count(), 0);
        QCOMPARE(model.layoutCount(), layouts);
    }

    void groupCountsFollowStates() {
        const auto run = write(fixtures::fanOut(20), StateType::Running);
        RunGraphModel model(m_backend.get());
        QVERIFY(load(model, run.flow_run_id));
        const int group = model.nodeForTaskRun(QString::fromStdString(run.task_run_ids[1]));
        QSignalSpy changed(&model, &RunGraphModel::nodesChanged);
        graphfixtures::setTaskRunState(store(), run.task_run_ids[8],
                                       StateType::Completed); // was failed
        QVERIFY(changed.wait());
        QCOMPARE(changed.first().first().value<QVector<int>>(), QVector<int>{group});
        QCOMPARE(model.nodeStateCounts(group)[size_t(StateType::Failed)], 1);
        QCOMPARE(model.nodeStateCounts(group)[size_t(StateType::Completed)], 19);
    }

    void newTaskRunAddsANode() {
        const auto run = write(fixtures::chain(3), StateType::Running);
        RunGraphModel model(m_backend.get());
        model.setRelayoutDelay(20);
        QVERIFY(load(model, run.flow_run_id));
        QCOMPARE(model.nodeCount(), 3);
        QSignalSpy relaid(&model, &RunGraphModel::layoutChanged);
        const std::string id =
            graphfixtures::addTaskRun(store(), run.flow_run_id, "publish", {run.task_run_ids[2]});
        QVERIFY(relaid.wait());
        QCOMPARE(model.lastLayoutCause(), RunGraphModel::LayoutCause::Live);
        QCOMPARE(model.nodeCount(), 4);
        // The node shows with its event (the counts of every view agree at once); its edge comes
        // with its record, on the run snapshot's re-fetch.
        QTRY_COMPARE(model.edgeCount(), 3);
        const int node = model.nodeForTaskRun(QString::fromStdString(id));
        QVERIFY(node >= 0);
        QCOMPARE(model.nodeStateType(node), StateType::Pending);
        QVERIFY(model.nodeRect(node).x()
                > model.nodeRect(model.nodeForTaskRun(QString::fromStdString(run.task_run_ids[2])))
                      .x());
    }

    void staleLoadsAndLayoutsAreDropped() {
        const auto a = write(fixtures::chain(7));
        const auto b = write(fixtures::fanOut(4));
        RunGraphModel model(m_backend.get());
        model.setFlowRun(QString::fromStdString(a.flow_run_id));
        model.setLayoutMode(DagMode::DepthWaterfall);
        QVERIFY(load(model, b.flow_run_id));
        QCOMPARE(model.nodeCount(), 3);
        QCOMPARE(model.layoutMode(), DagMode::DepthWaterfall);
        QVERIFY(model.nodeForTaskRun(QString::fromStdString(a.task_run_ids[0])) < 0);
        // Several requests in a row: only the last one's layout is applied.
        QSignalSpy relaid(&model, &RunGraphModel::layoutChanged);
        model.setLayoutMode(DagMode::Layered);
        model.setLayoutMode(DagMode::TemporalByStart);
        QVERIFY(relaid.wait());
        QTRY_COMPARE(model.scene().mode, DagMode::TemporalByStart);
        QCOMPARE(model.lastLayoutCause(), RunGraphModel::LayoutCause::Mode);
    }

    void everyModeLaysOutAChain_data() {
        QTest::addColumn<DagMode>("mode");
        QTest::addRow("layered") << DagMode::Layered;
        QTest::addRow("temporal") << DagMode::TemporalByStart;
        QTest::addRow("depth waterfall") << DagMode::DepthWaterfall;
        QTest::addRow("depth by duration") << DagMode::DepthByDuration;
    }
    void everyModeLaysOutAChain() {
        QFETCH(DagMode, mode);
        const auto run = write(fixtures::chain(4));
        RunGraphModel model(m_backend.get());
        model.setLayoutMode(mode);
        QVERIFY(load(model, run.flow_run_id));
        QCOMPARE(model.scene().mode, mode);
        QCOMPARE(model.nodeCount(), 4);
        for (size_t i = 1; i < run.task_run_ids.size(); ++i)
            QVERIFY(
                model.nodeRect(model.nodeForTaskRun(QString::fromStdString(run.task_run_ids[i])))
                    .left()
                > model
                      .nodeRect(
                          model.nodeForTaskRun(QString::fromStdString(run.task_run_ids[i - 1])))
                      .left());
    }

    void spatialQueryMatchesBruteForce() {
        const auto run = write(fixtures::layers(12, 15));
        RunGraphModel model(m_backend.get());
        QVERIFY(load(model, run.flow_run_id));
        QSignalSpy relaid(&model, &RunGraphModel::layoutChanged);
        model.setAllGroupsExpanded(true);
        QVERIFY(relaid.wait());
        QCOMPARE(model.nodeCount(), 180);
        QCOMPARE(model.nodesIn(model.boundingRect()).size(), 180);
        auto* rng = QRandomGenerator::global();
        const QRectF b = model.boundingRect();
        for (int k = 0; k < 200; ++k) {
            const QRectF r(b.left() + rng->bounded(b.width()), b.top() + rng->bounded(b.height()),
                           rng->bounded(600.0), rng->bounded(600.0));
            QVector<int> got = model.nodesIn(r);
            std::sort(got.begin(), got.end());
            QVector<int> want;
            for (int i = 0; i < model.nodeCount(); ++i)
                if (model.nodeRect(i).intersects(r)) want.append(i);
            QCOMPARE(got, want);
            std::vector<int> edges;
            model.edgesIn(r, edges);
            std::sort(edges.begin(), edges.end());
            std::vector<int> wantEdges;
            for (int e = 0; e < model.edgeCount(); ++e)
                if (model.scene().edges[size_t(e)].bounds.intersects(r)) wantEdges.push_back(e);
            QCOMPARE(edges, wantEdges);
        }
        const int n = model.nodeCount() / 2;
        QCOMPARE(model.nodeAt(model.nodeRect(n).center()), n);
        QCOMPARE(model.nodeAt(b.bottomRight() + QPointF(50, 50)), -1);
    }

    void gridKeepsBigItemsAside() {
        std::vector<QRectF> rects{QRectF(0, 0, 10, 10), QRectF(0, 0, 5000, 5000),
                                  QRectF(4000, 4000, 10, 10)};
        RunGraphGrid grid;
        grid.build(rects, QRectF(0, 0, 5000, 5000));
        std::vector<int> out;
        grid.query(QRectF(4001, 4001, 2, 2), out);
        std::sort(out.begin(), out.end());
        QCOMPARE(out, (std::vector<int>{1, 2}));
        out.clear();
        grid.query(QRectF(-100, -100, 20000, 20000), out);
        QCOMPARE(out.size(), size_t(3));
    }

    // Timed for the report; nothing about time is asserted.
    void largeGraphs_data() {
        QTest::addColumn<int>("shape");
        QTest::addRow("layers(100, 100)") << 0;
        QTest::addRow("fanOut(10000), then expanded") << 1;
    }
    void largeGraphs() {
        QFETCH(int, shape);
        const auto run = write(shape == 0 ? fixtures::layers(100, 100) : fixtures::fanOut(10000));
        QElapsedTimer timer;
        timer.start();
        bool fetched = false;
        m_backend->fetchTaskRuns(run.flow_run_id, this,
                                 [&](Result<std::vector<weft::TaskRunRecord>>) { fetched = true; });
        QTRY_VERIFY_WITH_TIMEOUT(fetched, 10000);
        qInfo("Backend::fetchTaskRuns alone: %lld ms", timer.elapsed());
        RunGraphModel model(m_backend.get());
        // The longest the event loop went without turning while the model loaded.
        QElapsedTimer sinceTick;
        qint64 longestStall = 0;
        QTimer ticker;
        ticker.setInterval(1);
        connect(&ticker, &QTimer::timeout, this,
                [&] { longestStall = std::max(longestStall, sinceTick.restart()); });
        timer.restart();
        sinceTick.start();
        ticker.start();
        QVERIFY(load(model, run.flow_run_id));
        ticker.stop();
        qInfo("fetch + build + layout of %d task runs: %lld ms (%d nodes, %d edges); longest "
              "GUI-thread stall %lld ms",
              model.taskRunCount(), timer.elapsed(), model.nodeCount(), model.edgeCount(),
              longestStall);
        QSignalSpy relaid(&model, &RunGraphModel::layoutChanged);
        timer.restart();
        model.setAllGroupsExpanded(true);
        QVERIFY(relaid.wait(10000));
        qInfo("expanding the groups: %lld ms (%d nodes, %d edges)", timer.elapsed(),
              model.nodeCount(), model.edgeCount());
        QCOMPARE(model.nodeCount(), model.taskRunCount());
        RunGraphInput in; // the pure build alone, without the fetch
        in.runs.resize(size_t(model.taskRunCount()));
        for (int i = 0; i < model.nodeCount(); ++i)
            in.runs[size_t(model.scene().nodes[size_t(i)].run)].key = i;
        for (const RunGraphEdge& e : model.scene().edges)
            in.runs[size_t(model.scene().nodes[size_t(e.to)].run)].upstream.push_back(
                model.scene().nodes[size_t(e.from)].run);
        timer.restart();
        const auto scene = buildRunGraphScene(in);
        qInfo("buildRunGraphScene alone: %lld ms", timer.elapsed());
        QCOMPARE(int(scene->nodes.size()), model.nodeCount());
    }
};

QTEST_GUILESS_MAIN(TestRunGraphModel)
#include "tst_rungraphmodel.moc"

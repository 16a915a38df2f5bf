// FlowRunListModel: counting, lazy pages, filters and sorts in the store, live changes.
#include "backend/embeddedbackend.h"
#include "runs/flowrunlistmodel.h"

#include "fixtures.h"

#include <weft/engine.hpp>
#include <weft/ids.hpp>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace weft::studio;
using namespace weft::studio::flowruns;

Q_DECLARE_METATYPE(weft::FlowRunSort)

namespace {
constexpr int kRuns = 5000;

std::vector<std::string> storeIds(weft::Store& store, weft::FlowRunQuery q) {
    return store.read([&](weft::Reader& r) {
        std::vector<std::string> ids;
        for (const auto& run : r.flow_runs(q))
            ids.push_back(run.id);
        return ids;
    });
}

// Asks for every row in [first, last] and waits until they are loaded.
bool loadRows(FlowRunListModel& model, int first, int last) {
    for (int r = first; r <= last; ++r)
        model.data(model.index(r, NameColumn));
    return QTest::qWaitFor(
        [&] {
            for (int r = first; r <= last; ++r)
                if (!model.isLoaded(r)) {
                    model.data(model.index(r, NameColumn));
                    return false;
                }
            return true;
        },
        20000);
}
} // namespace

class TestFlowRunListModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void countsAndPages();
    void wholeOrderMatchesStore();
    void deepPagesUseTheSeekPath();
    void cacheIsBounded();
    void filters_data();
    void filters();
    void sorting_data();
    void sorting();
    void unsortableColumnsAreIgnored();
    void staleGenerationsAreDropped();
    void liveNewRunsInsertAtTheTop();
    void liveStateChangesUpdateRows();
    void liveStateChangeUnderStateFilterReloads();
    void liveDeletionRemovesRows();
    void liveNewRunsUnderAnotherSortAreCounted();

private:
    std::unique_ptr<EmbeddedBackend> openBackend(const QString& path);

    QTemporaryDir m_dir;
    QString m_bigPath, m_livePath;
    std::unique_ptr<EmbeddedBackend> m_big;
};

std::unique_ptr<EmbeddedBackend> TestFlowRunListModel::openBackend(const QString& path) {
    auto backend = std::make_unique<EmbeddedBackend>(path);
    backend->setPollInterval(10);
    const QString error = backend->openNow();
    if (!error.isEmpty()) qFatal("%s", qPrintable(error));
    return backend;
}

void TestFlowRunListModel::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_bigPath = m_dir.filePath(QStringLiteral("many.db"));
    m_big = openBackend(m_bigPath);
    QElapsedTimer t;
    t.start();
    fixtures::writeManyRuns(m_big->engine()->store(), kRuns);
    qInfo("wrote %d runs in %lld ms", kRuns, t.elapsed());
}

void TestFlowRunListModel::cleanupTestCase() {
    m_big.reset();
}

void TestFlowRunListModel::countsAndPages() {
    FlowRunListModel model(m_big.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counted(&model, &FlowRunListModel::totalCountChanged);
    QTRY_COMPARE(model.rowCount(), kRuns);
    QCOMPARE(model.totalCount(), qint64(kRuns));
    QCOMPARE(model.columnCount(), int(ColumnCount));
    // The first page was asked for with the count.
    QTRY_VERIFY(model.isLoaded(0));
    QVERIFY(!model.data(model.index(0, 0), IsPlaceholderRole).toBool());
    // A far row is a placeholder until its page arrives, and is asked for once.
    const int far = 3210;
    QVERIFY(!model.isLoaded(far));
    QVERIFY(model.data(model.index(far, NameColumn), IsPlaceholderRole).toBool());
    QCOMPARE(model.data(model.index(far, NameColumn)), QVariant());
    const int before = model.pageRequests();
    for (int i = 0; i < 20; ++i)
        model.data(model.index(far + i, FlowColumn));
    QSignalSpy loaded(&model, &FlowRunListModel::pageLoaded);
    QVERIFY(loaded.wait(5000));
    QCOMPARE(model.pageRequests(), before + 1);
    QVERIFY(model.isLoaded(far) && model.isLoaded(far + 19));
    const auto ids = storeIds(m_big->engine()->store(), {.limit = 3, .offset = far});
    QCOMPARE(model.runId(far), QString::fromStdString(ids[0]));
    QCOMPARE(model.data(model.index(far + 2, 0), IdRole).toString(),
             QString::fromStdString(ids[2]));
    QCOMPARE(model.rowOfRun(QString::fromStdString(ids[1])), far + 1);
    // Roles read from the record.
    const QModelIndex i = model.index(far, StateColumn);
    QVERIFY(!model.data(i, StateNameRole).toString().isEmpty());
    QVERIFY(model.data(i, StartTimeRole).toLongLong() > 0);
    QVERIFY(!model.data(i, TagsRole).toStringList().isEmpty());
    QVERIFY(model.data(model.index(far, ParametersColumn)).toString().startsWith(u"batch="));
}

void TestFlowRunListModel::wholeOrderMatchesStore() {
    FlowRunListModel model(m_big.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(model.rowCount(), kRuns);
    const auto ids = storeIds(m_big->engine()->store(), {.limit = -1});
    QCOMPARE(int(ids.size()), kRuns);
    for (int first = 0; first < kRuns; first += 500) {
        QVERIFY(loadRows(model, first, std::min(kRuns, first + 500) - 1));
        for (int r = first; r < std::min(kRuns, first + 500); ++r)
            QCOMPARE(model.runId(r), QString::fromStdString(ids[size_t(r)]));
    }
}

void TestFlowRunListModel::deepPagesUseTheSeekPath() {
    // The store finds deep pages by expected start; their rows equal the plain OFFSET's.
    auto& store = m_big->engine()->store();
    for (auto sort : {weft::FlowRunSort::ExpectedStartDesc, weft::FlowRunSort::ExpectedStartAsc}) {
        const auto all = storeIds(store, {.sort = sort, .limit = -1});
        for (int offset : {1999, 2000, 2500, 4990}) {
            const auto page = storeIds(store, {.sort = sort, .limit = 20, .offset = offset});
            const std::vector<std::string> expected(
                all.begin() + offset,
                all.begin() + std::min<size_t>(all.size(), size_t(offset) + 20));
            QCOMPARE(page, expected);
        }
        // With a filter over several states (no single index gives the order).
        using enum weft::StateType;
        weft::FlowRunQuery some{.states = {Completed, Failed, Running}, .sort = sort, .limit = -1};
        const auto allSome = storeIds(store, some);
        QVERIFY(allSome.size() > 2100);
        some.limit = 5;
        some.offset = 2050;
        QCOMPARE(storeIds(store, some),
                 std::vector<std::string>(allSome.begin() + 2050, allSome.begin() + 2055));
    }
}

void TestFlowRunListModel::cacheIsBounded() {
    FlowRunListModel model(m_big.get());
    model.setCacheLimit(1000);
    QTRY_COMPARE(model.rowCount(), kRuns);
    for (int first = 0; first < kRuns; first += 400) {
        QVERIFY(loadRows(model, first, first + 39));
        QVERIFY2(model.cachedRows() <= 1000 + model.pageSize(),
                 qPrintable(QString::number(model.cachedRows())));
    }
    QVERIFY(!model.isLoaded(0));   // far from the last rows asked for
    QVERIFY(model.isLoaded(4810)); // the last rows asked for (4800…4839)
}

void TestFlowRunListModel::filters_data() {
    QTest::addColumn<FlowRunFilter>("filter");
    FlowRunFilter f;
    f.states = {weft::StateType::Failed};
    QTest::addRow("state failed") << f;
    f.states = {weft::StateType::Running, weft::StateType::Crashed};
    QTest::addRow("states running, crashed") << f;
    f = {};
    f.flowNames = {QStringLiteral("etl")};
    QTest::addRow("flow etl") << f;
    f = {};
    f.tags = {QStringLiteral("prod")};
    QTest::addRow("tag prod") << f;
    f = {};
    f.text = QStringLiteral("repor");
    QTest::addRow("text matches flow name") << f;
    f = {};
    f.range = FlowRunFilter::Range::LastHour;
    QTest::addRow("last hour") << f;
    f = {};
    f.range = FlowRunFilter::Range::Custom;
    f.from = QDateTime::currentDateTime().addSecs(-6 * 3600);
    f.to = QDateTime::currentDateTime().addSecs(-3 * 3600);
    QTest::addRow("custom range") << f;
    f = {};
    f.states = {weft::StateType::Completed};
    f.flowNames = {QStringLiteral("sync"), QStringLiteral("backfill")};
    f.tags = {QStringLiteral("dev")};
    QTest::addRow("combined") << f;
}

void TestFlowRunListModel::filters() {
    QFETCH(FlowRunFilter, filter);
    FlowRunListModel model(m_big.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(model.rowCount(), kRuns);
    model.setFilter(filter);
    QCOMPARE(model.totalCount(), qint64(-1));
    const auto expected = storeIds(m_big->engine()->store(), [&] {
        auto q = filter.toQuery();
        q.limit = -1;
        return q;
    }());
    QVERIFY(!expected.empty());
    QVERIFY(int(expected.size()) < kRuns);
    QTRY_COMPARE(model.totalCount(), qint64(expected.size()));
    QCOMPARE(model.rowCount(), int(expected.size()));
    const int n = std::min<int>(int(expected.size()), 300);
    QVERIFY(loadRows(model, 0, n - 1));
    for (int r = 0; r < n; ++r) {
        QCOMPARE(model.runId(r), QString::fromStdString(expected[size_t(r)]));
        if (!filter.states.empty())
            QVERIFY(
                std::count(filter.states.begin(), filter.states.end(),
                           weft::StateType(model.data(model.index(r, 0), StateTypeRole).toInt())));
    }
}

void TestFlowRunListModel::sorting_data() {
    QTest::addColumn<int>("column");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<weft::FlowRunSort>("sort");
    using S = weft::FlowRunSort;
    QTest::addRow("start asc") << int(StartColumn) << Qt::AscendingOrder << S::ExpectedStartAsc;
    QTest::addRow("name asc") << int(NameColumn) << Qt::AscendingOrder << S::NameAsc;
    QTest::addRow("name desc") << int(NameColumn) << Qt::DescendingOrder << S::NameDesc;
    QTest::addRow("flow asc") << int(FlowColumn) << Qt::AscendingOrder << S::FlowNameAsc;
    QTest::addRow("flow desc") << int(FlowColumn) << Qt::DescendingOrder << S::FlowNameDesc;
    QTest::addRow("state asc") << int(StateColumn) << Qt::AscendingOrder << S::StateAsc;
    QTest::addRow("state desc") << int(StateColumn) << Qt::DescendingOrder << S::StateDesc;
    QTest::addRow("duration asc") << int(DurationColumn) << Qt::AscendingOrder << S::DurationAsc;
    QTest::addRow("duration desc") << int(DurationColumn) << Qt::DescendingOrder << S::DurationDesc;
}

void TestFlowRunListModel::sorting() {
    QFETCH(int, column);
    QFETCH(Qt::SortOrder, order);
    QFETCH(weft::FlowRunSort, sort);
    FlowRunListModel model(m_big.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(model.rowCount(), kRuns);
    model.sort(column, order);
    QCOMPARE(model.sortColumn(), column);
    QTRY_COMPARE(model.rowCount(), kRuns);
    const auto expected = storeIds(m_big->engine()->store(), {.sort = sort, .limit = 250});
    QVERIFY(loadRows(model, 0, 249));
    for (int r = 0; r < 250; ++r)
        QCOMPARE(model.runId(r), QString::fromStdString(expected[size_t(r)]));
    // Rows really are in that order.
    for (int r = 1; r < 250; ++r) {
        const QModelIndex a = model.index(r - 1, column), b = model.index(r, column);
        QVariant va, vb;
        switch (column) {
        case StateColumn:
            va = QString::fromLatin1(
                weft::to_string(weft::StateType(model.data(a, StateTypeRole).toInt())).data());
            vb = QString::fromLatin1(
                weft::to_string(weft::StateType(model.data(b, StateTypeRole).toInt())).data());
            break;
        case DurationColumn:
            va =
                model.data(a, DurationRole).isValid() ? model.data(a, DurationRole) : QVariant(0.0);
            vb =
                model.data(b, DurationRole).isValid() ? model.data(b, DurationRole) : QVariant(0.0);
            if (model.data(a, StateTypeRole).toInt() == int(weft::StateType::Running)
                || model.data(b, StateTypeRole).toInt() == int(weft::StateType::Running))
                continue; // live durations are not what the store sorts by
            break;
        case StartColumn:
            va = model.data(a, ExpectedStartRole);
            vb = model.data(b, ExpectedStartRole);
            break;
        default:
            va = model.data(a);
            vb = model.data(b);
            break;
        }
        const auto c = QVariant::compare(va, vb);
        QVERIFY2(order == Qt::AscendingOrder ? c <= 0 : c >= 0,
                 qPrintable(QStringLiteral("row %1").arg(r)));
    }
}

void TestFlowRunListModel::unsortableColumnsAreIgnored() {
    FlowRunListModel model(m_big.get());
    QTRY_COMPARE(model.rowCount(), kRuns);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.sort(TagsColumn, Qt::AscendingOrder);
    model.sort(ParametersColumn, Qt::DescendingOrder);
    model.sort(StartColumn, Qt::DescendingOrder); // the default already
    QCOMPARE(reset.count(), 0);
    QCOMPARE(model.sortColumn(), int(StartColumn));
}

void TestFlowRunListModel::staleGenerationsAreDropped() {
    FlowRunListModel model(m_big.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    FlowRunFilter running, failed;
    running.states = {weft::StateType::Running};
    failed.states = {weft::StateType::Failed};
    // Three filters in a row, none waited for: only the last one's answers land.
    model.setFilter(running);
    model.sort(NameColumn, Qt::AscendingOrder);
    model.setFilter(failed);
    auto q = failed.toQuery();
    q.sort = weft::FlowRunSort::NameAsc;
    const qint64 expected =
        m_big->engine()->store().read([&](weft::Reader& r) { return r.count_flow_runs(q); });
    QTRY_COMPARE(model.totalCount(), expected);
    QVERIFY(loadRows(model, 0, 199));
    q.limit = 200;
    const auto ids = storeIds(m_big->engine()->store(), q);
    for (int r = 0; r < 200; ++r) {
        QCOMPARE(model.data(model.index(r, 0), StateTypeRole).toInt(),
                 int(weft::StateType::Failed));
        QCOMPARE(model.runId(r), QString::fromStdString(ids[size_t(r)]));
    }
}

void TestFlowRunListModel::liveNewRunsInsertAtTheTop() {
    const QString path = m_dir.filePath(QStringLiteral("live-insert.db"));
    auto backend = openBackend(path);
    auto& store = backend->engine()->store();
    int createdSeen = 0; // creation events the feed delivered
    QObject feedWatch;   // ends the connection before createdSeen goes
    connect(backend.get(), &Backend::eventsArrived, &feedWatch, [&](const EventBatch& batch) {
        for (const auto& e : *batch)
            createdSeen += e.kind == weft::EventKind::FlowRunCreated;
    });
    fixtures::writeManyRuns(store, 300, 3600);
    store.flush();
    FlowRunListModel model(backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    qint64 mostRows = 0; // runs already counted must never be inserted again
    connect(&model, &FlowRunListModel::totalCountChanged, &feedWatch,
            [&](qint64 n) { mostRows = std::max(mostRows, n); });
    QTRY_COMPARE(model.rowCount(), 300);
    QVERIFY(loadRows(model, 0, 199));
    // The feed delivers the 300 runs' creation events while the first count and pages are in
    // flight (the model must not show them twice). Wait until it did and the model has done
    // with them (a re-count, a reload): the new runs below must find it at rest.
    QTRY_COMPARE(createdSeen, 300);
    QTRY_VERIFY(model.isSettled());
    QCOMPARE(model.rowCount(), 300);
    QVERIFY(loadRows(model, 0, 199));
    const QString oldTop = model.runId(0);
    QCOMPARE(model.rowOfRun(oldTop), 0);
    QCOMPARE(mostRows, qint64(300));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy batches(backend.get(), &Backend::eventsArrived);
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i) {
        fixtures::RunSpec spec;
        spec.flow_name = "live";
        spec.state = weft::StateType::Running;
        spec.start = weft::now_us() + i;
        ids.push_back(fixtures::writeRun(store, spec).flow_run_id);
    }
    store.flush();
    QTRY_COMPARE(model.rowCount(), 310);
    QCOMPARE(model.totalCount(), qint64(310));
    // Newest first, without a reload: the old rows only moved down.
    for (int i = 0; i < 10; ++i)
        QCOMPARE(model.runId(i), QString::fromStdString(ids[size_t(9 - i)]));
    QCOMPARE(model.runId(10), oldTop);
    QCOMPARE(model.rowOfRun(oldTop), 10);
    QVERIFY(inserted.count() >= 1);
    QVERIFY(inserted.count() <= batches.count());
    for (const auto& args : inserted)
        QCOMPARE(args.at(1).toInt(), 0);
    QCOMPARE(model.data(model.index(0, FlowColumn)).toString(), QStringLiteral("live"));
    QCOMPARE(model.data(model.index(0, 0), StateTypeRole).toInt(), int(weft::StateType::Running));
}

void TestFlowRunListModel::liveStateChangesUpdateRows() {
    const QString path = m_dir.filePath(QStringLiteral("live-state.db"));
    auto backend = openBackend(path);
    auto& store = backend->engine()->store();
    fixtures::RunSpec spec;
    spec.state = weft::StateType::Running;
    const std::string id = fixtures::writeRun(store, spec).flow_run_id;
    fixtures::writeManyRuns(store, 50, 3600);
    FlowRunListModel model(backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(model.rowCount(), 51);
    QVERIFY(loadRows(model, 0, 50));
    const int row = model.rowOfRun(QString::fromStdString(id));
    QVERIFY(row >= 0);
    QCOMPARE(model.data(model.index(row, 0), StateTypeRole).toInt(), int(weft::StateType::Running));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    auto result = backend->engine()->set_flow_run_state(
        id, {weft::states::failed("it broke"), weft::Origin::User, true});
    QTRY_COMPARE(model.data(model.index(row, 0), StateTypeRole).toInt(),
                 int(weft::StateType::Failed));
    QCOMPARE(model.data(model.index(row, 0), StateMessageRole).toString(),
             QStringLiteral("it broke"));
    QVERIFY(model.data(model.index(row, 0), DurationRole).isValid());
    bool covered = false;
    for (const auto& args : changed) {
        const auto tl = args.at(0).value<QModelIndex>(), br = args.at(1).value<QModelIndex>();
        covered |= tl.row() <= row && row <= br.row() && tl.column() == 0;
    }
    QVERIFY(covered);
    QCOMPARE(model.rowCount(), 51);
}

void TestFlowRunListModel::liveStateChangeUnderStateFilterReloads() {
    const QString path = m_dir.filePath(QStringLiteral("live-filter.db"));
    auto backend = openBackend(path);
    auto& store = backend->engine()->store();
    fixtures::RunSpec spec;
    spec.state = weft::StateType::Running;
    std::vector<std::string> running;
    for (int i = 0; i < 5; ++i)
        running.push_back(fixtures::writeRun(store, spec).flow_run_id);
    FlowRunListModel model(backend.get());
    model.setReloadDelay(20);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    FlowRunFilter f;
    f.states = {weft::StateType::Failed};
    model.setFilter(f);
    QTRY_COMPARE(model.totalCount(), qint64(0));
    for (int i = 0; i < 2; ++i)
        backend->engine()->set_flow_run_state(
            running[size_t(i)], {weft::states::failed("x"), weft::Origin::User, true});
    QTRY_COMPARE(model.rowCount(), 2);
    QVERIFY(loadRows(model, 0, 1));
    QCOMPARE(model.data(model.index(0, 0), StateTypeRole).toInt(), int(weft::StateType::Failed));
}

void TestFlowRunListModel::liveDeletionRemovesRows() {
    const QString path = m_dir.filePath(QStringLiteral("live-delete.db"));
    auto backend = openBackend(path);
    auto& store = backend->engine()->store();
    fixtures::writeManyRuns(store, 40, 3600);
    FlowRunListModel model(backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(model.rowCount(), 40);
    QVERIFY(loadRows(model, 0, 39));
    const QString a = model.runId(5), b = model.runId(6), c = model.runId(20),
                  next = model.runId(7);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    for (const auto& id : {a, b, c})
        backend->engine()->delete_flow_run(id.toStdString());
    QTRY_COMPARE(model.rowCount(), 37);
    QCOMPARE(model.rowOfRun(a), -1);
    QCOMPARE(model.rowOfRun(c), -1);
    QCOMPARE(model.runId(5), next);
    QCOMPARE(model.totalCount(), qint64(37));
    QVERIFY(removed.count() >= 2); // one per contiguous range per batch
}

void TestFlowRunListModel::liveNewRunsUnderAnotherSortAreCounted() {
    const QString path = m_dir.filePath(QStringLiteral("live-sorted.db"));
    auto backend = openBackend(path);
    auto& store = backend->engine()->store();
    fixtures::writeManyRuns(store, 30, 3600);
    FlowRunListModel model(backend.get());
    model.setReloadDelay(20);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.sort(NameColumn, Qt::AscendingOrder);
    QTRY_COMPARE(model.rowCount(), 30);
    QVERIFY(loadRows(model, 0, 29));
    fixtures::RunSpec spec;
    spec.name = "aaa-first-by-name";
    const std::string id = fixtures::writeRun(store, spec).flow_run_id;
    QTRY_COMPARE(model.rowCount(), 31);
    QTRY_COMPARE(model.runId(0), QString::fromStdString(id));
}

QTEST_GUILESS_MAIN(TestFlowRunListModel)
#include "tst_flowrunlistmodel.moc"

// RunListWidget, FilterBar, StateBadgeDelegate and TaskRunTable under the offscreen platform.
#include "backend/embeddedbackend.h"
#include "common/statepalette.h"
#include "common/theme.h"
#include "runs/filterbar.h"
#include "runs/flowrunlistmodel.h"
#include "runs/runlistwidget.h"
#include "runs/statebadgedelegate.h"
#include "runs/taskrunmodel.h"
#include "runs/taskruntable.h"

#include "fixtures.h"

#include <weft/engine.hpp>
#include <weft/ids.hpp>

#include <QApplication>
#include <QComboBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QPointer>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>
#include <functional>
#include <utility>
#include <vector>

using namespace weft::studio;
using namespace weft::studio::flowruns;

namespace {
constexpr int kRuns = 200;

int visibleRows(QTableView* t) {
    return t->model()->rowCount();
}

// The centre of a cell, scrolled into view first: where a row lies depends on the fonts (row
// height) and the window size, which differ between machines.
QPoint shownCellCentre(QTableView* t, int row, int column) {
    const QModelIndex index = t->model()->index(row, column);
    t->scrollTo(index);
    return t->visualRect(index).center();
}

// Answers counts only when released. The model asks for the first page and the count at once,
// and either may come first; holding the count makes the page come first, which is what one
// freshly installed machine did, so tests see that order on every machine.
class CountLaterBackend : public EmbeddedBackend {
public:
    using EmbeddedBackend::EmbeddedBackend;
    void countFlowRuns(const weft::FlowRunQuery& query, QObject* context,
                       Done<std::int64_t> done) override {
        if (!m_holding) return EmbeddedBackend::countFlowRuns(query, context, std::move(done));
        m_held.push_back([this, query, context = QPointer<QObject>(context), done] {
            if (context) EmbeddedBackend::countFlowRuns(query, context, done);
        });
    }
    int heldCounts() const { return int(m_held.size()); }
    void release() {
        m_holding = false;
        for (auto& answer : std::exchange(m_held, {}))
            answer();
    }

private:
    bool m_holding = true;
    std::vector<std::function<void()>> m_held;
};
} // namespace

class TestRunListWidget : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void fillsFromTheDatabase();
    void typingInTheFilterNarrowsRows();
    void filterBarControls();
    void savedFilters();
    void clickingAHeaderSorts();
    void unsortableHeaderKeepsTheSort();
    void doubleClickAndEnterActivate();
    void multiSelectionReportsIds();
    void contextMenuReportsIds();
    void newRunAppearsLive();
    void badgePaintsStateColour();
    void taskRunTable();
    void pictures();

private:
    std::unique_ptr<RunListWidget> makeWidget(Backend* backend = nullptr);
    QTemporaryDir m_dir;
    std::unique_ptr<EmbeddedBackend> m_backend;
    std::unique_ptr<QSettings> m_settings;
};

void TestRunListWidget::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_backend = std::make_unique<EmbeddedBackend>(m_dir.filePath(QStringLiteral("w.db")));
    m_backend->setPollInterval(10);
    QCOMPARE(m_backend->openNow(), QString());
    fixtures::writeManyRuns(m_backend->engine()->store(), kRuns, 3 * 86400);
    m_settings =
        std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
}

void TestRunListWidget::cleanupTestCase() {
    m_backend.reset();
}

std::unique_ptr<RunListWidget> TestRunListWidget::makeWidget(Backend* backend) {
    auto w = std::make_unique<RunListWidget>(backend ? backend : m_backend.get());
    w->filterBar()->setSettings(m_settings.get());
    w->filterBar()->setTextDelay(10);
    w->resize(1100, 600);
    w->show();
    if (!QTest::qWaitForWindowExposed(w.get())) return nullptr;
    return w;
}

void TestRunListWidget::fillsFromTheDatabase() {
    auto w = makeWidget();
    QVERIFY(w);
    QTRY_COMPARE(visibleRows(w->tableView()), kRuns);
    QTRY_COMPARE(w->countText(), QStringLiteral("200 runs"));
    QTRY_VERIFY(w->model()->isLoaded(0));
    const QModelIndex first = w->tableView()->model()->index(0, StartColumn);
    QVERIFY(first.data().toString().contains(u'-'));
    QVERIFY(!w->tableView()->model()->index(0, FlowColumn).data().toString().isEmpty());
    // Rows have one height: no per-row sizing for a million rows.
    QCOMPARE(w->tableView()->verticalHeader()->sectionResizeMode(0), QHeaderView::Fixed);
}

void TestRunListWidget::typingInTheFilterNarrowsRows() {
    auto w = makeWidget();
    QVERIFY(w);
    QTRY_COMPARE(visibleRows(w->tableView()), kRuns);
    QSignalSpy changed(w->filterBar(), &FilterBar::filterChanged);
    // Ctrl+F goes to the text field.
    w->tableView()->setFocus();
    QTest::keyClick(w.get(), Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(w->filterBar()->textField()->hasFocus());
    QTest::keyClicks(w->filterBar()->textField(), QStringLiteral("ml-tr"));
    QTRY_COMPARE(changed.count(), 1); // debounced: one change for the whole word
    weft::FlowRunQuery q;
    q.name_like = "ml-tr";
    const qint64 expected =
        m_backend->engine()->store().read([&](weft::Reader& r) { return r.count_flow_runs(q); });
    QVERIFY(expected > 0 && expected < kRuns);
    QTRY_COMPARE(visibleRows(w->tableView()), int(expected));
    QTRY_VERIFY(w->model()->isLoaded(0));
    for (int r = 0; r < int(expected); ++r)
        QTRY_COMPARE(w->tableView()->model()->index(r, FlowColumn).data().toString(),
                     QStringLiteral("ml-train"));
    QTRY_COMPARE(w->countText(), QStringLiteral("%1 runs").arg(expected));
    w->filterBar()->clear();
    QTRY_COMPARE(visibleRows(w->tableView()), kRuns);
    QCOMPARE(w->filterBar()->textField()->text(), QString());
}

void TestRunListWidget::filterBarControls() {
    FilterBar bar;
    bar.setSettings(m_settings.get());
    QStandardItemModel flows;
    for (const char* n : {"etl", "reports"})
        flows.appendRow(new QStandardItem(QString::fromUtf8(n)));
    bar.setFlowModel(&flows);
    QCOMPARE(bar.flowCombo()->count(), 3);
    QSignalSpy changed(&bar, &FilterBar::filterChanged);
    // States: checkable actions in the button's menu.
    QMenu* menu = bar.statesButton()->menu();
    QAction* failed = nullptr;
    for (QAction* a : menu->actions())
        if (a->isCheckable() && weft::StateType(a->data().toInt()) == weft::StateType::Failed)
            failed = a;
    QVERIFY(failed);
    failed->setChecked(true);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(bar.filter().states, std::vector<weft::StateType>{weft::StateType::Failed});
    QCOMPARE(bar.statesButton()->text(), QStringLiteral("Failed"));
    bar.flowCombo()->setCurrentIndex(2);
    QCOMPARE(bar.filter().flowNames, QStringList{QStringLiteral("reports")});
    bar.tagsField()->setText(QStringLiteral("prod, eu"));
    Q_EMIT bar.tagsField()->editingFinished();
    QCOMPARE(bar.filter().tags, (QStringList{QStringLiteral("prod"), QStringLiteral("eu")}));
    bar.rangeCombo()->setCurrentIndex(
        bar.rangeCombo()->findData(int(FlowRunFilter::Range::Last7Days)));
    QCOMPARE(bar.filter().range, FlowRunFilter::Range::Last7Days);
    QCOMPARE(changed.count(), 4);
    // setFilter shows a filter in the controls and emits once.
    FlowRunFilter f;
    f.flowNames = {QStringLiteral("etl")};
    f.text = QStringLiteral("abc");
    bar.setFilter(f);
    QCOMPARE(changed.count(), 5);
    QCOMPARE(bar.flowCombo()->currentText(), QStringLiteral("etl"));
    QCOMPARE(bar.textField()->text(), QStringLiteral("abc"));
    QVERIFY(!failed->isChecked());
    QVERIFY(bar.filter() == f);
    bar.clear();
    QVERIFY(bar.filter().isEmpty());
    QCOMPARE(changed.count(), 6);
}

void TestRunListWidget::savedFilters() {
    FilterBar bar;
    bar.setSettings(m_settings.get());
    FlowRunFilter f;
    f.states = {weft::StateType::Crashed};
    f.tags = {QStringLiteral("prod")};
    bar.setFilter(f);
    bar.saveFilter(QStringLiteral("prod crashes"));
    QVERIFY(bar.savedFilterNames().contains(QStringLiteral("prod crashes")));
    bar.clear();
    QSignalSpy changed(&bar, &FilterBar::filterChanged);
    QVERIFY(bar.loadFilter(QStringLiteral("prod crashes")));
    QCOMPARE(changed.count(), 1);
    QVERIFY(bar.filter() == f);
    QCOMPARE(bar.tagsField()->text(), QStringLiteral("prod"));
    bar.deleteFilter(QStringLiteral("prod crashes"));
    QVERIFY(!bar.savedFilterNames().contains(QStringLiteral("prod crashes")));
    QVERIFY(!bar.loadFilter(QStringLiteral("prod crashes")));
}

void TestRunListWidget::clickingAHeaderSorts() {
    auto w = makeWidget();
    QVERIFY(w);
    QTRY_COMPARE(visibleRows(w->tableView()), kRuns);
    QHeaderView* header = w->tableView()->horizontalHeader();
    const QPoint at(header->sectionViewportPosition(NameColumn) + 10, header->height() / 2);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(w->model()->sortColumn(), int(NameColumn));
    QTRY_COMPARE(visibleRows(w->tableView()), kRuns);
    QTRY_VERIFY(w->model()->isLoaded(kRuns - 1)
                || (w->model()->data(w->model()->index(kRuns - 1, 0)), false));
    QStringList names;
    for (int r = 0; r < kRuns; ++r)
        names << w->model()->index(r, NameColumn).data().toString();
    QStringList sorted = names;
    std::sort(sorted.begin(), sorted.end());
    const bool ascending = w->model()->sortOrder() == Qt::AscendingOrder;
    if (!ascending) std::reverse(sorted.begin(), sorted.end());
    QCOMPARE(names, sorted);
    // Again: the other way round.
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(w->model()->sortOrder(), ascending ? Qt::DescendingOrder : Qt::AscendingOrder);
    QTRY_VERIFY(w->model()->isLoaded(0));
    QTRY_COMPARE(w->model()->index(0, NameColumn).data().toString(), sorted.last());
}

void TestRunListWidget::unsortableHeaderKeepsTheSort() {
    auto w = makeWidget();
    QVERIFY(w);
    QHeaderView* header = w->tableView()->horizontalHeader();
    QTest::mouseClick(
        header->viewport(), Qt::LeftButton, {},
        QPoint(header->sectionViewportPosition(TagsColumn) + 10, header->height() / 2));
    QCOMPARE(w->model()->sortColumn(), int(StartColumn));
    QCOMPARE(header->sortIndicatorSection(), int(StartColumn));
}

void TestRunListWidget::doubleClickAndEnterActivate() {
    auto w = makeWidget();
    QVERIFY(w);
    QTableView* t = w->tableView();
    QTRY_VERIFY(w->model()->isLoaded(3));
    QSignalSpy activated(w.get(), &RunListWidget::runActivated);
    const QPoint cell = shownCellCentre(t, 3, NameColumn);
    QTest::mouseClick(t->viewport(), Qt::LeftButton, {}, cell);
    QTest::mouseDClick(t->viewport(), Qt::LeftButton, {}, cell);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toString(), w->model()->runId(3));
    t->setFocus();
    t->setCurrentIndex(t->model()->index(5, NameColumn));
    QTest::keyClick(t, Qt::Key_Return);
    QCOMPARE(activated.count(), 2);
    QCOMPARE(activated.at(1).at(0).toString(), w->model()->runId(5));
}

void TestRunListWidget::multiSelectionReportsIds() {
    auto w = makeWidget();
    QVERIFY(w);
    QTableView* t = w->tableView();
    QTRY_VERIFY(w->model()->isLoaded(10));
    QSignalSpy selection(w.get(), &RunListWidget::selectionChanged);
    auto click = [&](int row, Qt::KeyboardModifiers mods) {
        QTest::mouseClick(t->viewport(), Qt::LeftButton, mods, shownCellCentre(t, row, FlowColumn));
    };
    click(1, {});
    click(4, Qt::ShiftModifier);   // 1…4
    click(8, Qt::ControlModifier); // and 8
    QVERIFY(selection.count() >= 3);
    QStringList expected;
    for (int r : {1, 2, 3, 4, 8})
        expected << w->model()->runId(r);
    QStringList ids = w->selectedRunIds();
    std::sort(ids.begin(), ids.end());
    std::sort(expected.begin(), expected.end());
    QCOMPARE(ids, expected);
    QStringList last = selection.last().at(0).toStringList();
    std::sort(last.begin(), last.end());
    QCOMPARE(last, expected);
}

void TestRunListWidget::contextMenuReportsIds() {
    CountLaterBackend backend(m_dir.filePath(QStringLiteral("w.db")));
    QCOMPARE(backend.openNow(), QString());
    auto w = makeWidget(&backend);
    QVERIFY(w);
    QTableView* t = w->tableView();
    // The first page is there before the count: its runs are no rows yet, so not "loaded"
    // (a test waiting for row 6 once went on with an empty table and got no menu).
    QTRY_VERIFY(!w->model()->runId(6).isEmpty());
    QVERIFY(backend.heldCounts() > 0);
    QCOMPARE(t->model()->rowCount(), 0);
    QVERIFY(!w->model()->isLoaded(6));
    backend.release();
    QTRY_VERIFY(w->model()->isLoaded(6));
    QSignalSpy menu(w.get(), &RunListWidget::contextMenuRequested);
    const QPoint at = shownCellCentre(t, 6, NameColumn);
    QVERIFY(t->viewport()->rect().contains(at));
    QCOMPARE(t->indexAt(at), t->model()->index(6, NameColumn));
    Q_EMIT t->customContextMenuRequested(at);
    QCOMPARE(menu.count(), 1);
    QCOMPARE(menu.at(0).at(0).toStringList(), QStringList{w->model()->runId(6)});
    QCOMPARE(menu.at(0).at(1).toPoint(), t->viewport()->mapToGlobal(at));
}

void TestRunListWidget::newRunAppearsLive() {
    auto w = makeWidget();
    QVERIFY(w);
    QTRY_VERIFY(w->model()->totalCount() > 0);
    const int before = visibleRows(w->tableView());
    fixtures::RunSpec spec;
    spec.flow_name = "brand-new";
    spec.name = "fresh-run";
    spec.state = weft::StateType::Running;
    const auto written = fixtures::writeRun(m_backend->engine()->store(), spec);
    QTRY_COMPARE(visibleRows(w->tableView()), before + 1);
    QTRY_COMPARE(w->model()->runId(0), QString::fromStdString(written.flow_run_id));
    QCOMPARE(w->tableView()->model()->index(0, NameColumn).data().toString(),
             QStringLiteral("fresh-run"));
    QTRY_COMPARE(w->countText(), QStringLiteral("%1 runs").arg(before + 1));
    // …and its state changes in place.
    m_backend->engine()->set_flow_run_state(written.flow_run_id,
                                            {weft::states::completed(), weft::Origin::User, true});
    QTRY_COMPARE(w->model()->index(0, 0).data(StateTypeRole).toInt(),
                 int(weft::StateType::Completed));
    m_backend->engine()->delete_flow_run(written.flow_run_id);
    QTRY_COMPARE(visibleRows(w->tableView()), before);
}

void TestRunListWidget::badgePaintsStateColour() {
    QStandardItemModel model(1, 1);
    model.setData(model.index(0, 0), int(weft::StateType::Failed), StateTypeRole);
    model.setData(model.index(0, 0), QStringLiteral("TimedOut"), StateNameRole);
    StateBadgeDelegate delegate;
    QImage image(160, 28, QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    QStyleOptionViewItem option;
    option.rect = image.rect();
    option.palette = QPalette(Qt::white);
    option.font = QApplication::font();
    option.fontMetrics = QFontMetrics(option.font);
    option.state = QStyle::State_Enabled;
    delegate.paint(&p, option, model.index(0, 0));
    p.end();
    const QRect pill =
        StateBadgeDelegate::badgeRect(option.rect, option.fontMetrics, QStringLiteral("TimedOut"));
    QCOMPARE(image.pixelColor(pill.left() + 3, pill.center().y()).rgb() & 0xffffff,
             stateColor(weft::StateType::Failed).rgb() & 0xffffff);
    QCOMPARE(image.pixelColor(pill.right() + 4, pill.center().y()), QColor(Qt::white));
    QVERIFY(delegate.sizeHint(option, model.index(0, 0)).width()
            > option.fontMetrics.horizontalAdvance(QStringLiteral("TimedOut")));
}

void TestRunListWidget::taskRunTable() {
    fixtures::RunSpec spec;
    spec.tasks = fixtures::fanOut(20);
    const auto written = fixtures::writeRun(m_backend->engine()->store(), spec);
    m_backend->engine()->store().flush();
    TaskRunTable table(m_backend.get());
    table.resize(900, 400);
    table.show();
    QVERIFY(QTest::qWaitForWindowExposed(&table));
    QSignalSpy loaded(table.taskRunModel(), &TaskRunModel::loaded);
    table.setFlowRun(QString::fromStdString(written.flow_run_id));
    QVERIFY(loaded.wait(5000));
    QCOMPARE(table.model()->rowCount(), 22);
    QSignalSpy activated(&table, &TaskRunTable::taskRunActivated);
    table.scrollTo(table.model()->index(2, taskruns::NameColumn));
    const QRect cell = table.visualRect(table.model()->index(2, taskruns::NameColumn));
    QTest::mouseClick(table.viewport(), Qt::LeftButton, {}, cell.center());
    QTest::mouseDClick(table.viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toString(), table.taskRunIdAt(2));
    QSignalSpy menu(&table, &TaskRunTable::contextMenuRequested);
    Q_EMIT table.customContextMenuRequested(cell.center());
    QCOMPARE(menu.count(), 1);
    QCOMPARE(menu.at(0).at(0).toString(), table.taskRunIdAt(2));
    // Sorted by start: extract first, load last.
    QCOMPARE(table.model()->index(0, taskruns::NameColumn).data().toString(),
             QStringLiteral("extract-0"));
    QCOMPARE(table.model()->index(21, taskruns::NameColumn).data().toString(),
             QStringLiteral("load-0"));
}

// Renders the run list in light and dark palettes when WEFT_RUNS_PICTURES names a folder.
void TestRunListWidget::pictures() {
    const QString folder = qEnvironmentVariable("WEFT_RUNS_PICTURES");
    if (folder.isEmpty()) QSKIP("set WEFT_RUNS_PICTURES to a folder to render pictures");
    for (const bool dark : {false, true}) {
        QApplication::setPalette(dark ? ThemeManager::darkPalette() : ThemeManager::lightPalette());
        auto w = makeWidget();
        QVERIFY(w);
        w->resize(1280, 720);
        QTRY_VERIFY(w->model()->isLoaded(0) && w->model()->isLoaded(20));
        w->tableView()->selectRow(2);
        w->tableView()->selectionModel()->select(w->tableView()->model()->index(3, 0),
                                                 QItemSelectionModel::Select
                                                     | QItemSelectionModel::Rows);
        QCoreApplication::processEvents();
        QVERIFY(w->grab().save(
            folder
            + (dark ? QStringLiteral("/runlist-dark.png") : QStringLiteral("/runlist-light.png"))));
        TaskRunTable table(m_backend.get());
        fixtures::RunSpec spec;
        spec.tasks = fixtures::fanOut(12);
        spec.tasks[3].state = weft::StateType::Running;
        const auto written = fixtures::writeRun(m_backend->engine()->store(), spec);
        m_backend->engine()->store().flush();
        table.resize(1100, 420);
        table.show();
        QVERIFY(QTest::qWaitForWindowExposed(&table));
        QSignalSpy loaded(table.taskRunModel(), &TaskRunModel::loaded);
        table.setFlowRun(QString::fromStdString(written.flow_run_id));
        QVERIFY(loaded.wait(5000));
        QVERIFY(table.grab().save(folder
                                  + (dark ? QStringLiteral("/taskruns-dark.png")
                                          : QStringLiteral("/taskruns-light.png"))));
    }
    QApplication::setPalette(ThemeManager::lightPalette());
}

QTEST_MAIN(TestRunListWidget)
#include "tst_runlistwidget.moc"

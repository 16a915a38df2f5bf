// LogView offscreen: search moves to the first hit and F3 / Shift+F3 cycle, context lines, follow
// keeps the newest line visible (and stops when the user scrolls up), copy, download, task-run
// filter, all-runs activation. With WEFT_LOGVIEW_SHOTS=DIR it also saves light and dark pictures.
#include "common/theme.h"
#include "logdb.h"
#include "logs/logmodel.h"
#include "logs/logview.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QLabel>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <algorithm>

using namespace weft::studio;

namespace {

struct Db : LogDb {
    void append(const std::string& runId, int count, int first) {
        for (int i = first; i < first + count; ++i) {
            weft::LogRecord line;
            line.flow_run_id = runId;
            line.name = "live";
            line.level = weft::Info;
            line.timestamp = weft::now_us();
            line.message = "live " + std::to_string(i);
            store->append_log(std::move(line));
        }
        store->flush();
    }
};

void waitIdle(LogView& view) {
    QTRY_VERIFY_WITH_TIMEOUT(!view.model()->isLoading() && !view.model()->isSearching(), 20000);
}

int currentRow(LogView& view) {
    return view.table()->currentIndex().row();
}

bool lastRowVisible(LogView& view) {
    const int rows = view.model()->rowCount();
    const QRect r = view.table()->visualRect(view.model()->index(rows - 1, 0));
    return r.isValid() && view.table()->viewport()->rect().contains(r);
}

} // namespace

class TestLogView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QLocale::setDefault(QLocale::c());
    }
    void searchMovesToFirstHitAndCycles();
    void contextKeepsTheHit();
    void followKeepsLastRowVisible();
    void copyPutsSelectedLinesOnClipboard();
    void downloadWritesFile();
    void showTaskRunFilters();
    void allRunsActivationOpensRun();
    void pictures();
};

void TestLogView::searchMovesToFirstHitAndCycles() {
    Db db;
    auto run = db.run(1000);
    LogView view(db.backend.get());
    view.resize(1100, 500);
    view.show();
    view.setFlowRun(QString::fromStdString(run.flow_run_id));
    waitIdle(view);
    QCOMPARE(view.model()->rowCount(), 1000);
    view.setSearchText(QStringLiteral("needle"));
    QTRY_COMPARE(currentRow(view), 0);
    waitIdle(view);
    QCOMPARE(view.hitText(), QStringLiteral("1 of 11"));
    QVERIFY(!view.isFollowing()); // reading hits: new lines do not pull the view away
    view.findNext();
    QCOMPARE(currentRow(view), 97);
    QCOMPARE(view.hitText(), QStringLiteral("2 of 11"));
    QTest::keyClick(view.table(), Qt::Key_F3);
    QCOMPARE(currentRow(view), 194);
    QTest::keyClick(view.table(), Qt::Key_F3, Qt::ShiftModifier);
    QCOMPARE(currentRow(view), 97);
    view.findPrevious();
    QCOMPARE(currentRow(view), 0);
    view.findPrevious(); // wraps to the last hit
    QCOMPARE(currentRow(view), 970);
    QCOMPARE(view.hitText(), QStringLiteral("11 of 11"));
    QVERIFY(view.table()->viewport()->rect().contains(
        view.table()->visualRect(view.model()->index(970, 0))));
    view.findNext(); // and back to the first
    QCOMPARE(currentRow(view), 0);
    // From a line between hits, next goes to the one after it.
    view.table()->setCurrentIndex(view.model()->index(500, 0));
    QCOMPARE(view.hitText(), QStringLiteral("11 matches"));
    view.findNext();
    QCOMPARE(currentRow(view), 582);
    view.setSearchText(QStringLiteral("nothing-like-this"));
    waitIdle(view);
    QCOMPARE(view.hitText(), QStringLiteral("No matches"));
    view.setSearchText({});
    QCOMPARE(view.hitText(), QString());
}

void TestLogView::contextKeepsTheHit() {
    Db db;
    auto run = db.run(1000);
    LogView view(db.backend.get());
    view.resize(1100, 500);
    view.show();
    view.setFlowRun(QString::fromStdString(run.flow_run_id));
    view.setSearchText(QStringLiteral("needle"));
    waitIdle(view);
    view.findNext();
    view.findNext();
    QCOMPARE(currentRow(view), 194);
    view.setContextLines(2);
    QCOMPARE(view.model()->rowCount(), 3 + 10 * 5);
    QCOMPARE(currentRow(view), 3 + 5 + 2); // still the hit at line 194
    QCOMPARE(view.hitText(), QStringLiteral("3 of 11"));
    view.findNext();
    QCOMPARE(currentRow(view), 3 + 10 + 2);
    view.setContextLines(0);
    QCOMPARE(view.model()->rowCount(), 1000);
    QCOMPARE(currentRow(view), 291);
}

void TestLogView::followKeepsLastRowVisible() {
    Db db;
    auto run = db.run(300, 2, weft::StateType::Running);
    LogView view(db.backend.get());
    view.resize(900, 400);
    view.show();
    QVERIFY(view.isFollowing());
    view.setFlowRun(QString::fromStdString(run.flow_run_id));
    waitIdle(view);
    QTRY_VERIFY(lastRowVisible(view));
    for (int round = 0; round < 4; ++round) {
        db.append(run.flow_run_id, 250, round * 250);
        QTRY_COMPARE(view.model()->rowCount(), 300 + 250 * (round + 1));
        QTRY_VERIFY(lastRowVisible(view));
    }
    // The user scrolls up: following stops, new lines no longer move the view.
    view.table()->verticalScrollBar()->triggerAction(QAbstractSlider::SliderPageStepSub);
    QVERIFY(!view.isFollowing());
    const int top = view.table()->verticalScrollBar()->value();
    db.append(run.flow_run_id, 100, 5000);
    QTRY_COMPARE(view.model()->rowCount(), 1400);
    QCOMPARE(view.table()->verticalScrollBar()->value(), top);
    QVERIFY(!lastRowVisible(view));
    // End jumps to the latest line and follows again.
    view.table()->setFocus();
    QTest::keyClick(view.table(), Qt::Key_End);
    QVERIFY(view.isFollowing());
    QTRY_VERIFY(lastRowVisible(view));
    db.append(run.flow_run_id, 10, 6000);
    QTRY_COMPARE(view.model()->rowCount(), 1410);
    QTRY_VERIFY(lastRowVisible(view));
}

void TestLogView::copyPutsSelectedLinesOnClipboard() {
    Db db;
    auto run = db.run(5000);
    LogView view(db.backend.get());
    view.resize(900, 400);
    view.show();
    view.setFlowRun(QString::fromStdString(run.flow_run_id));
    waitIdle(view);
    view.setFollow(false);
    view.table()->scrollToTop();
    QTRY_VERIFY(view.model()->lineAt(5) != nullptr);
    auto* selection = view.table()->selectionModel();
    selection->select(QItemSelection(view.model()->index(3, 0), view.model()->index(5, 0)),
                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QSignalSpy copied(&view, &LogView::copied);
    QTest::keySequence(view.table(), QKeySequence::Copy);
    QCOMPARE(copied.count(), 1); // loaded lines: at once
    QStringList lines = QGuiApplication::clipboard()->text().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].endsWith(QStringLiteral("| INFO     | weft.task_runs | line 3 of the log")));
    QVERIFY(lines[2].endsWith(QStringLiteral("line 5 of the log")));
    // Every line, most of them not loaded: read away from the GUI thread, then copied.
    view.table()->selectAll();
    QTest::keySequence(view.table(), QKeySequence::Copy);
    QVERIFY(copied.wait());
    lines = QGuiApplication::clipboard()->text().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 5000);
    QVERIFY(lines[4999].endsWith(QStringLiteral("line 4999 of the log")));
    QVERIFY(view.statusText().contains(QStringLiteral("Copied 5,000 lines")));
}

void TestLogView::downloadWritesFile() {
    Db db;
    auto run = db.run(3000);
    LogView view(db.backend.get());
    view.setFlowRun(QString::fromStdString(run.flow_run_id));
    view.model()->setMinLevel(weft::Error);
    waitIdle(view);
    QCOMPARE(view.model()->rowCount(), 500);
    QSignalSpy done(&view, &LogView::downloadFinished);
    const QString viewPath = db.dir.filePath(QStringLiteral("view.log"));
    view.downloadTo(viewPath, false);
    QVERIFY(done.wait(20000));
    QVERIFY(done.last().at(0).toBool());
    QFile file(viewPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QCOMPARE(text.count('\n'), 500);
    QCOMPARE(text.count("| ERROR    |"), 500);
    const QString allPath = db.dir.filePath(QStringLiteral("all.log"));
    view.downloadTo(allPath, true);
    QVERIFY(done.wait(20000));
    QFile all(allPath);
    QVERIFY(all.open(QIODevice::ReadOnly));
    QCOMPARE(all.readAll().count('\n'), 3000);
    QVERIFY(view.statusText().contains(QStringLiteral("Saved 3,000 lines")));
}

void TestLogView::showTaskRunFilters() {
    Db db;
    auto run = db.run(900, 3);
    LogView view(db.backend.get());
    view.resize(900, 400);
    view.show();
    view.setFlowRun(QString::fromStdString(run.flow_run_id));
    waitIdle(view);
    view.showTaskRun(QString::fromStdString(run.task_run_ids[2]));
    waitIdle(view);
    QCOMPARE(view.model()->rowCount(), 300);
    QCOMPARE(currentRow(view), 0);
    QVERIFY(!view.isFollowing());
    QTRY_COMPARE(view.model()->index(0, 0).data(LogModel::TaskRunIdRole).toString(),
                 QString::fromStdString(run.task_run_ids[2]));
    auto chips = view.findChildren<QToolButton*>();
    auto chip = std::find_if(chips.begin(), chips.end(), [](QToolButton* b) {
        return b->isVisible() && b->text().startsWith(QStringLiteral("Task: "));
    });
    QVERIFY(chip != chips.end());
    QTRY_VERIFY((*chip)->text().contains(QStringLiteral("step-2")));
    // Activating a line names its task run.
    QSignalSpy activated(&view, &LogView::taskRunActivated);
    view.table()->setFocus();
    QTest::keyClick(view.table(), Qt::Key_Return);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toString(), QString::fromStdString(run.task_run_ids[2]));
    (*chip)->click();
    waitIdle(view);
    QCOMPARE(view.model()->rowCount(), 900);
}

void TestLogView::allRunsActivationOpensRun() {
    Db db;
    auto a = db.run(300, 1);
    auto b = db.run(300, 1);
    LogView view(db.backend.get());
    view.resize(1100, 400);
    view.show();
    view.setFlowRun(QString::fromStdString(a.flow_run_id));
    view.setAllRuns(true);
    QVERIFY(!view.table()->isColumnHidden(LogModel::RunColumn));
    view.setSearchText(QStringLiteral("needle"));
    waitIdle(view);
    QCOMPARE(view.model()->rowCount(), 8);
    QCOMPARE(currentRow(view), 0);
    QTRY_VERIFY(view.model()->index(7, 0).data(LogModel::IsLoadedRole).toBool());
    QSignalSpy open(&view, &LogView::openRun);
    view.table()->setCurrentIndex(view.model()->index(7, 0));
    view.table()->setFocus();
    QTest::keyClick(view.table(), Qt::Key_Return);
    QCOMPARE(open.count(), 1);
    QCOMPARE(open.first().first().toString(), QString::fromStdString(b.flow_run_id));
    view.setAllRuns(false);
    waitIdle(view);
    QVERIFY(view.table()->isColumnHidden(LogModel::RunColumn));
    QCOMPARE(view.model()->rowCount(), 300);
}

void TestLogView::pictures() {
    const QString dir = qEnvironmentVariable("WEFT_LOGVIEW_SHOTS");
    if (dir.isEmpty()) QSKIP("set WEFT_LOGVIEW_SHOTS=DIR to save pictures");
    Db db;
    auto run = db.run(5000, 6);
    for (const bool dark : {false, true}) {
        LogView view(db.backend.get());
        if (dark) view.setPalette(ThemeManager::darkPalette());
        view.resize(1200, 640);
        view.show();
        view.setFlowRun(QString::fromStdString(run.flow_run_id));
        waitIdle(view);
        const QString theme = dark ? QStringLiteral("dark") : QStringLiteral("light");
        QTRY_VERIFY(view.model()->lineAt(view.model()->rowCount() - 1) != nullptr);
        QTRY_VERIFY(view.model()
                        ->index(4999, LogModel::SourceColumn)
                        .data()
                        .toString()
                        .startsWith(QStringLiteral("step")));
        QVERIFY(view.grab().save(dir + QStringLiteral("/logview-follow-%1.png").arg(theme)));
        view.setSearchText(QStringLiteral("needle"));
        view.setContextLines(2);
        waitIdle(view);
        view.findNext();
        for (int r = 0; r < 30; ++r)
            QTRY_VERIFY(view.model()->lineAt(r) != nullptr);
        QVERIFY(view.grab().save(dir + QStringLiteral("/logview-context-%1.png").arg(theme)));
        view.setContextLines(0);
        view.setAllRuns(true);
        waitIdle(view);
        for (int r = 0; r < std::min(25, view.model()->rowCount()); ++r)
            QTRY_VERIFY(view.model()->lineAt(r) != nullptr);
        QTRY_VERIFY(!view.model()
                         ->index(0, LogModel::RunColumn)
                         .data(LogModel::FlowRunNameRole)
                         .toString()
                         .isEmpty());
        QVERIFY(view.grab().save(dir + QStringLiteral("/logview-allruns-%1.png").arg(theme)));
    }
}

QTEST_MAIN(TestLogView)
#include "tst_logview.moc"

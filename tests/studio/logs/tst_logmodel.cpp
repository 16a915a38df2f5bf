// LogModel over fixture databases: counts per filter, search hits and navigation, context windows,
// live appends (one insert per batch), stale generations, the all-runs scope, and exports.
#include "logdb.h"
#include "logs/logexporter.h"
#include "logs/logmodel.h"
#include "logs/snapshottasknames.h"
#include "runs/runsnapshot.h"

#include <weft/ids.hpp>

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace weft::studio;

namespace {

// Fixture lines cycle DEBUG, INFO, INFO, INFO, WARNING, ERROR; every 97th says "needle".
int expectedAtLevel(int lines, int minLevel) {
    static const int levels[] = {10, 20, 20, 20, 30, 40};
    int n = 0;
    for (int i = 0; i < lines; ++i)
        n += levels[i % 6] >= minLevel;
    return n;
}

int needles(int lines) {
    return (lines + 96) / 97;
}

struct Db : LogDb {
    void append(const std::string& runId, int count, int firstIndex,
                const std::string& name = "live") {
        static const int levels[] = {10, 20, 20, 20, 30, 40};
        for (int i = firstIndex; i < firstIndex + count; ++i) {
            weft::LogRecord line;
            line.flow_run_id = runId;
            line.name = name;
            line.level = levels[i % 6];
            line.timestamp = weft::now_us();
            line.message = "live " + std::to_string(i) + (i % 97 == 0 ? " needle" : "");
            store->append_log(std::move(line));
        }
        store->flush();
    }
};

void waitLoaded(LogModel& model) {
    QSignalSpy done(&model, &LogModel::loadFinished);
    if (model.isLoading()) QVERIFY(done.wait(20000));
}

void waitSearch(LogModel& model) {
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading() && !model.isSearching(), 20000);
}

// Names every task run of one run "from-source-<id>".
class FixedTaskNames : public TaskNames {
public:
    QString run;
    QString flowRunId() const override { return run; }
    QString name(const std::string& id) const override {
        return QStringLiteral("from-source-") + QString::fromStdString(id);
    }
};

} // namespace

class TestLogModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void loadsLinesAndText();
    void levelFilter_data();
    void levelFilter();
    void loggerAndTaskFilters();
    void searchHitsAndNavigation();
    void contextWindows();
    void contextWindowsMerge();
    void liveAppendOneInsertPerBatch();
    void liveAppendRespectsFiltersAndSearch();
    void liveAppendInContextMode();
    void staleGenerationsDropped();
    void allRunsScope();
    void streamsBigLogsInChunks();
    void exportsFiles();
    void taskNamesFromASource();
    void taskNamesFollowTheRunSnapshot();
};

void TestLogModel::loadsLinesAndText() {
    Db db;
    auto run = db.run(600);
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    QVERIFY(model.isLoading());
    waitLoaded(model);
    QCOMPARE(model.rowCount(), 600);
    QCOMPARE(model.columnCount(), int(LogModel::ColumnCount));
    const QModelIndex first = model.index(0, LogModel::MessageColumn);
    QTRY_VERIFY(model.data(first, LogModel::IsLoadedRole).toBool());
    QCOMPARE(model.data(first).toString(), QStringLiteral("line 0 needle in the haystack"));
    QCOMPARE(model.data(first, LogModel::LevelRole).toInt(), 10);
    QCOMPARE(model.data(first, LogModel::LevelNameRole).toString(), QStringLiteral("DEBUG"));
    QCOMPARE(model.data(first, LogModel::FlowRunIdRole).toString(),
             QString::fromStdString(run.flow_run_id));
    QCOMPARE(model.data(first, LogModel::TaskRunIdRole).toString(),
             QString::fromStdString(run.task_run_ids[0]));
    QVERIFY(model.data(first, LogModel::TimestampRole).toLongLong() > 0);
    QCOMPARE(model.data(first, LogModel::LoggerRole).toString(), QStringLiteral("weft.task_runs"));
    QTRY_COMPARE(model.data(model.index(0, LogModel::SourceColumn)).toString(),
                 QStringLiteral("step-0"));
    // A far row: its page is fetched on demand; the ids are in order.
    const QModelIndex last = model.index(599, LogModel::MessageColumn);
    QTRY_VERIFY(model.data(last, LogModel::IsLoadedRole).toBool());
    QCOMPARE(model.data(last).toString(), QStringLiteral("line 599 of the log"));
    QVERIFY(model.idAt(599) > model.idAt(0));
    QCOMPARE(model.rowOfId(model.idAt(123)), 123);
    QCOMPARE(model.data(first, LogModel::IsHitRole).toBool(), false);
}

void TestLogModel::levelFilter_data() {
    QTest::addColumn<int>("level");
    QTest::addRow("all") << 0;
    QTest::addRow("debug") << 10;
    QTest::addRow("info") << 20;
    QTest::addRow("warning") << 30;
    QTest::addRow("error") << 40;
    QTest::addRow("critical") << 50;
}

void TestLogModel::levelFilter() {
    QFETCH(int, level);
    Db db;
    auto run = db.run(1000);
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    waitLoaded(model);
    model.setMinLevel(level);
    waitLoaded(model);
    QCOMPARE(model.rowCount(), expectedAtLevel(1000, level));
    if (model.rowCount() > 0) {
        const QModelIndex i = model.index(model.rowCount() / 2, 0);
        QTRY_VERIFY(model.data(i, LogModel::IsLoadedRole).toBool());
        QVERIFY(model.data(i, LogModel::LevelRole).toInt() >= level);
    }
}

void TestLogModel::loggerAndTaskFilters() {
    Db db;
    auto run = db.run(300, 3);
    db.append(run.flow_run_id, 20, 0, "custom.a");
    db.append(run.flow_run_id, 10, 0, "custom.b");
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    waitLoaded(model);
    QCOMPARE(model.rowCount(), 330);

    QSignalSpy names(&model, &LogModel::loggerNamesArrived);
    model.requestLoggerNames();
    QVERIFY(names.wait());
    QCOMPARE(names.first().first().toStringList(),
             (QStringList{QStringLiteral("custom.a"), QStringLiteral("custom.b"),
                          QStringLiteral("weft.task_runs")}));

    model.setLoggerNames({QStringLiteral("custom.a")});
    waitLoaded(model);
    QCOMPARE(model.rowCount(), 20);
    model.setLoggerNames({QStringLiteral("custom.b"), QStringLiteral("custom.a")});
    waitLoaded(model);
    QCOMPARE(model.rowCount(), 30);
    model.setMinLevel(30); // and level: WARNING/ERROR are 2 of every 6
    waitLoaded(model);
    QCOMPARE(model.rowCount(), expectedAtLevel(20, 30) + expectedAtLevel(10, 30));
    model.setMinLevel(0);
    model.setLoggerNames({});
    waitLoaded(model);
    QCOMPARE(model.rowCount(), 330);

    // A task run's lines: every third fixture line belongs to the second task.
    model.setTaskRun(QString::fromStdString(run.task_run_ids[1]));
    waitLoaded(model);
    QCOMPARE(model.rowCount(), 100);
    QTRY_VERIFY(model.data(model.index(0, 0), LogModel::IsLoadedRole).toBool());
    QCOMPARE(model.data(model.index(0, 0), LogModel::TaskRunIdRole).toString(),
             QString::fromStdString(run.task_run_ids[1]));
    QCOMPARE(model.data(model.index(0, LogModel::MessageColumn)).toString(),
             QStringLiteral("line 1 of the log"));
}

void TestLogModel::searchHitsAndNavigation() {
    Db db;
    auto run = db.run(1000);
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    waitLoaded(model);
    QSignalSpy finished(&model, &LogModel::searchFinished);
    model.setSearch(QStringLiteral("needle"));
    QVERIFY(finished.wait());
    QCOMPARE(finished.first().first().toInt(), needles(1000));
    QCOMPARE(model.rowCount(), 1000); // every line still shows
    QCOMPARE(model.hitCount(), needles(1000));
    QList<int> expected;
    for (int i = 0; i < 1000; i += 97)
        expected << i;
    QCOMPARE(model.searchHitRows(), expected);
    QVERIFY(model.data(model.index(97, 0), LogModel::IsHitRole).toBool());
    QVERIFY(!model.data(model.index(98, 0), LogModel::IsHitRole).toBool());

    QCOMPARE(model.nextHit(-1, true), 0);
    QCOMPARE(model.hitRow(model.nextHit(0, true)), 97);
    QCOMPARE(model.hitRow(model.nextHit(100, true)), 194);
    QCOMPARE(model.hitRow(model.nextHit(100, false)), 97);
    QCOMPARE(model.nextHit(0, false), -1);
    QCOMPARE(model.nextHit(999, true), -1);
    QCOMPARE(model.hitRow(model.nextHit(1000, false)), 970);
    QCOMPARE(model.hitIndexOfRow(194), 2);
    QCOMPARE(model.hitIndexOfRow(195), -1);

    // Words are quoted, so FTS syntax in plain text is harmless (the tokenizer drops the quote);
    // a raw query is FTS5.
    model.setSearch(QStringLiteral("needle \"haystack"));
    waitSearch(model);
    QCOMPARE(model.hitCount(), needles(1000));
    model.setSearch(QStringLiteral("needle AND"));
    waitSearch(model);
    QCOMPARE(model.hitCount(), 0); // "AND" is a word here, and no line has it
    model.setSearch(QStringLiteral("needle OR \"599\""), true);
    waitSearch(model);
    QCOMPARE(model.hitCount(), needles(1000) + 1);
    // Cleared: no hits, all lines.
    QSignalSpy changed(&model, &LogModel::hitsChanged);
    model.setSearch({});
    QVERIFY(changed.count() > 0);
    QCOMPARE(model.hitCount(), 0);
    QCOMPARE(model.rowCount(), 1000);
}

void TestLogModel::contextWindows() {
    Db db;
    auto run = db.run(600);
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    model.setContextLines(2);
    QCOMPARE(model.rowCount(), 0); // loading; no search yet, so context changes nothing
    waitLoaded(model);
    QCOMPARE(model.rowCount(), 600);
    model.setSearch(QStringLiteral("needle"));
    waitSearch(model);
    // Hits at lines 0, 97, …, 582: 3 rows for the first window, 5 for each of the other six.
    QCOMPARE(model.rowCount(), 3 + 6 * 5);
    QCOMPARE(model.hitCount(), 7);
    QCOMPARE(model.searchHitRows(), (QList<int>{0, 5, 10, 15, 20, 25, 30}));
    QVERIFY(!model.data(model.index(1, 0), LogModel::GapBeforeRole).toBool());
    QVERIFY(model.data(model.index(3, 0), LogModel::GapBeforeRole).toBool());
    QCOMPARE(model.idAt(3), model.rowIds(0, 0)[0] + 95); // line 95, two before the hit at 97
    QTRY_VERIFY(model.data(model.index(5, 0), LogModel::IsLoadedRole).toBool());
    QCOMPARE(model.data(model.index(5, LogModel::MessageColumn)).toString(),
             QStringLiteral("line 97 needle in the haystack"));
    QCOMPARE(model.data(model.index(4, LogModel::MessageColumn)).toString(),
             QStringLiteral("line 96 of the log"));
    QCOMPARE(model.hitRow(model.nextHit(5, true)), 10);
    // Wider context, then off: all lines again.
    model.setContextLines(10);
    QCOMPARE(model.rowCount(), 11 + 6 * 21);
    model.setContextLines(0);
    QCOMPARE(model.rowCount(), 600);
    QCOMPARE(model.searchHitRows().size(), 7);
    // A level filter applies to context lines and hits alike.
    model.setContextLines(1);
    model.setMinLevel(30);
    waitSearch(model);
    // Needle lines at i % 6 in {4, 5} are WARNING/ERROR: 97*k % 6 = k % 6 → k = 4 (388), 5 (485).
    QCOMPARE(model.hitCount(), 2);
    QCOMPARE(model.rowCount(), 6);
}

void TestLogModel::contextWindowsMerge() {
    Db db;
    auto run = db.run(600);
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    model.setContextLines(2);
    // Lines 1, 2 and 4: windows [0,3], [0,4], [2,6] merge into lines 0…6, no gap.
    model.setSearch(QStringLiteral("\"1\" OR \"2\" OR \"4\""), true);
    waitSearch(model);
    QCOMPARE(model.hitCount(), 3);
    QCOMPARE(model.rowCount(), 7);
    for (int r = 0; r < 7; ++r)
        QVERIFY(!model.data(model.index(r, 0), LogModel::GapBeforeRole).toBool());
    QCOMPARE(model.searchHitRows(), (QList<int>{1, 2, 4}));
}

void TestLogModel::liveAppendOneInsertPerBatch() {
    Db db;
    auto run = db.run(200, 2, weft::StateType::Running);
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    waitLoaded(model);
    QCOMPARE(model.rowCount(), 200);

    int logBatches = 0;
    connect(db.backend.get(), &Backend::eventsArrived, &model, [&](const EventBatch& batch) {
        for (const auto& e : *batch)
            if (e.kind == weft::EventKind::Logs && e.flow_run_id == run.flow_run_id) {
                ++logBatches;
                break;
            }
    });
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy appended(&model, &LogModel::liveLinesAppended);
    for (int round = 0; round < 5; ++round)
        db.append(run.flow_run_id, 400, 1000 * round);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2200, 10000);
    QVERIFY(inserted.count() >= 1);
    QVERIFY2(
        inserted.count() <= logBatches,
        qPrintable(
            QStringLiteral("%1 inserts for %2 batches").arg(inserted.count()).arg(logBatches)));
    QCOMPARE(appended.count(), inserted.count());
    int rows = 0;
    for (const auto& args : inserted)
        rows += args.at(2).toInt() - args.at(1).toInt() + 1;
    QCOMPARE(rows, 2000);
    // Ids stay in order and each line shows once.
    const auto ids = model.rowIds();
    QVERIFY(std::is_sorted(ids.begin(), ids.end()));
    QVERIFY(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
    const QModelIndex last = model.index(2199, LogModel::MessageColumn);
    QTRY_VERIFY(model.data(last, LogModel::IsLoadedRole).toBool());
    QCOMPARE(model.data(last).toString(), QStringLiteral("live 4399"));
    // Another run's lines do not show.
    auto other = db.run(50);
    db.append(other.flow_run_id, 30, 0);
    db.append(run.flow_run_id, 1, 7);
    QTRY_COMPARE(model.rowCount(), 2201);
}

void TestLogModel::liveAppendRespectsFiltersAndSearch() {
    Db db;
    auto run = db.run(120, 2, weft::StateType::Running);
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    model.setMinLevel(40);
    model.setSearch(QStringLiteral("needle"));
    waitSearch(model);
    QCOMPARE(model.rowCount(), expectedAtLevel(120, 40));
    const int hitsBefore = model.hitCount();
    db.append(run.flow_run_id, 600, 0); // lines 0 … 599, "live i"
    QTRY_COMPARE(model.rowCount(), expectedAtLevel(120, 40) + expectedAtLevel(600, 40));
    // Live needles at ERROR level: i % 97 == 0 and i % 6 == 5 → i = 485.
    QTRY_COMPARE(model.hitCount(), hitsBefore + 1);
    const int row = model.hitRow(model.hitCount() - 1);
    QTRY_VERIFY(model.data(model.index(row, 0), LogModel::IsLoadedRole).toBool());
    QCOMPARE(model.data(model.index(row, LogModel::MessageColumn)).toString(),
             QStringLiteral("live 485 needle"));
    QVERIFY(model.data(model.index(row, 0), LogModel::IsHitRole).toBool());
}

void TestLogModel::liveAppendInContextMode() {
    Db db;
    auto run = db.run(100, 1, weft::StateType::Running);
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    model.setContextLines(1);
    model.setSearch(QStringLiteral("needle"));
    waitSearch(model);
    // Hits at 0 and 97: [0,1] and [96,98]; line 99 is not context.
    QCOMPARE(model.rowCount(), 2 + 3);
    // Live lines 0 … 2: "live 0 needle" is a hit; line 99 (before it) and live 1 are context.
    db.append(run.flow_run_id, 3, 0);
    QTRY_COMPARE(model.rowCount(), 2 + 3 + 3);
    QCOMPARE(model.hitCount(), 3);
    QCOMPARE(model.searchHitRows(), (QList<int>{0, 3, 6}));
    QVERIFY(!model.data(model.index(5, 0), LogModel::GapBeforeRole).toBool()); // 98 → 99
    QTRY_VERIFY(model.data(model.index(7, 0), LogModel::IsLoadedRole).toBool());
    QCOMPARE(model.data(model.index(7, LogModel::MessageColumn)).toString(),
             QStringLiteral("live 1"));
}

void TestLogModel::staleGenerationsDropped() {
    Db db;
    auto run = db.run(3000);
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    // Each change makes the answers of the one before stale, whatever order they come in.
    model.setMinLevel(30);
    model.setMinLevel(40);
    model.setSearch(QStringLiteral("needle"));
    model.setMinLevel(0);
    model.setSearch(QStringLiteral("haystack"));
    model.setMinLevel(20);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy finished(&model, &LogModel::loadFinished);
    waitSearch(model);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(model.rowCount(), expectedAtLevel(3000, 20));
    int rows = 0;
    for (const auto& args : inserted)
        rows += args.at(2).toInt() - args.at(1).toInt() + 1;
    QCOMPARE(rows, model.rowCount());
    int infoNeedles = 0;
    for (int i = 0; i < 3000; i += 97)
        infoNeedles += i % 6 != 0;
    QCOMPARE(model.hitCount(), infoNeedles);
    // Switching runs mid-load drops the old run's chunks too.
    auto small = db.run(10);
    model.setFlowRun(QString::fromStdString(small.flow_run_id));
    model.setMinLevel(0);
    waitSearch(model);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.taskRun(), QString());
}

void TestLogModel::allRunsScope() {
    Db db;
    std::vector<fixtures::Written> runs;
    for (int i = 0; i < 3; ++i)
        runs.push_back(db.run(200, 1));
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setAllRuns();
    waitLoaded(model);
    QCOMPARE(model.rowCount(), 600);
    QSignalSpy finished(&model, &LogModel::searchFinished);
    model.setSearch(QStringLiteral("needle"));
    QVERIFY(finished.wait());
    // Across runs the rows are the hits, each naming its run.
    QCOMPARE(model.rowCount(), 3 * needles(200));
    QCOMPARE(model.hitCount(), model.rowCount());
    QCOMPARE(model.searchHitRows().size(), model.rowCount());
    std::set<QString> seen;
    for (int r = 0; r < model.rowCount(); ++r) {
        const QModelIndex i = model.index(r, LogModel::RunColumn);
        QTRY_VERIFY(model.data(i, LogModel::IsLoadedRole).toBool());
        QVERIFY(model.data(i, LogModel::IsHitRole).toBool());
        seen.insert(model.data(i, LogModel::FlowRunIdRole).toString());
    }
    QCOMPARE(seen.size(), std::size_t(3));
    QTRY_VERIFY(model.data(model.index(0, LogModel::RunColumn), LogModel::FlowRunNameRole)
                    .toString()
                    .startsWith(QStringLiteral("run-")));
    QCOMPARE(model.data(model.index(0, LogModel::RunColumn)).toString(),
             model.data(model.index(0, 0), LogModel::FlowRunNameRole).toString());
    // Live lines of any run that match show up.
    db.append(runs[1].flow_run_id, 1, 97);
    QTRY_COMPARE(model.rowCount(), 3 * needles(200) + 1);
    // Back to one run: all its lines, hits marked.
    model.setFlowRun(QString::fromStdString(runs[2].flow_run_id));
    waitSearch(model);
    QCOMPARE(model.rowCount(), 200);
    QCOMPARE(model.hitCount(), needles(200));
}

void TestLogModel::streamsBigLogsInChunks() {
    Db db;
    auto run = db.run(120000, 4);
    LogModel model(db.backend.get());
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy finished(&model, &LogModel::loadFinished);
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    QVERIFY(inserted.wait());
    QVERIFY(model.rowCount() < 120000); // the first chunk shows before the rest is read
    QVERIFY(finished.wait(20000));
    QCOMPARE(model.rowCount(), 120000);
    QVERIFY(inserted.count() > 1);
    // Bytes per line: the id list plus the bounded text cache.
    for (int r = 0; r < 120000; r += 4000)
        model.prefetch(r, r + 50);
    QTRY_VERIFY(model.data(model.index(119000, 0), LogModel::IsLoadedRole).toBool());
    const double perLine = double(model.memoryUsage()) / 120000;
    qInfo("memory: %.1f bytes per line", perLine);
    QVERIFY(perLine < 100);
}

void TestLogModel::exportsFiles() {
    Db db;
    auto run = db.run(25000, 2);
    LogModel model(db.backend.get());
    model.setFlowRun(QString::fromStdString(run.flow_run_id));
    model.setContextLines(1);
    model.setSearch(QStringLiteral("needle"));
    waitSearch(model);

    LogExporter exporter(db.backend.get());
    QSignalSpy finished(&exporter, &LogExporter::finished);
    const QString all = db.dir.filePath(QStringLiteral("all.log"));
    exporter.exportToFile(model.filterQuery(), {}, all);
    QVERIFY(finished.wait(20000));
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    QCOMPARE(finished.last().at(2).toLongLong(), 25000);
    QFile file(all);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 25001); // the last newline leaves an empty piece
    QVERIFY(lines[0].contains("| DEBUG    | weft.task_runs | line 0 needle in the haystack"));
    QVERIFY(lines[24999].endsWith("line 24999 of the log"));

    // The current view: only the hits and their context.
    const QString view = db.dir.filePath(QStringLiteral("view.log"));
    exporter.exportToFile(model.filterQuery(), model.rowIds(), view);
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.last().at(2).toLongLong(), qint64(model.rowCount()));

    QSignalSpy text(&exporter, &LogExporter::textReady);
    exporter.collectText(model.filterQuery(), model.rowIds(0, 2));
    QVERIFY(text.wait());
    QCOMPARE(text.first().at(0).toString().count(QLatin1Char('\n')), 3);

    // An unwritable path is reported, not thrown.
    exporter.exportToFile(model.filterQuery(), {},
                          db.dir.filePath(QStringLiteral("no/such/dir/x.log")));
    QVERIFY(finished.wait(20000));
    QVERIFY(!finished.last().at(0).toBool());
    QVERIFY(finished.last().at(1).toString().contains(QStringLiteral("Cannot write")));
}

// With a source of names for the run shown, the model names task runs from it, not from a fetch
// of its own; for another run it fetches them itself.
void TestLogModel::taskNamesFromASource() {
    Db db;
    auto run = db.run(30, 3);
    const QString id = QString::fromStdString(run.flow_run_id);
    FixedTaskNames names;
    names.run = id;
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTaskNames(&names);
    model.setFlowRun(id);
    waitLoaded(model);
    const QModelIndex first = model.index(0, LogModel::SourceColumn);
    QTRY_VERIFY(model.data(first, LogModel::IsLoadedRole).toBool());
    const QString task = model.data(first, LogModel::TaskRunIdRole).toString();
    QVERIFY(!task.isEmpty());
    QCOMPARE(model.data(first, LogModel::TaskRunNameRole).toString(),
             QStringLiteral("from-source-") + task);
    QCOMPARE(model.taskRunName(task), QStringLiteral("from-source-") + task);

    // The source covers another run: the model's own names (the store's) show.
    names.run = QStringLiteral("another-run");
    Q_EMIT names.changed();
    QTRY_VERIFY_WITH_TIMEOUT(
        model.data(first, LogModel::TaskRunNameRole).toString().isEmpty()
            || !model.data(first, LogModel::TaskRunNameRole).toString().startsWith(u"from-source-"),
        10000);
}

// A run page's log names task runs from the page's RunSnapshot, live: a task run created after
// the view opened names its log line as soon as the snapshot has its record.
void TestLogModel::taskNamesFollowTheRunSnapshot() {
    Db db;
    auto run = db.run(10, 2, weft::StateType::Running);
    const QString id = QString::fromStdString(run.flow_run_id);
    RunSnapshot snapshot(db.backend.get());
    snapshot.setRefetchDelay(20);
    SnapshotTaskNames names(&snapshot);
    LogModel model(db.backend.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTaskNames(&names);
    snapshot.setFlowRun(id);
    model.setFlowRun(id);
    waitLoaded(model);
    QTRY_VERIFY(snapshot.isLoaded());
    QCOMPARE(model.rowCount(), 10);
    // Views learn of new names: a dataChanged of the source column that names its role.
    int namesAnnounced = 0;
    connect(&model, &QAbstractItemModel::dataChanged, &model,
            [&](const QModelIndex& from, const QModelIndex& to, const QList<int>& roles) {
                namesAnnounced += from.column() <= LogModel::SourceColumn
                                  && to.column() >= LogModel::SourceColumn
                                  && roles.contains(LogModel::TaskRunNameRole);
            });

    weft::TaskRunRecord task;
    task.id = weft::new_id();
    task.flow_run_id = run.flow_run_id;
    task.task_key = "late";
    task.dynamic_key = "0";
    task.name = "late-0";
    task.created = task.updated = task.expected_start_time = weft::now_us();
    task.state = weft::make_state(weft::StateType::Running);
    task.start_time = task.created;
    task.task_inputs = nlohmann::json::object();
    db.store->put_task_run(task, weft::EventKind::TaskRunCreated);
    weft::LogRecord line;
    line.flow_run_id = run.flow_run_id;
    line.task_run_id = task.id;
    line.name = "weft.task_runs";
    line.level = 20;
    line.timestamp = weft::now_us();
    line.message = "late task started";
    db.store->append_log(std::move(line));
    db.store->flush();

    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 11, 10000);
    const QModelIndex last = model.index(10, LogModel::SourceColumn);
    QTRY_COMPARE_WITH_TIMEOUT(model.data(last, LogModel::TaskRunNameRole).toString(),
                              QStringLiteral("late-0"), 10000);
    QCOMPARE(model.taskRunName(QString::fromStdString(task.id)), QStringLiteral("late-0"));
    QTRY_VERIFY(snapshot.indexOf(task.id) >= 0
                && !snapshot.isPlaceholder(snapshot.indexOf(task.id)));
    QVERIFY(namesAnnounced > 0);
    // The name is the snapshot's.
    QCOMPARE(QString::fromStdString(snapshot.task(snapshot.indexOf(task.id)).name),
             QStringLiteral("late-0"));
}

QTEST_GUILESS_MAIN(TestLogModel)
#include "tst_logmodel.moc"

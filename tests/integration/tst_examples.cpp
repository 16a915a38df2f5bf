// The example programs, run as users run them, checked through `weft … --json`.
#include "programs.h"

#include <QSet>
#include <QTemporaryDir>
#include <QTest>

class TestExamples : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString db(const char* name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private Q_SLOTS:
    void hello() {
        const QString database = db("hello.db");
        const Ran r = runProgram(QStringLiteral("example-hello"), {}, database);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("Hello from Weft!"), r.out.constData());
        const QJsonArray runs = flowRuns(database, QStringLiteral("my_first_flow"));
        QCOMPARE(runs.size(), 1);
        const QJsonObject run = runs[0].toObject();
        QCOMPARE(run[QStringLiteral("state_type")].toString(), QStringLiteral("COMPLETED"));
        const QJsonArray tasks = taskRuns(database, run[QStringLiteral("id")].toString());
        QCOMPARE(tasks.size(), 1);
        QCOMPARE(tasks[0].toObject()[QStringLiteral("task_key")].toString(),
                 QStringLiteral("get_data"));
        QCOMPARE(tasks[0].toObject()[QStringLiteral("state_type")].toString(),
                 QStringLiteral("COMPLETED"));
        QCOMPARE(tasks[0].toObject()[QStringLiteral("result")].toString(),
                 QStringLiteral("Hello from Weft!"));
        // The greeting is a log line of the flow run too.
        const Ran logs = weftCli({QStringLiteral("flow-run"), QStringLiteral("logs"),
                                  run[QStringLiteral("id")].toString()},
                                 database);
        QVERIFY2(logs.code == 0, logs.err.constData());
        QVERIFY2(logs.out.contains("Hello from Weft!"), logs.out.constData());
    }

    void futuresExampleHandlesItsFailure() {
        // One fetch fails on purpose: its audit runs anyway (allow_failure), its store is left
        // NotReady, and the flow run completes because its code handled the failure.
        const QString database = db("futures.db");
        const Ran r = runProgram(QStringLiteral("example-futures"), {}, database);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("missing"), r.out.constData());
        QVERIFY2(r.out.contains("store of mars: NotReady"), r.out.constData());
        const QJsonArray runs = flowRuns(database, QStringLiteral("readings"));
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].toObject()[QStringLiteral("state_type")].toString(),
                 QStringLiteral("COMPLETED"));
        const QJsonArray tasks =
            taskRuns(database, runs[0].toObject()[QStringLiteral("id")].toString());
        QCOMPARE(tasks.size(), 1 + 4 + 4 + 4);
    }

    void failingThenRetryReusesCompletedTasks() {
        const QString database = db("failing.db");
        const Ran failed = runProgram(QStringLiteral("example-failing"), {}, database);
        QVERIFY2(failed.code == 1, failed.err.constData());
        QJsonArray runs = flowRuns(database, QStringLiteral("failing_pipeline"));
        QCOMPARE(runs.size(), 1);
        const QString id = runs[0].toObject()[QStringLiteral("id")].toString();
        QCOMPARE(runs[0].toObject()[QStringLiteral("state_type")].toString(),
                 QStringLiteral("FAILED"));
        QJsonArray tasks = taskRuns(database, id);
        QCOMPARE(
            taskRunNamed(tasks, QStringLiteral("load-0"))[QStringLiteral("state_type")].toString(),
            QStringLiteral("FAILED"));
        QCOMPARE(taskRunNamed(tasks, QStringLiteral("load-0"))[QStringLiteral("run_count")].toInt(),
                 3); // 2 retries
        const QString extractId =
            taskRunNamed(tasks, QStringLiteral("extract-0"))[QStringLiteral("id")].toString();

        // Retry by an id prefix, with the fault removed: completed tasks are reused.
        const Ran retried =
            weftCli({QStringLiteral("flow-run"), QStringLiteral("retry"), id.left(18)}, database,
                    {QStringLiteral("WEFT_EXAMPLE_FIX=1")});
        QVERIFY2(retried.code == 0, retried.err.constData());
        runs = flowRuns(database, QStringLiteral("failing_pipeline"));
        QCOMPARE(runs.size(), 1); // the same flow run, resumed
        QCOMPARE(runs[0].toObject()[QStringLiteral("state_type")].toString(),
                 QStringLiteral("COMPLETED"));
        QCOMPARE(runs[0].toObject()[QStringLiteral("run_count")].toInt(), 2);
        tasks = taskRuns(database, id);
        QCOMPARE(tasks.size(), 3);
        const QJsonObject extract = taskRunNamed(tasks, QStringLiteral("extract-0"));
        QCOMPARE(extract[QStringLiteral("id")].toString(), extractId);
        QCOMPARE(extract[QStringLiteral("run_count")].toInt(), 1); // reused, not executed
        QCOMPARE(
            taskRunNamed(tasks, QStringLiteral("transform-0"))[QStringLiteral("run_count")].toInt(),
            1);
        const QJsonObject load = taskRunNamed(tasks, QStringLiteral("load-0"));
        QCOMPARE(load[QStringLiteral("state_type")].toString(), QStringLiteral("COMPLETED"));
        QCOMPARE(load[QStringLiteral("result")].toInt(), 150);
    }

    void etlMapsRetriesCachesAndCallsASubflow() {
        const QString database = db("etl.db");
        const Ran first = runProgram(QStringLiteral("example-etl"), {}, database);
        QVERIFY2(first.code == 0, first.err.constData());
        QJsonArray runs = flowRuns(database, QStringLiteral("weather_etl"));
        QCOMPARE(runs.size(), 1);
        const QString id = runs[0].toObject()[QStringLiteral("id")].toString();
        QCOMPARE(runs[0].toObject()[QStringLiteral("state_type")].toString(),
                 QStringLiteral("COMPLETED"));
        const QJsonArray tasks = taskRuns(database, id);
        int summaries = 0, regions = 0;
        QSet<QString> names;
        for (const auto& v : tasks) {
            const QJsonObject t = v.toObject();
            names.insert(t[QStringLiteral("name")].toString());
            summaries += t[QStringLiteral("task_key")].toString() == QStringLiteral("summarize");
            regions += t[QStringLiteral("task_key")].toString() == QStringLiteral("station_region");
        }
        QCOMPARE(summaries, 7); // one per station in the data set, found at run time
        QCOMPARE(regions, 7);
        // The flaky upload failed once and completed on its retry.
        const QJsonObject upload = taskRunNamed(tasks, QStringLiteral("upload-0"));
        QCOMPARE(upload[QStringLiteral("state_type")].toString(), QStringLiteral("COMPLETED"));
        QCOMPARE(upload[QStringLiteral("run_count")].toInt(), 2);
        // The report is a subflow: a child flow run pointing at a task run of this run.
        const QJsonArray reports = flowRuns(database, QStringLiteral("weather_report"));
        QCOMPARE(reports.size(), 1);
        const QString parentTask =
            reports[0].toObject()[QStringLiteral("parent_task_run_id")].toString();
        QCOMPARE(parentTask,
                 taskRunNamed(tasks, QStringLiteral("weather_report-0"))[QStringLiteral("id")]
                     .toString());
        // Log lines at several levels.
        for (const char* level : {"DEBUG", "INFO", "WARNING"}) {
            const Ran logs = weftCli({QStringLiteral("flow-run"), QStringLiteral("logs"), id,
                                      QStringLiteral("--level"), QString::fromLatin1(level),
                                      QStringLiteral("--json")},
                                     database);
            QCOMPARE(logs.code, 0);
            QVERIFY2(!logs.json().array().isEmpty(), level);
        }
        // A second run takes the station regions from the cache.
        const Ran again = runProgram(QStringLiteral("example-etl"), {}, database);
        QVERIFY2(again.code == 0, again.err.constData());
        runs = flowRuns(database, QStringLiteral("weather_etl"));
        QCOMPARE(runs.size(), 2);
        QString second;
        for (const auto& v : runs)
            if (v.toObject()[QStringLiteral("id")].toString() != id)
                second = v.toObject()[QStringLiteral("id")].toString();
        int cached = 0;
        for (const auto& v : taskRuns(database, second))
            cached +=
                v.toObject()[QStringLiteral("state_name")].toString() == QStringLiteral("Cached");
        QCOMPARE(cached, 7);
    }

    void programCommandLine() {
        const QString database = db("cli.db");
        const Ran list =
            runProgram(QStringLiteral("example-etl"), {QStringLiteral("list")}, database);
        QVERIFY2(list.code == 0, list.err.constData());
        QVERIFY(list.out.contains("weather_etl(path)"));
        const Ran unknown = runProgram(QStringLiteral("example-etl"),
                                       {QStringLiteral("run"), QStringLiteral("nope")}, database);
        QCOMPARE(unknown.code, 2);
        const Ran param = runProgram(QStringLiteral("example-failing"),
                                     {QStringLiteral("run"), QStringLiteral("failing_pipeline"),
                                      QStringLiteral("--param"), QStringLiteral("n=3")},
                                     database, {QStringLiteral("WEFT_EXAMPLE_FIX=1")});
        QVERIFY2(param.code == 0, param.err.constData());
        const QJsonArray runs = flowRuns(database, QStringLiteral("failing_pipeline"));
        QCOMPARE(runs[0]
                     .toObject()[QStringLiteral("parameters")]
                     .toObject()[QStringLiteral("n")]
                     .toInt(),
                 3);
        const QJsonObject load =
            taskRunNamed(taskRuns(database, runs[0].toObject()[QStringLiteral("id")].toString()),
                         QStringLiteral("load-0"));
        QCOMPARE(load[QStringLiteral("result")].toInt(), 60);
    }
};

QTEST_GUILESS_MAIN(TestExamples)
#include "tst_examples.moc"

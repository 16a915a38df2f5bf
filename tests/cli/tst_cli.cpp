// The `weft` command line as users and scripts meet it: exit codes, one-line errors, --json.
#include "clifixture.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <memory>

using namespace Qt::StringLiterals;
using namespace fixture;

namespace {

QStringList names(const QJsonArray& runs) {
    QStringList out;
    for (const auto& r : runs)
        out << r.toObject().value(u"name"_s).toString();
    return out;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<CliFixture> f;

    QJsonObject inspect(const std::string& id) {
        const auto r = f->run({u"flow-run"_s, u"inspect"_s, q(id), u"--json"_s});
        return r.json().object();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(QFile::exists(weftBinary()), qPrintable(u"no weft at "_s + weftBinary()));
    }
    void init() {
        f = std::make_unique<CliFixture>();
        QVERIFY(f->isValid());
    }
    void cleanup() { f.reset(); }

    void helpAndVersion_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addRow("top") << QStringList{u"--help"_s};
        QTest::addRow("flow-run") << QStringList{u"flow-run"_s, u"--help"_s};
        QTest::addRow("flow-run ls") << QStringList{u"flow-run"_s, u"ls"_s, u"--help"_s};
        QTest::addRow("retry") << QStringList{u"flow-run"_s, u"retry"_s, u"--help"_s};
        QTest::addRow("task-run ls") << QStringList{u"task-run"_s, u"ls"_s, u"--help"_s};
        QTest::addRow("concurrency") << QStringList{u"concurrency-limit"_s, u"-h"_s};
        QTest::addRow("events") << QStringList{u"events"_s, u"--help"_s};
    }
    void helpAndVersion() {
        QFETCH(QStringList, args);
        const auto r = f->run(args);
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("Usage:"));
    }

    void version() {
        const auto r = f->run({u"--version"_s});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith("weft "));
    }

    void usageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("mentions");
        QTest::addRow("nothing") << QStringList{} << QByteArray("subcommand");
        QTest::addRow("group only") << QStringList{u"flow-run"_s} << QByteArray("flow-run --help");
        QTest::addRow("unknown command")
            << QStringList{u"frobnicate"_s} << QByteArray("frobnicate");
        QTest::addRow("missing id") << QStringList{u"flow-run"_s, u"inspect"_s} << QByteArray("ID");
        QTest::addRow("bad state") << QStringList{u"flow-run"_s, u"ls"_s, u"--state"_s, u"done"_s}
                                   << QByteArray("'done' is not a state type");
        // Numbers out of range say what the option takes, whatever the size of the number.
        QTest::addRow("negative limit")
            << QStringList{u"flow-run"_s, u"ls"_s, u"--limit"_s, u"-3"_s}
            << QByteArray("--limit must be between 0 (all) and 1000000, got -3");
        QTest::addRow("huge limit")
            << QStringList{u"flow-run"_s, u"ls"_s, u"--limit"_s, u"9999999999"_s}
            << QByteArray("--limit must be between 0 (all) and 1000000, got 9999999999");
        QTest::addRow("limit not a number")
            << QStringList{u"flow-run"_s, u"ls"_s, u"--limit"_s, u"ten"_s}
            << QByteArray("--limit must be a whole number between 0 (all) and 1000000, got 'ten'");
        QTest::addRow("events zero limit")
            << QStringList{u"events"_s, u"--limit"_s, u"0"_s}
            << QByteArray("--limit must be between 1 and 1000000, got 0");
        QTest::addRow("events huge after")
            << QStringList{u"events"_s, u"--after"_s, u"999999999999999999999"_s}
            << QByteArray("--after must be between 0 and 9223372036854775807, got "
                          "999999999999999999999");
        QTest::addRow("events negative after")
            << QStringList{u"events"_s, u"--after"_s, u"-1"_s}
            << QByteArray("--after must be between 0 and 9223372036854775807, got -1");
        QTest::addRow("bad level")
            << QStringList{u"flow-run"_s, u"logs"_s, q(kCompleted), u"--level"_s, u"loud"_s}
            << QByteArray("'loud' is not a log level");
        QTest::addRow("bad set-state")
            << QStringList{u"flow-run"_s, u"set-state"_s, q(kCompleted), u"FINISHED"_s}
            << QByteArray("'FINISHED'");
        QTest::addRow("zero limit")
            << QStringList{u"concurrency-limit"_s, u"create"_s, u"db"_s, u"0"_s}
            << QByteArray("the limit N must be between 1 and 1000000, got 0");
        QTest::addRow("huge concurrency limit")
            << QStringList{u"concurrency-limit"_s, u"create"_s, u"db"_s, u"9999999999"_s}
            << QByteArray("the limit N must be between 1 and 1000000, got 9999999999");
        QTest::addRow("non-numeric limit")
            << QStringList{u"concurrency-limit"_s, u"create"_s, u"db"_s, u"many"_s}
            << QByteArray("the limit N must be a whole number between 1 and 1000000, got 'many'");
        QTest::addRow("task-run ls without run")
            << QStringList{u"task-run"_s, u"ls"_s} << QByteArray("--flow-run");
    }
    void usageErrors() {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, mentions);
        const auto r = f->run(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.oneLineError(), r.err.constData());
        QVERIFY2(r.err.contains(mentions), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void flowLs() {
        const auto r = f->run({u"flow"_s, u"ls"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        const auto flows = r.json().array();
        QCOMPARE(names(flows), (QStringList{u"etl"_s, u"report"_s}));
        QVERIFY(!flows[0].toObject().value(u"id"_s).toString().isEmpty());

        const auto text = f->run({u"flow"_s, u"ls"_s});
        QCOMPARE(text.code, 0);
        QVERIFY(text.out.contains("etl"));
        QVERIFY(!text.out.contains("\033[")); // not a terminal: no colours
    }

    void flowRunLs_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("expected"); // newest expected start first
        const QStringList all{u"fuzzy-yak"_s, u"eager-mole"_s, u"dark-lynx"_s, u"calm-heron"_s,
                              u"brisk-otter"_s};
        QTest::addRow("all") << QStringList{} << all;
        QTest::addRow("completed")
            << QStringList{u"--state"_s, u"COMPLETED"_s} << QStringList{u"brisk-otter"_s};
        QTest::addRow("lowercase")
            << QStringList{u"--state"_s, u"failed"_s} << QStringList{u"calm-heron"_s};
        QTest::addRow("two states")
            << QStringList{u"--state"_s, u"running"_s, u"--state"_s, u"Crashed"_s}
            << QStringList{u"fuzzy-yak"_s, u"eager-mole"_s, u"dark-lynx"_s};
        QTest::addRow("comma list") << QStringList{u"--state"_s, u"RUNNING,FAILED"_s}
                                    << QStringList{u"fuzzy-yak"_s, u"dark-lynx"_s, u"calm-heron"_s};
        QTest::addRow("flow") << QStringList{u"--flow"_s, u"report"_s}
                              << QStringList{u"eager-mole"_s, u"dark-lynx"_s};
        QTest::addRow("flow and state")
            << QStringList{u"--flow"_s, u"etl"_s, u"--state"_s, u"RUNNING"_s}
            << QStringList{u"fuzzy-yak"_s};
        QTest::addRow("limit") << QStringList{u"--limit"_s, u"2"_s}
                               << QStringList{u"fuzzy-yak"_s, u"eager-mole"_s};
        QTest::addRow("limit 0 is all") << QStringList{u"--limit"_s, u"0"_s} << all;
        QTest::addRow("unknown flow") << QStringList{u"--flow"_s, u"nope"_s} << QStringList{};
        QTest::addRow("no match") << QStringList{u"--state"_s, u"PAUSED"_s} << QStringList{};
    }
    void flowRunLs() {
        QFETCH(QStringList, args);
        QFETCH(QStringList, expected);
        const auto r = f->run(QStringList{u"flow-run"_s, u"ls"_s, u"--json"_s} + args);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.json().isArray(), r.out.constData());
        QCOMPARE(names(r.json().array()), expected);
    }

    void flowRunLsTable() {
        const auto r = f->run({u"flow-run"_s, u"ls"_s});
        QCOMPARE(r.code, 0);
        const auto rows = lines(r.out);
        QCOMPARE(rows.size(), 6); // header + 5 runs
        QVERIFY(rows[0].startsWith(u"ID"_s));
        for (const char* column : {"FLOW", "NAME", "STATE", "START", "RUN TIME", "TASKS"})
            QVERIFY(rows[0].contains(QLatin1StringView(column)));
        const auto otter = rows.filter(u"brisk-otter"_s);
        QCOMPARE(otter.size(), 1);
        QVERIFY(otter[0].startsWith(u"000000000001  "_s)); // the id's random tail
        QVERIFY(otter[0].contains(u"Completed"_s));
        QVERIFY(otter[0].contains(u"2.5 s"_s));
        QVERIFY(otter[0].trimmed().endsWith(u"3"_s)); // three task runs
    }

    // Ids are time-ordered: a flow run and the task run it starts in the same millisecond share
    // their first 12 digits. Tables show the random tail instead, which tells them apart and
    // works as an argument.
    void tableIdsTellRunsApart() {
        const std::string flowRunA = "01a20000-aaaa-7000-8000-3f9a0c1e5b27";
        const std::string flowRunB = "01a20000-aaaa-7002-8000-c0ffee123456";
        const std::string taskRun = "01a20000-aaaa-7001-8000-77d2c4e6a901";
        auto run = f->flowRun(kCompleted);
        weft::TaskRunRecord task;
        task.id = taskRun;
        task.flow_run_id = flowRunA;
        task.task_key = "extract";
        task.dynamic_key = "0";
        task.name = "extract-0";
        task.state = weft::states::completed();
        f->store()
            .transact<void>([&](weft::Txn& txn) {
                for (const auto& id : {flowRunA, flowRunB}) {
                    run.id = id;
                    run.name = "twin-" + id.substr(30);
                    txn.put_flow_run(run, weft::EventKind::FlowRunCreated);
                }
                txn.put_task_run(task, weft::EventKind::TaskRunCreated);
            })
            .get();
        auto firstColumn = [](const QByteArray& out) {
            QStringList shown;
            for (const auto& row : lines(out).mid(1))
                shown << row.section(u' ', 0, 0);
            return shown;
        };
        auto r = f->run({u"flow-run"_s, u"ls"_s, u"--flow"_s, u"etl"_s});
        QCOMPARE(r.code, 0);
        const QStringList flowRuns = firstColumn(r.out);
        QVERIFY2(flowRuns.contains(u"3f9a0c1e5b27"_s), r.out.constData());
        QVERIFY2(flowRuns.contains(u"c0ffee123456"_s), r.out.constData());
        r = f->run({u"task-run"_s, u"ls"_s, u"--flow-run"_s, u"3f9a0c1e5b27"_s});
        QCOMPARE(r.code, 0);
        QCOMPARE(firstColumn(r.out), QStringList{u"77d2c4e6a901"_s});
        QCOMPARE(QSet<QString>(flowRuns.begin(), flowRuns.end()).size(), flowRuns.size());
        for (const auto& shown : flowRuns) {
            r = f->run({u"flow-run"_s, u"inspect"_s, shown, u"--json"_s});
            QCOMPARE(r.code, 0);
            QVERIFY(r.json().object().value(u"id"_s).toString().endsWith(shown));
        }
        r = f->run({u"task-run"_s, u"set-state"_s, u"77d2c4e6a901"_s, u"FAILED"_s});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("task run 77d2c4e6a901 (extract-0)"), r.out.constData());
        // Events label runs the same way.
        r = f->run({u"events"_s, u"--limit"_s, u"3"_s});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("77d2c4e6a901"), r.out.constData());
    }

    // A name or tail shared by several runs is refused with a hint; a unique name stands for
    // the id.
    void sharedNameIsAmbiguous() {
        auto run = f->flowRun(kCompleted);
        run.id = "01a20000-aaaa-7000-8000-000000000001"; // kCompleted's tail too
        f->store()
            .transact<void>(
                [&](weft::Txn& txn) { txn.put_flow_run(run, weft::EventKind::FlowRunCreated); })
            .get();
        auto r = f->run({u"flow-run"_s, u"inspect"_s, u"brisk-otter"_s});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.oneLineError(), r.err.constData());
        QVERIFY2(r.err.contains("several flow runs are named brisk-otter; give an id"),
                 r.err.constData());
        r = f->run({u"flow-run"_s, u"inspect"_s, u"000000000001"_s});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("the id ending 000000000001 matches several flow runs"),
                 r.err.constData());
        r = f->run({u"flow-run"_s, u"logs"_s, u"calm-heron"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.json().array().size(), 1);
    }

    void inspectJson() {
        const auto run = inspect(kCompleted);
        QCOMPARE(run.value(u"id"_s).toString(), q(kCompleted));
        QCOMPARE(run.value(u"name"_s).toString(), u"brisk-otter"_s);
        QCOMPARE(run.value(u"flow_name"_s).toString(), u"etl"_s);
        QCOMPARE(run.value(u"state_type"_s).toString(), u"COMPLETED"_s);
        QCOMPARE(run.value(u"state_name"_s).toString(), u"Completed"_s);
        QCOMPARE(run.value(u"state"_s).toObject().value(u"type"_s).toString(), u"COMPLETED"_s);
        QCOMPARE(run.value(u"parameters"_s).toObject().value(u"n"_s).toInt(), 3);
        QCOMPARE(run.value(u"tags"_s).toArray(), QJsonArray{u"nightly"_s});
        QCOMPARE(run.value(u"total_run_time"_s).toDouble(), 2.5);
        QCOMPARE(run.value(u"estimated_run_time"_s).toDouble(), 2.5);
        QCOMPARE(run.value(u"run_count"_s).toInt(), 1);
        QVERIFY(run.value(u"parent_task_run_id"_s).isNull());
        QVERIFY(run.value(u"end_time"_s).toString().endsWith(u'Z'));
        QCOMPARE(run.value(u"program"_s).toString(), f->program());
        QCOMPARE(run.value(u"working_dir"_s).toString(), f->workDir());
        QCOMPARE(run.value(u"result"_s).toObject().value(u"rows"_s).toInt(), 3);
        QCOMPARE(run.value(u"empirical_policy"_s).toObject().value(u"max_retries"_s).toInt(), 0);
        const auto tasks = run.value(u"task_runs"_s).toArray();
        QCOMPARE(names(tasks), (QStringList{u"extract-0"_s, u"transform-0"_s, u"load-0"_s}));
        QCOMPARE(tasks[0].toObject().value(u"flow_run_id"_s).toString(), q(kCompleted));
        QVERIFY(run.value(u"state_history"_s).isArray());
    }

    void crashTimesAreLocal() {
        const CliResult r = f->run({u"flow-run"_s, u"inspect"_s, q(kCrashed)});
        QCOMPARE(r.code, 0);
        const auto details = f->flowRun(kCrashed).state.details;
        const auto seen = weft::from_iso(details.value("last_seen_time", std::string()));
        QVERIFY(seen);
        const QString local =
            QDateTime::fromMSecsSinceEpoch(*seen / 1000).toString(u"yyyy-MM-dd HH:mm:ss"_s);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.contains(u"is gone. (last seen alive "_s + local), qPrintable(out));
        QVERIFY2(!out.contains(QString::fromStdString(weft::to_iso(*seen))), qPrintable(out));
    }

    void inspectRunningRun() {
        const auto run = inspect(kRunning);
        QCOMPARE(run.value(u"state_type"_s).toString(), u"RUNNING"_s);
        QVERIFY(run.value(u"end_time"_s).isNull());
        QVERIFY(run.value(u"program"_s).isNull());
        // The current attempt counts while it runs: it started 10 s before the fixture was made.
        QVERIFY(run.value(u"estimated_run_time"_s).toDouble() >= 10.0);
        QCOMPARE(run.value(u"total_run_time"_s).toDouble(), 0.0);
    }

    void inspectText() {
        const auto r = f->run({u"flow-run"_s, u"inspect"_s, u"aaaa0002"_s});
        QCOMPARE(r.code, 0);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY(out.contains(QRegularExpression(u"^state\\s+Failed: it went wrong$"_s,
                                                QRegularExpression::MultilineOption)));
        QVERIFY(out.contains(
            QRegularExpression(u"^flow\\s+etl$"_s, QRegularExpression::MultilineOption)));
        QVERIFY(out.contains(u"run count"_s));
        QVERIFY(out.contains(u"load-0"_s));
        QVERIFY(out.contains(u"disk full"_s)); // the failed task's message
    }

    void prefixes_data() {
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("resolved"); // the id, or what the error says
        QTest::addRow("full id") << q(kFailed) << 0 << q(kFailed);
        QTest::addRow("unique") << u"aaaa0001"_s << 0 << q(kCompleted);
        QTest::addRow("uppercase") << u"AAAA0001"_s << 0 << q(kCompleted);
        QTest::addRow("short unique") << u"bb"_s << 0 << q(kRunning);
        QTest::addRow("ambiguous") << u"aaaa000"_s << 1 << u"matches several"_s;
        QTest::addRow("ambiguous short") << u"c"_s << 1 << u"matches several"_s;
        QTest::addRow("unknown") << u"ffff"_s << 1 << u"no flow run with id ffff"_s;
        QTest::addRow("not hex") << u"zebra"_s << 1 << u"no flow run with id or name zebra"_s;
        // The random tail tables show, and the run's name.
        QTest::addRow("tail") << u"000000000002"_s << 0 << q(kFailed);
        QTest::addRow("shorter tail") << u"00003"_s << 0 << q(kRunning);
        QTest::addRow("name") << u"calm-heron"_s << 0 << q(kFailed);
        QTest::addRow("name with spaces") << u" dark-lynx "_s << 0 << q(kRunning);
        QTest::addRow("unknown name")
            << u"calm-otter"_s << 1 << u"no flow run with id or name calm-otter"_s;
        QTest::addRow("part of a name") << u"calm"_s << 1 << u"no flow run"_s;
    }
    void prefixes() {
        QFETCH(QString, prefix);
        QFETCH(int, code);
        QFETCH(QString, resolved);
        const auto r = f->run({u"flow-run"_s, u"inspect"_s, prefix, u"--json"_s});
        QCOMPARE(r.code, code);
        if (code == 0) {
            QCOMPARE(r.json().object().value(u"id"_s).toString(), resolved);
        } else {
            QVERIFY2(r.oneLineError(), r.err.constData());
            QVERIFY2(QString::fromUtf8(r.err).contains(resolved), r.err.constData());
            QVERIFY(r.out.isEmpty());
        }
    }

    void taskRunLs() {
        auto r = f->run({u"task-run"_s, u"ls"_s, u"--flow-run"_s, u"aaaa0002"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        const auto tasks = r.json().array();
        QCOMPARE(names(tasks), (QStringList{u"extract-0"_s, u"load-0"_s}));
        const auto load = tasks[1].toObject();
        QCOMPARE(load.value(u"id"_s).toString(), q(kFailedLoad));
        QCOMPARE(load.value(u"state_type"_s).toString(), u"FAILED"_s);
        QCOMPARE(load.value(u"task_key"_s).toString(), u"load"_s);
        QCOMPARE(load.value(u"dynamic_key"_s).toString(), u"0"_s);
        QVERIFY(load.value(u"result"_s).isNull());
        QVERIFY(load.value(u"cache_key"_s).isNull());
        QVERIFY(load.contains(u"task_inputs"_s));

        r = f->run({u"task-run"_s, u"ls"_s, u"--flow-run"_s, u"bbbb"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.json().array().size(), 0);

        r = f->run({u"task-run"_s, u"ls"_s, u"--flow-run"_s, u"aaaa0002"_s});
        QCOMPARE(r.code, 0);
        QCOMPARE(lines(r.out).size(), 3);

        r = f->run({u"task-run"_s, u"ls"_s, u"--flow-run"_s, u"ffff"_s});
        QCOMPARE(r.code, 1);
        QVERIFY(r.oneLineError());
    }

    void logs_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("messages");
        const QStringList all{u"Starting brisk-otter"_s, u"read 3 rows"_s, u"slow input"_s,
                              u"disk almost full"_s, u"Finished"_s};
        QTest::addRow("all") << QStringList{} << all;
        QTest::addRow("warning") << QStringList{u"--level"_s, u"warning"_s}
                                 << QStringList{u"slow input"_s, u"disk almost full"_s};
        QTest::addRow("warn") << QStringList{u"--level"_s, u"WARN"_s}
                              << QStringList{u"slow input"_s, u"disk almost full"_s};
        QTest::addRow("error") << QStringList{u"--level"_s, u"ERROR"_s}
                               << QStringList{u"disk almost full"_s};
        QTest::addRow("number") << QStringList{u"--level"_s, u"15"_s}
                                << QStringList{u"Starting brisk-otter"_s, u"slow input"_s,
                                               u"disk almost full"_s, u"Finished"_s};
        QTest::addRow("critical") << QStringList{u"--level"_s, u"critical"_s} << QStringList{};
        // A finished run: --follow prints what there is and returns.
        QTest::addRow("follow finished") << QStringList{u"--follow"_s} << all;
    }
    void logs() {
        QFETCH(QStringList, args);
        QFETCH(QStringList, messages);
        const auto r =
            f->run(QStringList{u"flow-run"_s, u"logs"_s, u"aaaa0001"_s, u"--json"_s} + args);
        QCOMPARE(r.code, 0);
        QStringList got;
        if (args.contains(u"--follow"_s)) { // JSON Lines
            for (const auto& line : lines(r.out))
                got << QJsonDocument::fromJson(line.toUtf8())
                           .object()
                           .value(u"message"_s)
                           .toString();
        } else {
            QVERIFY2(r.json().isArray(), r.out.constData());
            for (const auto& l : r.json().array())
                got << l.toObject().value(u"message"_s).toString();
        }
        QCOMPARE(got, messages);
    }

    void logsText() {
        const auto r = f->run({u"flow-run"_s, u"logs"_s, u"aaaa0001"_s});
        QCOMPARE(r.code, 0);
        const auto rows = lines(r.out);
        QCOMPARE(rows.size(), 5);
        const QRegularExpression format(
            u"^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\| (\\w+)\\s* \\| ([\\w-]+) \\| (.*)$"_s);
        const QStringList sources{u"brisk-otter"_s, u"extract-0"_s, u"transform-0"_s, u"load-0"_s,
                                  u"brisk-otter"_s};
        const QStringList levels{u"INFO"_s, u"DEBUG"_s, u"WARNING"_s, u"ERROR"_s, u"INFO"_s};
        for (int i = 0; i < rows.size(); ++i) {
            const auto m = format.match(rows[i]);
            QVERIFY2(m.hasMatch(), qPrintable(rows[i]));
            QCOMPARE(m.captured(1), levels[i]);
            QCOMPARE(m.captured(2), sources[i]);
        }
    }

    void logsJsonShape() {
        const auto r = f->run({u"flow-run"_s, u"logs"_s, u"aaaa0001"_s, u"--json"_s});
        const auto all = r.json().array();
        QCOMPARE(all.size(), 5);
        const auto first = all[0].toObject();
        for (const char* key :
             {"id", "name", "level", "message", "timestamp", "flow_run_id", "task_run_id"})
            QVERIFY2(first.contains(QLatin1StringView(key)), key);
        QVERIFY(first.value(u"task_run_id"_s).isNull());
        QCOMPARE(first.value(u"level"_s).toInt(), 20);
        QCOMPARE(all[1].toObject().value(u"task_run_id"_s).toString(), q(kCompletedExtract));
    }

    // --follow keeps printing until the run ends, then returns by itself.
    void logsFollow() {
        f->appendLog(kRunning, {}, weft::Info, "before");
        f->store().flush();
        QProcess p;
        p.setProcessEnvironment(f->environment());
        p.start(weftBinary(),
                {u"--db"_s, f->db(), u"flow-run"_s, u"logs"_s, u"bbbb"_s, u"--follow"_s});
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("before"), 10000);
        QCOMPARE(p.state(), QProcess::Running);

        f->appendLog(kRunning, {}, weft::Warning, "after");
        f->store().flush();
        QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("after"), 10000);
        QCOMPARE(p.state(), QProcess::Running);

        f->appendLog(kRunning, {}, weft::Info, "last words");
        f->setFlowRunState(kRunning, weft::states::completed());
        QVERIFY(p.waitForFinished(15000));
        out += p.readAllStandardOutput();
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(out.contains("last words"), out.constData());
    }

    void cancel_data() {
        QTest::addColumn<QString>("id");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("state");   // the run's state type afterwards
        QTest::addColumn<QByteArray>("says"); // on stdout, or stderr when refused
        QTest::addRow("nobody runs it")
            << q(kRunning) << 0 << u"CANCELLED"_s
            << QByteArray("Cancelled flow run 000000000003 (dark-lynx)");
        QTest::addRow("program alive")
            << q(kLive) << 0 << u"CANCELLING"_s
            << QByteArray("Cancelling flow run 000000000005 (fuzzy-yak)");
        QTest::addRow("already finished")
            << q(kCompleted) << 1 << u"COMPLETED"_s << QByteArray("already finished as Completed");
    }
    void cancel() {
        QFETCH(QString, id);
        QFETCH(int, code);
        QFETCH(QString, state);
        QFETCH(QByteArray, says);
        const auto r = f->run({u"flow-run"_s, u"cancel"_s, id.left(8)});
        QCOMPARE(r.code, code);
        if (code == 0) {
            QVERIFY2(r.out.contains(says), r.out.constData());
        } else {
            QVERIFY2(r.oneLineError(), r.err.constData());
            QVERIFY2(r.err.contains(says), r.err.constData());
        }
        QCOMPARE(inspect(id.toStdString()).value(u"state_type"_s).toString(), state);
    }

    void setState_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("state");   // the flow run's state type afterwards
        QTest::addColumn<QByteArray>("says"); // the rule's reason when refused
        QTest::addRow("mark failed as completed")
            << QStringList{q(kFailed), u"completed"_s, u"--message"_s, u"fixed by hand"_s} << 0
            << u"COMPLETED"_s << QByteArray();
        QTest::addRow("only the program runs it")
            << QStringList{q(kFailed), u"RUNNING"_s} << 1 << u"FAILED"_s
            << QByteArray("Only the run's own program can move it to RUNNING");
        QTest::addRow("program still running")
            << QStringList{q(kLive), u"FAILED"_s} << 1 << u"RUNNING"_s
            << QByteArray("still running it; cancel the run first");
        QTest::addRow("same type") << QStringList{q(kCompleted), u"COMPLETED"_s} << 1
                                   << u"COMPLETED"_s << QByteArray("cannot transition");
        QTest::addRow("forced") << QStringList{q(kLive), u"FAILED"_s, u"--force"_s} << 0
                                << u"FAILED"_s << QByteArray();
        // Nothing would run it (no deployments or workers yet): refused, retry runs it again.
        QTest::addRow("scheduled again")
            << QStringList{q(kCrashed), u"SCHEDULED"_s, u"--name"_s, u"AwaitingRetry"_s} << 1
            << u"CRASHED"_s << QByteArray("Nothing would run a SCHEDULED flow run");
        QTest::addRow("completed scheduled")
            << QStringList{q(kCompleted), u"SCHEDULED"_s} << 1 << u"COMPLETED"_s
            << QByteArray("retry the run to run it again");
    }
    void setState() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, state);
        QFETCH(QByteArray, says);
        const auto r = f->run(QStringList{u"flow-run"_s, u"set-state"_s} + args);
        QCOMPARE(r.code, code);
        if (code != 0) {
            QVERIFY2(r.oneLineError(), r.err.constData());
            QVERIFY2(r.err.contains(says), r.err.constData());
        }
        const auto after = inspect(args[0].toStdString());
        QCOMPARE(after.value(u"state_type"_s).toString(), state);
        // A refused mark leaves a finished run finished, its end time with it.
        if (code != 0 && state == u"COMPLETED"_s) QVERIFY(!after.value(u"end_time"_s).isNull());
    }

    void setStateDetails() {
        auto r = f->run({u"flow-run"_s, u"set-state"_s, u"aaaa0002"_s, u"Completed"_s, u"--name"_s,
                         u"Fixed"_s, u"--message"_s, u"by hand"_s});
        QCOMPARE(r.code, 0);
        const auto state = inspect(kFailed).value(u"state"_s).toObject();
        QCOMPARE(state.value(u"name"_s).toString(), u"Fixed"_s);
        QCOMPARE(state.value(u"message"_s).toString(), u"by hand"_s);

        r = f->run({u"flow-run"_s, u"set-state"_s, u"cccc0004"_s, u"scheduled"_s, u"--force"_s});
        QCOMPARE(r.code, 0);
        const auto scheduled = inspect(kCrashed);
        QVERIFY(!scheduled.value(u"next_scheduled_start_time"_s).isNull());
    }

    void taskRunSetState() {
        auto r = f->run({u"task-run"_s, u"set-state"_s, u"eeee0002"_s, u"COMPLETED"_s});
        QCOMPARE(r.code, 0);
        r = f->run({u"task-run"_s, u"ls"_s, u"--flow-run"_s, u"aaaa0002"_s, u"--json"_s});
        QCOMPARE(r.json().array()[1].toObject().value(u"state_type"_s).toString(), u"COMPLETED"_s);

        // Its flow run's program is alive: a person may not change the task run under it.
        r = f->run({u"task-run"_s, u"set-state"_s, q(kLiveTask), u"FAILED"_s});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.oneLineError(), r.err.constData());
        QVERIFY(r.err.contains("cancel the flow run first"));

        r = f->run({u"task-run"_s, u"set-state"_s, u"e"_s, u"FAILED"_s});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("matches several task runs"));
    }

    void deleteRun() {
        auto r = f->run({u"flow-run"_s, u"delete"_s, u"aaaa0002"_s});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("calm-heron"));
        r = f->run({u"flow-run"_s, u"inspect"_s, q(kFailed)});
        QCOMPARE(r.code, 1);
        QVERIFY(r.oneLineError());
        r = f->run({u"flow-run"_s, u"ls"_s, u"--json"_s});
        QVERIFY(!names(r.json().array()).contains(u"calm-heron"_s));
        r = f->run({u"task-run"_s, u"set-state"_s, q(kFailedLoad), u"COMPLETED"_s});
        QCOMPARE(r.code, 1); // its task runs went with it
        // "aaaa000" was ambiguous; now it names the one run left.
        r = f->run({u"flow-run"_s, u"inspect"_s, u"aaaa000"_s, u"--json"_s});
        QCOMPARE(r.code, 0);

        r = f->run({u"flow-run"_s, u"delete"_s, q(kLive)});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("cancel it first"));
        r = f->run({u"flow-run"_s, u"delete"_s, u"ffff"_s});
        QCOMPARE(r.code, 1);
        QVERIFY(r.oneLineError());
    }

    void concurrencyLimits() {
        auto r = f->run({u"concurrency-limit"_s, u"ls"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.json().array().size(), 0);

        QCOMPARE(f->run({u"concurrency-limit"_s, u"create"_s, u"db"_s, u"3"_s}).code, 0);
        QCOMPARE(f->run({u"concurrency-limit"_s, u"create"_s, u"api"_s, u"1"_s}).code, 0);
        QCOMPARE(f->run({u"concurrency-limit"_s, u"create"_s, u"db"_s, u"4"_s}).code, 0);
        r = f->run({u"concurrency-limit"_s, u"ls"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        const auto limits = r.json().array();
        QCOMPARE(limits.size(), 2);
        QCOMPARE(limits[0].toObject().value(u"tag"_s).toString(), u"api"_s);
        const auto db = limits[1].toObject();
        QCOMPARE(db.value(u"tag"_s).toString(), u"db"_s);
        QCOMPARE(db.value(u"concurrency_limit"_s).toInt(), 4);
        QCOMPARE(db.value(u"active_slots"_s).toInt(), 0);

        r = f->run({u"concurrency-limit"_s, u"ls"_s});
        QCOMPARE(r.code, 0);
        QCOMPARE(lines(r.out).size(), 3);

        QCOMPARE(f->run({u"concurrency-limit"_s, u"delete"_s, u"db"_s}).code, 0);
        r = f->run({u"concurrency-limit"_s, u"delete"_s, u"db"_s});
        QCOMPARE(r.code, 1);
        QVERIFY(r.oneLineError());
        r = f->run({u"concurrency-limit"_s, u"ls"_s, u"--json"_s});
        QCOMPARE(r.json().array().size(), 1);
    }

    void events() {
        auto r = f->run({u"events"_s, u"--after"_s, u"0"_s, u"--limit"_s, u"1000"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        const auto all = r.json().array();
        QStringList kinds;
        qint64 last = 0;
        for (const auto& e : all) {
            const auto o = e.toObject();
            QVERIFY(o.value(u"seq"_s).toInteger() > last);
            last = o.value(u"seq"_s).toInteger();
            kinds << o.value(u"kind"_s).toString();
        }
        QCOMPARE(kinds.count(u"flow.created"_s), 2);
        QCOMPARE(kinds.count(u"flow-run.created"_s), 5);
        QCOMPARE(kinds.count(u"task-run.created"_s), 6);
        const auto created = all[2].toObject();
        QCOMPARE(created.value(u"kind"_s).toString(), u"flow-run.created"_s);
        QCOMPARE(created.value(u"run_id"_s).toString(), q(kCompleted));
        QCOMPARE(created.value(u"state"_s).toObject().value(u"type"_s).toString(), u"COMPLETED"_s);

        // Without --after: the last N, oldest first.
        r = f->run({u"events"_s, u"--limit"_s, u"2"_s, u"--json"_s});
        QCOMPARE(r.code, 0);
        const auto tail = r.json().array();
        QCOMPARE(tail.size(), 2);
        QCOMPARE(tail[1].toObject().value(u"seq"_s).toInteger(), last);

        r = f->run({u"events"_s, u"--after"_s, QString::number(last), u"--json"_s});
        QCOMPARE(r.json().array().size(), 0);

        r = f->run({u"events"_s, u"--limit"_s, u"3"_s});
        QCOMPARE(r.code, 0);
        QCOMPARE(lines(r.out).size(), 3);
    }

    void missingDatabase_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addRow("flow ls") << QStringList{u"flow"_s, u"ls"_s};
        QTest::addRow("flow-run ls") << QStringList{u"flow-run"_s, u"ls"_s, u"--json"_s};
        QTest::addRow("inspect") << QStringList{u"flow-run"_s, u"inspect"_s, u"aaaa"_s};
        QTest::addRow("cancel") << QStringList{u"flow-run"_s, u"cancel"_s, u"aaaa"_s};
        QTest::addRow("events") << QStringList{u"events"_s};
        QTest::addRow("limits") << QStringList{u"concurrency-limit"_s, u"ls"_s};
    }
    void missingDatabase() {
        QFETCH(QStringList, args);
        const QString path = f->dir() + u"/typo/wfet.db"_s;
        const auto r = f->runRaw(QStringList{u"--db"_s, path} + args, f->environment());
        QCOMPARE(r.code, 1);
        QVERIFY2(r.oneLineError(), r.err.constData());
        QVERIFY2(r.err.contains("does not exist"), r.err.constData());
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFile::exists(path)); // a typo does not leave a new database behind
        QVERIFY(!QDir(f->dir() + u"/typo"_s).exists());
    }

    void unusableDatabase_data() {
        QTest::addColumn<QByteArray>("content"); // empty: the path is a folder
        QTest::addColumn<QByteArray>("says");
        QTest::addRow("text file")
            << QByteArray("these are not the tables you are looking for\n").repeated(100)
            << QByteArray("not a Weft database or it is corrupt");
        QTest::addRow("folder") << QByteArray() << QByteArray("is a folder");
    }
    void unusableDatabase() {
        QFETCH(QByteArray, content);
        QFETCH(QByteArray, says);
        const QString path = f->dir() + u"/other.db"_s;
        if (content.isEmpty()) {
            QVERIFY(QDir(f->dir()).mkdir(u"other.db"_s));
        } else {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }
        const auto r = f->runRaw({u"--db"_s, path, u"flow-run"_s, u"ls"_s}, f->environment());
        QCOMPARE(r.code, 1);
        QVERIFY2(r.oneLineError(), r.err.constData());
        QVERIFY2(r.err.contains(says), r.err.constData());
    }

    void databaseFromEnvironment() {
        auto env = f->environment();
        env.insert(u"WEFT_DB"_s, f->db());
        const auto r = f->runRaw({u"flow-run"_s, u"ls"_s, u"--json"_s}, env);
        QCOMPARE(r.code, 0);
        QCOMPARE(r.json().array().size(), 5);
        // --db after the subcommand works too.
        const auto late =
            f->runRaw({u"flow"_s, u"ls"_s, u"--json"_s, u"--db"_s, f->db()}, f->environment());
        QCOMPARE(late.code, 0);
        QCOMPARE(late.json().array().size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"

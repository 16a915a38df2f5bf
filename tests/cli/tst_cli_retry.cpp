// `weft flow-run retry`: the spawning contract. The run's recorded program is started as
// `PROGRAM rerun ID [--from-task TASK_RUN_ID]` in its recorded folder, with WEFT_DB set.
#include "clifixture.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTest>
#include <memory>

using namespace Qt::StringLiterals;
using namespace fixture;

class TestCliRetry : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<CliFixture> f;

    QStringList recordedArguments() const {
        QFile argv(f->argvFile());
        if (!argv.open(QIODevice::ReadOnly)) return {};
        return lines(argv.readAll());
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

    void retry() {
        // A relative --db: the program runs elsewhere and must still find this database.
        const auto r =
            f->runRaw({u"--db"_s, u"weft.db"_s, u"flow-run"_s, u"retry"_s, u"aaaa0002"_s},
                      f->environment(), f->dir());
        QCOMPARE(r.code, 3); // the program's own exit code
        QVERIFY2(r.out.contains("fake flow says hello"), r.out.constData()); // its output streams
        const auto got = recordedArguments();
        QCOMPARE(got, (QStringList{u"rerun"_s, q(kFailed), QDir(f->workDir()).canonicalPath(),
                                   QDir(f->dir()).canonicalPath() + u"/weft.db"_s}));
    }

    void retryFromTask() {
        const auto r =
            f->run({u"flow-run"_s, u"retry"_s, u"aaaa0001"_s, u"--from-task"_s, u"DDDD0003"_s});
        QCOMPARE(r.code, 3);
        const auto got = recordedArguments();
        QCOMPARE(got.mid(0, 4),
                 (QStringList{u"rerun"_s, q(kCompleted), u"--from-task"_s, q(kCompletedLoad)}));
        QCOMPARE(got.value(5), f->db());
    }

    // The rest of the environment is inherited, and a program killed by a signal is reported
    // the way shells do.
    void retryKilledBySignal() {
        auto env = f->environment();
        env.insert(u"FAKE_FLOW_SIGNAL"_s, u"TERM"_s);
        const auto r =
            f->runRaw({u"--db"_s, f->db(), u"flow-run"_s, u"retry"_s, u"aaaa0002"_s}, env);
        QCOMPARE(r.code, 128 + 15);
        QCOMPARE(recordedArguments().value(0), u"rerun"_s);
    }

    void retryDetached() {
        const auto r = f->run({u"flow-run"_s, u"retry"_s, u"aaaa0002"_s, u"--detach"_s});
        QCOMPARE(r.code, 0);
        // Says what was started, for which run, and how to follow it; not a bare number.
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.contains(u"flow run 000000000002 (calm-heron)"_s), r.out.constData());
        QVERIFY2(out.contains(f->program() + u" rerun "_s + q(kFailed)), r.out.constData());
        const auto pid = QRegularExpression(u"\\bpid (\\d+)\\b"_s).match(out);
        QVERIFY2(pid.hasMatch() && pid.captured(1).toLongLong() > 0, r.out.constData());
        QVERIFY2(out.contains(u"weft flow-run logs 000000000002 --follow"_s), r.out.constData());
        QVERIFY(!r.out.contains("hello")); // its output goes to /dev/null
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(f->argvFile()), 10000);
        QFile argv(f->argvFile());
        QVERIFY(argv.open(QIODevice::ReadOnly));
        QCOMPARE(lines(argv.readAll()).mid(0, 2), (QStringList{u"rerun"_s, q(kFailed)}));
    }

    void retryRefused_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("says");
        QTest::addRow("running") << QStringList{u"bbbb"_s}
                                 << QByteArray("only a FAILED, CRASHED or CANCELLED run");
        QTest::addRow("completed") << QStringList{u"aaaa0001"_s} << QByteArray("--from-task");
        QTest::addRow("program gone")
            << QStringList{u"cccc0004"_s} << QByteArray("no longer exists");
        QTest::addRow("task of another run")
            << QStringList{u"aaaa0002"_s, u"--from-task"_s, u"dddd0001"_s}
            << QByteArray("belongs to another flow run");
        QTest::addRow("unknown task") << QStringList{u"aaaa0002"_s, u"--from-task"_s, u"9"_s}
                                      << QByteArray("no task run with id 9");
        QTest::addRow("unknown run") << QStringList{u"0"_s} << QByteArray("no flow run with id 0");
    }
    void retryRefused() {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, says);
        const auto r = f->run(QStringList{u"flow-run"_s, u"retry"_s} + args);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.oneLineError(), r.err.constData());
        QVERIFY2(r.err.contains(says), r.err.constData());
        QVERIFY(!QFile::exists(f->argvFile()));
    }
};

QTEST_GUILESS_MAIN(TestCliRetry)
#include "tst_cli_retry.moc"

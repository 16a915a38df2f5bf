// The database's files as users meet them: a flow program on a disk that fills up (a small tmpfs,
// where root may mount one) and what a clean exit leaves beside the database.
#include "programs.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

namespace {

// A tmpfs of `size` mounted on a folder for the life of the object (root only).
class SmallDisk {
public:
    explicit SmallDisk(const QString& size) {
        if (!m_dir.isValid() || geteuid() != 0) return;
        m_mounted = QProcess::execute(QStringLiteral("mount"),
                                      {QStringLiteral("-t"), QStringLiteral("tmpfs"),
                                       QStringLiteral("-o"), QStringLiteral("size=") + size,
                                       QStringLiteral("tmpfs"), m_dir.path()})
                    == 0;
    }
    ~SmallDisk() {
        if (m_mounted) QProcess::execute(QStringLiteral("umount"), {m_dir.path()});
    }
    bool mounted() const { return m_mounted; }
    QString path(const QString& name) const { return m_dir.filePath(name); }
    bool grow(const QString& size) {
        return QProcess::execute(
                   QStringLiteral("mount"),
                   {QStringLiteral("-o"), QStringLiteral("remount,size=") + size, m_dir.path()})
               == 0;
    }

private:
    QTemporaryDir m_dir;
    bool m_mounted = false;
};

QJsonObject onlyRun(const Ran& ls) {
    const auto runs = ls.json().array();
    return runs.size() == 1 ? runs.first().toObject() : QJsonObject();
}

// Lines of the program's own output that come from the engine rather than from its logger.
int engineLines(const QByteArray& text) {
    int n = 0;
    for (const QByteArray& line : text.split('\n'))
        if (line.startsWith("weft:") || line.contains("[error]") || line.contains("[warning]")) ++n;
    return n;
}

} // namespace

class TestStoreFiles : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void diskFullEndsTheRun();
    void cleanExitLeavesOnlyTheDatabase();
};

void TestStoreFiles::diskFullEndsTheRun() {
    SmallDisk disk(QStringLiteral("2m"));
    if (!disk.mounted())
        QSKIP("Needs root to mount a 2 MB tmpfs (mount -t tmpfs); the disk-full test runs where "
              "that is allowed, e.g. in CI containers running as root.");
    const QString db = disk.path(QStringLiteral("weft.db"));

    // Runs that would take two minutes fill 2 MB within seconds.
    QProcess program;
    // Only errors on the console: the engine's reports among the run's own lines.
    program.setProcessEnvironment(environmentFor(db, {QStringLiteral("WEFT_LOGGING_LEVEL=ERROR")}));
    program.start(binary(QStringLiteral("example-long")),
                  {QStringLiteral("run"), QStringLiteral("long_running"), QStringLiteral("--param"),
                   QStringLiteral("seconds=120"), QStringLiteral("--param"),
                   QStringLiteral("tasks_per_wave=16"), QStringLiteral("--param"),
                   QStringLiteral("step_ms=2")});
    QVERIFY(program.waitForStarted());
    const bool finished = program.waitForFinished(90000);
    if (!finished) {
        program.kill();
        program.waitForFinished();
    }
    const QByteArray out = program.readAllStandardOutput();
    const QByteArray err = program.readAllStandardError();
    QVERIFY2(finished, err.right(2000).constData()); // it stopped at the first lost commit
    QCOMPARE(program.exitStatus(), QProcess::NormalExit);
    QCOMPARE(program.exitCode(), 1);
    QVERIFY2(out.isEmpty(), out.left(2000).constData()); // engine messages go to stderr
    QVERIFY2(err.contains("disk is full"), err.right(2000).constData());
    QVERIFY2(err.contains(db.toUtf8()), err.right(2000).constData()); // names the file
    QVERIFY2(engineLines(err) <= 4, err.right(4000).constData());     // one report, not hundreds

    // The run is never left RUNNING: FAILED with the reason, or CRASHED once checked. While the
    // disk is still full the CLI may be unable to record that; then it says the disk is full.
    const Ran full =
        weftCli({QStringLiteral("flow-run"), QStringLiteral("ls"), QStringLiteral("--json")}, db);
    if (full.code == 0) {
        const QString state = onlyRun(full).value(QStringLiteral("state_type")).toString();
        QVERIFY2(state == QStringLiteral("FAILED") || state == QStringLiteral("CRASHED"),
                 full.out.constData());
    } else {
        QVERIFY2(full.err.contains("disk is full"), full.err.constData());
    }

    QVERIFY(disk.grow(QStringLiteral("64m")));
    const Ran ls =
        weftCli({QStringLiteral("flow-run"), QStringLiteral("ls"), QStringLiteral("--json")}, db);
    QVERIFY2(ls.code == 0, ls.err.constData());
    const QJsonObject run = onlyRun(ls);
    const QString state = run.value(QStringLiteral("state_type")).toString();
    const QString message =
        run.value(QStringLiteral("state")).toObject().value(QStringLiteral("message")).toString();
    if (state == QStringLiteral("FAILED"))
        QVERIFY2(message.contains(QStringLiteral("disk is full")), qPrintable(message));
    else
        QVERIFY2(state == QStringLiteral("CRASHED"), ls.out.constData());

    // Nothing half-written: no events of task runs that do not exist, and an intact file.
    SQLite::Database check(db.toStdString(), SQLite::OPEN_READONLY);
    QCOMPARE(check.execAndGet("PRAGMA integrity_check").getString(), std::string("ok"));
    QCOMPARE(check
                 .execAndGet("SELECT count(*) FROM events e WHERE e.kind IN (3, 4) AND NOT "
                             "EXISTS (SELECT 1 FROM task_runs t WHERE t.id = e.run_id)")
                 .getInt(),
             0);
}

void TestStoreFiles::cleanExitLeavesOnlyTheDatabase() {
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("weft.db"));
    const Ran hello = runProgram(QStringLiteral("example-hello"), {QStringLiteral("run")}, db);
    QVERIFY2(hello.code == 0, hello.err.constData());
    // The last connection closing checkpoints the log and removes it with its index.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("weft.db")});

    const Ran ls = weftCli({QStringLiteral("flow-run"), QStringLiteral("ls")}, db);
    QVERIFY2(ls.code == 0, ls.err.constData());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("weft.db")});
}

QTEST_GUILESS_MAIN(TestStoreFiles)
#include "tst_storefiles.moc"

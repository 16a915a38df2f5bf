// A flow program's life seen from outside: Ctrl-C and SIGTERM cancel its run and commit what it
// queued (a second signal ends it at once), two `weft flow-run retry` of one run run it once, a
// program killed while its flow waits for a retry can be retried, a crashed run ends when its
// program died, and a person's reason for cancelling stays on the final state. The program
// (integration-gate) waits at a gate the test opens by creating files, so nothing here sleeps.
#include "programs.h"

#include <weft/engine.hpp>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <SQLiteCpp/SQLiteCpp.h>
#include <csignal>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr int kWaitMs = 60000;

// A folder for the program's gate files and the database, and the store the test reads with
// (opened before the program starts; a Store, not an Engine, so it detects no crashes).
class Folder {
public:
    Folder()
        : m_store(weft::Store::open(db().toStdString())) {}
    QString path() const { return m_dir.path(); }
    QString db() const { return m_dir.filePath(u"weft.db"_s); }
    bool has(const QString& name) const { return QFile::exists(m_dir.filePath(name)); }
    bool touch(const QString& name) const {
        QFile f(m_dir.filePath(name));
        return f.open(QIODevice::WriteOnly);
    }
    void remove(const QString& name) const { QFile::remove(m_dir.filePath(name)); }
    int lines(const QString& name) const {
        QFile f(m_dir.filePath(name));
        return f.open(QIODevice::ReadOnly) ? int(f.readAll().count('\n')) : 0;
    }
    weft::Store& store() { return *m_store; }
    std::vector<weft::FlowRunRecord> runs() {
        return m_store->read([](weft::Reader& r) { return r.flow_runs({}); });
    }
    weft::FlowRunRecord run(const std::string& id) {
        return m_store->read([&](weft::Reader& r) { return r.flow_run(id); }).value();
    }
    std::vector<weft::TaskRunRecord> tasks(const std::string& id) {
        return m_store->read([&](weft::Reader& r) { return r.task_runs(id); });
    }
    QStringList history(const std::string& id) {
        QStringList out;
        for (const auto& s : m_store->read([&](weft::Reader& r) { return r.state_history(id); }))
            out << QString::fromStdString(std::string(weft::to_string(s.type)) + "/" + s.name);
        return out;
    }

private:
    QTemporaryDir m_dir;
    std::shared_ptr<weft::Store> m_store;
};

// `integration-gate run FLOW --param dir=FOLDER`, not waited for. False if it did not start.
bool startGate(QProcess& p, Folder& f, const QString& flow = u"gated"_s) {
    p.setProcessEnvironment(environmentFor(f.db()));
    p.start(binary(u"integration-gate"_s), {u"run"_s, flow, u"--param"_s, u"dir="_s + f.path()});
    return p.waitForStarted();
}

// Holds the database's write lock: nothing any program queues can commit until it goes.
class WriteLock {
public:
    explicit WriteLock(const QString& db)
        : m_db(db.toStdString(), SQLite::OPEN_READWRITE) {
        m_db.exec("BEGIN IMMEDIATE");
    }
    ~WriteLock() { release(); }
    void release() {
        if (m_held) m_db.exec("ROLLBACK");
        m_held = false;
    }

private:
    SQLite::Database m_db;
    bool m_held = true;
};

const weft::TaskRunRecord* task(const std::vector<weft::TaskRunRecord>& tasks, const char* key) {
    for (const auto& t : tasks)
        if (t.task_key == key) return &t;
    return nullptr;
}

} // namespace

class TestLifecycle : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void interruptCancelsTheRun_data() {
        QTest::addColumn<int>("sig");
        QTest::addColumn<QString>("name");
        QTest::addRow("SIGTERM") << int(SIGTERM) << u"SIGTERM"_s;
        QTest::addRow("Ctrl-C") << int(SIGINT) << u"SIGINT"_s;
    }
    void interruptCancelsTheRun() {
        QFETCH(int, sig);
        QFETCH(QString, name);
        Folder f;
        QProcess p;
        QVERIFY(startGate(p, f));
        QTRY_VERIFY_WITH_TIMEOUT(f.has(u"ready"_s), kWaitMs);
        QByteArray err;
        {
            WriteLock lock(f.db());
            QVERIFY(f.touch(u"tick"_s));
            // Its "tick seen" line is queued now, and cannot be committed before the signal.
            QTRY_VERIFY_WITH_TIMEOUT(f.has(u"ticked"_s), kWaitMs);
            QCOMPARE(::kill(pid_t(p.processId()), sig), 0);
            QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError()).contains("received"),
                                     kWaitMs);
        }
        QVERIFY(p.waitForFinished(kWaitMs));
        // It ends by the signal, as an interrupted program does (shells and `retry` see that).
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);

        const auto runs = f.runs();
        QCOMPARE(runs.size(), size_t(1));
        const auto& run = runs.front();
        QCOMPARE(run.state.type, weft::StateType::Cancelled);
        QVERIFY2(QString::fromStdString(run.state.message).contains(name),
                 run.state.message.c_str());
        QVERIFY(run.end_time);
        const auto tasks = f.tasks(run.id);
        QVERIFY(task(tasks, "before") && task(tasks, "gate"));
        QCOMPARE(task(tasks, "before")->state.type, weft::StateType::Completed);
        QCOMPARE(task(tasks, "gate")->state.type, weft::StateType::Cancelled);
        // What was queued when the signal came is committed, not lost.
        weft::LogQuery q;
        q.flow_run_id = run.id;
        q.text = "tick seen";
        QCOMPARE(f.store().read([&](weft::Reader& r) { return r.count_logs(q); }), 1);
    }

    void secondSignalEndsAtOnce() {
        Folder f;
        QProcess p;
        QVERIFY(startGate(p, f));
        QTRY_VERIFY_WITH_TIMEOUT(f.has(u"ready"_s), kWaitMs);
        // The first signal's cancellation waits for the database; the second does not.
        WriteLock lock(f.db());
        QCOMPARE(::kill(pid_t(p.processId()), SIGTERM), 0);
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError()).contains("received"), kWaitMs);
        QCOMPARE(::kill(pid_t(p.processId()), SIGINT), 0);
        // It ends while the lock is still held: the first signal's work, which waits for the
        // lock as long as it takes, cannot have finished.
        QVERIFY(p.waitForFinished(kWaitMs));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        lock.release();
        QCOMPARE(f.runs().front().state.type, weft::StateType::Running); // nothing committed
    }

    // Issue: 12 of 50 double retries ran the run twice; each round here starts two at once.
    void concurrentRetriesRunItOnce() {
        for (int round = 0; round < 3; ++round) {
            Folder f;
            QVERIFY(f.touch(u"release"_s));
            QVERIFY(f.touch(u"fail"_s));
            const Ran first =
                runProgram(u"integration-gate"_s,
                           {u"run"_s, u"gated"_s, u"--param"_s, u"dir="_s + f.path()}, f.db());
            QCOMPARE(first.code, 1);
            const std::string id = f.runs().front().id;
            QCOMPARE(f.run(id).state.type, weft::StateType::Failed);
            QCOMPARE(f.lines(u"ran"_s), 1);
            for (const auto& name : {u"release"_s, u"fail"_s, u"ready"_s})
                f.remove(name);

            QProcess a, b;
            for (QProcess* p : {&a, &b}) {
                p->setProcessEnvironment(environmentFor(f.db()));
                p->start(binary(u"weft"_s),
                         {u"flow-run"_s, u"retry"_s, QString::fromStdString(id)});
            }
            QVERIFY(a.waitForStarted() && b.waitForStarted());
            // One of them runs it (and waits at the gate); the other is refused and ends.
            QTRY_VERIFY_WITH_TIMEOUT(
                f.has(u"ready"_s)
                    && (a.state() == QProcess::NotRunning || b.state() == QProcess::NotRunning),
                kWaitMs);
            QProcess& loser = a.state() == QProcess::NotRunning ? a : b;
            QProcess& winner = &loser == &a ? b : a;
            QCOMPARE(loser.exitStatus(), QProcess::NormalExit);
            QVERIFY(loser.exitCode() != 0);
            const QByteArray refusal = loser.readAllStandardError();
            QVERIFY2(refusal.contains("flow run")
                         && (refusal.contains("PENDING") || refusal.contains("RUNNING")),
                     refusal.constData());
            QCOMPARE(winner.state(), QProcess::Running);

            QVERIFY(f.touch(u"release"_s));
            QVERIFY(winner.waitForFinished(kWaitMs));
            QCOMPARE(winner.exitCode(), 0);
            QCOMPARE(f.run(id).state.type, weft::StateType::Completed);
            QCOMPARE(f.lines(u"ran"_s), 2); // the gate ran once more, not twice
            const QStringList history = f.history(id);
            QCOMPARE(history.filter(u"RUNNING/"_s).size(), 2);
            for (qsizetype i = 1; i < history.size(); ++i)
                QVERIFY2(!(history[i].startsWith(u"RUNNING"_s)
                           && history[i - 1].startsWith(u"RUNNING"_s)),
                         qPrintable(history.join(u", "_s)));
        }
    }

    void killedWhileAwaitingRetryCanBeRetried() {
        Folder f;
        QVERIFY(f.touch(u"fail-first"_s));
        QProcess p;
        QVERIFY(startGate(p, f, u"retried"_s));
        auto awaiting = [&] {
            const auto runs = f.runs();
            return !runs.empty() && runs.front().state.name == "AwaitingRetry";
        };
        QTRY_VERIFY_WITH_TIMEOUT(awaiting(), kWaitMs); // its flow retries in an hour
        p.kill();
        QVERIFY(p.waitForFinished());
        const weft::Micros dead = weft::now_us();
        f.remove(u"fail-first"_s);
        const std::string id = f.runs().front().id;

        const Ran retried =
            weftCli({u"flow-run"_s, u"retry"_s, QString::fromStdString(id)}, f.db());
        QVERIFY2(retried.code == 0, retried.err.constData());
        const auto run = f.run(id);
        QCOMPARE(run.state.type, weft::StateType::Completed);
        const QStringList history = f.history(id);
        QVERIFY2(history.contains(u"CRASHED/Crashed"_s), qPrintable(history.join(u", "_s)));
        for (const auto& s : f.store().read([&](weft::Reader& r) { return r.state_history(id); }))
            if (s.type == weft::StateType::Crashed) QVERIFY(s.timestamp <= dead);
    }

    void crashEndsWhenTheProgramDied() {
        Folder f;
        QProcess p;
        QVERIFY(startGate(p, f));
        QTRY_VERIFY_WITH_TIMEOUT(f.has(u"ready"_s), kWaitMs);
        p.kill(); // SIGKILL
        QVERIFY(p.waitForFinished());
        const weft::Micros dead = weft::now_us();
        const std::string id = f.runs().front().id;
        const auto gate_started = task(f.tasks(id), "gate")->start_time.value_or(0);
        QVERIFY(gate_started > 0);

        auto engine = weft::Engine::open(f.db().toStdString()); // notices the crash now
        const auto run = f.run(id);
        QCOMPARE(run.state.type, weft::StateType::Crashed);
        // It ended when the program was last seen alive, not when the crash was noticed.
        QVERIFY(run.end_time);
        QVERIFY(*run.end_time <= dead);
        QVERIFY(*run.end_time >= gate_started);
        QVERIFY(run.total_run_time <= dead - run.start_time.value_or(0));
        QCOMPARE(task(f.tasks(id), "gate")->end_time, run.end_time);
    }

    void cancelReasonIsTheFinalStates() {
        Folder f;
        QProcess p;
        QVERIFY(startGate(p, f));
        QTRY_VERIFY_WITH_TIMEOUT(f.has(u"ready"_s), kWaitMs);
        const std::string id = f.runs().front().id;
        const Ran cancel = weftCli({u"flow-run"_s, u"cancel"_s, QString::fromStdString(id),
                                    u"--message"_s, u"maintenance window"_s},
                                   f.db());
        QVERIFY2(cancel.code == 0, cancel.err.constData());
        QVERIFY(p.waitForFinished(kWaitMs));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 1);
        const auto run = f.run(id);
        QCOMPARE(run.state.type, weft::StateType::Cancelled);
        QCOMPARE(QString::fromStdString(run.state.message), u"maintenance window"_s);
    }
};

QTEST_GUILESS_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"

// kill -9 in the middle of a run: what was committed before the kill is all there, the database
// is intact, the run becomes CRASHED (with the reason) and can be resumed.
#include "programs.h"

#include <weft/engine.hpp>

#include <QTemporaryDir>
#include <QTest>
#include <SQLiteCpp/SQLiteCpp.h>
#include <map>

class TestKill9 : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void killedRunKeepsCommittedWorkAndResumes() {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("kill9.db"));
        auto store = weft::Store::open(db.toStdString());
        auto reader = store->open_reader();

        QProcess program;
        program.setProcessEnvironment(environmentFor(db));
        program.setStandardOutputFile(QProcess::nullDevice());
        program.setStandardErrorFile(QProcess::nullDevice());
        program.start(binary(QStringLiteral("example-long")),
                      {QStringLiteral("run"), QStringLiteral("long_running"),
                       QStringLiteral("--param"), QStringLiteral("seconds=3"),
                       QStringLiteral("--param"), QStringLiteral("tasks_per_wave=6")});
        QVERIFY(program.waitForStarted());

        // Follow the feed as another process would, remembering everything seen committed.
        std::map<std::int64_t, weft::Event> seen;
        std::vector<std::int64_t> logIds;
        std::int64_t seq = 0;
        int taskEvents = 0;
        auto follow = [&] {
            for (auto& e : reader->events_after(seq, 10000)) {
                seq = e.seq;
                taskEvents += e.is_task_run();
                if (e.kind == weft::EventKind::Logs)
                    for (auto id = e.payload["first_id"].get<std::int64_t>();
                         id <= e.payload["last_id"].get<std::int64_t>(); ++id)
                        logIds.push_back(id);
                seen.emplace(e.seq, std::move(e));
            }
            return taskEvents >= 60 && logIds.size() >= 20;
        };
        QTRY_VERIFY_WITH_TIMEOUT(follow(), 60000);
        const auto pid = program.processId();
        program.kill(); // SIGKILL
        QVERIFY(program.waitForFinished());
        follow(); // whatever the last group committed

        // Every event and log line seen before the kill is still there, unchanged.
        std::map<std::int64_t, weft::Event> after;
        for (auto& e : reader->events_after(0, 1000000))
            after.emplace(e.seq, std::move(e));
        for (const auto& [s, e] : seen) {
            auto it = after.find(s);
            QVERIFY2(it != after.end(), qPrintable(QStringLiteral("event %1 lost").arg(s)));
            QCOMPARE(it->second.run_id, e.run_id);
            QCOMPARE(it->second.state.has_value(), e.state.has_value());
            if (e.state) QCOMPARE(it->second.state->id, e.state->id);
        }
        weft::LogQuery all;
        all.limit = -1;
        const auto ids = reader->log_ids(all, -1);
        for (auto id : logIds)
            QVERIFY2(std::binary_search(ids.begin(), ids.end(), id), "log line lost");
        {
            SQLite::Database check(db.toStdString(), SQLite::OPEN_READONLY);
            QCOMPARE(check.execAndGet("PRAGMA integrity_check").getString(), std::string("ok"));
        }

        // The next engine to open the database marks the run CRASHED, saying why.
        auto engine = weft::Engine::open(db.toStdString());
        auto runs = engine->store().read([](weft::Reader& r) { return r.flow_runs({}); });
        QCOMPARE(runs.size(), size_t(1));
        const auto& run = runs.front();
        QCOMPARE(run.state.type, weft::StateType::Crashed);
        QVERIFY2(run.state.message.find(std::to_string(pid)) != std::string::npos,
                 run.state.message.c_str());
        std::map<std::string, int> completedBefore; // task run id -> run_count
        for (const auto& t :
             engine->store().read([&](weft::Reader& r) { return r.task_runs(run.id); })) {
            QVERIFY(weft::is_terminal(t.state.type)); // nothing left RUNNING or PENDING
            if (t.state.type == weft::StateType::Completed) completedBefore[t.id] = t.run_count;
        }
        QVERIFY(!completedBefore.empty());
        engine.reset();

        // Resume: it completes, and what completed before the kill is reused, not run again.
        const Ran retried = weftCli(
            {QStringLiteral("flow-run"), QStringLiteral("retry"), QString::fromStdString(run.id)},
            db);
        QVERIFY2(retried.code == 0, retried.err.constData());
        auto resumed = store->read([&](weft::Reader& r) { return r.flow_run(run.id); });
        QVERIFY(resumed);
        QCOMPARE(resumed->state.type, weft::StateType::Completed);
        QCOMPARE(resumed->run_count, 2);
        for (const auto& t : store->read([&](weft::Reader& r) { return r.task_runs(run.id); })) {
            auto it = completedBefore.find(t.id);
            if (it != completedBefore.end()) QCOMPARE(t.run_count, it->second);
        }
    }
};

QTEST_GUILESS_MAIN(TestKill9)
#include "tst_kill9.moc"

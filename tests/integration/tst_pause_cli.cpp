// Pause and resume as users do it: the approval example pauses (or suspends) for input, and
// `weft flow-run resume ID --input JSON` lets it go on.
#include "programs.h"

#include <weft/engine.hpp>
#include <weft/pause.hpp>

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// The newest run of the example, read straight from the database.
weft::FlowRunRecord latestRun(weft::Store& store) {
    weft::FlowRunQuery q;
    q.flow_names = {"approve_and_publish"};
    q.limit = 1;
    auto runs = store.read([&](weft::Reader& r) { return r.flow_runs(q); });
    return runs.empty() ? weft::FlowRunRecord{} : runs.front();
}

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

} // namespace

class TestPauseCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pauseThenResume() {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"pause.db"_s);
        auto store = weft::Store::open(db.toStdString());

        QProcess program;
        program.setProcessEnvironment(environmentFor(db));
        program.start(binary(u"example-approval"_s), {u"run"_s});
        QVERIFY(program.waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(latestRun(*store).state.type, weft::StateType::Paused, 60000);
        const auto paused = latestRun(*store);
        const QString id = qs(paused.id);
        QCOMPARE(qs(paused.state.name), u"Paused"_s);

        // inspect says how to go on and which fields the input has.
        const Ran inspect = weftCli({u"flow-run"_s, u"inspect"_s, id}, db);
        QVERIFY2(inspect.code == 0, inspect.err.constData());
        QVERIFY2(inspect.out.contains("approved (boolean)"), inspect.out.constData());
        QVERIFY2(inspect.out.contains("reviewer (string = \"someone\")"), inspect.out.constData());

        // Bad input is refused with the field named; the run stays paused.
        const Ran bad = weftCli(
            {u"flow-run"_s, u"resume"_s, id, u"--input"_s, uR"({"approved": "yes"})"_s}, db);
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains("approved: expected a boolean"), bad.err.constData());
        const Ran notJson = weftCli({u"flow-run"_s, u"resume"_s, id, u"--input"_s, u"{"_s}, db);
        QCOMPARE(notJson.code, 2);
        QCOMPARE(latestRun(*store).state.id, paused.state.id);

        const Ran ok = weftCli({u"flow-run"_s, u"resume"_s, id.left(13), u"--input"_s,
                                uR"({"approved": true, "reviewer": "ada"})"_s},
                               db);
        QVERIFY2(ok.code == 0, ok.err.constData());
        QVERIFY2(ok.out.contains("Resumed flow run"), ok.out.constData());
        QVERIFY(program.waitForFinished(60000));
        QCOMPARE(program.exitCode(), 0);
        const auto done = latestRun(*store);
        QCOMPARE(done.state.type, weft::StateType::Completed);
        QCOMPARE(qs(done.result.dump()), u"\"published\""_s);

        // A run that is not paused is not resumed.
        const Ran again = weftCli({u"flow-run"_s, u"resume"_s, id}, db);
        QCOMPARE(again.code, 1);
        QVERIFY2(again.err.contains("only a PAUSED flow run can be resumed; this one is COMPLETED"),
                 again.err.constData());
    }

    void suspendThenResume() {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"suspend.db"_s);
        // The program exits cleanly while the run waits.
        const Ran suspended =
            runProgram(u"example-approval"_s, {u"run"_s, u"--param"_s, u"suspend=true"_s}, db);
        QVERIFY2(suspended.code == 0, suspended.err.constData());
        auto store = weft::Store::open(db.toStdString());
        const auto run = latestRun(*store);
        QVERIFY(weft::is_suspended(run.state));
        QCOMPARE(qs(run.state.name), u"Suspended"_s);
        const QString id = qs(run.id);
        // `PROGRAM resume` before anyone resumed it is refused.
        const Ran early = runProgram(u"example-approval"_s, {u"resume"_s, id}, db);
        QCOMPARE(early.code, 1);
        QVERIFY2(early.err.contains("weft flow-run resume"), early.err.constData());

        const Ran resumed =
            weftCli({u"flow-run"_s, u"resume"_s, id, u"--input"_s, uR"({"approved": true})"_s}, db);
        QVERIFY2(resumed.code == 0, resumed.err.constData());
        QVERIFY2(resumed.out.contains(" resume " + run.id), resumed.out.constData());
        // The program started again finishes the run: the report built before is reused.
        QTRY_COMPARE_WITH_TIMEOUT(latestRun(*store).state.type, weft::StateType::Completed, 60000);
        const auto done = latestRun(*store);
        QCOMPARE(qs(done.result.dump()), u"\"published\""_s);
        const auto tasks = store->read([&](weft::Reader& r) { return r.task_runs(run.id); });
        QCOMPARE(tasks.size(), std::size_t(2));
        for (const auto& t : tasks) {
            QCOMPARE(t.state.type, weft::StateType::Completed);
            QCOMPARE(t.run_count, 1); // build_report ran once, before the suspension
        }
    }
};

QTEST_GUILESS_MAIN(TestPauseCli)
#include "tst_pause_cli.moc"

// `weft` on a database this user may only read (another user's file, a read-only mount): lists
// and inspects it, and refuses changes with one line that says why.
#include "clifixture.h"
#include "readonlyview.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

class TestCliReadOnly : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsButDoesNotChange() {
        CliFixture f;
        QVERIFY(f.isValid());
        f.store().flush();
        QTemporaryDir mount;
        const ReadOnlyView view(f.dir(), mount.filePath(u"view"_s));
        if (!view.isValid()) QSKIP(qPrintable(view.why()));
        const QString db = view.filePath(u"weft.db"_s);

        const CliResult ls =
            f.runRaw({u"--db"_s, db, u"flow-run"_s, u"ls"_s, u"--json"_s}, f.environment());
        QVERIFY2(ls.code == 0, ls.err.constData());
        QCOMPARE(ls.json().array().size(), 5);
        const CliResult inspect = f.runRaw(
            {u"--db"_s, db, u"flow-run"_s, u"inspect"_s, q(fixture::kFailed)}, f.environment());
        QVERIFY2(inspect.code == 0, inspect.err.constData());

        const CliResult cancel = f.runRaw(
            {u"--db"_s, db, u"flow-run"_s, u"cancel"_s, q(fixture::kRunning)}, f.environment());
        QVERIFY(cancel.code != 0);
        QVERIFY2(cancel.oneLineError() && cancel.err.contains("read-only"), cancel.err.constData());
        QCOMPARE(f.flowRun(fixture::kRunning).state.type, weft::StateType::Running);
    }
};

QTEST_GUILESS_MAIN(TestCliReadOnly)
#include "tst_cli_readonly.moc"

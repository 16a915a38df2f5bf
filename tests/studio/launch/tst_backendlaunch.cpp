// Studio starting flow programs through the engine's launcher: a retry reruns the run's program
// (`rerun ID`), "run again" starts `run FLOW --param …` with the edited parameters, and a run
// whose program is gone is refused with the launcher's reason. A script stands in for the flow
// program and writes down how it was started.
#include "backend/embeddedbackend.h"
#include "fixtures.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <optional>

using namespace weft::studio;
using namespace Qt::StringLiterals;

namespace {
// The test's own nice value (its main thread's), as /proc reports it.
int niceOfThisProcess() {
    QFile stat(u"/proc/self/stat"_s);
    if (!stat.open(QIODevice::ReadOnly)) return 0;
    const QByteArray text = stat.readAll();
    return text.mid(text.lastIndexOf(')') + 2).split(' ').value(16).toInt();
}
} // namespace

class TestBackendLaunch : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<EmbeddedBackend> m_backend;
    std::string m_failed;      // its program is the probe
    std::string m_programGone; // its program was deleted

    QString probe() const { return m_dir.filePath(u"bin/probe"_s); }
    QString recordFile() const { return m_dir.filePath(u"bin/record.txt"_s); }
    QStringList record() const {
        QFile f(recordFile());
        if (!f.open(QIODevice::ReadOnly)) return {};
        return QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
    }
    // Runs `issue(done)` and waits for its answer on the GUI thread.
    template<class Issue> std::optional<CommandResult> answer(Issue issue) {
        std::optional<CommandResult> got;
        issue([&got](Result<CommandResult> r) {
            got = r ? *r : CommandResult{false, u"query failed: "_s + r.error(), std::nullopt};
        });
        if (!QTest::qWaitFor([&] { return got.has_value(); }, 10000)) return std::nullopt;
        return got;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir(m_dir.path()).mkpath(u"bin"_s));
        QVERIFY(QDir(m_dir.path()).mkpath(u"work"_s));
        QFile f(probe());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("#!/bin/sh\n"
                "out=\"$(dirname \"$0\")/record.txt\"\n"
                "{ printf '%s\\n' \"$@\"; printf 'cwd=%s\\nWEFT_DB=%s\\n' \"$(pwd -P)\" "
                "\"$WEFT_DB\"; printf 'nice=%s\\n' \"$(cut -d' ' -f19 /proc/$$/stat)\"; } "
                "> \"$out.tmp\"\n"
                "mv \"$out.tmp\" \"$out\"\n");
        f.close();
        QVERIFY(f.setPermissions(f.permissions() | QFileDevice::ExeOwner));

        const QString db = m_dir.filePath(u"studio.db"_s);
        auto store = weft::Store::open(db.toStdString());
        fixtures::RunSpec spec;
        spec.flow_name = "etl";
        spec.state = weft::StateType::Failed;
        spec.parameters = {{"n", 3}, {"name", "x"}};
        m_failed = fixtures::writeRun(*store, spec).flow_run_id;
        m_programGone = fixtures::writeRun(*store, spec).flow_run_id;
        store->flush();
        for (const auto& [id, program] :
             {std::pair{m_failed, probe()}, std::pair{m_programGone, m_dir.filePath(u"gone"_s)}}) {
            auto run = *store->read([&](weft::Reader& r) { return r.flow_run(id); });
            run.launch.program = program.toStdString();
            run.launch.working_dir = m_dir.filePath(u"work"_s).toStdString();
            store->put_flow_run(run, weft::EventKind::FlowRunState);
        }
        store->flush();
        m_backend = std::make_unique<EmbeddedBackend>(db);
        QCOMPARE(m_backend->openNow(), QString());
    }
    void init() { QFile::remove(recordFile()); }

    void retryRerunsTheProgram() {
        const auto r =
            answer([&](auto done) { m_backend->retryFlowRun(m_failed, {}, this, done); });
        QVERIFY(r);
        QVERIFY2(r->ok, qPrintable(r->message));
        QVERIFY2(r->message.contains(u"process"_s), qPrintable(r->message));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(recordFile()), 10000);
        const QStringList got = record();
        QCOMPARE(got.mid(0, 2), (QStringList{u"rerun"_s, QString::fromStdString(m_failed)}));
        QVERIFY(got.contains(u"cwd="_s + QDir(m_dir.filePath(u"work"_s)).canonicalPath()));
        QVERIFY(got.contains(u"WEFT_DB="_s + m_dir.filePath(u"studio.db"_s)));
        // Studio's background threads run niced; the program it starts does not inherit that.
        QVERIFY2(got.contains(u"nice="_s + QString::number(niceOfThisProcess())),
                 qPrintable(got.join(u' ')));
    }

    void runAgainStartsANewRunWithTheEditedParameters() {
        const auto r = answer([&](auto done) {
            m_backend->runFlowAgain(m_failed, {{"n", 4}, {"name", "7"}}, this, done);
        });
        QVERIFY(r);
        QVERIFY2(r->ok, qPrintable(r->message));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(recordFile()), 10000);
        QCOMPARE(record().mid(0, 6), (QStringList{u"run"_s, u"etl"_s, u"--param"_s, u"n=4"_s,
                                                  u"--param"_s, u"name=\"7\""_s}));
        QVERIFY(record().contains(u"nice="_s + QString::number(niceOfThisProcess())));
    }

    void programGoneIsRefused() {
        for (bool again : {false, true}) {
            const auto r = answer([&](auto done) {
                if (again)
                    m_backend->runFlowAgain(m_programGone, nlohmann::json::object(), this, done);
                else
                    m_backend->retryFlowRun(m_programGone, {}, this, done);
            });
            QVERIFY(r);
            QVERIFY(!r->ok);
            QVERIFY2(r->message.contains(u"no longer exists"_s), qPrintable(r->message));
            QVERIFY2(r->message.at(0).isUpper(), qPrintable(r->message)); // a sentence
        }
        QVERIFY(!QFile::exists(recordFile()));
    }
};

QTEST_GUILESS_MAIN(TestBackendLaunch)
#include "tst_backendlaunch.moc"

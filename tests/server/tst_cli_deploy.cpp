// `weft work-pool`, `weft deploy` and `weft deployment` against a real weft-server: pools made and
// listed, a flow program's flow registered as a deployment (its program checked first), listed,
// and run, with its parameters' schema; without a server they say in one line that they need one.
#include "testprocess.h"

#include <QtTest>

#include <limits>

using nlohmann::json;

namespace {

QStringList L(std::initializer_list<const char*> words) {
    QStringList out;
    for (const char* w : words)
        out << QString::fromUtf8(w);
    return out;
}

} // namespace

class TestCliDeploy : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    ServerProcess m_server;
    QString m_hello; // build/bin/example-hello

    ProcessRun weft(const QStringList& args, bool withServer = true) {
        auto env = m_server.environment(m_dir.filePath(QStringLiteral("home")));
        if (!withServer) env.remove(QStringLiteral("WEFT_API_URL"));
        return runProcess(binPath(QStringLiteral("weft")), args, env, m_dir.path());
    }

    HttpAnswer api(const QByteArray& method, const QString& path, const json& body = nullptr) {
        return m_server.api(method, path, body);
    }

    // The deployment's id from `weft deploy`'s first line.
    static QString idIn(const QString& text) { return kUuid.match(text).captured(0); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_hello = binPath(QStringLiteral("example-hello"));
        QVERIFY2(QFile::exists(m_hello), qPrintable(m_hello));
        QVERIFY2(m_server.start(m_dir.filePath(QStringLiteral("server.db"))),
                 m_server.error().constData());
    }

    void cleanupTestCase() { m_server.stop(); }

    void needServer_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addRow("work-pool ls") << L({"work-pool", "ls"});
        QTest::addRow("work-pool create") << L({"work-pool", "create", "p"});
        QTest::addRow("deployment ls") << L({"deployment", "ls"});
        QTest::addRow("deployment run") << L({"deployment", "run", "f/n"});
        QTest::addRow("worker start") << L({"worker", "start", "--pool", "p"});
    }
    void needServer() {
        QFETCH(QStringList, args);
        const ProcessRun r = weft(args, false);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("needs a server: set WEFT_API_URL")),
                 qPrintable(r.err));
        QCOMPARE(r.err.count(u'\n'), 1); // one line
    }

    void helps_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addRow("deploy") << L({"deploy", "--help"});
        QTest::addRow("deployment ls") << L({"deployment", "ls", "--help"});
        QTest::addRow("deployment run") << L({"deployment", "run", "--help"});
        QTest::addRow("work-pool create") << L({"work-pool", "create", "--help"});
        QTest::addRow("work-pool ls") << L({"work-pool", "ls", "--help"});
        QTest::addRow("worker start") << L({"worker", "start", "--help"});
    }
    void helps() {
        QFETCH(QStringList, args);
        const ProcessRun r = weft(args, false);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("Usage:")), qPrintable(r.out));
    }

    void workPools() {
        const ProcessRun made =
            weft(L({"work-pool", "create", "nightly-pool", "--concurrency", "3"}));
        QVERIFY2(made.code == 0, qPrintable(made.err));
        QVERIFY2(made.out.contains(QStringLiteral("weft worker start --pool nightly-pool")),
                 qPrintable(made.out));
        const ProcessRun again = weft(L({"work-pool", "create", "nightly-pool"}));
        QCOMPARE(again.code, 1);
        QVERIFY2(again.err.contains(QStringLiteral("already exists")), qPrintable(again.err));
        const ProcessRun bad = weft(L({"work-pool", "create", "p", "--concurrency", "many"}));
        QCOMPARE(bad.code, 2);

        const ProcessRun ls = weft(L({"work-pool", "ls", "--json"}));
        QCOMPARE(ls.code, 0);
        const json pools = json::parse(ls.out.toStdString());
        const auto pool = std::find_if(pools.begin(), pools.end(), [](const json& p) {
            return p.value("name", "") == "nightly-pool";
        });
        QVERIFY(pool != pools.end());
        QCOMPARE(pool->value("concurrency_limit", 0), 3);
        const ProcessRun table = weft(L({"work-pool", "ls"}));
        QCOMPARE(table.code, 0);
        QVERIFY2(table.out.contains(QStringLiteral("nightly-pool")), qPrintable(table.out));
    }

    void deployChecksTheProgram_data() {
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::addRow("no flow named")
            << QStringLiteral("noflow") << 2 << QStringLiteral("expected PROGRAM:FLOW");
        QTest::addRow("missing program") << QStringLiteral("/no/such/program:f") << 1
                                         << QStringLiteral("no program at /no/such/program");
        QTest::addRow("not executable")
            << QStringLiteral("%1:f") << 1 << QStringLiteral("is not executable");
        QTest::addRow("unknown flow")
            << QStringLiteral("HELLO:nope") << 1
            << QStringLiteral("has no flow named 'nope'; its flows: my_first_flow");
    }
    void deployChecksTheProgram() {
        QFETCH(QString, target);
        QFETCH(int, code);
        QFETCH(QString, message);
        QFile plain(m_dir.filePath(QStringLiteral("plain.txt")));
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.close();
        target.replace(QStringLiteral("%1"), plain.fileName());
        target.replace(QStringLiteral("HELLO"), m_hello);
        const ProcessRun r =
            weft({QStringLiteral("deploy"), target, QStringLiteral("-n"), QStringLiteral("x")});
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void deployScheduleOptions() {
        const QString target = m_hello + QStringLiteral(":my_first_flow");
        const ProcessRun both =
            weft({QStringLiteral("deploy"), target, QStringLiteral("-n"), QStringLiteral("x"),
                  QStringLiteral("--cron"), QStringLiteral("0 * * * *"),
                  QStringLiteral("--interval"), QStringLiteral("60")});
        QCOMPARE(both.code, 2);
        const ProcessRun cron =
            weft({QStringLiteral("deploy"), target, QStringLiteral("-n"), QStringLiteral("x"),
                  QStringLiteral("--cron"), QStringLiteral("hourly")});
        QCOMPARE(cron.code, 2);
        QVERIFY2(cron.err.contains(QStringLiteral("--cron takes 5 fields")), qPrintable(cron.err));
        const ProcessRun interval =
            weft({QStringLiteral("deploy"), target, QStringLiteral("-n"), QStringLiteral("x"),
                  QStringLiteral("--interval"), QStringLiteral("0")});
        QCOMPARE(interval.code, 2);
    }

    void deployListAndRun() {
        // A relative path: the deployment records the absolute one.
        const ProcessRun made =
            weft({QStringLiteral("deploy"),
                  QDir(m_dir.path()).relativeFilePath(m_hello) + QStringLiteral(":my_first_flow"),
                  QStringLiteral("-n"), QStringLiteral("nightly"), QStringLiteral("--pool"),
                  QStringLiteral("default"), QStringLiteral("--interval"), QStringLiteral("3600"),
                  QStringLiteral("--param"), QStringLiteral("greeting=hi"), QStringLiteral("-p"),
                  QStringLiteral("times=3")});
        QVERIFY2(made.code == 0, qPrintable(made.err));
        const QString id = idIn(made.out);
        QVERIFY2(!id.isEmpty(), qPrintable(made.out));
        QVERIFY2(made.out.contains(QStringLiteral("curl -X POST ") + m_server.base()
                                   + QStringLiteral("/deployments/") + id
                                   + QStringLiteral("/create_flow_run")),
                 qPrintable(made.out));

        const HttpAnswer got = api("GET", QStringLiteral("/deployments/") + id);
        QCOMPARE(got.status, 200);
        const std::string canonical = QFileInfo(m_hello).canonicalFilePath().toStdString();
        QCOMPARE(got.body.value("entrypoint", ""), canonical + ":my_first_flow");
        QCOMPARE(got.body.value("work_pool_name", ""), std::string("default"));
        QCOMPARE(got.body.at("parameters"), (json{{"greeting", "hi"}, {"times", 3}}));
        QCOMPARE(got.body.at("schedules").at(0).at("schedule").value("interval", 0.0), 3600.0);
        // The pool was made for it.
        QCOMPARE(api("GET", QStringLiteral("/work_pools/default")).status, 200);

        const ProcessRun ls = weft(L({"deployment", "ls"}));
        QCOMPARE(ls.code, 0);
        QVERIFY2(ls.out.contains(QStringLiteral("my_first_flow/nightly"))
                     && ls.out.contains(QStringLiteral("every 3600 s")) && ls.out.contains(id),
                 qPrintable(ls.out));
        const ProcessRun lsJson = weft(L({"deployment", "ls", "--json"}));
        QCOMPARE(lsJson.code, 0);
        QCOMPARE(json::parse(lsJson.out.toStdString()).size(), size_t(1));

        const ProcessRun run =
            weft(L({"deployment", "run", "my_first_flow/nightly", "--param", "times=5"}));
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QString runId = idIn(run.out);
        QVERIFY2(!runId.isEmpty(), qPrintable(run.out));
        const HttpAnswer flowRun = api("GET", QStringLiteral("/flow_runs/") + runId);
        QCOMPARE(flowRun.status, 200);
        QCOMPARE(flowRun.body.value("deployment_id", ""), id.toStdString());
        QCOMPARE(flowRun.body.value("state_type", ""), std::string("SCHEDULED"));
        QCOMPARE(flowRun.body.at("parameters"), (json{{"greeting", "hi"}, {"times", 5}}));

        // By id too.
        const ProcessRun byId = weft({QStringLiteral("deployment"), QStringLiteral("run"), id});
        QVERIFY2(byId.code == 0, qPrintable(byId.err));
    }

    // The flow's parameter schema goes with the deployment: each parameter's kind from its C++
    // type, the deployment's --param values as defaults.
    void deploySendsTheParameterSchema() {
        const QString program = testBinPath(QStringLiteral("worker_flow_program"));
        QVERIFY2(QFile::exists(program), qPrintable(program));
        const ProcessRun made = weft({QStringLiteral("deploy"), program + QStringLiteral(":typed"),
                                      QStringLiteral("-n"), QStringLiteral("typed"),
                                      QStringLiteral("--param"), QStringLiteral("n=5")});
        QVERIFY2(made.code == 0, qPrintable(made.err));
        const HttpAnswer got = api("GET", QStringLiteral("/deployments/") + idIn(made.out));
        QCOMPARE(got.status, 200);
        const json schema = got.body.at("parameter_openapi_schema");
        QVERIFY2(schema.is_object(), got.raw.constData());
        QCOMPARE(schema.at("title"), json("Parameters"));
        QCOMPARE(schema.at("type"), json("object"));
        const json& p = schema.at("properties");
        QCOMPARE(p.at("n"), (json{{"title", "n"},
                                  {"position", 0},
                                  {"type", "integer"},
                                  {"minimum", std::numeric_limits<int>::min()},
                                  {"maximum", std::numeric_limits<int>::max()},
                                  {"default", 5}}));
        QCOMPARE(p.at("rate").at("type"), json("number"));
        QCOMPARE(p.at("label").at("type"), json("string"));
        QCOMPARE(p.at("dry").at("type"), json("boolean"));
        QCOMPARE(p.at("dry").at("default"), json(false));
        QCOMPARE(p.at("names"), (json{{"title", "names"},
                                      {"position", 4},
                                      {"type", "array"},
                                      {"items", {{"type", "string"}}}}));
        QCOMPARE(schema.at("required"), (json{"n", "rate", "label", "names"}));
        QCOMPARE(got.body.at("parameters"), (json{{"n", 5}}));
    }

    // A program built before `list --json` existed still deploys, with no schema.
    void deployAnOlderProgram() {
        const QString program = m_dir.filePath(QStringLiteral("legacy.sh"));
        QFile script(program);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write("#!/bin/sh\n"
                     "if [ \"$1\" = list ] && [ -z \"$2\" ]; then echo 'legacy(n)'; exit 0; fi\n"
                     "echo \"unknown arguments: $*\" >&2; exit 2\n");
        script.close();
        QVERIFY(script.setPermissions(script.permissions() | QFileDevice::ExeOwner));
        const ProcessRun made = weft({QStringLiteral("deploy"), program + QStringLiteral(":legacy"),
                                      QStringLiteral("-n"), QStringLiteral("old")});
        QVERIFY2(made.code == 0, qPrintable(made.err));
        const HttpAnswer got = api("GET", QStringLiteral("/deployments/") + idIn(made.out));
        QCOMPARE(got.status, 200);
        QVERIFY(got.body.at("parameter_openapi_schema").is_null());
    }

    void concurrencyLimits() {
        const ProcessRun made = weft(L({"concurrency-limit", "create", "warehouse", "2"}));
        QVERIFY2(made.code == 0, qPrintable(made.err));
        QCOMPARE(api("GET", QStringLiteral("/concurrency_limits/tag/warehouse"))
                     .body.value("concurrency_limit", 0),
                 2);
        const ProcessRun ls = weft(L({"concurrency-limit", "ls", "--json"}));
        QCOMPARE(ls.code, 0);
        const json limits = json::parse(ls.out.toStdString());
        QCOMPARE(limits.size(), size_t(1));
        QCOMPARE(limits[0].value("tag", ""), std::string("warehouse"));
        QCOMPARE(limits[0].value("concurrency_limit", 0), 2);
        const ProcessRun table = weft(L({"concurrency-limit", "ls"}));
        QVERIFY2(table.out.contains(QStringLiteral("warehouse")), qPrintable(table.out));
        QCOMPARE(weft(L({"concurrency-limit", "delete", "warehouse"})).code, 0);
        const ProcessRun again = weft(L({"concurrency-limit", "delete", "warehouse"}));
        QCOMPARE(again.code, 1);
        QVERIFY2(again.err.contains(QStringLiteral("no concurrency limit for the tag warehouse")),
                 qPrintable(again.err));
    }

    void deploymentRunUnknown() {
        const ProcessRun r = weft(L({"deployment", "run", "nope/none"}));
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no deployment nope/none")), qPrintable(r.err));
        const ProcessRun bad = weft(L({"deployment", "run", "just-a-name"}));
        QCOMPARE(bad.code, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliDeploy)
#include "tst_cli_deploy.moc"

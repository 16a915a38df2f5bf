// `weft server start` as a user runs it: the Qt-free CLI starts weft-server, which answers over
// HTTP, refuses non-loopback hosts without --allow-unauthenticated, and on SIGTERM exits 0 with
// every acknowledged write in its database.
#include "serverprocess.h"

#include <QtTest>

using nlohmann::json;

namespace {

QString weftProgram() {
    return qEnvironmentVariable("WEFT_BIN_DIR") + QStringLiteral("/weft");
}

} // namespace

class TestServerProcess : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void startsAnswersAndStopsCleanlyOnSigterm() {
        QTemporaryDir home;
        QProcess server;
        server.setProcessChannelMode(QProcess::SeparateChannels);
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("WEFT_HOME"), home.path()); // default database: server.db
        server.setProcessEnvironment(env);
        server.start(weftProgram(), {QStringLiteral("server"), QStringLiteral("start"),
                                     QStringLiteral("--port"), QStringLiteral("0")});
        QVERIFY(server.waitForStarted());
        QByteArray err;
        const quint16 port = waitForPort(server, err);
        QVERIFY2(port != 0, err.constData());
        const QString base = QStringLiteral("http://127.0.0.1:%1/api").arg(port);

        auto health = request("GET", QUrl(base + QStringLiteral("/health")));
        QCOMPARE(health.status, 200);
        QCOMPARE(health.body, json(true));
        auto flow = request("POST", QUrl(base + QStringLiteral("/flows/")),
                            QByteArrayLiteral("{\"name\": \"kept\"}"));
        QCOMPARE(flow.status, 201);

        server.terminate(); // SIGTERM
        QVERIFY(server.waitForFinished(20000));
        QCOMPARE(server.exitStatus(), QProcess::NormalExit);
        QCOMPARE(server.exitCode(), 0);

        // The acknowledged write is in the default database.
        const QString db = home.filePath(QStringLiteral("server.db"));
        QVERIFY(QFile::exists(db));
        auto store = weft::Store::open(db.toStdString());
        auto kept = store->read([](weft::Reader& r) { return r.flow_by_name("kept"); });
        QVERIFY(kept);
        QCOMPARE(kept->id, flow.body.at("id").get<std::string>());
    }

    void schedulesDeploymentsOnItsOwn() {
        // weft-server runs the scheduler: a deployment's interval schedule becomes runs without
        // anyone asking, at the interval the environment sets.
        QTemporaryDir home;
        QProcess server;
        server.setProcessChannelMode(QProcess::SeparateChannels);
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("WEFT_HOME"), home.path());
        env.insert(QStringLiteral("WEFT_SERVER_SCHEDULER_INTERVAL_MS"), QStringLiteral("50"));
        server.setProcessEnvironment(env);
        server.start(weftProgram(), {QStringLiteral("server"), QStringLiteral("start"),
                                     QStringLiteral("--port"), QStringLiteral("0")});
        QVERIFY(server.waitForStarted());
        QByteArray err;
        const quint16 port = waitForPort(server, err);
        QVERIFY2(port != 0, err.constData());
        const QString base = QStringLiteral("http://127.0.0.1:%1/api").arg(port);
        auto flow = request("POST", QUrl(base + QStringLiteral("/flows/")),
                            QByteArrayLiteral(R"({"name": "etl"})"));
        QCOMPARE(flow.status, 201);
        const json deployment = {{"name", "hourly"},
                                 {"flow_id", flow.body.at("id")},
                                 {"schedules", {{{"schedule", {{"interval", 3600}}}}}}};
        auto created = request("POST", QUrl(base + QStringLiteral("/deployments/")),
                               QByteArray::fromStdString(deployment.dump()));
        QCOMPARE(created.status, 201);
        const QByteArray count = QByteArray::fromStdString(
            json({{"deployments", {{"id", {{"any_", {created.body.at("id")}}}}}}}).dump());
        // At least the next three runs, made by a tick.
        QTRY_COMPARE_WITH_TIMEOUT(
            request("POST", QUrl(base + QStringLiteral("/flow_runs/count")), count).body, json(3),
            10000);
        server.terminate();
        QVERIFY(server.waitForFinished(20000));
        QCOMPARE(server.exitCode(), 0);
    }

    void refusesNonLoopbackWithoutAuthentication() {
        QTemporaryDir home;
        QProcess server;
        server.start(weftProgram(),
                     {QStringLiteral("server"), QStringLiteral("start"), QStringLiteral("--host"),
                      QStringLiteral("0.0.0.0"), QStringLiteral("--port"), QStringLiteral("0"),
                      QStringLiteral("--db"), home.filePath(QStringLiteral("s.db"))});
        QVERIFY(server.waitForFinished(20000));
        QCOMPARE(server.exitCode(), 1);
        QVERIFY(server.readAllStandardError().contains("--allow-unauthenticated"));
        QVERIFY(!QFile::exists(home.filePath(QStringLiteral("s.db")))); // nothing was opened
    }

    void listensOnNonLoopbackWithAuthentication() {
        QTemporaryDir home;
        QProcess server;
        server.setProcessChannelMode(QProcess::SeparateChannels);
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("WEFT_SERVER_API_AUTH_STRING"), QStringLiteral("ann:s3cret"));
        server.setProcessEnvironment(env);
        server.start(weftProgram(),
                     {QStringLiteral("server"), QStringLiteral("start"), QStringLiteral("--host"),
                      QStringLiteral("0.0.0.0"), QStringLiteral("--port"), QStringLiteral("0"),
                      QStringLiteral("--db"), home.filePath(QStringLiteral("s.db"))});
        QVERIFY(server.waitForStarted());
        QByteArray err;
        const quint16 port = waitForPort(server, err);
        QVERIFY2(port != 0, err.constData());
        const QString base = QStringLiteral("http://127.0.0.1:%1/api").arg(port);
        QCOMPARE(request("GET", QUrl(base + QStringLiteral("/health"))).status, 200);
        QCOMPARE(request("GET", QUrl(base + QStringLiteral("/version"))).status, 401);
        QCOMPARE(request("GET", QUrl(base + QStringLiteral("/version")), {},
                         "Basic " + QByteArray("ann:s3cret").toBase64())
                     .status,
                 200);
        server.terminate();
        QVERIFY(server.waitForFinished(20000));
        QCOMPARE(server.exitCode(), 0);
    }

    void refusesAnAuthStringWithoutColon() {
        QTemporaryDir home;
        QProcess server;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("WEFT_SERVER_API_AUTH_STRING"), QStringLiteral("justapassword"));
        server.setProcessEnvironment(env);
        server.start(weftProgram(),
                     {QStringLiteral("server"), QStringLiteral("start"), QStringLiteral("--port"),
                      QStringLiteral("0"), QStringLiteral("--db"),
                      home.filePath(QStringLiteral("s.db"))});
        QVERIFY(server.waitForFinished(20000));
        QCOMPARE(server.exitCode(), 1);
        QVERIFY(server.readAllStandardError().contains("user:password"));
    }
};

QTEST_GUILESS_MAIN(TestServerProcess)
#include "tst_server_process.moc"

// `weft server start` as a user runs it: the Qt-free CLI starts weft-server, which answers over
// HTTP, refuses non-loopback hosts without --allow-unauthenticated, and on SIGTERM exits 0 with
// every acknowledged write in its database.
#include "serverfixture.h"

#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

using nlohmann::json;

namespace {

QString weftProgram() {
    return qEnvironmentVariable("WEFT_BIN_DIR") + QStringLiteral("/weft");
}

// Waits for the server's "listening on http://127.0.0.1:PORT/api" line; 0 when it never comes.
quint16 waitForPort(QProcess& server, QByteArray& err) {
    static const QRegularExpression listening(
        QStringLiteral("listening on http://[^:]+:(\\d+)/api"));
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 20000) {
        if (!server.waitForReadyRead(1000) && server.state() != QProcess::Running) return 0;
        err += server.readAllStandardError();
        const auto m = listening.match(QString::fromUtf8(err));
        if (m.hasMatch()) return quint16(m.captured(1).toUInt());
    }
    return 0;
}

HttpAnswer request(const QByteArray& method, const QUrl& url, const QByteArray& body = {},
                   const QByteArray& authorization = {}) {
    QNetworkAccessManager network;
    QNetworkRequest r(url);
    r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!authorization.isEmpty()) r.setRawHeader("Authorization", authorization);
    QNetworkReply* reply = network.sendCustomRequest(r, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    HttpAnswer a;
    if (!reply->isFinished() && !finished.wait(10000)) return a;
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.raw = reply->readAll();
    a.body = json::parse(a.raw.toStdString(), nullptr, false);
    delete reply;
    return a;
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

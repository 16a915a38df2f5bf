// The server killed with SIGKILL while clients write: every write it acknowledged is in the
// database when it starts again on the same file, and it carries on serving (design §8).
#include "serverprocess.h"

#include <QtTest>

#include <map>

using nlohmann::json;

namespace {

QString serverProgram() {
    return qEnvironmentVariable("WEFT_BIN_DIR") + QStringLiteral("/weft-server");
}

// Starts weft-server on `db` at a free port; 0 when it does not say where it listens.
quint16 startServer(QProcess& server, const QString& db, QByteArray& err) {
    server.setProcessChannelMode(QProcess::SeparateChannels);
    server.start(serverProgram(),
                 {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--db"), db});
    return server.waitForStarted() ? waitForPort(server, err) : 0;
}

QNetworkRequest jsonRequest(const QString& url) {
    QNetworkRequest r{QUrl(url)};
    r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    return r;
}

} // namespace

class TestServerKill9 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void acknowledgedWritesSurviveSigkill() {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("server.db"));
        QProcess server;
        QByteArray err;
        quint16 port = startServer(server, db, err);
        QVERIFY2(port != 0, err.constData());
        QString base = QStringLiteral("http://127.0.0.1:%1/api").arg(port);

        QNetworkAccessManager network;
        auto flow = network.post(jsonRequest(base + QStringLiteral("/flows/")),
                                 QByteArrayLiteral("{\"name\": \"etl\"}"));
        QSignalSpy flowDone(flow, &QNetworkReply::finished);
        QVERIFY(flowDone.wait(10000));
        const std::string flowId = json::parse(flow->readAll().toStdString()).at("id");

        // Many creations in flight at once; the server is killed once a third are answered, so
        // some are acknowledged, some in flight and some not yet sent.
        constexpr int kRuns = 300;
        std::map<std::string, std::string> acknowledged; // run id → its name
        int answered = 0;
        bool killed = false;
        for (int i = 0; i < kRuns; ++i) {
            const std::string name = "run-" + std::to_string(i);
            const json body = {{"flow_id", flowId}, {"name", name}};
            QNetworkReply* reply = network.post(jsonRequest(base + QStringLiteral("/flow_runs/")),
                                                QByteArray::fromStdString(body.dump()));
            connect(reply, &QNetworkReply::finished, this, [&, reply, name] {
                ++answered;
                const int status =
                    reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                if (status == 201) {
                    auto j = json::parse(reply->readAll().toStdString(), nullptr, false);
                    if (j.is_object() && j.contains("id")) acknowledged[j["id"]] = name;
                }
                reply->deleteLater();
                if (!killed && answered >= kRuns / 3) {
                    killed = true;
                    server.kill(); // SIGKILL: no shutdown code runs
                }
            });
        }
        QTRY_VERIFY_WITH_TIMEOUT(answered == kRuns, 30000);
        QVERIFY(killed);
        QTRY_COMPARE_WITH_TIMEOUT(server.state(), QProcess::NotRunning, 10000);
        QCOMPARE(server.exitStatus(), QProcess::CrashExit);
        QVERIFY(acknowledged.size() >= size_t(kRuns / 3));
        QVERIFY2(acknowledged.size() < size_t(kRuns), "the kill came after every answer");

        // Started again on the same file: every acknowledged run is there, by id and name.
        QProcess again;
        err.clear();
        port = startServer(again, db, err);
        QVERIFY2(port != 0, err.constData());
        base = QStringLiteral("http://127.0.0.1:%1/api").arg(port);
        auto count = request("POST", QUrl(base + QStringLiteral("/flow_runs/count")), "{}");
        QCOMPARE(count.status, 200);
        QVERIFY(count.body.get<std::int64_t>() >= std::int64_t(acknowledged.size()));
        for (const auto& [id, name] : acknowledged) {
            auto run = request(
                "GET", QUrl(base + QStringLiteral("/flow_runs/") + QString::fromStdString(id)));
            QCOMPARE(run.status, 200);
            QCOMPARE(run.body.at("name").get<std::string>(), name);
        }
        // And it carries on: a new run is created and read back.
        auto created = request("POST", QUrl(base + QStringLiteral("/flow_runs/")),
                               QByteArray::fromStdString(json{{"flow_id", flowId}}.dump()));
        QCOMPARE(created.status, 201);
        again.terminate();
        QVERIFY(again.waitForFinished(20000));
        QCOMPARE(again.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestServerKill9)
#include "tst_server_kill9.moc"

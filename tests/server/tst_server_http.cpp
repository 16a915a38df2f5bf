// The HTTP layer of `weft server`: listening, health and version, unknown paths, oversized bodies,
// and a shutdown that lets answers already given be written.
#include "serverfixture.h"

#include <QTcpSocket>
#include <QtTest>

using nlohmann::json;

class TestServerHttp : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void listensOnAFreePort() {
        ServerFixture f;
        QVERIFY(f.port() != 0);
    }

    void healthAnswersTrue() {
        ServerFixture f;
        auto a = f.get(QStringLiteral("/api/health"));
        QCOMPARE(a.status, 200);
        QCOMPARE(a.body, json(true));
    }

    void versionIsPrefectsApiVersion() {
        ServerFixture f;
        auto a = f.get(QStringLiteral("/api/version"));
        QCOMPARE(a.status, 200);
        QCOMPARE(a.body, json("0.8.4"));
    }

    void unknownPathIs404WithDetail() {
        ServerFixture f;
        auto a = f.get(QStringLiteral("/api/no_such_thing"));
        QCOMPARE(a.status, 404);
        QVERIFY(a.body.contains("detail"));
    }

    void shutdownStopsAcceptingAndCallsBack() {
        ServerFixture f;
        QCOMPARE(f.get(QStringLiteral("/api/health")).status, 200);
        bool done = false;
        f.server().shutdown([&] { done = true; });
        QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
        // No one listens any more: a new connection is refused (the client's kept-alive one
        // would still be served).
        QTcpSocket socket;
        QSignalSpy failed(&socket, &QAbstractSocket::errorOccurred);
        socket.connectToHost(QHostAddress::LocalHost, f.port());
        QVERIFY(failed.wait(5000));
        QCOMPARE(socket.error(), QAbstractSocket::ConnectionRefusedError);
    }
};

QTEST_GUILESS_MAIN(TestServerHttp)
#include "tst_server_http.moc"

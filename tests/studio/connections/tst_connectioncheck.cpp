// "Test connection" against small fake servers: connected, refused credentials, another major
// version, not an API, nobody there.
#include "connections/connectioncheck.h"
#include "fakehttpserver.h"

#include <QSslSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace weft::studio;
using weft::studio::test::FakeHttpServer;

namespace {
std::optional<CheckResult> check(const QUrl& api, const QString& token = {}, const QString& ca = {},
                                 bool ignoreTls = false) {
    ConnectionCheck checker;
    std::optional<CheckResult> result;
    RemoteSettings s;
    s.apiUrl = api;
    s.token = token;
    s.caCertificateFile = ca;
    s.ignoreTlsErrors = ignoreTls;
    checker.start(s, [&](CheckResult r) { result = std::move(r); });
    QElapsedTimer clock;
    clock.start();
    while (!result && clock.elapsed() < 15000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return result;
}
} // namespace

class TestConnectionCheck : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void connected() {
        FakeHttpServer server;
        server.answers.insert("/api/health", {200, "true"});
        server.answers.insert("/api/version", {200, R"("0.8.4")"});
        server.answers.insert("/api/admin/version", {200, R"("3.1.15")"});
        const auto r = check(server.api(), QStringLiteral("me:pw"));
        QVERIFY(r);
        QCOMPARE(r->health, ConnectionHealth::Connected);
        QVERIFY2(r->message.contains(QStringLiteral("3.1.15")), qPrintable(r->message));
        QCOMPARE(server.authorizations.value(1),
                 QByteArray("Basic ") + QByteArray("me:pw").toBase64());
    }
    void withoutAdminVersionTheApiVersionIsEnough() {
        FakeHttpServer server;
        server.answers.insert("/api/health", {200, "true"});
        server.answers.insert("/api/version", {200, R"("0.8.4")"});
        const auto r = check(server.api());
        QVERIFY(r);
        QCOMPARE(r->health, ConnectionHealth::Connected);
        QVERIFY(r->message.contains(QStringLiteral("0.8.4")));
    }
    void refusedCredentials() {
        FakeHttpServer server;
        server.answers.insert("/api/health", {200, "true"}); // /health answers everyone
        server.answers.insert("/api/version", {401, R"({"exception_message":"Unauthorized"})"});
        const auto r = check(server.api(), QStringLiteral("wrong"));
        QVERIFY(r);
        QCOMPARE(r->health, ConnectionHealth::AuthFailed);
        QVERIFY(r->message.contains(QStringLiteral("401")));
    }
    void anotherMajorVersion() {
        FakeHttpServer server;
        server.answers.insert("/api/health", {200, "true"});
        server.answers.insert("/api/version", {200, R"("0.8.4")"});
        server.answers.insert("/api/admin/version", {200, R"("2.19.0")"});
        const auto r = check(server.api());
        QVERIFY(r);
        QCOMPARE(r->health, ConnectionHealth::Incompatible);
        QVERIFY(r->message.contains(QStringLiteral("2.19.0")));
    }
    void notAnApi() {
        FakeHttpServer server; // a web page where the API should be
        server.answers.insert("/api/health", {200, "<!DOCTYPE html><html>hi</html>", "text/html"});
        const auto r = check(server.api());
        QVERIFY(r);
        QCOMPARE(r->health, ConnectionHealth::Reconnecting);
        QVERIFY2(r->message.contains(QStringLiteral("not JSON")), qPrintable(r->message));
        FakeHttpServer empty; // every path 404
        const auto missing = check(empty.api());
        QVERIFY(missing);
        QCOMPARE(missing->health, ConnectionHealth::Incompatible);
        QVERIFY(missing->message.contains(QStringLiteral("/api/health")));
    }
    void nobodyThere() {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const QUrl api(QStringLiteral("http://127.0.0.1:%1/api").arg(closed.serverPort()));
        closed.close();
        const auto r = check(api);
        QVERIFY(r);
        QCOMPARE(r->health, ConnectionHealth::Reconnecting);
        QVERIFY(r->message.contains(QStringLiteral("could not be reached")));
    }
    // A server with its own (self-signed) certificate: refused by default, trusted with its
    // certificate as the profile's CA, or with TLS errors ignored.
    void tlsWithItsOwnCertificate() {
        if (!QSslSocket::supportsSsl()) QSKIP("no TLS backend");
        QTemporaryDir dir;
        const auto tls = test::makeSelfSigned(dir.path());
        if (!tls) QSKIP("the openssl program is needed to make a certificate");
        FakeHttpServer server(&tls->server);
        server.answers.insert("/api/health", {200, "true"});
        server.answers.insert("/api/version", {200, R"("0.8.4")"});
        QCOMPARE(server.api().scheme(), QStringLiteral("https"));

        const auto refused = check(server.api());
        QVERIFY(refused);
        QCOMPARE(refused->health, ConnectionHealth::Reconnecting);
        QVERIFY2(refused->message.contains(QStringLiteral("could not be reached")),
                 qPrintable(refused->message));

        const auto trusted = check(server.api(), {}, tls->certificateFile);
        QVERIFY(trusted);
        QVERIFY2(trusted->health == ConnectionHealth::Connected, qPrintable(trusted->message));

        const auto ignoring = check(server.api(), {}, {}, true);
        QVERIFY(ignoring);
        QVERIFY2(ignoring->health == ConnectionHealth::Connected, qPrintable(ignoring->message));
    }

    // An unreadable CA certificate is said, not silently replaced by the system's trust.
    void unreadableCaCertificate() {
        ConnectionCheck checker;
        std::optional<CheckResult> result;
        RemoteSettings s;
        s.apiUrl = QUrl(QStringLiteral("https://127.0.0.1:1/api"));
        s.caCertificateFile = QStringLiteral("/nonexistent/ca.pem");
        checker.start(s, [&](CheckResult r) { result = std::move(r); });
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 15000);
        QVERIFY2(result->message.contains(QStringLiteral("/nonexistent/ca.pem")),
                 qPrintable(result->message));
    }
};

QTEST_GUILESS_MAIN(TestConnectionCheck)
#include "tst_connectioncheck.moc"

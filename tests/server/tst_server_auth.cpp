// Authentication of `weft server`: HTTP basic auth (WEFT_SERVER_API_AUTH_STRING) and a bearer
// token, every route but health behind them, 401 with a JSON body and WWW-Authenticate otherwise.
#include "serverfixture.h"

#include <QtTest>

using nlohmann::json;
using weft::server::Auth;
using weft::server::AuthConfig;

namespace {

QByteArray basic(const QByteArray& userPassword) {
    return "Basic " + userPassword.toBase64();
}

} // namespace

class TestServerAuth : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void secretsCompareEqualOnlyWhenEqual() {
        QVERIFY(weft::server::constant_time_equal("user:pw", "user:pw"));
        QVERIFY(!weft::server::constant_time_equal("user:pw", "user:pX"));
        QVERIFY(!weft::server::constant_time_equal("user:pw", "user:pw2"));
        QVERIFY(!weft::server::constant_time_equal("", "x"));
    }

    void headerVerdicts_data() {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<int>("verdict");
        using V = Auth::Verdict;
        QTest::addRow("none") << QByteArray() << int(V::Missing);
        QTest::addRow("basic right") << basic("ann:s3cret") << int(V::Allowed);
        QTest::addRow("basic scheme any case")
            << ("bAsIc " + QByteArray("ann:s3cret").toBase64()) << int(V::Allowed);
        QTest::addRow("basic wrong password") << basic("ann:guess") << int(V::Wrong);
        QTest::addRow("basic wrong user") << basic("bob:s3cret") << int(V::Wrong);
        QTest::addRow("basic not base64") << QByteArray("Basic ***") << int(V::Malformed);
        QTest::addRow("basic without colon") << basic("anns3cret") << int(V::Malformed);
        QTest::addRow("basic empty") << QByteArray("Basic ") << int(V::Malformed);
        QTest::addRow("bearer right") << QByteArray("Bearer k-123") << int(V::Allowed);
        QTest::addRow("bearer wrong") << QByteArray("Bearer k-124") << int(V::Wrong);
        QTest::addRow("bearer empty") << QByteArray("Bearer ") << int(V::Malformed);
        QTest::addRow("unknown scheme") << QByteArray("Digest abc") << int(V::Malformed);
        QTest::addRow("no scheme") << QByteArray("k-123") << int(V::Malformed);
    }
    void headerVerdicts() {
        QFETCH(QByteArray, header);
        QFETCH(int, verdict);
        const Auth auth(AuthConfig{"ann:s3cret", "k-123"});
        QCOMPARE(int(auth.check(header)), verdict);
    }

    void offByDefault() {
        const Auth auth;
        QVERIFY(!auth.enabled());
        QCOMPARE(auth.check({}), Auth::Verdict::Allowed);
        QVERIFY(auth.accepts_token("anything"));
    }

    void webSocketTokensAreTheRawSecrets() {
        const Auth auth(AuthConfig{"ann:s3cret", "k-123"});
        QVERIFY(auth.accepts_token("ann:s3cret"));
        QVERIFY(auth.accepts_token("k-123"));
        QVERIFY(!auth.accepts_token(""));
        QVERIFY(!auth.accepts_token("ann:guess"));
    }

    void basicAuthGuardsEveryRouteButHealth() {
        ServerFixture f(Auth(AuthConfig{"ann:s3cret", {}}));
        auto refused = f.post(QStringLiteral("/api/flows/filter"), json::object());
        QCOMPARE(refused.status, 401);
        QCOMPARE(refused.body.value("exception_message", ""), "Unauthorized");
        QCOMPARE(refused.header("WWW-Authenticate"),
                 QList<QByteArray>{QByteArrayLiteral("Basic realm=\"weft\"")});
        QCOMPARE(f.get(QStringLiteral("/api/version")).status, 401);
        QCOMPARE(f.get(QStringLiteral("/api/no_such_thing")).status, 401);
        // Nothing was written by a refused request.
        QCOMPARE(f.post(QStringLiteral("/api/flows/"), {{"name", "sneaky"}}).status, 401);

        auto health = f.get(QStringLiteral("/api/health"));
        QCOMPARE(health.status, 200);
        QCOMPARE(health.body, json(true));

        f.setHeader("Authorization", basic("ann:s3cret"));
        QCOMPARE(f.post(QStringLiteral("/api/flows/filter"), json::object()).status, 200);
        QCOMPARE(f.get(QStringLiteral("/api/no_such_thing")).status, 404);
        QCOMPARE(f.post(QStringLiteral("/api/flows/"), {{"name", "etl"}}).status, 201);
        auto flows = f.post(QStringLiteral("/api/flows/filter"), json::object());
        QCOMPARE(flows.body.size(), size_t(1)); // "sneaky" never got in

        f.setHeader("Authorization", basic("ann:guess"));
        auto wrong = f.post(QStringLiteral("/api/flows/filter"), json::object());
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.body.value("exception_message", ""), "Unauthorized");

        f.setHeader("Authorization", "Basic %%%");
        QCOMPARE(f.post(QStringLiteral("/api/flows/filter"), json::object()).status, 401);
        // A bearer token is not a password.
        f.setHeader("Authorization", "Bearer ann:s3cret");
        QCOMPARE(f.post(QStringLiteral("/api/flows/filter"), json::object()).status, 401);
    }

    void bearerTokenGuardsEveryRouteButHealth() {
        ServerFixture f(Auth(AuthConfig{{}, "k-123"}));
        auto refused = f.post(QStringLiteral("/api/flows/filter"), json::object());
        QCOMPARE(refused.status, 401);
        QCOMPARE(refused.header("WWW-Authenticate"),
                 QList<QByteArray>{QByteArrayLiteral("Bearer realm=\"weft\"")});
        QCOMPARE(f.get(QStringLiteral("/api/health")).status, 200);

        f.setHeader("Authorization", "Bearer k-123");
        QCOMPARE(f.post(QStringLiteral("/api/flows/filter"), json::object()).status, 200);
        f.setHeader("Authorization", "Bearer k-12");
        QCOMPARE(f.post(QStringLiteral("/api/flows/filter"), json::object()).status, 401);
        f.setHeader("Authorization", basic("k:123"));
        QCOMPARE(f.post(QStringLiteral("/api/flows/filter"), json::object()).status, 401);
    }

    void bothSchemesAtOnce() {
        ServerFixture f(Auth(AuthConfig{"ann:s3cret", "k-123"}));
        // Both challenges (the client joins repeated headers with ", ").
        const QByteArray challenges = f.post(QStringLiteral("/api/flows/filter"), json::object())
                                          .header("WWW-Authenticate")
                                          .join(", ");
        QVERIFY2(challenges.contains("Basic realm") && challenges.contains("Bearer realm"),
                 challenges.constData());
        f.setHeader("Authorization", basic("ann:s3cret"));
        QCOMPARE(f.post(QStringLiteral("/api/flows/filter"), json::object()).status, 200);
        f.setHeader("Authorization", "Bearer k-123");
        QCOMPARE(f.post(QStringLiteral("/api/flows/filter"), json::object()).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestServerAuth)
#include "tst_server_auth.moc"

// The connection list: "Local database" first, then the profiles, each with a health the app
// sets by hand or by following a backend.
#include "backend/remotebackend.h"
#include "connections/connectionlistmodel.h"
#include "fakehttpserver.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace weft::studio;
using weft::studio::test::FakeHttpServer;

namespace {
ConnectionProfile sample(const QString& name, const QString& url) {
    ConnectionProfile p;
    p.name = name;
    p.apiUrl = QUrl(url);
    return p;
}
} // namespace

class TestConnectionListModel : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void localFirstThenProfiles() {
        QSettings settings(m_dir.filePath(QStringLiteral("a.ini")), QSettings::IniFormat);
        ProfileStore store(&settings);
        ConnectionListModel model(&store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0).data().toString(), QStringLiteral("Local database"));
        QVERIFY(model.index(0).data(ConnectionListModel::IsLocalRole).toBool());
        QCOMPARE(model.idAt(0), ConnectionListModel::kLocalId);
        model.setLocalDatabase(QStringLiteral("/tmp/weft.db"));
        QCOMPARE(model.index(0).data(ConnectionListModel::UrlRole).toString(),
                 QStringLiteral("/tmp/weft.db"));

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        const QString zed =
            store.add(sample(QStringLiteral("zed"), QStringLiteral("http://z/api")));
        const QString abc =
            store.add(sample(QStringLiteral("abc"), QStringLiteral("http://a/api")));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(inserted.count(), 2); // one row each, not a reset: a view keeps its selection
        QCOMPARE(inserted[1][1].toInt(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.index(1).data(ConnectionListModel::NameRole).toString(),
                 QStringLiteral("abc"));
        QCOMPARE(model.index(2).data(ConnectionListModel::UrlRole).toString(),
                 QStringLiteral("http://z/api"));
        QCOMPARE(model.rowOf(zed), 2);
        QCOMPARE(model.idAt(1), abc);
        QCOMPARE(model.rowOf(QStringLiteral("gone")), -1);

        // Health is kept by id: it follows its row when a rename moves it.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setHealth(zed, ConnectionHealth::AuthFailed, QStringLiteral("answered 401"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][0].value<QModelIndex>().row(), 2);
        model.setHealth(zed, ConnectionHealth::AuthFailed, QStringLiteral("answered 401"));
        QCOMPARE(changed.count(), 1); // no change, no signal
        auto p = *store.profile(zed);
        p.name = QStringLiteral("aaa");
        store.update(p);
        QCOMPARE(model.rowOf(zed), 1);
        QCOMPARE(model.index(1).data(ConnectionListModel::HealthRole).value<ConnectionHealth>(),
                 ConnectionHealth::AuthFailed);
        QVERIFY(model.index(1)
                    .data(ConnectionListModel::HealthTextRole)
                    .toString()
                    .startsWith(QStringLiteral("auth failed")));
        QCOMPARE(model.index(2).data(ConnectionListModel::HealthRole).value<ConnectionHealth>(),
                 ConnectionHealth::NotConnected);
        QCOMPARE(reset.count(), 1); // the rename moved a row
        // An edit that keeps the order changes data only.
        changed.clear();
        p.apiUrl = QUrl(QStringLiteral("http://aaa/api"));
        store.update(p);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(1).data(ConnectionListModel::UrlRole).toString(),
                 QStringLiteral("http://aaa/api"));
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        store.remove(abc);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed[0][1].toInt(), 2);
    }

    // One word and one colour per health, for the sidebar, the status bar and the dialog alike:
    // each says something of its own, and what needs a person is red.
    void healthWordsAndColours_data() {
        QTest::addColumn<ConnectionHealth>("health");
        QTest::addColumn<QString>("word");
        QTest::addRow("not connected") << ConnectionHealth::NotConnected << "not connected";
        QTest::addRow("connecting") << ConnectionHealth::Connecting << "connecting…";
        QTest::addRow("connected") << ConnectionHealth::Connected << "connected";
        QTest::addRow("reconnecting") << ConnectionHealth::Reconnecting << "reconnecting";
        QTest::addRow("auth failed") << ConnectionHealth::AuthFailed << "auth failed";
        QTest::addRow("incompatible") << ConnectionHealth::Incompatible << "incompatible version";
        QTest::addRow("failed") << ConnectionHealth::Failed << "error";
    }
    void healthWordsAndColours() {
        QFETCH(ConnectionHealth, health);
        QFETCH(QString, word);
        QCOMPARE(healthText(health), word);
        QVERIFY(healthColor(health).isValid());
        const QColor red = healthColor(ConnectionHealth::Failed);
        const bool needsAPerson = health == ConnectionHealth::AuthFailed
                                  || health == ConnectionHealth::Incompatible
                                  || health == ConnectionHealth::Failed;
        QCOMPARE(healthColor(health) == red, needsAPerson);
    }

    void healthFromErrors() {
        QCOMPARE(healthFromError(true, {}), ConnectionHealth::Connected);
        QCOMPARE(healthFromError(false,
                                 QStringLiteral("Server http://h/api answered 401: Unauthorized")),
                 ConnectionHealth::AuthFailed);
        QCOMPARE(healthFromError(false, QStringLiteral("Server http://h/api answered 403.")),
                 ConnectionHealth::AuthFailed);
        QCOMPARE(healthFromError(false, QStringLiteral("Server http://h/api answered 500: locked")),
                 ConnectionHealth::Reconnecting);
        QCOMPARE(healthFromError(false, QStringLiteral("Server http://h/api answered 4010 rows")),
                 ConnectionHealth::Reconnecting);
        QCOMPARE(healthFromError(false, QStringLiteral("Server http://h/api could not be reached")),
                 ConnectionHealth::Reconnecting);
    }

    // A backend refused for its credentials shows "auth failed"; one whose server is away,
    // "reconnecting"; one that opens, "connected".
    void followsBackends() {
        QSettings settings(m_dir.filePath(QStringLiteral("b.ini")), QSettings::IniFormat);
        ProfileStore store(&settings);
        ConnectionListModel model(&store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        FakeHttpServer refusing;
        refusing.answers.insert("/api/flows/filter",
                                {401, R"({"exception_message":"Unauthorized"})"});
        FakeHttpServer fine;
        fine.fallback = {200, "[]"}; // every list empty, the polls' included
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 closedPort = closed.serverPort();
        closed.close();

        ConnectionProfile withKey = sample(QStringLiteral("a"), refusing.api().toString());
        withKey.auth = AuthKind::Bearer;
        const QString a = store.add(withKey);
        const QString b = store.add(sample(QStringLiteral("b"), fine.api().toString()));
        const QString c = store.add(
            sample(QStringLiteral("c"), QStringLiteral("http://127.0.0.1:%1/api").arg(closedPort)));
        const auto open = [&](const QString& id) {
            RemoteSettings s = remoteSettings(*store.profile(id), QStringLiteral("key"));
            s.liveEvents = false;
            auto* backend = new RemoteBackend(s, this);
            model.follow(id, backend);
            backend->open();
            return backend;
        };
        open(a);
        RemoteBackend* good = open(b);
        open(c);
        QTRY_COMPARE_WITH_TIMEOUT(model.health(a), ConnectionHealth::AuthFailed, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(model.health(b), ConnectionHealth::Connected, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(model.health(c), ConnectionHealth::Reconnecting, 15000);
        QVERIFY(model.index(model.rowOf(c))
                    .data(ConnectionListModel::HealthTextRole)
                    .toString()
                    .contains(QStringLiteral("could not be reached")));
        QCOMPARE(refusing.authorizations.value(0), QByteArray("Bearer key"));

        // A backend that goes away stops reporting; following another one takes over.
        delete good;
        model.setHealth(b, ConnectionHealth::NotConnected);
        QCOMPARE(model.health(b), ConnectionHealth::NotConnected);
    }
};

QTEST_GUILESS_MAIN(TestConnectionListModel)
#include "tst_connectionlistmodel.moc"

// Profiles in a QSettings file, secrets in a (fake) keychain; without a keychain, secrets are
// kept for the session only and never reach the settings file.
#include "connections/keychainsecretstore.h"
#include "connections/memorysecretstore.h"
#include "connections/profilesettings.h"
#include "connections/profilestore.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace weft::studio;

namespace {

ConnectionProfile sample(const QString& name, const QString& url) {
    ConnectionProfile p;
    p.name = name;
    p.apiUrl = QUrl(url);
    return p;
}

// Waits for a read's answer (the event loop running), at most 15 s.
std::optional<Result<QString>> readSecret(SecretStore& store, const QString& key) {
    QObject context;
    std::optional<Result<QString>> answer;
    store.read(key, &context, [&](Result<QString> r) { answer.emplace(std::move(r)); });
    QElapsedTimer clock;
    clock.start();
    while (!answer && clock.elapsed() < 15000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return answer;
}

bool writeSecret(SecretStore& store, const QString& key, const QString& secret) {
    QObject context;
    bool done = false;
    store.write(key, secret, &context, [&](const QString&) { done = true; });
    QElapsedTimer clock;
    clock.start();
    while (!done && clock.elapsed() < 15000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return done;
}

QByteArray fileText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestProfileStore : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString settingsPath() const { return m_dir.filePath(QStringLiteral("studio.ini")); }

private Q_SLOTS:
    void init() { QFile::remove(settingsPath()); }

    void addEditRemoveRoundTrip() {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        ProfileStore store(&settings);
        QSignalSpy changed(&store, &ProfileStore::profilesChanged);
        ConnectionProfile p =
            sample(QStringLiteral("staging"), QStringLiteral("https://prefect.example.com/api"));
        p.auth = AuthKind::Basic;
        p.userName = QStringLiteral("ops");
        p.caCertificate = QStringLiteral("/etc/ssl/our-ca.pem");
        p.ignoreTlsErrors = true;
        const QString id = store.add(p);
        QVERIFY(!id.isEmpty());
        const QString other =
            store.add(sample(QStringLiteral("Alpha"), QStringLiteral("http://127.0.0.1:4200/api")));
        QCOMPARE(changed.count(), 2);

        // A second store on the same file (Studio started again) reads the same profiles.
        QSettings again(settingsPath(), QSettings::IniFormat);
        ProfileStore reread(&again);
        const auto all = reread.profiles();
        QCOMPARE(all.size(), size_t(2));
        QCOMPARE(all[0].name, QStringLiteral("Alpha")); // sorted by name, case-insensitively
        p.id = id;
        QCOMPARE(all[1], p);

        p.name = QStringLiteral("production");
        p.auth = AuthKind::Bearer;
        QVERIFY(store.update(p));
        QCOMPARE(*store.profile(id), p);
        QVERIFY(store.findByUrl(QUrl(QStringLiteral("https://PREFECT.example.com:443/api/"))));

        QVERIFY(store.remove(other));
        QVERIFY(!store.remove(other));
        ConnectionProfile unknown = p;
        unknown.id = QStringLiteral("no-such-id");
        QVERIFY(!store.update(unknown));
        QCOMPARE(store.profiles().size(), size_t(1));
        QCOMPARE(changed.count(), 4);
    }

    // A hand-edited entry with an unknown auth kind is listed (to be fixed), not dropped.
    void handEditedEntryIsKept() {
        {
            QSettings settings(settingsPath(), QSettings::IniFormat);
            settings.setValue(QStringLiteral("connections/abc/url"),
                              QStringLiteral("http://h:4200/api"));
            settings.setValue(QStringLiteral("connections/abc/auth"), QStringLiteral("kerberos"));
        }
        QSettings settings(settingsPath(), QSettings::IniFormat);
        ProfileStore store(&settings);
        const auto all = store.profiles();
        QCOMPARE(all.size(), size_t(1));
        QCOMPARE(all[0].auth, AuthKind::None);
        QCOMPARE(all[0].name, QStringLiteral("http://h:4200/api"));
    }

    void secretsGoToTheKeychainNotTheSettings() {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        ProfileStore store(&settings);
        MemorySecretStore secrets;
        ConnectionProfile p =
            sample(QStringLiteral("cloud"), QStringLiteral("https://api.prefect.cloud/api"));
        p.auth = AuthKind::Bearer;
        const QString id = store.add(p);
        const QString key = QStringLiteral("pnu_secretkey0123456789");
        QVERIFY(writeSecret(secrets, id, key));
        QCOMPARE(secrets.keychain().value(id), key);
        QCOMPARE(readSecret(secrets, id)->value(), key);
        settings.sync();
        const QByteArray text = fileText(settingsPath());
        QVERIFY(text.contains("api.prefect.cloud"));
        QVERIFY(!text.contains(key.toUtf8()));

        QVERIFY(writeSecret(secrets, id, QString())); // an empty secret removes it
        QVERIFY(!secrets.keychain().contains(id));
        QCOMPARE(readSecret(secrets, id)->value(), QString());
    }

    // Opening a profile: its settings carry the secret from the store, as RestClient wants it.
    void remoteSettingsCarryTheSecret() {
        MemorySecretStore secrets;
        ConnectionProfile p = sample(QStringLiteral("s"), QStringLiteral("https://s/api"));
        p.id = QStringLiteral("p1");
        p.auth = AuthKind::Basic;
        p.userName = QStringLiteral("ops");
        p.caCertificate = QStringLiteral("/ca.pem");
        QVERIFY(writeSecret(secrets, p.id, QStringLiteral("pw")));
        QObject context;
        std::optional<RemoteSettings> settings;
        readRemoteSettings(p, secrets, &context, [&](RemoteSettings s) { settings = s; });
        QTRY_VERIFY(settings.has_value());
        QCOMPARE(settings->apiUrl, p.apiUrl);
        QCOMPARE(settings->token, QStringLiteral("ops:pw")); // HTTP basic
        QCOMPARE(settings->caCertificateFile, QStringLiteral("/ca.pem"));

        p.auth = AuthKind::Bearer;
        settings.reset();
        readRemoteSettings(p, secrets, &context, [&](RemoteSettings s) { settings = s; });
        QTRY_VERIFY(settings.has_value());
        QCOMPARE(settings->token, QStringLiteral("pw"));

        p.auth = AuthKind::None;
        settings.reset();
        readRemoteSettings(p, secrets, &context, [&](RemoteSettings s) { settings = s; });
        QTRY_VERIFY(settings.has_value());
        QVERIFY(settings->token.isEmpty());
    }

    // No keychain (no Secret Service): the secret is kept for the session, the user is told
    // once, and nothing is written in plain text.
    void withoutKeychainSecretsStayInMemory() {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        ProfileStore store(&settings);
        MemorySecretStore secrets;
        secrets.setAvailable(false);
        QSignalSpy told(&secrets, &SecretStore::keychainUnavailable);
        const QString a = store.add(sample(QStringLiteral("a"), QStringLiteral("http://a/api")));
        const QString b = store.add(sample(QStringLiteral("b"), QStringLiteral("http://b/api")));
        QVERIFY(writeSecret(secrets, a, QStringLiteral("first-secret")));
        QVERIFY(writeSecret(secrets, b, QStringLiteral("second-secret")));
        QCOMPARE(told.count(), 1);
        QVERIFY(secrets.isSessionOnly());
        QVERIFY(secrets.keychain().isEmpty());
        QCOMPARE(readSecret(secrets, a)->value(), QStringLiteral("first-secret"));
        QCOMPARE(readSecret(secrets, b)->value(), QStringLiteral("second-secret"));
        const int calls = secrets.calls();
        secrets.remove(b);
        QCOMPARE(readSecret(secrets, b)->value(), QString());
        QCOMPARE(secrets.calls(), calls); // the keychain is not asked again this session
        QCOMPARE(told.count(), 1);
        settings.sync();
        const QByteArray text = fileText(settingsPath());
        QVERIFY(!text.contains("first-secret"));
        QVERIFY(!text.isEmpty());
    }

    // The system keychain through QtKeychain: stored there, or (on a box without one, as CI)
    // kept for the session; either way read back and never in the settings file.
    void keychainStoreReadsBackWhatItWrote() {
        // On a desktop the keychain may ask to be unlocked: only where asked to.
        if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")
            && qEnvironmentVariableIsEmpty("WEFT_TEST_KEYCHAIN"))
            QSKIP("a desktop session's keychain: set WEFT_TEST_KEYCHAIN=1 to use it");
        KeychainSecretStore secrets;
        QSignalSpy told(&secrets, &SecretStore::keychainUnavailable);
        const QString key = QStringLiteral("weft-test-") + QUuid::createUuid().toString();
        QVERIFY(writeSecret(secrets, key, QStringLiteral("s3cret")));
        const auto answer = readSecret(secrets, key);
        QVERIFY(answer && answer->ok());
        QCOMPARE(answer->value(), QStringLiteral("s3cret"));
        QCOMPARE(told.count(), secrets.isSessionOnly() ? 1 : 0);
        QVERIFY(writeSecret(secrets, key, QString())); // removed again
    }
};

QTEST_GUILESS_MAIN(TestProfileStore)
#include "tst_profilestore.moc"

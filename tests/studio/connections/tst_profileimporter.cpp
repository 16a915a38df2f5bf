// Importing connections from the environment and Prefect's profiles.toml (temporary files, a
// made-up environment): keys reach the secret store, known servers are not added twice.
#include "connections/memorysecretstore.h"
#include "connections/profileimporter.h"
#include "connections/profilestore.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace weft::studio;

namespace {

void writeFile(const QString& path, const QByteArray& text) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

QProcessEnvironment env(std::initializer_list<std::pair<const char*, const char*>> vars) {
    QProcessEnvironment e;
    for (const auto& [k, v] : vars)
        e.insert(QString::fromLatin1(k), QString::fromLatin1(v));
    return e;
}

// (Plain literals: moc does not read raw strings spanning lines.)
const QByteArray kProfiles =
    "active = \"cloud\"\n"
    "\n"
    "[profiles.ephemeral]\n"
    "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE = \"true\"\n"
    "\n"
    "[profiles.local]\n"
    "PREFECT_API_URL = \"http://127.0.0.1:4200/api\"\n"
    "\n"
    "[profiles.cloud]\n"
    "PREFECT_API_URL = \"https://api.prefect.cloud/api/accounts/a1/workspaces/w1\"\n"
    "PREFECT_API_KEY = \"pnu_cloudkey\"\n"
    "\n"
    "[profiles.behind-proxy]\n"
    "PREFECT_API_URL = \"https://prefect.internal/api\"\n"
    "PREFECT_API_AUTH_STRING = \"admin:pa:ss\"\n"
    "\n";

} // namespace

class TestProfileImporter : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void environmentVariables() {
        const ProfileImporter importer(env({{"PREFECT_API_URL", "http://prefect:4200/api"},
                                            {"PREFECT_API_KEY", "pnu_envkey"},
                                            {"WEFT_API_URL", "http://weft:4200/api"},
                                            {"WEFT_API_AUTH_STRING", "me:pw"}}),
                                       m_dir.path());
        const auto found = importer.fromEnvironment();
        QCOMPARE(found.size(), size_t(2));
        QCOMPARE(found[0].profile.apiUrl, QUrl(QStringLiteral("http://prefect:4200/api")));
        QCOMPARE(found[0].profile.auth, AuthKind::Bearer);
        QCOMPARE(found[0].secret, QStringLiteral("pnu_envkey"));
        QCOMPARE(found[1].profile.auth, AuthKind::Basic);
        QCOMPARE(found[1].profile.userName, QStringLiteral("me"));
        QCOMPARE(found[1].secret, QStringLiteral("pw"));

        const ProfileImporter weftKey(
            env({{"WEFT_API_URL", "http://weft:4200/api"}, {"WEFT_API_KEY", "k"}}), m_dir.path());
        QCOMPARE(weftKey.fromEnvironment().at(0).profile.auth, AuthKind::Bearer);
        QVERIFY(ProfileImporter(env({{"PREFECT_API_KEY", "orphan"}}), m_dir.path())
                    .fromEnvironment()
                    .empty());
    }

    void prefectProfilesFile_data() {
        QTest::addColumn<bool>("viaPrefectHome");
        QTest::newRow("~/.prefect") << false;
        QTest::newRow("PREFECT_HOME") << true;
    }
    void prefectProfilesFile() {
        QFETCH(bool, viaPrefectHome);
        QTemporaryDir home;
        const QString prefectHome = home.filePath(QStringLiteral("elsewhere"));
        QProcessEnvironment e;
        if (viaPrefectHome) e.insert(QStringLiteral("PREFECT_HOME"), prefectHome);
        const ProfileImporter importer(e, home.path());
        const QString expected = viaPrefectHome
                                     ? prefectHome + QStringLiteral("/profiles.toml")
                                     : home.filePath(QStringLiteral(".prefect/profiles.toml"));
        QCOMPARE(importer.prefectProfilesPath(), expected);
        writeFile(expected, kProfiles);

        QStringList problems;
        const auto found = importer.fromPrefectProfiles(&problems);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QCOMPARE(found.size(), size_t(3));                        // "ephemeral" has no server
        QCOMPARE(found[0].profile.name, QStringLiteral("cloud")); // the active one first
        QVERIFY(found[0].active);
        QCOMPARE(found[0].profile.auth, AuthKind::Bearer);
        QCOMPARE(found[0].secret, QStringLiteral("pnu_cloudkey"));
        QCOMPARE(found[1].profile.name, QStringLiteral("behind-proxy"));
        QCOMPARE(found[1].profile.auth, AuthKind::Basic);
        QCOMPARE(found[1].profile.userName, QStringLiteral("admin"));
        QCOMPARE(found[1].secret, QStringLiteral("pa:ss")); // split at the first colon
        QCOMPARE(found[2].profile.name, QStringLiteral("local"));
        QCOMPARE(found[2].profile.auth, AuthKind::None);
        QCOMPARE(found[2].source, expected);
    }

    void noFileIsNoProblem() {
        QTemporaryDir home;
        QStringList problems;
        QVERIFY(ProfileImporter({}, home.path()).fromPrefectProfiles(&problems).empty());
        QVERIFY(problems.isEmpty());
    }

    void malformedFileIsReportedAndChangesNothing() {
        QTemporaryDir home;
        const QString path = home.filePath(QStringLiteral(".prefect/profiles.toml"));
        writeFile(path, "active = \"x\"\n[profiles.x\nPREFECT_API_URL = 3\n");
        QSettings settings(home.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        ProfileStore store(&settings);
        MemorySecretStore secrets;
        QStringList problems;
        const auto found = ProfileImporter({}, home.path()).candidates(&problems);
        QVERIFY(found.empty());
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems[0].contains(path) && problems[0].contains(QStringLiteral("line 2")),
                 qPrintable(problems[0]));
        const ImportReport report = ProfileImporter::importInto(found, store, secrets);
        QVERIFY(report.added.isEmpty());
        QVERIFY(store.profiles().empty());
    }

    void importSkipsKnownServersAndStoresKeys() {
        QTemporaryDir home;
        writeFile(home.filePath(QStringLiteral(".prefect/profiles.toml")), kProfiles);
        const QString settingsPath = home.filePath(QStringLiteral("s.ini"));
        QSettings settings(settingsPath, QSettings::IniFormat);
        ProfileStore store(&settings);
        MemorySecretStore secrets;
        ConnectionProfile mine;
        mine.name = QStringLiteral("My local server");
        mine.apiUrl = QUrl(QStringLiteral("http://127.0.0.1:4200/api/")); // same server
        store.add(mine);

        const ProfileImporter importer(
            env({{"PREFECT_API_URL", "https://api.prefect.cloud/api/accounts/a1/workspaces/w1"},
                 {"PREFECT_API_KEY", "pnu_cloudkey"},
                 {"WEFT_API_URL", "http://weft.example:4200/api"},
                 {"WEFT_API_KEY", "weft-key"}}),
            home.path());
        QStringList problems;
        const ImportReport report =
            ProfileImporter::importInto(importer.candidates(&problems), store, secrets);
        QCOMPARE(report.added, (QStringList{QStringLiteral("Prefect (environment)"),
                                            QStringLiteral("Weft (environment)"),
                                            QStringLiteral("behind-proxy")}));
        QCOMPARE(report.skipped, (QStringList{QStringLiteral("cloud"), QStringLiteral("local")}));
        QCOMPARE(store.profiles().size(), size_t(4));

        // The keys reach the secret store (asynchronously), under each profile's id.
        const auto cloud = store.findByUrl(
            QUrl(QStringLiteral("https://api.prefect.cloud/api/accounts/a1/workspaces/w1")));
        const auto proxy = store.findByUrl(QUrl(QStringLiteral("https://prefect.internal/api")));
        QVERIFY(cloud && proxy);
        QTRY_COMPARE(secrets.keychain().value(cloud->id), QStringLiteral("pnu_cloudkey"));
        QTRY_COMPARE(secrets.keychain().value(proxy->id), QStringLiteral("pa:ss"));
        QCOMPARE(proxy->userName, QStringLiteral("admin"));
        settings.sync();
        QFile file(settingsPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(!text.contains("pnu_cloudkey") && !text.contains("weft-key")
                && !text.contains("pa:ss"));

        // Importing again adds nothing.
        const ImportReport again =
            ProfileImporter::importInto(importer.candidates(&problems), store, secrets);
        QVERIFY(again.added.isEmpty());
        QCOMPARE(store.profiles().size(), size_t(4));
        QVERIFY(again.summary().contains(QStringLiteral("Already known")));
    }
};

QTEST_GUILESS_MAIN(TestProfileImporter)
#include "tst_profileimporter.moc"

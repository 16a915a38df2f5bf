// The connection dialogs, offscreen: fields ↔ profile, the TLS warning, secrets into the (fake)
// keychain and never the settings file, import, Test connection. With WEFT_PICTURES_DIR set,
// the dialogs are also saved as PNG files there, for people to look at.
#include "connections/connectiondialog.h"
#include "connections/connectionlistmodel.h"
#include "connections/connectionsdialog.h"
#include "connections/memorysecretstore.h"
#include "connections/profilestore.h"
#include "fakehttpserver.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

using namespace weft::studio;
using weft::studio::test::FakeHttpServer;

namespace {

QByteArray fileText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void type(QLineEdit* edit, const QString& text) {
    edit->clear();
    QTest::keyClicks(edit, text); // as a person types: marks the field modified
}

void picture(QWidget* w, const QString& name) {
    const QString dir = qEnvironmentVariable("WEFT_PICTURES_DIR");
    if (dir.isEmpty()) return;
    QDir().mkpath(dir);
    // What is pending (layout requests, the dialog growing to fit): the size it will show at.
    QCoreApplication::processEvents();
    QCoreApplication::processEvents();
    QVERIFY(w->grab().save(QDir(dir).filePath(name)));
}

} // namespace

class TestConnectionDialogs : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString settingsPath() const { return m_dir.filePath(QStringLiteral("studio.ini")); }

private Q_SLOTS:
    void init() { QFile::remove(settingsPath()); }

    void fieldsRoundTrip_data() {
        QTest::addColumn<int>("auth");
        QTest::newRow("none") << int(AuthKind::None);
        QTest::newRow("basic") << int(AuthKind::Basic);
        QTest::newRow("bearer") << int(AuthKind::Bearer);
    }
    void fieldsRoundTrip() {
        QFETCH(int, auth);
        MemorySecretStore secrets;
        ConnectionDialog dialog(&secrets);
        ConnectionProfile p;
        p.id = QStringLiteral("id-1");
        p.name = QStringLiteral("Production");
        p.apiUrl = QUrl(QStringLiteral("https://prefect.example.com/api"));
        p.auth = AuthKind(auth);
        if (p.auth == AuthKind::Basic) p.userName = QStringLiteral("ops");
        p.caCertificate = QStringLiteral("/etc/ssl/our-ca.pem");
        p.ignoreTlsErrors = true;
        dialog.setProfile(p);
        QCOMPARE(dialog.profile(), p);
        QCOMPARE(dialog.userEdit()->text(), p.userName);
        QVERIFY(dialog.problem().isEmpty());

        dialog.show();
        QCOMPARE(dialog.userEdit()->isVisible(), p.auth == AuthKind::Basic);
        QCOMPARE(dialog.passwordEdit()->isVisible(), p.auth == AuthKind::Basic);
        QCOMPARE(dialog.apiKeyEdit()->isVisible(), p.auth == AuthKind::Bearer);
        QCOMPARE(dialog.passwordEdit()->echoMode(), QLineEdit::Password);
        QCOMPARE(dialog.apiKeyEdit()->echoMode(), QLineEdit::Password);
    }

    void tlsWarningIsVisibleIffIgnoring() {
        MemorySecretStore secrets;
        ConnectionDialog dialog(&secrets);
        ConnectionProfile p;
        p.name = QStringLiteral("self-signed");
        p.apiUrl = QUrl(QStringLiteral("https://10.0.0.5:4200/api"));
        dialog.setProfile(p);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(!dialog.tlsWarning()->isVisible());
        QTest::mouseClick(dialog.ignoreTlsCheck(), Qt::LeftButton, {},
                          QPoint(8, dialog.ignoreTlsCheck()->height() / 2));
        QVERIFY(dialog.ignoreTlsCheck()->isChecked());
        QVERIFY(dialog.tlsWarning()->isVisible());
        QVERIFY(dialog.tlsWarning()->styleSheet().contains(QStringLiteral("#c9302c")));
        QVERIFY(dialog.profile().ignoreTlsErrors);
        picture(&dialog, QStringLiteral("connection-dialog-ignore-tls.png"));
        dialog.ignoreTlsCheck()->setChecked(false);
        QVERIFY(!dialog.tlsWarning()->isVisible());
    }

    void badFieldsDisableOk() {
        MemorySecretStore secrets;
        ConnectionDialog dialog(&secrets);
        dialog.setProfile({});
        type(dialog.nameEdit(), QStringLiteral("x"));
        type(dialog.urlEdit(), QStringLiteral("ftp://host/api"));
        QVERIFY(dialog.problem().contains(QStringLiteral("http")));
        QVERIFY(!dialog.findChild<QLabel*>(QStringLiteral("problem"))->text().isEmpty());
        type(dialog.urlEdit(), QStringLiteral("http://host:4200/api"));
        QVERIFY(dialog.problem().isEmpty());
    }

    // Add through the Connections dialog: the profile goes to the settings, its key to the
    // keychain, and the settings file's text holds no trace of the key.
    void secretsReachTheKeychainNotTheSettings() {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        ProfileStore store(&settings);
        MemorySecretStore secrets;
        ConnectionsDialog dialogs(&store, &secrets, ProfileImporter({}, m_dir.path()));
        ConnectionDialog* editor = dialogs.edit();
        type(editor->nameEdit(), QStringLiteral("Cloud"));
        type(editor->urlEdit(), QStringLiteral("https://api.prefect.cloud/api"));
        editor->authCombo()->setCurrentIndex(editor->authCombo()->findData(int(AuthKind::Bearer)));
        const QString key = QStringLiteral("pnu_0123456789abcdef");
        type(editor->apiKeyEdit(), key);
        picture(editor, QStringLiteral("connection-dialog.png"));
        editor->accept();

        QCOMPARE(store.profiles().size(), size_t(1));
        const ConnectionProfile saved = store.profiles()[0];
        QCOMPARE(saved.auth, AuthKind::Bearer);
        QTRY_COMPARE(secrets.keychain().value(saved.id), key);
        QCOMPARE(dialogs.selectedId(), saved.id);
        settings.sync();
        const QByteArray text = fileText(settingsPath());
        QVERIFY(text.contains("api.prefect.cloud"));
        QVERIFY(!text.contains(key.toUtf8()));

        // Editing: the stored key arrives in its field; OK keeps it. Basic auth stores the
        // password under the same id.
        ConnectionDialog* again = dialogs.edit(saved.id);
        QTRY_COMPARE(again->apiKeyEdit()->text(), key);
        again->authCombo()->setCurrentIndex(again->authCombo()->findData(int(AuthKind::Basic)));
        type(again->userEdit(), QStringLiteral("admin"));
        type(again->passwordEdit(), QStringLiteral("hunter2-pw"));
        again->accept();
        QTRY_COMPARE(secrets.keychain().value(saved.id), QStringLiteral("hunter2-pw"));
        QCOMPARE(store.profile(saved.id)->userName, QStringLiteral("admin"));
        settings.sync();
        QVERIFY(!fileText(settingsPath()).contains("hunter2-pw"));

        // Removing the profile removes its secret.
        dialogs.removeProfile(saved.id);
        QVERIFY(store.profiles().empty());
        QTRY_VERIFY(!secrets.keychain().contains(saved.id));
    }

    // OK before the stored secret came back from the keychain leaves the secret alone.
    void okBeforeTheSecretArrivedKeepsIt() {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        ProfileStore store(&settings);
        MemorySecretStore secrets;
        ConnectionProfile p;
        p.name = QStringLiteral("s");
        p.apiUrl = QUrl(QStringLiteral("http://s:4200/api"));
        p.auth = AuthKind::Bearer;
        const QString id = store.add(p);
        secrets.write(id, QStringLiteral("kept"));
        QTRY_COMPARE(secrets.keychain().value(id), QStringLiteral("kept"));
        ConnectionsDialog dialogs(&store, &secrets, ProfileImporter({}, m_dir.path()));
        ConnectionDialog* editor = dialogs.edit(id);
        QVERIFY(!editor->secretToSave().has_value()); // not read back yet
        editor->accept();
        // A read queued after OK answers after anything OK could have sent: none was a write.
        std::optional<QString> after;
        QObject context;
        secrets.read(id, &context, [&](Result<QString> r) { after = std::move(r).valueOr({}); });
        QTRY_VERIFY(after.has_value());
        QCOMPARE(*after, QStringLiteral("kept"));
        QCOMPARE(secrets.calls(), 3); // the first write, the editor's read, this read
    }

    void importFromTheDialog() {
        QTemporaryDir home;
        QSettings settings(settingsPath(), QSettings::IniFormat);
        ProfileStore store(&settings);
        MemorySecretStore secrets;
        QProcessEnvironment env;
        env.insert(QStringLiteral("PREFECT_API_URL"), QStringLiteral("http://prefect:4200/api"));
        env.insert(QStringLiteral("PREFECT_API_KEY"), QStringLiteral("pnu_fromenv"));
        ConnectionsDialog dialogs(&store, &secrets, ProfileImporter(env, home.path()));
        QSignalSpy imported(&dialogs, &ConnectionsDialog::imported);
        dialogs.import();
        QVERIFY(imported.wait(15000));
        QCOMPARE(store.profiles().size(), size_t(1));
        QCOMPARE(dialogs.list()->model()->rowCount(), 1);
        QVERIFY2(dialogs.status()->text().contains(QStringLiteral("Prefect (environment)")),
                 qPrintable(dialogs.status()->text()));
        QTRY_COMPARE(secrets.keychain().value(store.profiles()[0].id),
                     QStringLiteral("pnu_fromenv"));
        dialogs.list()->setCurrentIndex(dialogs.list()->model()->index(0, 0));
        dialogs.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialogs));
        picture(&dialogs, QStringLiteral("connections-dialog.png"));
    }

    // No keychain: the editor says the secret lasts this session; the list dialog says why.
    void withoutKeychainTheUserIsTold() {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        ProfileStore store(&settings);
        MemorySecretStore secrets;
        secrets.setAvailable(false);
        ConnectionsDialog dialogs(&store, &secrets, ProfileImporter({}, m_dir.path()));
        ConnectionDialog* editor = dialogs.edit();
        type(editor->nameEdit(), QStringLiteral("n"));
        type(editor->urlEdit(), QStringLiteral("http://n:4200/api"));
        editor->authCombo()->setCurrentIndex(editor->authCombo()->findData(int(AuthKind::Bearer)));
        type(editor->apiKeyEdit(), QStringLiteral("session-key"));
        editor->accept();
        QTRY_VERIFY(dialogs.status()->text().contains(QStringLiteral("No system keychain")));
        QVERIFY(secrets.keychain().isEmpty());
        settings.sync();
        QVERIFY(!fileText(settingsPath()).contains("session-key"));
        ConnectionDialog* next = dialogs.edit(store.profiles()[0].id);
        next->show();
        QTRY_COMPARE(next->apiKeyEdit()->text(), QStringLiteral("session-key"));
        QVERIFY(next->findChild<QLabel*>(QStringLiteral("sessionOnly"))->isVisible());
        picture(next, QStringLiteral("connection-dialog-no-keychain.png"));
    }

    void testConnectionShowsTheResult() {
        FakeHttpServer server;
        server.answers.insert("/api/health", {200, "true"});
        server.answers.insert("/api/version", {200, R"("0.8.4")"});
        server.answers.insert("/api/admin/version", {200, R"("3.1.0+weft.0.9.0")"});
        MemorySecretStore secrets;
        ConnectionDialog dialog(&secrets);
        dialog.setProfile({});
        type(dialog.nameEdit(), QStringLiteral("local server"));
        type(dialog.urlEdit(), server.api().toString());
        dialog.show();
        QSignalSpy tested(&dialog, &ConnectionDialog::tested);
        QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
        QVERIFY(dialog.testResult()->text().startsWith(QStringLiteral("Testing")));
        QVERIFY(tested.wait(15000));
        QVERIFY2(dialog.testResult()->text().contains(QStringLiteral("Connected")),
                 qPrintable(dialog.testResult()->text()));
        QVERIFY(dialog.testResult()->text().contains(QStringLiteral("3.1.0")));

        server.answers.insert("/api/version", {401, R"({"exception_message":"Unauthorized"})"});
        QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
        QVERIFY(tested.wait(15000));
        QVERIFY2(dialog.testResult()->text().contains(QStringLiteral("Auth failed")),
                 qPrintable(dialog.testResult()->text()));
        dialog.ignoreTlsCheck()->setChecked(true); // (an http URL: shown as a problem)
        picture(&dialog, QStringLiteral("connection-dialog-tested.png"));
    }
};

QTEST_MAIN(TestConnectionDialogs)
#include "tst_connectiondialogs.moc"

// weft-studio's command line: options, a clear message for a bad database, and --screenshot
// writing a PNG of the window's size that is not blank.
#include "readonlyview.h"
#include "serverprocess.h"
#include "studiolauncher.h"
#include "studiooptions.h"
#include "testprocess.h"

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace weft::studio;

class TestStudioCli : public QObject {
    Q_OBJECT

    QTemporaryDir m_config;

    QString studio() const {
        return qEnvironmentVariable("WEFT_BIN_DIR") + QStringLiteral("/weft-studio");
    }

    int run(const QStringList& args, QByteArray* err = nullptr, const QString& db = {}) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        if (!db.isEmpty()) env.insert(QStringLiteral("WEFT_DB"), db);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_config.path()); // no remembered layout
        p.setProcessEnvironment(env);
        p.start(studio(), args);
        if (!p.waitForFinished(90000)) {
            p.kill();
            return -1;
        }
        if (err) *err = p.readAllStandardError();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

private Q_SLOTS:
    void options_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("ok");
        QTest::addRow("none") << QStringList{} << true;
        QTest::addRow("db") << QStringList{QStringLiteral("--db"), QStringLiteral("/tmp/x.db")}
                            << true;
        QTest::addRow("demo+screenshot")
            << QStringList{QStringLiteral("--demo"), QStringLiteral("--screenshot"),
                           QStringLiteral("a.png"), QStringLiteral("--screenshot-delay"),
                           QStringLiteral("5000")}
            << true;
        QTest::addRow("bad delay")
            << QStringList{QStringLiteral("--screenshot-delay"), QStringLiteral("soon")} << false;
        QTest::addRow("demo with db")
            << QStringList{QStringLiteral("--demo"), QStringLiteral("--db"), QStringLiteral("x.db")}
            << false;
        QTest::addRow("connect") << QStringList{QStringLiteral("--connect"),
                                                QStringLiteral("http://127.0.0.1:4200/api"),
                                                QStringLiteral("--token"),
                                                QStringLiteral("user:secret")}
                                 << true;
        QTest::addRow("connect with db")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("http://127.0.0.1:4200/api"),
                           QStringLiteral("--db"), QStringLiteral("x.db")}
            << true;
        QTest::addRow("connect with demo")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("http://127.0.0.1:4200/api"),
                           QStringLiteral("--demo")}
            << false;
        QTest::addRow("connect without scheme")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("127.0.0.1:4200")} << false;
        QTest::addRow("token without connect")
            << QStringList{QStringLiteral("--token"), QStringLiteral("key")} << false;
        QTest::addRow("bad theme")
            << QStringList{QStringLiteral("--theme"), QStringLiteral("pink")} << false;
        QTest::addRow("run tab") << QStringList{QStringLiteral("--open-run"),
                                                QStringLiteral("ab12"), QStringLiteral("--run-tab"),
                                                QStringLiteral("timeline")}
                                 << true;
        QTest::addRow("bad run tab")
            << QStringList{QStringLiteral("--run-tab"), QStringLiteral("gantt")} << false;
        QTest::addRow("bad page") << QStringList{QStringLiteral("--page"), QStringLiteral("home")}
                                  << false;
        for (const QString& page : pageNames())
            QTest::addRow("page %s", qPrintable(page))
                << QStringList{QStringLiteral("--page"), page} << true;
        QTest::addRow("work pools spelt with an underscore")
            << QStringList{QStringLiteral("--page"), QStringLiteral("work_pools")} << false;
        QTest::addRow("unknown") << QStringList{QStringLiteral("--frobnicate")} << false;
    }
    void options() {
        QFETCH(QStringList, args);
        QFETCH(bool, ok);
        QString error;
        const auto parsed =
            parseStudioOptions(QStringList{QStringLiteral("weft-studio")} + args, &error);
        QCOMPARE(parsed.has_value(), ok);
        if (!ok) QVERIFY(!error.isEmpty());
        if (const qsizetype at = args.indexOf(QStringLiteral("--page")); ok && at >= 0)
            QCOMPARE(parsed->page, args.at(at + 1));
        if (ok && args.contains(QStringLiteral("--demo"))) {
            QVERIFY(parsed->demo);
            QCOMPARE(parsed->screenshotDelayMs, 5000);
        }
    }

    void unreadableDatabaseIsOneClearMessage() {
        QTemporaryDir dir;
        const QString junk = dir.filePath(QStringLiteral("junk.db"));
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
        f.close();
        QByteArray err;
        QCOMPARE(run({QStringLiteral("--db"), junk, QStringLiteral("--screenshot"),
                      dir.filePath(QStringLiteral("no.png"))},
                     &err),
                 1);
        QVERIFY2(err.contains("junk.db") && err.contains("not a Weft database"), err.constData());
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("no.png"))));
        QCOMPARE(QFileInfo(junk).size(), qint64(8192)); // untouched
    }

    void helpAndVersionNeedNoDisplay() {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
            env.remove(QString::fromLatin1(name));
        p.setProcessEnvironment(env);
        p.start(studio(), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().contains("--db <path>"));
        p.start(studio(), {QStringLiteral("--version")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().startsWith("weft-studio "));
    }

    void mistypedDatabaseIsNotCreated() {
        QTemporaryDir dir;
        const QString typo = dir.filePath(QStringLiteral("nested/wetf.db"));
        QByteArray err;
        QCOMPARE(run({QStringLiteral("--db"), typo, QStringLiteral("--screenshot"),
                      dir.filePath(QStringLiteral("no.png"))},
                     &err),
                 1);
        QVERIFY2(err.contains("wetf.db") && err.contains("does not exist"), err.constData());
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("nested"))));
        // Nor is it remembered as a recent database.
        QFile settings(m_config.filePath(QStringLiteral("Weft/weft-studio.conf")));
        if (settings.open(QIODevice::ReadOnly)) QVERIFY(!settings.readAll().contains("wetf.db"));
    }

    void readOnlyDatabaseOpens() {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("data"));
        QVERIFY(QDir().mkpath(folder));
        const QString db = folder + QStringLiteral("/ro.db");
        QProcess hello;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("WEFT_DB"), db);
        hello.setProcessEnvironment(env);
        hello.start(qEnvironmentVariable("WEFT_BIN_DIR") + QStringLiteral("/example-hello"), {});
        QVERIFY(hello.waitForFinished(30000));
        const ReadOnlyView view(folder, dir.filePath(QStringLiteral("view")));
        if (!view.isValid()) QSKIP(qPrintable(view.why()));
        const QString png = dir.filePath(QStringLiteral("ro.png"));
        QByteArray err;
        QCOMPARE(run({QStringLiteral("--db"), view.filePath(QStringLiteral("ro.db")),
                      QStringLiteral("--screenshot"), png, QStringLiteral("--screenshot-delay"),
                      QStringLiteral("300")},
                     &err),
                 0);
        QVERIFY2(!QImage(png).isNull(), err.constData());
    }

    void dialogDropsCommandLineHints() {
        const QString store = QStringLiteral(
            "weft: the database /x/a.db does not exist. Run a flow first, or point --db / "
            "WEFT_DB at an existing file.");
        QCOMPARE(StudioLauncher::withoutCommandLineHints(store),
                 QStringLiteral("weft: the database /x/a.db does not exist."));
        const QString corrupt = QStringLiteral(
            "weft: cannot use the database /x/a.db: the file is not a Weft database or it is "
            "corrupt (file is not a database). Move it aside to start a new one, or point --db / "
            "WEFT_DB at another file.");
        QVERIFY(!StudioLauncher::withoutCommandLineHints(corrupt).contains(u"--db"));
        QVERIFY(StudioLauncher::withoutCommandLineHints(corrupt).contains(u"corrupt"));
    }

    // --connect URL --page deployments|work-pools --screenshot FILE against a running
    // weft-server: the picture of that page is saved and the program ends on its own.
    void screenshotOfAServersPage() {
        QTemporaryDir dir;
        ServerProcess server;
        QVERIFY2(server.start(dir.filePath(QStringLiteral("server.db"))),
                 server.error().constData());
        const QString api = server.url().toString();
        QCOMPARE(server
                     .api("POST", QStringLiteral("/work_pools/"),
                          {{"name", "default"}, {"type", "process"}})
                     .status,
                 201);
        for (const QString& page : {QStringLiteral("deployments"), QStringLiteral("work-pools")}) {
            const QString png = dir.filePath(page + QStringLiteral(".png"));
            QByteArray err;
            QCOMPARE(run({QStringLiteral("--connect"), api, QStringLiteral("--page"), page,
                          QStringLiteral("--screenshot"), png, QStringLiteral("--screenshot-delay"),
                          QStringLiteral("500")},
                         &err, dir.filePath(QStringLiteral("local.db"))),
                     0);
            const QImage image(png);
            QVERIFY2(!image.isNull(), err.constData());
            QCOMPARE(image.size(), QSize(1400, 880));
        }
    }

    void screenshotHasTheWindowSizeAndIsNotBlank() {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("shot.db"));
        QProcess hello;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("WEFT_DB"), db);
        hello.setProcessEnvironment(env);
        hello.start(qEnvironmentVariable("WEFT_BIN_DIR") + QStringLiteral("/example-hello"), {});
        QVERIFY(hello.waitForFinished(30000));
        const QString png = dir.filePath(QStringLiteral("shot.png"));
        QByteArray err;
        QCOMPARE(run({QStringLiteral("--db"), db, QStringLiteral("--screenshot"), png,
                      QStringLiteral("--screenshot-delay"), QStringLiteral("800")},
                     &err),
                 0);
        QImage image(png);
        QVERIFY2(!image.isNull(), err.constData());
        QCOMPARE(image.size(), QSize(1400, 880)); // the window's default size
        // Not blank: many distinct colours, and the Completed badge's green is there.
        QSet<QRgb> colours;
        bool green = false;
        for (int y = 0; y < image.height(); y += 3)
            for (int x = 0; x < image.width(); x += 3) {
                const QRgb c = image.pixel(x, y);
                colours.insert(c);
                green = green || c == qRgb(0x21, 0x9D, 0x4B);
            }
        QVERIFY(colours.size() > 50);
        QVERIFY(green);
    }
};

QTEST_MAIN(TestStudioCli)
#include "tst_studiocli.moc"

// `cmake --install` of this build into a temporary prefix, as a C++ developer installs Weft, then
// what they do with it: run `weft`, make a project with `weft new`, build it with
// find_package(Weft) (and with pkg-config), run its flow to COMPLETED.
#include "run.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString env(const char* name) {
    return qEnvironmentVariable(name);
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestInstall : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_prefix;  // the staged install
    QString m_project; // made by `weft new`, built by templateBuildsAgainstInstall
    bool m_studio = false;
    bool m_server = false;

    QString prefixed(const QString& path) const { return m_prefix + u'/' + path; }
    QString libdir() const { return prefixed(env("WEFT_INSTALL_LIBDIR")); }
    QString weft() const { return prefixed(u"bin/weft"_s); }
    QProcessEnvironment cleanEnv() const {
        auto e = QProcessEnvironment::systemEnvironment();
        e.remove(u"WEFT_DB"_s);
        e.remove(u"WEFT_HOME"_s);
        e.remove(u"CMAKE_PREFIX_PATH"_s);
        e.remove(u"PKG_CONFIG_PATH"_s);
        e.insert(u"HOME"_s, m_dir.filePath(u"home"_s)); // no user database is touched
        e.insert(u"NO_COLOR"_s, u"1"_s);
        e.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        return e;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!env("WEFT_BUILD_DIR").isEmpty(), "run through ctest (WEFT_BUILD_DIR)");
        m_prefix = m_dir.filePath(u"prefix"_s);
        m_studio = env("WEFT_HAS_STUDIO") == u"1"_s;
        m_server = env("WEFT_HAS_SERVER") == u"1"_s;
        QStringList components{u"cli"_s, u"dev"_s};
        if (m_studio) components << u"studio"_s;
        if (m_server) components << u"server"_s;
        // What `cmake --install build --prefix P` does, one component at a time so that a build
        // of only this test's dependencies (no examples, benches) is enough.
        for (const QString& c : components) {
            const Ran r = run(env("WEFT_CMAKE"), {u"--install"_s, env("WEFT_BUILD_DIR"),
                                                  u"--prefix"_s, m_prefix, u"--component"_s, c});
            QVERIFY2(r.code == 0, qPrintable(r.all()));
        }
    }

    void installedFiles_data() {
        QTest::addColumn<QString>("path");
        const QString lib = env("WEFT_INSTALL_LIBDIR");
        for (const QString& p :
             {u"bin/weft"_s, u"share/bash-completion/completions/weft"_s,
              u"share/doc/weft/copyright"_s, u"include/weft/weft.hpp"_s, u"include/weft/sdk.hpp"_s,
              lib + u"/libweft.a"_s, lib + u"/cmake/Weft/WeftConfig.cmake"_s,
              lib + u"/cmake/Weft/WeftConfigVersion.cmake"_s,
              lib + u"/cmake/Weft/WeftTargets.cmake"_s, lib + u"/pkgconfig/weft.pc"_s,
              u"share/doc/libweft-dev/copyright"_s})
            QTest::addRow("%s", qPrintable(p)) << p;
        if (qEnvironmentVariable("WEFT_HAS_STUDIO") == u"1"_s)
            for (const QString& p :
                 {u"bin/weft-studio"_s, u"share/applications/weft-studio.desktop"_s,
                  u"share/icons/hicolor/scalable/apps/weft-studio.svg"_s,
                  u"share/doc/weft-studio/copyright"_s})
                QTest::addRow("%s", qPrintable(p)) << p;
        if (qEnvironmentVariable("WEFT_HAS_SERVER") == u"1"_s)
            for (const QString& p : {u"bin/weft-server"_s, u"share/doc/weft-server/copyright"_s})
                QTest::addRow("%s", qPrintable(p)) << p;
    }
    void installedFiles() {
        QFETCH(QString, path);
        QVERIFY2(QFileInfo::exists(prefixed(path)), qPrintable(path));
    }

    void sourcesStayPrivate() {
        // Only the public headers are installed, and the CMake package names no build or source
        // folder (an installed package must not depend on the tree it was built in).
        QVERIFY(!QFileInfo::exists(prefixed(u"include/weft/runtime_internal.hpp"_s)));
        const QDir cmakeDir(libdir() + u"/cmake/Weft"_s);
        const QStringList files = cmakeDir.entryList({u"*.cmake"_s}, QDir::Files);
        QVERIFY(files.size() >= 3);
        for (const QString& f : files) {
            const QByteArray text = readFile(cmakeDir.filePath(f));
            QVERIFY2(!text.contains(env("WEFT_BUILD_DIR").toUtf8()), qPrintable(f));
            QVERIFY2(!text.contains(env("WEFT_SOURCE_DIR").toUtf8() + "/embedded-engine"),
                     qPrintable(f));
        }
        // weft.pc names the prefix it was installed into, not the configured one.
        QVERIFY(
            readFile(libdir() + u"/pkgconfig/weft.pc"_s).contains("prefix=" + m_prefix.toUtf8()));
    }

    void versionFromCMake() {
        const QString version = env("WEFT_VERSION");
        QVERIFY(!version.isEmpty());
        Ran r = run(weft(), {u"--version"_s}, {}, cleanEnv());
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out.trimmed(), (u"weft "_s + version).toUtf8());
        QVERIFY(readFile(libdir() + u"/cmake/Weft/WeftConfigVersion.cmake"_s)
                    .contains("set(PACKAGE_VERSION \"" + version.toUtf8() + "\")"));
        if (!m_studio) QSKIP("Studio is not built");
        r = run(prefixed(u"bin/weft-studio"_s), {u"--version"_s}, {}, cleanEnv());
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out.trimmed(), (u"weft-studio "_s + version).toUtf8());
    }

    void helpRunsFromInstall() {
        const Ran r = run(weft(), {u"--help"_s}, {}, cleanEnv());
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("flow-run"));
        QVERIFY(r.out.contains("new"));
    }

    void serverStartsFromInstall() {
        // The installed `weft server start` runs the weft-server installed beside it, with no
        // build folder on PATH.
        if (!m_server) QSKIP("the server is not built");
        auto e = cleanEnv();
        e.insert(u"PATH"_s, u"/usr/bin:/bin"_s);
        QProcess server;
        server.setProcessEnvironment(e);
        server.start(weft(), {u"server"_s, u"start"_s, u"--port"_s, u"0"_s, u"--db"_s,
                              m_dir.filePath(u"server.db"_s)});
        QVERIFY(server.waitForStarted());
        QByteArray err;
        QElapsedTimer clock;
        clock.start();
        while (!err.contains("listening on http://127.0.0.1:") && clock.elapsed() < 20000) {
            if (!server.waitForReadyRead(1000) && server.state() != QProcess::Running) break;
            err += server.readAllStandardError();
        }
        QVERIFY2(err.contains("listening on http://127.0.0.1:"), err.constData());
        // `weft` replaced itself with the server: the process is now the installed program.
        const QString exe = QFileInfo(u"/proc/%1/exe"_s.arg(server.processId())).symLinkTarget();
        QCOMPARE(exe, QFileInfo(prefixed(u"bin/weft-server"_s)).canonicalFilePath());
        server.terminate();
        QVERIFY(server.waitForFinished(20000));
        QCOMPARE(server.exitStatus(), QProcess::NormalExit);
        QCOMPARE(server.exitCode(), 0);
    }

    void newRefusesBadTargets() {
        const QString dir = m_dir.filePath(u"refused"_s);
        QVERIFY(QDir().mkpath(dir + u"/taken"_s));
        QFile(dir + u"/taken/keep.txt"_s).open(QIODevice::WriteOnly);
        Ran r = run(weft(), {u"new"_s, u"taken"_s}, dir, cleanEnv());
        QCOMPARE(r.code, 1); // an existing, non-empty folder is never written into
        QVERIFY2(r.err.startsWith("weft: ") && r.err.trimmed().count('\n') == 0, r.err);
        QCOMPARE(QDir(dir + u"/taken"_s).entryList(QDir::Files), QStringList{u"keep.txt"_s});
        r = run(weft(), {u"new"_s, u"9lives"_s}, dir, cleanEnv());
        QCOMPARE(r.code, 2); // not a name for a CMake project and an executable
        QVERIFY(!QFileInfo::exists(dir + u"/9lives"_s));
    }

    void templateBuildsAgainstInstall() {
        // `weft new`, then the commands of the project's README, with Weft found in the prefix.
        const QString work = m_dir.filePath(u"work"_s);
        QVERIFY(QDir().mkpath(work));
        Ran r = run(weft(), {u"new"_s, u"hello-weft"_s}, work, cleanEnv());
        QVERIFY2(r.code == 0, qPrintable(r.all()));
        m_project = work + u"/hello-weft"_s;
        for (const char* f : {"CMakeLists.txt", "main.cpp", "README.md"})
            QVERIFY2(QFileInfo::exists(m_project + u'/' + QLatin1String(f)), f);
        const QByteArray cmakeLists = readFile(m_project + u"/CMakeLists.txt"_s);
        const QString version = env("WEFT_VERSION").section(u'.', 0, 1);
        QVERIFY(cmakeLists.contains("find_package(Weft " + version.toUtf8() + " REQUIRED)"));
        QVERIFY(!cmakeLists.contains("@NAME@"));

        QStringList configure{u"-S"_s,
                              m_project,
                              u"-B"_s,
                              m_project + u"/build"_s,
                              u"-DCMAKE_PREFIX_PATH="_s + m_prefix,
                              u"-DCMAKE_CXX_COMPILER="_s + env("WEFT_CXX")};
        if (!env("WEFT_NINJA").isEmpty()) configure << u"-G"_s << u"Ninja"_s;
        if (!env("WEFT_CCACHE").isEmpty()) // compiles in a fresh folder each time: reuse objects
            configure << u"-DCMAKE_CXX_COMPILER_LAUNCHER="_s + env("WEFT_CCACHE");
        r = run(env("WEFT_CMAKE"), configure, work, cleanEnv());
        QVERIFY2(r.code == 0, qPrintable(r.all()));
        // The Weft found is the one just installed, whatever else is on the machine.
        QVERIFY(readFile(m_project + u"/build/CMakeCache.txt"_s)
                    .contains("Weft_DIR:PATH=" + libdir().toUtf8() + "/cmake/Weft"));
        r = run(env("WEFT_CMAKE"), {u"--build"_s, m_project + u"/build"_s}, work, cleanEnv());
        QVERIFY2(r.code == 0, qPrintable(r.all()));

        const QString db = m_dir.filePath(u"template.db"_s);
        r = run(m_project + u"/build/hello-weft"_s, {u"--db"_s, db}, work, cleanEnv());
        QVERIFY2(r.code == 0, qPrintable(r.all()));
        r = run(m_project + u"/build/hello-weft"_s,
                {u"run"_s, u"hello-weft"_s, u"--param"_s, u"who=Ada"_s, u"--db"_s, db}, work,
                cleanEnv());
        QVERIFY2(r.code == 0, qPrintable(r.all()));

        r = run(weft(), {u"--db"_s, db, u"flow-run"_s, u"ls"_s, u"--json"_s}, work, cleanEnv());
        QCOMPARE(r.code, 0);
        const QJsonArray runs = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(runs.size(), 2);
        for (const auto& v : runs) {
            const QJsonObject run = v.toObject();
            QCOMPARE(run.value(u"flow_name"_s).toString(), u"hello-weft"_s);
            QCOMPARE(run.value(u"state_type"_s).toString(), u"COMPLETED"_s);
        }
        r = run(weft(),
                {u"--db"_s, db, u"flow-run"_s, u"logs"_s,
                 runs.at(0).toObject().value(u"id"_s).toString()},
                work, cleanEnv());
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("Hello, Ada!") || r.out.contains("Hello, world!"), r.out);
    }

    void pkgConfigLinks() {
        if (m_project.isEmpty()) QSKIP("needs the project of templateBuildsAgainstInstall");
        const QString pkgConfig = QStandardPaths::findExecutable(u"pkg-config"_s);
        if (pkgConfig.isEmpty()) QSKIP("pkg-config is not installed");
        auto e = cleanEnv();
        e.insert(u"PKG_CONFIG_PATH"_s, libdir() + u"/pkgconfig"_s);
        Ran r = run(pkgConfig, {u"--cflags"_s, u"--libs"_s, u"weft"_s}, {}, e);
        QVERIFY2(r.code == 0, qPrintable(r.all()));
        QStringList flags = QString::fromUtf8(r.out).simplified().split(u' ');
        QVERIFY2(flags.contains(u"-I"_s + m_prefix + u"/include"_s), r.out);
        // Links the project's compiled flow with only what weft.pc says: the libraries a static
        // libweft.a needs are all there.
        const QString object = m_project + u"/build/CMakeFiles/hello-weft.dir/main.cpp.o"_s;
        QVERIFY(QFileInfo::exists(object));
        const QString exe = m_dir.filePath(u"hello-pc"_s);
        r = run(env("WEFT_CXX"), QStringList{object, u"-o"_s, exe} + flags, {}, e);
        QVERIFY2(r.code == 0, qPrintable(r.all()));
        r = run(exe, {u"--db"_s, m_dir.filePath(u"pc.db"_s)}, {}, cleanEnv());
        QVERIFY2(r.code == 0, qPrintable(r.all())); // 0: the run COMPLETED (weft::main)
    }
};

QTEST_GUILESS_MAIN(TestInstall)
#include "tst_install.moc"

// weft-studio: monitor and debug Weft flow runs.
#include "app/demorunner.h"
#include "app/mainwindow.h"
#include "app/runpage.h"
#include "app/screenshot.h"
#include "app/studiooptions.h"
#include "app/theme.h"
#include "models/embeddedbackend.h"

#include <weft/store.hpp>

#include <QApplication>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>
#include <cstdio>

using namespace weft::studio;

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("weft-studio"));
    QApplication::setOrganizationName(QStringLiteral("Weft"));
    QApplication::setApplicationDisplayName(QStringLiteral("Weft Studio"));
    QApplication::setApplicationVersion(QStringLiteral(WEFT_VERSION)); // CMake's project version
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/weft/icons/weft.svg")));
    QApplication::setDesktopFileName(QStringLiteral("weft-studio"));

    QString error, help;
    const auto options = parseStudioOptions(QApplication::arguments(), &error, &help);
    if (!options) {
        if (error == QLatin1String("help")) {
            std::printf("%s", qPrintable(help));
            return 0;
        }
        if (error == QLatin1String("version")) {
            std::printf("weft-studio %s\n", qPrintable(QApplication::applicationVersion()));
            return 0;
        }
        std::fprintf(stderr, "weft-studio: %s\n", qPrintable(error));
        return 2;
    }
    if (!options->connectUrl.isEmpty()) {
        std::fprintf(stderr, "weft-studio: connecting to a server (--connect) is not available in "
                             "this build yet; open a local database with --db.\n");
        return 2;
    }

    ThemeManager theme(app);
    QSettings settings;
    theme.apply(themeFromString(
        options->theme.isEmpty()
            ? settings.value(QStringLiteral("theme"), QStringLiteral("system")).toString()
            : options->theme));

    std::unique_ptr<DemoRunner> demo;
    QString db = options->db;
    if (options->demo) {
        demo = std::make_unique<DemoRunner>();
        if (!demo->isValid()) {
            std::fprintf(stderr, "weft-studio: cannot create a temporary folder for the demo.\n");
            return 1;
        }
        db = demo->databasePath();
    }
    if (db.isEmpty()) db = QString::fromStdString(weft::default_db_path());

    EmbeddedBackend backend(db);
    // Opening is quick; doing it before the window shows lets a bad file be reported plainly,
    // on the command line and in a dialog.
    if (const QString failure = backend.openNow(); !failure.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(failure));
        if (options->screenshot.isEmpty())
            QMessageBox::critical(
                nullptr, QObject::tr("Weft Studio"),
                QObject::tr("The database could not be opened.\n\n%1").arg(failure));
        return 1;
    }
    if (demo)
        demo->start();
    else
        MainWindow::rememberDatabase(QFileInfo(db).absoluteFilePath());

    MainWindow window(&backend, &theme);
    if (!options->screenshot.isEmpty()) window.setConfirmActions(false);
    if (options->page == QLatin1String("dashboard")) window.showPage(MainWindow::Page::Dashboard);
    if (options->page == QLatin1String("flows")) window.showPage(MainWindow::Page::Flows);
    window.show();
    if (const int tab = runTabNames().indexOf(options->runTab); tab >= 0)
        QObject::connect(&window, &MainWindow::runPageOpened, &window,
                         [tab](RunPage* page) { page->showTab(RunPage::Tab(tab)); });
    if (!options->openRun.isEmpty()) window.openRun(options->openRun);
    if (!options->screenshot.isEmpty())
        scheduleScreenshot(&window, options->screenshot, options->screenshotDelayMs);
    return QApplication::exec();
}

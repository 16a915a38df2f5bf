#include "studiolauncher.h"

#include "backend/embeddedbackend.h"
#include "demorunner.h"
#include "mainwindow.h"
#include "runpage.h"
#include "screenshot.h"

#include <weft/store.hpp>

#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <cstdio>

namespace weft::studio {

StudioLauncher::StudioLauncher(StudioOptions options, ThemeManager* theme)
    : m_options(std::move(options))
    , m_theme(theme) {}

StudioLauncher::~StudioLauncher() {
    m_window.reset(); // before the backend it shows
}

bool StudioLauncher::start() {
    if (m_options.demo) {
        m_demo = std::make_unique<DemoRunner>();
        if (!m_demo->isValid()) {
            std::fprintf(stderr, "weft-studio: cannot create a temporary folder for the demo.\n");
            return false;
        }
        open(m_demo->databasePath(), true);
        return true;
    }
    // The default database is where flow programs write: it may be created. A path the user
    // typed must exist, so a typo does not leave an empty database behind.
    if (m_options.db.isEmpty())
        open(QString::fromStdString(weft::default_db_path()), true);
    else
        open(m_options.db, false);
    return true;
}

void StudioLauncher::open(const QString& path, bool mayCreate) {
    // A failed backend may be the one whose signal led here: it goes once that returns.
    if (m_backend) m_backend.release()->deleteLater();
    m_backend = std::make_unique<EmbeddedBackend>(
        path, mayCreate ? EmbeddedBackend::Create::IfMissing : EmbeddedBackend::Create::Never);
    connect(m_backend.get(), &Backend::opened, this, &StudioLauncher::onOpened);
    connect(m_backend.get(), &Backend::failed, this, &StudioLauncher::onFailed);
    m_backend->open();
}

QString StudioLauncher::withoutCommandLineHints(QString message) {
    static const QRegularExpression hint(QStringLiteral("\\s*[^.(]*--db / WEFT_DB[^.]*\\."));
    return message.remove(hint).trimmed();
}

void StudioLauncher::onFailed(const QString& message) {
    std::fprintf(stderr, "%s\n", qPrintable(message));
    if (!m_options.screenshot.isEmpty()) {
        QApplication::exit(1);
        return;
    }
    QMessageBox box(QMessageBox::Critical, tr("Weft Studio"),
                    tr("The database could not be opened."));
    box.setInformativeText(withoutCommandLineHints(message));
    QPushButton* another = box.addButton(tr("Open another…"), QMessageBox::AcceptRole);
    QPushButton* fresh = box.addButton(tr("New database…"), QMessageBox::ActionRole);
    box.addButton(tr("Quit"), QMessageBox::RejectRole);
    box.setDefaultButton(another);
    box.exec();
    QString path;
    if (box.clickedButton() == another)
        path = QFileDialog::getOpenFileName(nullptr, tr("Open a Weft database"), {},
                                            tr("Weft databases (*.db);;All files (*)"));
    else if (box.clickedButton() == fresh)
        path = QFileDialog::getSaveFileName(nullptr, tr("New Weft database"),
                                            QStringLiteral("weft.db"), tr("Weft databases (*.db)"));
    if (path.isEmpty()) {
        QApplication::exit(1);
        return;
    }
    open(path, box.clickedButton() == fresh);
}

void StudioLauncher::onOpened() {
    if (m_demo)
        m_demo->start();
    else
        MainWindow::rememberDatabase(QFileInfo(m_backend->databasePath()).absoluteFilePath());

    m_window = std::make_unique<MainWindow>(m_backend.get(), m_theme);
    MainWindow* window = m_window.get();
    if (!m_options.screenshot.isEmpty()) window->setConfirmActions(false);
    if (m_options.page == QLatin1String("dashboard")) window->showPage(MainWindow::Page::Dashboard);
    if (m_options.page == QLatin1String("flows")) window->showPage(MainWindow::Page::Flows);
    window->show();
    if (const int tab = runTabNames().indexOf(m_options.runTab); tab >= 0)
        connect(window, &MainWindow::runPageOpened, window,
                [tab](RunPage* page) { page->showTab(RunPage::Tab(tab)); });
    if (!m_options.openRun.isEmpty()) window->openRun(m_options.openRun);
    if (!m_options.screenshot.isEmpty())
        scheduleScreenshot(window, m_options.screenshot, m_options.screenshotDelayMs);
    Q_EMIT windowShown();
}

} // namespace weft::studio

#include "studiooptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QUrl>

namespace weft::studio {

QStringList runTabNames() {
    return {QStringLiteral("graph"),     QStringLiteral("timeline"),   QStringLiteral("logs"),
            QStringLiteral("task-runs"), QStringLiteral("parameters"), QStringLiteral("result")};
}

QStringList pageNames() {
    return {QStringLiteral("runs"), QStringLiteral("dashboard"), QStringLiteral("flows"),
            QStringLiteral("deployments"), QStringLiteral("work-pools")};
}

std::optional<StudioOptions> parseStudioOptions(const QStringList& arguments, QString* error,
                                                QString* helpText) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "weft-studio", "Weft Studio: monitor and debug Weft flow runs."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption db(
        QStringLiteral("db"),
        QCoreApplication::translate("weft-studio", "Open this local database file."),
        QStringLiteral("path"));
    const QCommandLineOption connect(
        QStringLiteral("connect"),
        QCoreApplication::translate("weft-studio",
                                    "Connect to a server, e.g. http://127.0.0.1:4200/api; the "
                                    "local database (--db or the default) stays in the sidebar."),
        QStringLiteral("url"));
    const QCommandLineOption token(
        QStringLiteral("token"),
        QCoreApplication::translate("weft-studio",
                                    "API key for --connect, or user:password for HTTP basic auth."),
        QStringLiteral("token"));
    const QCommandLineOption openRun(
        QStringLiteral("open-run"),
        QCoreApplication::translate("weft-studio", "Open this flow run's page."),
        QStringLiteral("id"));
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        QCoreApplication::translate("weft-studio",
                                    "A fresh temporary database with the example flows running."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QCoreApplication::translate("weft-studio", "Save the main window to this PNG, then exit."),
        QStringLiteral("file"));
    const QCommandLineOption delay(
        QStringLiteral("screenshot-delay"),
        QCoreApplication::translate("weft-studio", "Wait this long before the screenshot (ms)."),
        QStringLiteral("ms"), QStringLiteral("1500"));
    const QCommandLineOption theme(
        QStringLiteral("theme"),
        QCoreApplication::translate("weft-studio", "system, light or dark."),
        QStringLiteral("theme"));
    const QCommandLineOption page(
        QStringLiteral("page"),
        QCoreApplication::translate("weft-studio",
                                    "Start on runs, dashboard, flows, deployments or work-pools."),
        QStringLiteral("page"));
    const QCommandLineOption runTab(
        QStringLiteral("run-tab"),
        QCoreApplication::translate(
            "weft-studio",
            "Show run pages on graph, timeline, logs, task-runs, parameters or result."),
        QStringLiteral("tab"));
    parser.addOptions({db, connect, token, openRun, demo, screenshot, delay, theme, page, runTab});
    if (helpText) *helpText = parser.helpText();
    if (!parser.parse(arguments)) {
        if (error) *error = parser.errorText();
        return std::nullopt;
    }
    StudioOptions o;
    o.db = parser.value(db);
    o.connectUrl = parser.value(connect);
    o.token = parser.value(token);
    o.openRun = parser.value(openRun);
    o.demo = parser.isSet(demo);
    o.screenshot = parser.value(screenshot);
    bool ok = false;
    o.screenshotDelayMs = parser.value(delay).toInt(&ok);
    if (!ok || o.screenshotDelayMs < 0) {
        if (error)
            *error = QCoreApplication::translate("weft-studio",
                                                 "--screenshot-delay wants milliseconds, got '%1'.")
                         .arg(parser.value(delay));
        return std::nullopt;
    }
    o.theme = parser.value(theme);
    if (!o.theme.isEmpty() && o.theme != QLatin1String("system")
        && o.theme != QLatin1String("light") && o.theme != QLatin1String("dark")) {
        if (error)
            *error =
                QCoreApplication::translate("weft-studio", "--theme is system, light or dark.");
        return std::nullopt;
    }
    o.page = parser.value(page);
    if (!o.page.isEmpty() && !pageNames().contains(o.page)) {
        if (error)
            *error = QCoreApplication::translate("weft-studio", "--page is one of: %1.")
                         .arg(pageNames().join(QStringLiteral(", ")));
        return std::nullopt;
    }
    o.runTab = parser.value(runTab);
    if (!o.runTab.isEmpty() && !runTabNames().contains(o.runTab)) {
        if (error)
            *error = QCoreApplication::translate("weft-studio", "--run-tab is one of: %1.")
                         .arg(runTabNames().join(QStringLiteral(", ")));
        return std::nullopt;
    }
    if (o.demo && !o.db.isEmpty()) {
        if (error)
            *error = QCoreApplication::translate("weft-studio",
                                                 "--demo uses its own database; leave out --db.");
        return std::nullopt;
    }
    // --db with --connect names the local database shown beside the server in the sidebar.
    if (!o.connectUrl.isEmpty() && o.demo) {
        if (error)
            *error = QCoreApplication::translate("weft-studio",
                                                 "--connect cannot be combined with --demo.");
        return std::nullopt;
    }
    if (!o.connectUrl.isEmpty()) {
        const QUrl url(o.connectUrl);
        if (!url.isValid() || url.host().isEmpty()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
            if (error)
                *error = QCoreApplication::translate("weft-studio",
                                                     "--connect takes the server's API URL, e.g. "
                                                     "http://127.0.0.1:4200/api, got '%1'.")
                             .arg(o.connectUrl);
            return std::nullopt;
        }
    }
    if (!o.token.isEmpty() && o.connectUrl.isEmpty()) {
        if (error)
            *error = QCoreApplication::translate("weft-studio", "--token goes with --connect.");
        return std::nullopt;
    }
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("version"))) {
        if (error)
            *error = parser.isSet(QStringLiteral("help")) ? QStringLiteral("help")
                                                          : QStringLiteral("version");
        return std::nullopt;
    }
    return o;
}

} // namespace weft::studio

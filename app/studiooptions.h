#pragma once
// weft-studio's command line (design §5): parsed into plain values, tested alone.
#include <QString>
#include <QStringList>
#include <optional>

namespace weft::studio {

struct StudioOptions {
    QString db;         // --db PATH; empty = the default local database
    QString connectUrl; // --connect URL (a remote server)
    QString token;      // --token T
    QString openRun;    // --open-run ID (or a unique prefix)
    bool demo = false;  // --demo
    QString screenshot; // --screenshot FILE
    int screenshotDelayMs = 1500;
    QString theme;  // --theme system|light|dark (empty = remembered choice)
    QString page;   // --page, one of pageNames()
    QString runTab; // --run-tab graph|timeline|logs|task-runs|parameters|result
};

/// The names --run-tab takes, in RunPage::Tab order.
QStringList runTabNames();
/// The names --page takes, in Workspace::Page order.
QStringList pageNames();

/// Parses arguments (argv[0] first). On a usage error returns nullopt and sets `error`.
std::optional<StudioOptions> parseStudioOptions(const QStringList& arguments, QString* error,
                                                QString* helpText = nullptr);

} // namespace weft::studio

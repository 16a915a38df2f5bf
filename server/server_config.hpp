#pragma once
// Where the server keeps its data and which addresses it may listen on without authentication.
#include <QHostAddress>
#include <QString>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace weft::server {

/// $WEFT_HOME/server.db, else ~/.local/share/weft/server.db: beside the local database
/// (weft::default_db_path) but a file of its own, so a server never shares the SDK's file.
inline std::string default_server_db_path() {
    namespace fs = std::filesystem;
    if (const char* home = std::getenv("WEFT_HOME"); home && *home)
        return (fs::path(home) / "server.db").string();
    const char* home = std::getenv("HOME");
    return (fs::path(home && *home ? home : ".") / ".local/share/weft/server.db").string();
}

/// The address to listen on for a --host value: an IP address, or "localhost". Null when the
/// text is neither.
inline QHostAddress listen_address(const QString& host) {
    if (host.compare(QStringLiteral("localhost"), Qt::CaseInsensitive) == 0)
        return QHostAddress(QHostAddress::LocalHost);
    return QHostAddress(host);
}

} // namespace weft::server

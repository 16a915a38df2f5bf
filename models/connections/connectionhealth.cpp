#include "connections/connectionhealth.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace weft::studio {

QString healthText(ConnectionHealth health) {
    auto tr = [](const char* s) { return QCoreApplication::translate("ConnectionHealth", s); };
    switch (health) {
    case ConnectionHealth::NotConnected:
        return tr("not connected");
    case ConnectionHealth::Connecting:
        return tr("connecting…");
    case ConnectionHealth::Connected:
        return tr("connected");
    case ConnectionHealth::Reconnecting:
        return tr("reconnecting");
    case ConnectionHealth::AuthFailed:
        return tr("auth failed");
    case ConnectionHealth::Incompatible:
        return tr("incompatible version");
    case ConnectionHealth::Failed:
        return tr("error");
    }
    return {};
}

QColor healthColor(ConnectionHealth health) {
    switch (health) {
    case ConnectionHealth::NotConnected:
        return QColor(0x9a, 0x9a, 0x9a);
    case ConnectionHealth::Connecting:
        return QColor(0x5b, 0x9b, 0xd5);
    case ConnectionHealth::Connected:
        return QColor(0x2e, 0xa0, 0x43);
    case ConnectionHealth::Reconnecting:
        return QColor(0xe0, 0x9b, 0x1a);
    case ConnectionHealth::AuthFailed:
    case ConnectionHealth::Incompatible:
    case ConnectionHealth::Failed:
        return QColor(0xd9, 0x53, 0x4f);
    }
    return {};
}

ConnectionHealth healthFromError(bool healthy, const QString& error) {
    if (healthy) return ConnectionHealth::Connected;
    // RestClient's sentence for a refusal: "Server http://…/api answered 401: …".
    static const QRegularExpression refused(QStringLiteral("\\banswered 40[13]\\b"));
    if (refused.match(error).hasMatch()) return ConnectionHealth::AuthFailed;
    return ConnectionHealth::Reconnecting;
}

} // namespace weft::studio

#include "connections/connectionhealth.h"

#include <QObject>
#include <QRegularExpression>

namespace weft::studio {

QString healthText(ConnectionHealth health) {
    switch (health) {
    case ConnectionHealth::Unknown:
        return QObject::tr("Unknown");
    case ConnectionHealth::Connected:
        return QObject::tr("Connected");
    case ConnectionHealth::Reconnecting:
        return QObject::tr("Reconnecting…");
    case ConnectionHealth::AuthFailed:
        return QObject::tr("Authentication failed");
    case ConnectionHealth::IncompatibleVersion:
        return QObject::tr("Incompatible version");
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

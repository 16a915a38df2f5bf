#include "connectionstatus.h"

#include <QCoreApplication>
#include <QHash>
#include <QPainter>
#include <QPixmap>
#include <QRegularExpression>

namespace weft::studio {

ConnectionStatus statusFromError(const QString& error) {
    if (error.isEmpty()) return ConnectionStatus::Connected;
    // RestClient's sentences: "Server http://…/api answered 401: …".
    static const QRegularExpression denied(QStringLiteral("\\banswered 40[13]\\b"));
    if (denied.match(error).hasMatch()) return ConnectionStatus::AuthFailed;
    return ConnectionStatus::Reconnecting;
}

QString statusWord(ConnectionStatus health) {
    auto tr = [](const char* s) { return QCoreApplication::translate("ConnectionStatus", s); };
    switch (health) {
    case ConnectionStatus::NotConnected:
        return tr("not connected");
    case ConnectionStatus::Connecting:
        return tr("connecting…");
    case ConnectionStatus::Connected:
        return tr("connected");
    case ConnectionStatus::Reconnecting:
        return tr("reconnecting");
    case ConnectionStatus::AuthFailed:
        return tr("auth failed");
    case ConnectionStatus::Incompatible:
        return tr("incompatible version");
    case ConnectionStatus::Failed:
        return tr("error");
    }
    return {};
}

QColor statusColor(ConnectionStatus health) {
    switch (health) {
    case ConnectionStatus::NotConnected:
        return QColor(0x9a, 0x9a, 0x9a);
    case ConnectionStatus::Connecting:
        return QColor(0x5b, 0x9b, 0xd5);
    case ConnectionStatus::Connected:
        return QColor(0x2e, 0xa0, 0x43);
    case ConnectionStatus::Reconnecting:
        return QColor(0xe0, 0x9b, 0x1a);
    case ConnectionStatus::AuthFailed:
    case ConnectionStatus::Incompatible:
    case ConnectionStatus::Failed:
        return QColor(0xd9, 0x53, 0x4f);
    }
    return {};
}

QIcon statusIcon(ConnectionStatus health) {
    static QHash<int, QIcon> cache;
    if (auto it = cache.constFind(int(health)); it != cache.constEnd()) return *it;
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(statusColor(health));
    p.drawEllipse(QRectF(6, 6, 20, 20));
    QIcon icon(pixmap);
    cache.insert(int(health), icon);
    return icon;
}

} // namespace weft::studio

#include "logs/logformat.h"

#include <QDateTime>
#include <QLocale>

namespace weft::studio {

QString logLevelName(int level) {
    switch (level) {
    case weft::Debug:
        return QStringLiteral("DEBUG");
    case weft::Info:
        return QStringLiteral("INFO");
    case weft::Warning:
        return QStringLiteral("WARNING");
    case weft::Error:
        return QStringLiteral("ERROR");
    case weft::Critical:
        return QStringLiteral("CRITICAL");
    default:
        break;
    }
    return QStringLiteral("LEVEL %1").arg(level);
}

QColor logLevelColor(int level, bool dark) {
    // Tailwind-like hues, one step lighter on dark backgrounds so they keep their contrast.
    if (level >= weft::Critical) return dark ? QColor(0xf4, 0x72, 0xb6) : QColor(0xbe, 0x18, 0x5d);
    if (level >= weft::Error) return dark ? QColor(0xf8, 0x71, 0x71) : QColor(0xdc, 0x26, 0x26);
    if (level >= weft::Warning) return dark ? QColor(0xfb, 0xbf, 0x24) : QColor(0xb4, 0x53, 0x09);
    if (level >= weft::Info) return dark ? QColor(0x60, 0xa5, 0xfa) : QColor(0x25, 0x63, 0xeb);
    return dark ? QColor(0x9c, 0xa3, 0xaf) : QColor(0x6b, 0x72, 0x80);
}

namespace {
QDateTime localTime(weft::Micros timestamp) {
    return QDateTime::fromMSecsSinceEpoch(timestamp / 1000, Qt::LocalTime);
}
} // namespace

QString logTimeShort(weft::Micros timestamp) {
    return localTime(timestamp).toString(QStringLiteral("HH:mm:ss.zzz"));
}

QString logTimeLong(weft::Micros timestamp) {
    return localTime(timestamp).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QString groupedNumber(qint64 n) {
    QLocale locale;
    locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
    return locale.toString(n);
}

QString formatLogLine(const weft::LogRecord& line, const QString& run) {
    QString out = logTimeLong(line.timestamp);
    out += QStringLiteral(" | ");
    out += logLevelName(line.level).leftJustified(8);
    out += QStringLiteral(" | ");
    out += QString::fromStdString(line.name);
    out += QStringLiteral(" | ");
    if (!run.isEmpty()) {
        out += run;
        out += QStringLiteral(" | ");
    }
    out += QString::fromStdString(line.message);
    return out;
}

} // namespace weft::studio

#include "deployments/scheduleformat.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>
#include <cmath>

namespace weft::studio {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ScheduleFormat", text);
}

// "5", "1.5": a count without trailing zeros.
QString number(double n) {
    return QString::number(n, 'g', 6);
}

bool isNumber(const QString& s) {
    static const QRegularExpression digits(QStringLiteral("^\\d+$"));
    return digits.match(s).hasMatch();
}

QString clock(const QString& hour, const QString& minute) {
    return QStringLiteral("%1:%2")
        .arg(hour.toInt(), 2, 10, QLatin1Char('0'))
        .arg(minute.toInt(), 2, 10, QLatin1Char('0'));
}

} // namespace

QString intervalInWords(double s) {
    if (!(s > 0)) return tr("no interval");
    if (std::fmod(s, 86400) == 0)
        return s == 86400 ? tr("every day") : tr("every %1 days").arg(number(s / 86400));
    if (s >= 3600 && std::fmod(s, 360) == 0)
        return s == 3600 ? tr("every hour") : tr("every %1 h").arg(number(s / 3600));
    if (s >= 60 && std::fmod(s, 6) == 0)
        return s == 60 ? tr("every minute") : tr("every %1 min").arg(number(s / 60));
    return s == 1 ? tr("every second") : tr("every %1 s").arg(number(s));
}

QString cronInWords(const std::string& cron) {
    const QString text = QString::fromStdString(cron).simplified();
    static const std::pair<const char*, const char*> macros[] = {
        {"@yearly", "yearly"}, {"@annually", "yearly"}, {"@monthly", "monthly"},
        {"@weekly", "weekly"}, {"@daily", "daily"},     {"@midnight", "daily"},
        {"@hourly", "hourly"}};
    for (const auto& [macro, words] : macros)
        if (text == QLatin1String(macro)) return tr(words);
    const QStringList f = text.split(QLatin1Char(' '));
    if (f.size() == 5 && f[2] == QLatin1String("*") && f[3] == QLatin1String("*")
        && f[4] == QLatin1String("*")) {
        const QString& minute = f[0];
        const QString& hour = f[1];
        if (minute == QLatin1String("*") && hour == QLatin1String("*")) return tr("every minute");
        if (minute.startsWith(QLatin1String("*/")) && isNumber(minute.mid(2))
            && hour == QLatin1String("*"))
            return tr("every %1 min").arg(minute.mid(2));
        if (isNumber(minute) && hour == QLatin1String("*"))
            return tr("hourly at :%1").arg(minute.toInt(), 2, 10, QLatin1Char('0'));
        if (isNumber(minute) && isNumber(hour)) return tr("daily at %1").arg(clock(hour, minute));
    }
    return tr("cron %1").arg(text);
}

QString scheduleInWords(const weft::DeploymentSchedule& s) {
    QString words;
    if (!s.cron.empty()) {
        words = QStringLiteral("%1 (%2)").arg(
            cronInWords(s.cron),
            s.timezone.empty() ? QStringLiteral("UTC") : QString::fromStdString(s.timezone));
    } else if (s.interval_s) {
        words = intervalInWords(*s.interval_s);
    } else {
        words = tr("a schedule Studio cannot read"); // Prefect's rrule
    }
    if (!s.active) words += QLatin1Char(' ') + tr("(inactive)");
    return words;
}

QString schedulesInWords(const std::vector<weft::DeploymentSchedule>& schedules) {
    if (schedules.empty()) return tr("none");
    QStringList parts;
    for (const auto& s : schedules)
        parts << scheduleInWords(s);
    return parts.join(QStringLiteral("; "));
}

} // namespace weft::studio

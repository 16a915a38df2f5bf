#include "runs/runformat.h"

#include <weft/time.hpp>

#include <QCoreApplication>
#include <QDateTime>
#include <cmath>

namespace weft::studio {

namespace {
QString tr(const char* text, int n = -1) {
    return QCoreApplication::translate("weft::studio::RunFormat", text, nullptr, n);
}
} // namespace

QString formatTimestamp(qint64 ms) {
    if (ms == 0) return {};
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(
        QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString formatTimestampMs(qint64 ms) {
    if (ms == 0) return {};
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(
        QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QString formatDuration(double s) {
    if (s < 0 || !std::isfinite(s)) return {};
    // Some run for well under a millisecond (a retried task's last attempt): "0 ms" would read
    // as "did not run".
    if (s > 0 && s < 0.0005) return QStringLiteral("<1 ms");
    if (s < 1)
        return QStringLiteral("%1 ms").arg(std::llround(s * 1000)); // tasks are often this short
    if (s < 10) return QStringLiteral("%1 s").arg(s, 0, 'f', 1);
    const qint64 total = qint64(std::llround(s));
    if (total < 60) return QStringLiteral("%1 s").arg(total);
    const qint64 days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60,
                 seconds = total % 60;
    if (days) return QStringLiteral("%1 d %2 h").arg(days).arg(hours);
    if (hours) return QStringLiteral("%1 h %2 min").arg(hours).arg(minutes);
    return QStringLiteral("%1 min %2 s").arg(minutes).arg(seconds);
}

QString formatRelative(qint64 ms, qint64 now) {
    const qint64 d = (now - ms) / 1000;
    const qint64 a = d < 0 ? -d : d;
    QString amount;
    if (a < 5) return tr("just now");
    if (a < 60)
        amount = tr("%n s", int(a));
    else if (a < 3600)
        amount = tr("%n min", int(a / 60));
    else if (a < 86400)
        amount = tr("%n h", int(a / 3600));
    else
        amount = a < 2 * 86400 ? tr("1 day") : tr("%n days", int(a / 86400));
    return d >= 0 ? tr("%1 ago").arg(amount) : tr("in %1").arg(amount);
}

namespace {
// JSON text with floating-point numbers at six significant digits: 5.59, not 5.590000000000001.
void appendCompact(QString& out, const nlohmann::json& j) {
    if (j.is_number_float()) {
        out += QString::number(j.get<double>(), 'g', 6);
    } else if (j.is_array()) {
        out += u'[';
        for (std::size_t i = 0; i < j.size(); ++i) {
            if (i) out += u',';
            appendCompact(out, j[i]);
        }
        out += u']';
    } else if (j.is_object()) {
        out += u'{';
        bool first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!first) out += u',';
            first = false;
            out += QString::fromStdString(nlohmann::json(it.key()).dump()) + u':';
            appendCompact(out, it.value());
        }
        out += u'}';
    } else {
        out += QString::fromStdString(j.dump());
    }
}
} // namespace

QString parametersSummary(const nlohmann::json& parameters, int maxChars) {
    if (!parameters.is_object()) {
        QString out;
        if (!parameters.is_null()) appendCompact(out, parameters);
        return out;
    }
    QString out;
    for (auto it = parameters.begin(); it != parameters.end(); ++it) {
        if (!out.isEmpty()) out += QStringLiteral(", ");
        out += QString::fromStdString(it.key()) + u'=';
        appendCompact(out, it.value());
        if (out.size() > maxChars) {
            out.truncate(maxChars);
            out += u'…';
            break;
        }
    }
    return out;
}

QString stateMessage(const weft::State& state) {
    QString text = QString::fromStdString(state.message);
    if (state.type != weft::StateType::Crashed || !state.details.is_object()) return text;
    auto localTime = [&](const char* key) {
        auto it = state.details.find(key);
        if (it == state.details.end() || !it->is_string()) return QString();
        const auto at = weft::from_iso(it->get<std::string>());
        return at ? formatTimestamp(*at / 1000) : QString();
    };
    const QString seen = localTime("last_seen_time"), found = localTime("detected_time");
    QStringList times;
    if (!seen.isEmpty()) times << tr("Last seen alive %1").arg(seen);
    if (!found.isEmpty()) times << tr("found gone %1").arg(found);
    if (times.isEmpty()) return text;
    return (text.isEmpty() ? QString() : text + QLatin1Char(' ')) + times.join(QStringLiteral("; "))
           + QLatin1Char('.');
}

QString noResultReason(weft::StateType type, bool hasResult) {
    if (hasResult) return {};
    switch (type) {
    case weft::StateType::Failed:
        return tr("No result: it failed.");
    case weft::StateType::Crashed:
        return tr("No result: it crashed.");
    case weft::StateType::Cancelled:
    case weft::StateType::Cancelling:
        return tr("No result: it was cancelled.");
    case weft::StateType::Completed:
        // persist_result off, or nothing returned: the engine kept no value.
        return tr("No result: none was persisted.");
    default:
        return tr("No result yet: it has not finished.");
    }
}

} // namespace weft::studio

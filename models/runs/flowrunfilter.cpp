#include "runs/flowrunfilter.h"

#include <QObject>
#include <QSettings>
#include <algorithm>

namespace weft::studio {

namespace {
constexpr qint64 kHourMs = 3600 * 1000;

std::vector<std::string> toStd(const QStringList& list) {
    std::vector<std::string> out;
    out.reserve(size_t(list.size()));
    for (const auto& s : list)
        out.push_back(s.toStdString());
    return out;
}

QString rangeKey(FlowRunFilter::Range r) {
    switch (r) {
    case FlowRunFilter::Range::LastHour:
        return QStringLiteral("1h");
    case FlowRunFilter::Range::Last24Hours:
        return QStringLiteral("24h");
    case FlowRunFilter::Range::Last7Days:
        return QStringLiteral("7d");
    case FlowRunFilter::Range::Last30Days:
        return QStringLiteral("30d");
    case FlowRunFilter::Range::Custom:
        return QStringLiteral("custom");
    case FlowRunFilter::Range::All:
        break;
    }
    return QStringLiteral("all");
}

FlowRunFilter::Range rangeFromKey(const QString& key) {
    using R = FlowRunFilter::Range;
    for (R r : {R::LastHour, R::Last24Hours, R::Last7Days, R::Last30Days, R::Custom})
        if (rangeKey(r) == key) return r;
    return R::All;
}

// Settings keys cannot hold '/' or '\\' (they would become groups).
QString settingsKey(const QString& name) {
    return QString::fromLatin1(name.toUtf8().toPercentEncoding());
}
} // namespace

bool FlowRunFilter::isEmpty() const {
    return states.empty() && flowNames.isEmpty() && tags.isEmpty() && text.trimmed().isEmpty()
           && range == Range::All;
}

bool FlowRunFilter::operator==(const FlowRunFilter& o) const {
    return states == o.states && flowNames == o.flowNames && tags == o.tags && text == o.text
           && range == o.range && (range != Range::Custom || (from == o.from && to == o.to));
}

weft::FlowRunQuery FlowRunFilter::toQuery(qint64 nowMs) const {
    weft::FlowRunQuery q;
    q.states = states;
    q.flow_names = toStd(flowNames);
    q.tags = toStd(tags);
    q.name_like = text.trimmed().toStdString();
    qint64 back = 0;
    switch (range) {
    case Range::LastHour:
        back = kHourMs;
        break;
    case Range::Last24Hours:
        back = 24 * kHourMs;
        break;
    case Range::Last7Days:
        back = 7 * 24 * kHourMs;
        break;
    case Range::Last30Days:
        back = 30 * 24 * kHourMs;
        break;
    case Range::Custom:
        if (from.isValid()) q.expected_after = from.toMSecsSinceEpoch() * 1000;
        if (to.isValid()) q.expected_before = to.toMSecsSinceEpoch() * 1000;
        break;
    case Range::All:
        break;
    }
    if (back) q.expected_after = (nowMs - back) * 1000;
    return q;
}

QVariantMap FlowRunFilter::toVariant() const {
    QStringList stateNames;
    for (auto s : states)
        stateNames << QString::fromLatin1(weft::to_string(s).data());
    QVariantMap m;
    m[QStringLiteral("states")] = stateNames;
    m[QStringLiteral("flows")] = flowNames;
    m[QStringLiteral("tags")] = tags;
    m[QStringLiteral("text")] = text;
    m[QStringLiteral("range")] = rangeKey(range);
    if (range == Range::Custom) {
        if (from.isValid()) m[QStringLiteral("from")] = from.toUTC().toString(Qt::ISODateWithMs);
        if (to.isValid()) m[QStringLiteral("to")] = to.toUTC().toString(Qt::ISODateWithMs);
    }
    return m;
}

FlowRunFilter FlowRunFilter::fromVariant(const QVariantMap& m) {
    FlowRunFilter f;
    const QStringList stateNames = m.value(QStringLiteral("states")).toStringList();
    for (const auto& name : stateNames)
        if (auto t = weft::state_type_from_string(name.toStdString())) f.states.push_back(*t);
    f.flowNames = m.value(QStringLiteral("flows")).toStringList();
    f.tags = m.value(QStringLiteral("tags")).toStringList();
    f.text = m.value(QStringLiteral("text")).toString();
    f.range = rangeFromKey(m.value(QStringLiteral("range")).toString());
    if (f.range == Range::Custom) {
        f.from =
            QDateTime::fromString(m.value(QStringLiteral("from")).toString(), Qt::ISODateWithMs);
        f.to = QDateTime::fromString(m.value(QStringLiteral("to")).toString(), Qt::ISODateWithMs);
    }
    return f;
}

QString FlowRunFilter::rangeLabel(Range r) {
    switch (r) {
    case Range::LastHour:
        return QObject::tr("Last hour");
    case Range::Last24Hours:
        return QObject::tr("Last 24 hours");
    case Range::Last7Days:
        return QObject::tr("Last 7 days");
    case Range::Last30Days:
        return QObject::tr("Last 30 days");
    case Range::Custom:
        return QObject::tr("Custom range…");
    case Range::All:
        break;
    }
    return QObject::tr("All time");
}

SavedFilters::SavedFilters(QSettings& settings, QString group)
    : m_settings(settings)
    , m_group(std::move(group)) {}

QStringList SavedFilters::names() const {
    m_settings.beginGroup(m_group);
    QStringList out;
    const QStringList keys = m_settings.childKeys();
    for (const auto& k : keys)
        out << QString::fromUtf8(QByteArray::fromPercentEncoding(k.toLatin1()));
    m_settings.endGroup();
    std::sort(out.begin(), out.end(), [](const QString& a, const QString& b) {
        return a.compare(b, Qt::CaseInsensitive) < 0;
    });
    return out;
}

bool SavedFilters::contains(const QString& name) const {
    return m_settings.contains(m_group + u'/' + settingsKey(name));
}

FlowRunFilter SavedFilters::load(const QString& name) const {
    return FlowRunFilter::fromVariant(m_settings.value(m_group + u'/' + settingsKey(name)).toMap());
}

void SavedFilters::save(const QString& name, const FlowRunFilter& filter) {
    m_settings.setValue(m_group + u'/' + settingsKey(name), filter.toVariant());
}

void SavedFilters::remove(const QString& name) {
    m_settings.remove(m_group + u'/' + settingsKey(name));
}

} // namespace weft::studio

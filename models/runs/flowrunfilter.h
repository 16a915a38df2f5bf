#pragma once
// What the run list shows: a small value type, its conversion to the engine's query, and named
// filters saved in QSettings.
#include <weft/store.hpp>

#include <QDateTime>
#include <QStringList>
#include <QVariant>
#include <vector>

class QSettings;

namespace weft::studio {

struct FlowRunFilter {
    enum class Range { All, LastHour, Last24Hours, Last7Days, Last30Days, Custom };

    std::vector<weft::StateType> states; // any of these; empty = all
    QStringList flowNames;               // any of these; empty = all
    QStringList tags;                    // all of these
    QString text;                        // substring of the run or flow name
    Range range = Range::All;
    QDateTime from, to; // Range::Custom; either may be invalid (open)

    bool isEmpty() const;
    bool operator==(const FlowRunFilter& other) const;
    bool operator!=(const FlowRunFilter& other) const { return !(*this == other); }

    /// The engine query for this filter; relative ranges are taken back from `nowMs`.
    weft::FlowRunQuery toQuery(qint64 nowMs = QDateTime::currentMSecsSinceEpoch()) const;
    /// True when a change of a run's state alone may add it to, or take it from, the result.
    bool dependsOnState() const { return !states.empty(); }

    QVariantMap toVariant() const;
    static FlowRunFilter fromVariant(const QVariantMap& map);
    /// "Last 24 hours", … for menus.
    static QString rangeLabel(Range range);
};

/// Named filters under one QSettings group ("runs/savedFilters" by default).
class SavedFilters {
public:
    explicit SavedFilters(QSettings& settings, QString group = QStringLiteral("runs/savedFilters"));
    QStringList names() const; // sorted
    bool contains(const QString& name) const;
    FlowRunFilter load(const QString& name) const;
    void save(const QString& name, const FlowRunFilter& filter);
    void remove(const QString& name);

private:
    QSettings& m_settings;
    QString m_group;
};

} // namespace weft::studio

Q_DECLARE_METATYPE(weft::studio::FlowRunFilter)

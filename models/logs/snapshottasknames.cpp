#include "logs/snapshottasknames.h"

namespace weft::studio {

SnapshotTaskNames::SnapshotTaskNames(RunSnapshot* snapshot, QObject* parent)
    : TaskNames(parent)
    , m_snapshot(snapshot) {
    connect(snapshot, &RunSnapshot::reset, this, &TaskNames::changed);
    connect(snapshot, &RunSnapshot::updated, this, [this](const RunSnapshot::Delta& d) {
        if (d.names) Q_EMIT changed(); // states change far more often than names
    });
}

QString SnapshotTaskNames::flowRunId() const {
    return m_snapshot ? m_snapshot->flowRunId() : QString();
}

QString SnapshotTaskNames::name(const std::string& taskRunId) const {
    if (!m_snapshot) return {};
    const int i = m_snapshot->indexOf(taskRunId);
    return i >= 0 ? QString::fromStdString(m_snapshot->task(i).name) : QString();
}

} // namespace weft::studio

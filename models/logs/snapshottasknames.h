#pragma once
// The task-run names of a RunSnapshot, for a LogModel: the log view of a run page names task runs
// from the same snapshot as the page's other views, and learns of new ones with the same batch.
#include "logs/tasknames.h"
#include "runs/runsnapshot.h"

#include <QPointer>

namespace weft::studio {

class SnapshotTaskNames : public TaskNames {
    Q_OBJECT
public:
    /// `snapshot` is not owned and may be destroyed first.
    explicit SnapshotTaskNames(RunSnapshot* snapshot, QObject* parent = nullptr);
    QString flowRunId() const override;
    QString name(const std::string& taskRunId) const override;

private:
    QPointer<RunSnapshot> m_snapshot;
};

} // namespace weft::studio

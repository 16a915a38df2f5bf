#pragma once
// The live snapshots of flow runs, at most one per run and backend. Whoever shows a run's task
// runs (a run page, another run's graph with that run expanded as a subflow) holds the same
// RunSnapshot, so no view keeps a private copy of a run's task runs and they all move with the
// same event batch. A snapshot lives while someone holds it. GUI thread only.
#include "runs/runsnapshot.h"

#include <memory>

namespace weft::studio {

class RunSnapshots {
public:
    /// The snapshot of `flowRunId` on `backend`: the one already held by someone, or a new one,
    /// loading. Holders never point it at another run (setFlowRun); refresh() is theirs to call.
    static std::shared_ptr<RunSnapshot> of(Backend* backend, const QString& flowRunId);
};

} // namespace weft::studio

#pragma once
// Run-graph test data written through the store: an ETL-like run with a `.map` fan-out, tags and
// a subflow call whose child flow run has task runs of its own.
#include "fixtures.h"

namespace weft::studio::graphfixtures {

struct EtlRun {
    fixtures::Written parent; ///< extract, validate, transform ×12, aggregate, load, report
    fixtures::Written child;  ///< report's child run: render, upload, notify
    std::string reportTaskRunId;
    std::vector<std::string> transformIds;
};

/// extract → {validate, transform ×12 (one failed)}; transforms → aggregate; aggregate and
/// validate → load → report, a subflow call (running) whose child run is render → {upload, notify}.
/// Tags: "io" on extract and load, "cpu" on the transforms. Returns after the store committed.
EtlRun writeEtlRun(weft::Store& store);

/// Makes `taskRunId` the call of subflow `childFlowRunId`, as the SDK records it.
void linkSubflow(weft::Store& store, const std::string& taskRunId,
                 const std::string& childFlowRunId);

/// Adds a task run to a flow run, downstream of `upstream` (data edges) and of `waitFor`
/// (order-only edges, under task_inputs' "wait_for"), either may be empty; returns its id.
std::string addTaskRun(weft::Store& store, const std::string& flowRunId, const std::string& taskKey,
                       const std::vector<std::string>& upstream,
                       const std::vector<std::string>& waitFor = {});

/// Moves a task run to `type` through the store, as its program would.
void setTaskRunState(weft::Store& store, const std::string& taskRunId, weft::StateType type);

} // namespace weft::studio::graphfixtures

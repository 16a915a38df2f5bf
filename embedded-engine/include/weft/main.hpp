#pragma once
// The command line of a flow program: `PROGRAM [run FLOW [--param k=v]… [--params-json JSON]]`,
// `PROGRAM list [--json]`, `PROGRAM rerun RUN_ID [--from-task TASK_RUN_ID]`, `PROGRAM resume
// RUN_ID` (a suspended run that was resumed), `PROGRAM execute RUN_ID` (a run made elsewhere, e.g.
// by a deployment, that a worker starts the program for), and `--db PATH` on each.
#include "weft/sdk.hpp"

#include <vector>

namespace weft {

/// Runs the flow program's command line. With no arguments it runs the first flow (with its
/// default parameters).
/// Returns the process exit code: 0 when the run completed, 1 when it did not, 2 for usage errors,
/// 3 when `execute` was refused the run (another process has it, or it does not wait to be run).
int main(int argc, char** argv, std::vector<FlowEntry> flows);

} // namespace weft

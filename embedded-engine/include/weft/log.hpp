#pragma once
// Logging from flows and tasks: spdlog loggers whose lines are recorded with the current run's ids
// (and printed to stderr), so Studio and `weft flow-run logs` show them.
#include <memory>
#include <spdlog/spdlog.h>
#include <string>

namespace weft {

/// The logger of the current task run or flow run ("weft.task_runs" / "weft.flow_runs").
/// Outside a run it prints and records nothing in the store. Thread-safe.
spdlog::logger& log();

/// A named logger whose lines are recorded like the run loggers' (e.g. log("etl.loader")).
std::shared_ptr<spdlog::logger> log(const std::string& name);

} // namespace weft

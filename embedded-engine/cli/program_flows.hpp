#pragma once
// The flows a flow program has, from `PROGRAM list` (for `weft deploy`).
#include <string>
#include <vector>

namespace weft::cli {

/// Runs `PROGRAM list` (no shell, at most 30 s) and returns the flows' names. Throws CliError
/// saying why when it cannot be run or does not answer like a flow program.
std::vector<std::string> program_flows(const std::string& program);

} // namespace weft::cli

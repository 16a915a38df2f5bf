#pragma once
// The flows a flow program has, from `PROGRAM list --json` or, from a program built before the
// SDK knew `--json`, `PROGRAM list` (for `weft deploy`).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace weft::cli {

struct ProgramFlow {
    std::string name;
    /// The JSON schema of its parameters (Prefect's parameter_openapi_schema shape); null when the
    /// program did not say (an older program).
    nlohmann::json parameter_schema;
};

/// Runs `PROGRAM list --json`, else `PROGRAM list` (no shell, at most 30 s each) and returns the
/// flows. Throws CliError saying why when it cannot be run or does not answer like a flow program.
std::vector<ProgramFlow> program_flows(const std::string& program);

} // namespace weft::cli

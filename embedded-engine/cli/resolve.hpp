#pragma once
// Ids on the command line: full ids or unique prefixes, in either case.
#include <weft/engine.hpp>

#include <string>

namespace weft::cli {

/// The full id of the one flow run whose id starts with `prefix`. Throws LookupError (one line:
/// unknown id, or a prefix shared by several runs).
std::string resolve_flow_run(Engine& engine, const std::string& prefix);
std::string resolve_task_run(Engine& engine, const std::string& prefix);

/// Resolves and reads the run; throws LookupError when it vanished in between.
FlowRunRecord load_flow_run(Engine& engine, const std::string& prefix);
TaskRunRecord load_task_run(Engine& engine, const std::string& prefix);

/// The shortest prefix of a stored id, at least 8 characters, that names only that run: what
/// tables show. Ids are time-ordered (UUID v7), so runs made in the same minute share their first
/// 8 characters and a fixed-length prefix would not tell them apart.
std::string short_flow_run_id(Reader& reader, const std::string& id);
std::string short_task_run_id(Reader& reader, const std::string& id);
std::string short_flow_run_id(Engine& engine, const std::string& id);
std::string short_task_run_id(Engine& engine, const std::string& id);

} // namespace weft::cli

#pragma once
// Runs on the command line: full ids, unique prefixes or tails of ids, or flow run names.
#include "cli.hpp"

#include <weft/engine.hpp>

#include <string>

namespace weft::cli {

/// The full id of the one flow run that `text` names: a prefix or the end of its id (in any
/// case), or its name. Throws LookupError (one line: nothing matches, or several do).
std::string resolve_flow_run(Engine& engine, const std::string& text);
/// Likewise by a prefix or the end of a task run's id (task run names repeat across runs).
std::string resolve_task_run(Engine& engine, const std::string& text);

/// Resolves and reads the run; throws LookupError when it vanished in between.
FlowRunRecord load_flow_run(Engine& engine, const std::string& text);
TaskRunRecord load_task_run(Engine& engine, const std::string& text);

/// As above, on the server the commands work against (Cli::api) or the local database. A server
/// finds runs by their whole id or a flow run's name only.
std::string resolve_flow_run(Cli& cli, const std::string& text);
FlowRunRecord load_flow_run(Cli& cli, const std::string& text);
TaskRunRecord load_task_run(Cli& cli, const std::string& text);
/// A run id as tables show it: its tail for a local database (commands take it back), the whole
/// id for a server.
std::string shown_id(Cli& cli, const std::string& id);

/// What tables and messages show of a run id, which commands take back: its last 12 hex digits.
/// Ids are time-ordered (UUID v7), so their first 12 digits are the creation time, the same for a
/// flow run and the task run it starts in the same millisecond; the tail is random (48 bits), so
/// two runs share it with odds of about one in 500 even among a million runs. A shared tail is
/// refused as ambiguous when passed back. The reader or engine overloads are kept for callers
/// that have one at hand; no look-up is needed.
std::string short_flow_run_id(Reader& reader, const std::string& id);
std::string short_task_run_id(Reader& reader, const std::string& id);
std::string short_flow_run_id(Engine& engine, const std::string& id);
std::string short_task_run_id(Engine& engine, const std::string& id);

} // namespace weft::cli

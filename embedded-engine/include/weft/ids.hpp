#pragma once
#include <string>

namespace weft {

/// A new UUID (version 7: time-ordered, so new rows append to the store's B-trees), lowercase and
/// hyphenated. Thread-safe.
std::string new_id();

/// True for a lowercase or uppercase hyphenated UUID.
bool is_uuid(const std::string& text);

/// A readable name for a new flow run, e.g. "brisk-heron". Thread-safe.
std::string random_run_name();

} // namespace weft

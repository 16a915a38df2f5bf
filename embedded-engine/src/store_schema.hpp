#pragma once
#include <vector>

namespace weft::schema {

/// Migration i (0-based) takes the database from user_version i to i + 1. Append only: a shipped
/// migration never changes.
const std::vector<const char*>& migrations();

} // namespace weft::schema

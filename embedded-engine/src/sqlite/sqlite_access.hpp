#pragma once
// For tests only (the engine's internal include directory, weft::engine_internal): the SQLite
// connection behind a Reader or a Txn of a store opened on a file, for raw SQL a test needs (a
// page limit standing in for a full disk, a long read transaction). Not part of the public API.
#include "weft/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace weft::sqlite {

/// The connection of a Reader from a SQLite store (std::bad_cast for another backend's).
SQLite::Database& database(Reader& reader);
/// The writer's connection, inside Store::transact of a SQLite store.
SQLite::Database& database(Txn& txn);

} // namespace weft::sqlite

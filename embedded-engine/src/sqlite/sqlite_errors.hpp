#pragma once
// How the store tells SQLite's errors apart: those that cost one operation and those that cost the
// file (and with it every later write).
#include "weft/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace weft::sqlite {

/// SQLite's error as one a user can act on, naming the file.
StoreError explain(const std::string& path, const SQLite::Exception& e);

/// The disk or the file failed (full, I/O error, damaged, gone read-only): not the operation's
/// fault, and the transaction may already have been rolled back.
bool is_file_error(const SQLite::Exception& e);

} // namespace weft::sqlite

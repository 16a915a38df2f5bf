#pragma once
// Row mapping shared by the SQLite reader and writer: one place knows each table's columns.
#include "weft/events.hpp"
#include "weft/records.hpp"
#include "weft/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace weft::rows {

extern const char* const kFlowRunColumns; // in the order read_flow_run expects
extern const char* const kTaskRunColumns; // in the order read_task_run expects
extern const char* const kEventColumns;
extern const char* const kLogColumns;

FlowRunRecord read_flow_run(SQLite::Statement& st);
TaskRunRecord read_task_run(SQLite::Statement& st);
Event read_event(SQLite::Statement& st);
LogRecord read_log(SQLite::Statement& st);
State read_state(SQLite::Statement& st, int first_column); // id, type, name, message, ts, details

/// Binds every column of kFlowRunColumns / kTaskRunColumns as parameters 1..n.
void bind_flow_run(SQLite::Statement& st, const FlowRunRecord& r);
void bind_task_run(SQLite::Statement& st, const TaskRunRecord& r, const detail::TaskRunTexts& t);
/// Binds an update for kUpdateTaskRunState (in sqlite_writer.cpp).
void bind_task_run_update(SQLite::Statement& st, const TaskRunUpdate& u,
                          const detail::TaskRunTexts& t);

std::string tags_to_text(const std::vector<std::string>& tags);
std::vector<std::string> tags_from_text(const char* text);

} // namespace weft::rows

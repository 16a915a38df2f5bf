#pragma once
// Row mapping shared by the SQLite reader and writer: one place knows each table's columns.
#include "weft/events.hpp"
#include "weft/records.hpp"
#include "weft/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

namespace weft {
struct TaskRunColumns;
}

namespace weft::rows {

extern const char* const kFlowRunColumns; // in the order read_flow_run expects
extern const char* const kTaskRunColumns; // in the order read_task_run expects
extern const char* const kEventColumns;   // in the order read_event expects; FROM events
extern const char* const kLogColumns;

FlowRunRecord read_flow_run(SQLite::Statement& st);
TaskRunRecord read_task_run(SQLite::Statement& st);
Event read_event(SQLite::Statement& st);
LogRecord read_log(SQLite::Statement& st);
State read_state(SQLite::Statement& st, int first_column); // id, type, name, message, ts, details
/// A state as the events table holds it (columns as read_state's): the type's integer code, the
/// name NULL for the type's default name, the message NULL for none.
State read_event_state(SQLite::Statement& st, int first_column);

/// The events table's integer code of a state type. Stored in files: a code never changes.
int state_code(StateType type);
StateType state_from_code(int code); // an unknown code reads as Pending

/// Binds every column of kFlowRunColumns / kTaskRunColumns as parameters 1..n.
void bind_flow_run(SQLite::Statement& st, const FlowRunRecord& r);
/// The writer's hot path binds a queued task run on SQLite's own statements (see HotStatement).
void bind_task_run(sqlite3_stmt* st, const TaskRunColumns& r);
/// Binds a state change for kUpdateTaskRunState (in sqlite_writer.cpp).
void bind_task_run_update(sqlite3_stmt* st, const TaskRunColumns& u);
/// Binds a task run's feed event for kInsertEvent (in sqlite_writer.cpp): its current state,
/// as the events table holds it (see read_event_state).
void bind_task_run_event(sqlite3_stmt* st, EventKind kind, const TaskRunColumns& r);

std::string tags_to_text(const std::vector<std::string>& tags);
std::vector<std::string> tags_from_text(const char* text);

} // namespace weft::rows

#pragma once
// Task-run writes as the store's queue holds them (detail::QueuedWrite): made from a record on the
// thread that queues it, read back as the columns the writer binds.
#include "weft/store_backend.hpp"

#include <string>

namespace weft::detail {

/// A task run's full row and event: `texts` receives its texts (appended), `write` the rest.
/// `parameters`, when given, is stored instead of run.parameters.
void encode_task_run(const TaskRunRecord& run, EventKind kind, const nlohmann::json* parameters,
                     QueuedWrite& write, std::string& texts);
/// A state change: the fields that change with the state, parameters and task inputs when given.
void encode_update(const TaskRunRecord& run, const nlohmann::json* parameters,
                   const nlohmann::json* task_inputs, QueuedWrite& write, std::string& texts);
void encode_update(const TaskRunUpdate& update, QueuedWrite& write, std::string& texts);

/// The columns of a task-run write whose texts start at texts + write.at.
TaskRunColumns columns(const QueuedWrite& write, const char* texts);

} // namespace weft::detail

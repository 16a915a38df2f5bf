#pragma once
// Columns and roles of TaskRunModel, shared by the model, the task-run table and tests.
#include <Qt>

namespace weft::studio::taskruns {

enum Column {
    StateColumn,
    NameColumn,
    AttemptsColumn,
    StartColumn,    // with milliseconds
    RunTimeColumn,  // time spent RUNNING over attempts (runTimeS)
    WallTimeColumn, // end - start (wallTimeS)
    MessageColumn,  // the state's message: the error of a failed task run
    CacheKeyColumn,
    InputsColumn,
    TagsColumn,
    ColumnCount
};

enum Roles {
    IdRole = Qt::UserRole + 1, // QString
    StateTypeRole,             // int of weft::StateType
    StateNameRole,             // QString
    StateMessageRole,          // QString
    StartTimeRole,             // qint64 msecs: start, else expected start
    RunTimeRole,        // double seconds (runTimeS); live while running; invalid if never ran
    WallTimeRole,       // double seconds (wallTimeS); invalid if never started
    TagsRole,           // QStringList
    TaskKeyRole,        // QString
    RunCountRole,       // int
    CacheKeyRole,       // QString
    UpstreamIdsRole,    // QStringList: task runs this one consumed (task_inputs)
    UpstreamNamesRole,  // QStringList: their names, where known
    EndTimeRole,        // qint64 msecs, or invalid
    ChildFlowRunIdRole, // QString: the subflow run this task run stands for
    IsPlaceholderRole,  // bool: created, record not fetched yet
};

} // namespace weft::studio::taskruns

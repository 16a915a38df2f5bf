#pragma once
// Roles and columns of LogModel, shared by the model, LogView's delegate and the tests.
#include <Qt>

namespace weft::studio {

struct LogRoles {
    enum Role : int {
        IdRole = Qt::UserRole + 1, // qint64, the line's id (increasing)
        LevelRole,                 // int, Python's number: 10 DEBUG … 50 CRITICAL
        LevelNameRole,             // "INFO"
        TimestampRole,             // qint64, microseconds since the epoch (UTC)
        LoggerRole,                // the logger's name
        MessageRole,               // the whole message
        TaskRunIdRole,             // "" for a flow run's own lines
        TaskRunNameRole,           // the task run's name, "" until known
        FlowRunIdRole,
        FlowRunNameRole, // the flow run's name, "" until known
        IsHitRole,       // bool: the line matches the search
        IsLoadedRole,    // bool: its text has arrived (else paint a placeholder)
        GapBeforeRole,   // bool: context mode skipped lines before this one
    };
    enum Column : int {
        TimeColumn,
        LevelColumn,
        RunColumn,    // the flow run's name; LogView shows it only across all runs
        SourceColumn, // the task run's name, else the logger's
        MessageColumn,
        ColumnCount
    };
};

} // namespace weft::studio

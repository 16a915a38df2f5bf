#pragma once
// Columns and roles of FlowRunListModel, shared by the model, the run table's delegates and tests.
#include <Qt>

namespace weft::studio::flowruns {

enum Column {
    StateColumn,
    FlowColumn,
    NameColumn,
    StartColumn,
    DurationColumn,
    TagsColumn,
    ParametersColumn,
    ColumnCount
};

enum Roles {
    IdRole = Qt::UserRole + 1, // QString
    StateTypeRole,             // int of weft::StateType
    StateNameRole,             // QString: "Late", "Cached", …
    StateMessageRole,          // QString
    StartTimeRole,             // qint64 msecs since the epoch: start, else expected start
    DurationRole,              // double seconds; live (now - start) for running runs
    TagsRole,                  // QStringList
    IsPlaceholderRole,         // bool: the row's page has not arrived yet
    FlowNameRole,              // QString
    ExpectedStartRole,         // qint64 msecs
    EndTimeRole,               // qint64 msecs, or invalid
    ParametersRole,            // QString: compact JSON
};

} // namespace weft::studio::flowruns

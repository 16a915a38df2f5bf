#pragma once
// Roles of TimelineModel (one row per task run that started, in start order), shared by the model,
// the timeline view and tests. The view paints from TimelineModel::interval() instead of roles so
// a frame of 10,000 bars builds no QVariant; roles serve tables, tooltips and tests.
#include <Qt>

namespace weft::studio::timeline {

enum Roles {
    TaskRunIdRole = Qt::UserRole + 1, // QString
    TaskKeyRole,                      // QString
    StateTypeRole,                    // int of weft::StateType
    StateNameRole,                    // QString ("Completed", "AwaitingRetry", …)
    StartRole,                        // qint64 µs since the epoch
    EndRole,                          // qint64 µs, or invalid while the interval is open
    IsOpenRole,                       // bool: still running (or waiting to retry)
    DurationRole,                     // qint64 µs; open intervals up to the model's now()
    RunCountRole,                     // int: attempts
    LaneRole,                         // int: the timeline row it is drawn on
    IsPlaceholderRole,                // bool: seen in the feed, record not fetched yet
};

} // namespace weft::studio::timeline

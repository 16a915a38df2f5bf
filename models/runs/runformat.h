#pragma once
// How run lists show times, durations and parameters: shared by the flow-run and task-run models.
#include <weft/engine.hpp>
#include <weft/records.hpp>

#include <QString>
#include <algorithm>

namespace weft::studio {

/// "2026-11-25 14:03:07" in local time; empty for 0.
QString formatTimestamp(qint64 msecsSinceEpoch);
/// "2026-11-25 14:03:07.412": for task runs, many of which start within one second.
QString formatTimestampMs(qint64 msecsSinceEpoch);
/// "0.4 s", "1.2 s", "42 s", "3 min 4 s", "2 h 5 min", "3 d 4 h".
QString formatDuration(double seconds);
/// "just now", "5 s ago", "3 min ago", "2 h ago", "4 days ago", "in 10 min".
QString formatRelative(qint64 msecsSinceEpoch, qint64 nowMsecs);
/// "batch=1, source="s3://…"" from a JSON object, cut to about `maxChars`.
QString parametersSummary(const nlohmann::json& parameters, int maxChars = 160);

/// A state's message as Studio shows it: for a crash, with when the process was last seen
/// alive and found gone, in local time (the engine keeps those times in the state's details).
QString stateMessage(const weft::State& state);

/// Why a run or task run shows no result: "" when `hasResult`; else "No result: the run
/// failed." and the like (failed, crashed, cancelled, not finished, or none persisted).
QString noResultReason(weft::StateType type, bool hasResult);

/// When a run started, else when it is expected to (msecs).
template<class Run> qint64 runStartMs(const Run& r) {
    return (r.start_time ? *r.start_time : r.expected_start_time) / 1000;
}

// Two durations, each with one definition used by every view (and by `weft ... ls`):
//  - run time: time spent RUNNING over all attempts (the record's total_run_time, plus the current
//    attempt while it runs), as Prefect's total_run_time. Waits between attempts do not count.
//  - wall time: end - start (now - start while not ended), waits and every attempt included.
// A retried task can show a wall time far above its run time; neither is wrong.

/// Seconds spent RUNNING; -1 when it never ran.
template<class Run> double runTimeS(const Run& r, qint64 nowMs) {
    weft::Micros us = r.total_run_time;
    if (r.state.type == weft::StateType::Running)
        us += std::max<weft::Micros>(0, nowMs * 1000 - r.state.timestamp);
    else if (!r.start_time && us == 0)
        return -1;
    return double(us) / 1e6;
}

/// Seconds from start to end (to now while not ended); -1 when it never started.
template<class Run> double wallTimeS(const Run& r, qint64 nowMs) {
    if (!r.start_time) return -1;
    const weft::Micros end = r.end_time ? *r.end_time : nowMs * 1000;
    return double(std::max<weft::Micros>(0, end - *r.start_time)) / 1e6;
}

/// Applies what a state event tells about a loaded run: its state, and the bookkeeping that
/// follows from it (attempts, start/end times, time spent RUNNING), exactly as the engine keeps
/// it, so a merged record reads as the stored one would. Older states than the one shown are
/// ignored.
template<class Run> void mergeState(Run& r, const weft::State& state) {
    if (state.timestamp < r.state.timestamp) return; // older than what the row shows
    weft::enter_state(r, state);
}

} // namespace weft::studio

#pragma once
// How run lists show times, durations and parameters: shared by the flow-run and task-run models.
#include <weft/records.hpp>

#include <QString>

namespace weft::studio {

/// "2026-11-25 14:03:07" in local time; empty for 0.
QString formatTimestamp(qint64 msecsSinceEpoch);
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

/// Seconds a run has run: live (now - start) while RUNNING, else its total run time, else its
/// end - start; -1 when it never started.
template<class Run> double runDurationS(const Run& r, qint64 nowMs) {
    if (r.state.type == weft::StateType::Running) {
        const weft::Micros start = r.start_time ? *r.start_time : r.state.timestamp;
        return std::max(0.0, double(nowMs * 1000 - start) / 1e6);
    }
    if (r.total_run_time > 0) return double(r.total_run_time) / 1e6;
    if (r.start_time && r.end_time) return double(*r.end_time - *r.start_time) / 1e6;
    return -1;
}

/// Applies what a state event tells about a loaded run: its state, and start/end times that
/// follow from it (the store's record has them exactly; a later fetch refreshes them).
template<class Run> void mergeState(Run& r, const weft::State& state) {
    if (state.timestamp < r.state.timestamp) return; // older than what the row shows
    if (state.type == weft::StateType::Running) {
        if (!r.start_time) r.start_time = state.timestamp;
        r.end_time.reset();
    } else if (weft::is_terminal(state.type) && r.start_time) {
        r.end_time = state.timestamp;
        if (r.state.type == weft::StateType::Running)
            r.total_run_time += state.timestamp - std::max(*r.start_time, r.state.timestamp);
    }
    r.state = state;
}

} // namespace weft::studio

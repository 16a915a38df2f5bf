// The dashboard's aggregates as one store query over the backend's primitive queries, so Studio
// (in-process) and a server (over its API) compute them the same way.
#include "weft/store.hpp"

#include <algorithm>

namespace weft {

std::optional<double> success_rate(std::int64_t completed, std::int64_t failed) {
    const std::int64_t finished = completed + failed;
    if (finished <= 0) return std::nullopt;
    return double(completed) / double(finished);
}

Reader::Dashboard Reader::dashboard(Micros from, Micros to, int buckets, int failures) {
    Dashboard d;
    if (to <= from) return d;
    d.interval = std::max<Micros>(1, (to - from) / std::max(1, buckets));
    d.history = flow_run_history(from, to, d.interval);
    // flow_stats takes a closed range; the dashboard's is half-open like the history's, so a run
    // expected exactly at `to` is counted by neither.
    d.flows = flow_stats(from, to - 1);
    for (const auto& f : d.flows) {
        d.runs += f.runs;
        d.completed += f.completed;
        d.failed += f.failed;
    }
    d.success_rate = weft::success_rate(d.completed, d.failed);
    if (failures > 0) {
        FlowRunQuery q;
        q.states = {StateType::Failed, StateType::Crashed};
        q.expected_after = from;
        q.expected_before = to - 1;
        q.limit = failures;
        d.recent_failures = flow_runs(q);
    }
    return d;
}

} // namespace weft

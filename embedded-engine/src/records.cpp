#include "weft/records.hpp"

#include <array>
#include <cctype>

namespace weft {

TaskRunUpdate TaskRunUpdate::of(const TaskRunRecord& run, bool with_parameters) {
    TaskRunUpdate u;
    u.id = run.id;
    u.flow_run_id = run.flow_run_id;
    u.state = run.state;
    u.run_count = run.run_count;
    u.start_time = run.start_time;
    u.end_time = run.end_time;
    u.total_run_time = run.total_run_time;
    u.updated = run.updated;
    u.cache_key = run.cache_key;
    u.cache_expiration = run.cache_expiration;
    u.inputs_hash = run.inputs_hash;
    if (with_parameters) u.parameters = run.parameters;
    u.has_result = run.has_result;
    if (run.has_result) u.result = run.result;
    return u;
}

void TaskRunUpdate::apply_to(TaskRunRecord& run) && {
    run.state = std::move(state);
    run.run_count = run_count;
    run.start_time = start_time;
    run.end_time = end_time;
    run.total_run_time = total_run_time;
    run.updated = updated;
    run.cache_key = std::move(cache_key);
    run.cache_expiration = cache_expiration;
    run.inputs_hash = std::move(inputs_hash);
    if (parameters) run.parameters = std::move(*parameters);
    if (task_inputs) run.task_inputs = std::move(*task_inputs);
    run.result = std::move(result);
    run.has_result = has_result;
}

namespace {
struct LevelName {
    int level;
    std::string_view name;
};
constexpr std::array<LevelName, 5> kLevels{{{Debug, "DEBUG"},
                                            {Info, "INFO"},
                                            {Warning, "WARNING"},
                                            {Error, "ERROR"},
                                            {Critical, "CRITICAL"}}};
} // namespace

std::string_view log_level_name(int level) {
    std::string_view name = "DEBUG";
    for (const auto& l : kLevels)
        if (level >= l.level) name = l.name;
    return name;
}

std::optional<int> log_level_from_string(std::string_view text) {
    std::string upper(text);
    for (auto& c : upper)
        c = char(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "WARN") upper = "WARNING";
    for (const auto& l : kLevels)
        if (l.name == upper) return l.level;
    if (!upper.empty() && std::isdigit(static_cast<unsigned char>(upper[0]))) {
        try {
            return std::stoi(upper);
        } catch (...) {
        }
    }
    return std::nullopt;
}

} // namespace weft

#pragma once
// How values look in human output: local times, durations, short ids, state and level colours.
#include <weft/records.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace weft::cli {

namespace ansi {
inline constexpr std::string_view reset = "\033[0m";
inline constexpr std::string_view bold = "\033[1m";
inline constexpr std::string_view dim = "\033[2m";
inline constexpr std::string_view red = "\033[31m";
inline constexpr std::string_view green = "\033[32m";
inline constexpr std::string_view yellow = "\033[33m";
inline constexpr std::string_view blue = "\033[34m";
inline constexpr std::string_view magenta = "\033[35m";
inline constexpr std::string_view cyan = "\033[36m";
} // namespace ansi

/// "2026-11-25 14:18:05" in the local time zone; "-" when absent.
std::string local_time(std::optional<Micros> t);
/// "14:18:05.123": for log lines, where the date rarely helps.
std::string local_clock(Micros t);
/// The last 12 characters: the random tail of a time-ordered id, which tells apart runs made in
/// the same millisecond and which commands take back (see resolve.hpp).
std::string short_id(const std::string& id);

std::string_view state_color(StateType type);
std::string_view level_color(int level);

/// Time spent running, counting the current attempt while it runs; "-" before the first start.
template<class Run> std::string run_duration(const Run& run) {
    if (!run.start_time) return "-";
    Micros d = run.total_run_time;
    if (run.state.type == StateType::Running)
        d += std::max<Micros>(0, now_us() - run.state.timestamp);
    return human_duration(d);
}

/// "Failed: division by zero" (the state's name, then its message when there is one);
/// "Crashed: The process … is gone. (last seen alive 2026-12-06 23:22:43, found gone …)": a
/// crash's times come from the state's details, shown in local time.
std::string state_with_message(const State& state);
/// A crashed state's "last seen alive …, found gone …" in local time; empty for other states.
std::string crash_times(const State& state);

/// Wraps `text` in `color` when colours are on.
std::string paint(std::string_view text, std::string_view color, bool on);

} // namespace weft::cli

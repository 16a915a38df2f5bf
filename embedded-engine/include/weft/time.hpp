#pragma once
// Time points are microseconds since the Unix epoch, UTC: cheap to store, compare and subtract.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

using Micros = std::int64_t;

/// Current wall-clock time. Thread-safe. Stored times (states, logs, heartbeats) use it; waits
/// measure their durations on std::chrono::steady_clock instead, which a clock change cannot move.
Micros now_us();

namespace detail {
/// For tests only: shifts what now_us() reports by `offset`, as if the system clock had been set
/// forward (positive) or back (negative). 0 restores the real clock. Thread-safe.
void set_wall_clock_offset(Micros offset);
} // namespace detail

/// ISO 8601 UTC with microseconds, e.g. "2026-11-25T13:18:05.123456Z". Thread-safe.
std::string to_iso(Micros t);

/// Parses ISO 8601 with 0–6 fraction digits and `Z`, `+hh:mm` or no offset (read as UTC).
std::optional<Micros> from_iso(std::string_view text);

/// "1.2 s", "3 min 4 s", "2 h 5 min": durations as people read them; "<1 ms" for a run shorter
/// than half a millisecond, which "0 ms" would hide.
std::string human_duration(Micros d);

inline double to_seconds(Micros d) {
    return double(d) / 1e6;
}
inline Micros from_seconds(double s) {
    return Micros(s * 1e6);
}

} // namespace weft

#pragma once
// Five-field cron expressions (minute hour day-of-month month day-of-week), as Prefect's cron
// schedules take them: lists, ranges, steps, month and day names, 7 for Sunday, the @hourly …
// @yearly macros, and a day matched by day-of-month OR day-of-week when both are restricted
// (Prefect's day_or, cron's own rule). No Debian package offers a C++ cron parser, hence this one.
#include <weft/states.hpp>

#include <bitset>
#include <optional>
#include <string>

namespace weft::server {

class Cron {
public:
    /// Parses `expression`; nullopt with `error` set when it is not a valid cron expression.
    static std::optional<Cron> parse(const std::string& expression, std::string* error = nullptr);

    /// The first time strictly after `after` that the expression names, in the wall-clock time of
    /// `timezone` (an IANA name; "" = UTC). nullopt when there is none within the next few years
    /// (e.g. "0 0 30 2 *") or the zone is unknown.
    std::optional<Micros> next_after(Micros after, const std::string& timezone = {}) const;

    /// Whether a wall-clock minute matches (month 1-12, day_of_week 0 = Sunday).
    bool matches(int minute, int hour, int day, int month, int day_of_week) const;

private:
    std::bitset<60> m_minutes;
    std::bitset<24> m_hours;
    std::bitset<32> m_days;   // 1-31
    std::bitset<13> m_months; // 1-12
    std::bitset<7> m_weekdays;
    bool m_any_day = true, m_any_weekday = true; // the field was "*" (or "?")
    bool day_matches(int day, int day_of_week) const;
};

} // namespace weft::server

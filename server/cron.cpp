#include "cron.hpp"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>
#include <vector>

namespace weft::server {

namespace {

struct FieldSpec {
    const char* name;
    int low, high;
    const char* const* names; // names for low, low + 1, …; nullptr when none
};

const char* const kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
const char* const kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

// Day of week 0-7 (7 is Sunday again).
const FieldSpec kFields[] = {{"minute", 0, 59, nullptr},
                             {"hour", 0, 23, nullptr},
                             {"day of month", 1, 31, nullptr},
                             {"month", 1, 12, kMonthNames},
                             {"day of week", 0, 7, kDayNames}};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// A number or (where the field has them) a name; nullopt when it is neither or out of range.
std::optional<int> value(const std::string& text, const FieldSpec& f) {
    if (text.empty()) return std::nullopt;
    if (f.names) {
        const int count = f.high - f.low + 1 - (f.names == kDayNames ? 1 : 0);
        for (int i = 0; i < count; ++i)
            if (lower(text) == f.names[i]) return f.low + i;
    }
    if (!std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })
        || text.size() > 3)
        return std::nullopt;
    const int v = std::stoi(text);
    if (v < f.low || v > f.high) return std::nullopt;
    return v;
}

// One field ("*/15", "1-5", "mon,wed,fri", …) as the set of values it names.
bool parse_field(const std::string& text, const FieldSpec& f, std::vector<int>& out,
                 std::string& error) {
    std::stringstream items(text);
    std::string item;
    bool any = false;
    while (std::getline(items, item, ',')) {
        any = true;
        int step = 1;
        if (auto slash = item.find('/'); slash != std::string::npos) {
            const std::string s = item.substr(slash + 1);
            if (s.empty() || s.size() > 3
                || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })
                || std::stoi(s) == 0) {
                error = std::string("bad step in the ") + f.name + " field: '" + item + "'";
                return false;
            }
            step = std::stoi(s);
            item = item.substr(0, slash);
        }
        int from = f.low, to = f.high;
        if (item == "*" || item == "?") {
            // the whole range
        } else if (auto dash = item.find('-'); dash != std::string::npos) {
            auto a = value(item.substr(0, dash), f), b = value(item.substr(dash + 1), f);
            if (!a || !b || *a > *b) {
                error = std::string("bad range in the ") + f.name + " field: '" + item + "'";
                return false;
            }
            from = *a;
            to = *b;
        } else {
            auto v = value(item, f);
            if (!v) {
                error = std::string("bad value in the ") + f.name + " field: '" + item + "' ("
                        + std::to_string(f.low) + "-" + std::to_string(f.high) + ")";
                return false;
            }
            from = *v;
            // "5/15" means from 5 to the end, every 15.
            to = step > 1 ? f.high : *v;
        }
        for (int v = from; v <= to; v += step)
            out.push_back(v);
    }
    if (!any) error = std::string("empty ") + f.name + " field";
    return any;
}

std::string expand_macro(const std::string& e) {
    const std::string m = lower(e);
    if (m == "@hourly") return "0 * * * *";
    if (m == "@daily" || m == "@midnight") return "0 0 * * *";
    if (m == "@weekly") return "0 0 * * 0";
    if (m == "@monthly") return "0 0 1 * *";
    if (m == "@yearly" || m == "@annually") return "0 0 1 1 *";
    return e;
}

} // namespace

std::optional<Cron> Cron::parse(const std::string& expression, std::string* error) {
    std::string why;
    std::stringstream in(expand_macro(expression));
    std::vector<std::string> fields;
    for (std::string f; in >> f;)
        fields.push_back(f);
    Cron cron;
    if (fields.size() != 5) {
        why = "a cron expression has 5 fields (minute hour day-of-month month day-of-week); '"
              + expression + "' has " + std::to_string(fields.size());
    } else {
        for (int i = 0; i < 5 && why.empty(); ++i) {
            std::vector<int> values;
            if (!parse_field(fields[std::size_t(i)], kFields[i], values, why)) break;
            for (int v : values) {
                switch (i) {
                case 0:
                    cron.m_minutes.set(std::size_t(v));
                    break;
                case 1:
                    cron.m_hours.set(std::size_t(v));
                    break;
                case 2:
                    cron.m_days.set(std::size_t(v));
                    break;
                case 3:
                    cron.m_months.set(std::size_t(v));
                    break;
                case 4:
                    cron.m_weekdays.set(std::size_t(v % 7));
                    break;
                }
            }
        }
        cron.m_any_day = fields[2] == "*" || fields[2] == "?";
        cron.m_any_weekday = fields[4] == "*" || fields[4] == "?";
    }
    if (!why.empty()) {
        if (error) *error = why;
        return std::nullopt;
    }
    return cron;
}

bool Cron::day_matches(int day, int day_of_week) const {
    const bool by_day = m_days.test(std::size_t(day));
    const bool by_weekday = m_weekdays.test(std::size_t(day_of_week));
    // cron's rule: when both fields are restricted, either one matching is enough.
    if (!m_any_day && !m_any_weekday) return by_day || by_weekday;
    return by_day && by_weekday;
}

bool Cron::matches(int minute, int hour, int day, int month, int day_of_week) const {
    return m_minutes.test(std::size_t(minute)) && m_hours.test(std::size_t(hour))
           && m_months.test(std::size_t(month)) && day_matches(day, day_of_week);
}

std::optional<Micros> Cron::next_after(Micros after, const std::string& timezone) const {
    const QTimeZone zone =
        timezone.empty() ? QTimeZone::utc() : QTimeZone(QByteArray::fromStdString(timezone));
    if (!zone.isValid()) return std::nullopt;
    // From the next whole minute after `after`, in the zone's wall-clock time.
    const qint64 after_ms = after / 1000;
    QDateTime local = QDateTime::fromMSecsSinceEpoch(after_ms - after_ms % 60000 + 60000, zone);
    QDate date = local.date();
    int hour = local.time().hour(), minute = local.time().minute();
    // Bounded: every step moves on by at least a minute, most by a day or a month.
    for (int guard = 0; guard < 200000; ++guard) {
        if (date.year() > local.date().year() + 8) break;
        if (!m_months.test(std::size_t(date.month()))) {
            date = QDate(date.year(), date.month(), 1).addMonths(1);
            hour = minute = 0;
            continue;
        }
        if (!day_matches(date.day(), date.dayOfWeek() % 7)) {
            date = date.addDays(1);
            hour = minute = 0;
            continue;
        }
        if (!m_hours.test(std::size_t(hour))) {
            minute = 0;
            if (++hour == 24) {
                date = date.addDays(1);
                hour = 0;
            }
            continue;
        }
        if (!m_minutes.test(std::size_t(minute))) {
            if (++minute == 60) {
                minute = 0;
                if (++hour == 24) {
                    date = date.addDays(1);
                    hour = 0;
                }
            }
            continue;
        }
        // A wall-clock time a DST change skips is moved on by the zone; one it repeats is taken
        // once (the first).
        const qint64 at = QDateTime(date, QTime(hour, minute), zone).toMSecsSinceEpoch();
        if (at * 1000 > after) return Micros(at) * 1000;
        if (++minute == 60) {
            minute = 0;
            if (++hour == 24) {
                date = date.addDays(1);
                hour = 0;
            }
        }
    }
    return std::nullopt;
}

} // namespace weft::server

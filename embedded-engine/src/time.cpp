#include "weft/time.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace weft {

namespace {
std::atomic<Micros> g_wall_clock_offset{0}; // tests' stand-in for stepping the system clock
}

Micros now_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()
           + g_wall_clock_offset.load(std::memory_order_relaxed);
}

void detail::set_wall_clock_offset(Micros offset) {
    g_wall_clock_offset.store(offset, std::memory_order_relaxed);
}

std::string to_iso(Micros t) {
    const std::time_t secs = std::time_t(t >= 0 ? t / 1000000 : (t - 999999) / 1000000);
    const long micros = long(t - Micros(secs) * 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
    return buf;
}

namespace {
bool read_digits(std::string_view s, size_t& pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
    }
    pos += n;
    return true;
}
bool expect(std::string_view s, size_t& pos, char c) {
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
}
} // namespace

std::optional<Micros> from_iso(std::string_view s) {
    size_t pos = 0;
    int year, month, day, hour = 0, minute = 0, second = 0;
    if (!read_digits(s, pos, 4, year) || !expect(s, pos, '-') || !read_digits(s, pos, 2, month)
        || !expect(s, pos, '-') || !read_digits(s, pos, 2, day))
        return std::nullopt;
    long micros = 0;
    int offset_s = 0;
    if (pos < s.size()) {
        if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
        ++pos;
        if (!read_digits(s, pos, 2, hour) || !expect(s, pos, ':')
            || !read_digits(s, pos, 2, minute))
            return std::nullopt;
        if (pos < s.size() && s[pos] == ':') {
            ++pos;
            if (!read_digits(s, pos, 2, second)) return std::nullopt;
            if (pos < s.size() && s[pos] == '.') {
                ++pos;
                int digits = 0;
                while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                    if (digits < 6) micros = micros * 10 + (s[pos] - '0');
                    ++digits;
                    ++pos;
                }
                if (digits == 0) return std::nullopt;
                for (int i = digits; i < 6; ++i)
                    micros *= 10;
            }
        }
        if (pos < s.size()) {
            const char c = s[pos];
            if (c == 'Z' || c == 'z') {
                ++pos;
            } else if (c == '+' || c == '-') {
                ++pos;
                int oh, om = 0;
                if (!read_digits(s, pos, 2, oh)) return std::nullopt;
                // "+hh", "+hhmm" or "+hh:mm"; a colon must be followed by the minutes.
                const bool colon = pos < s.size() && s[pos] == ':';
                if (colon) ++pos;
                if ((colon || pos < s.size()) && !read_digits(s, pos, 2, om)) return std::nullopt;
                if (oh > 23 || om > 59) return std::nullopt;
                offset_s = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
            } else {
                return std::nullopt;
            }
        }
    }
    if (pos != s.size()) return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    // timegm would quietly turn February 30 into March 2.
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const std::time_t secs = timegm(&tm);
    return (Micros(secs) - offset_s) * 1000000 + micros;
}

std::string human_duration(Micros d) {
    if (d < 0) d = 0;
    char buf[48];
    const double s = double(d) / 1e6;
    if (d > 0 && d < 500) return "<1 ms"; // it ran: "0 ms" would read as if it had not
    if (s < 1)
        std::snprintf(buf, sizeof buf, "%.0f ms", s * 1000);
    else if (s < 60)
        std::snprintf(buf, sizeof buf, "%.1f s", s);
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%d min %d s", int(s) / 60, int(s) % 60);
    else
        std::snprintf(buf, sizeof buf, "%d h %d min", int(s) / 3600, (int(s) % 3600) / 60);
    return buf;
}

} // namespace weft

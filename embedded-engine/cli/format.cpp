#include "format.hpp"

#include <weft/time.hpp>

#include <ctime>

namespace weft::cli {

std::string local_time(std::optional<Micros> t) {
    if (!t || *t == 0) return "-";
    const std::time_t secs = std::time_t(*t / 1000000);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string local_clock(Micros t) {
    const std::time_t secs = std::time_t(t / 1000000);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char buf[32];
    const size_t n = std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03d", int((t / 1000) % 1000));
    return buf;
}

std::string short_id(const std::string& id) {
    constexpr std::size_t kTail = 12; // the last group of a UUID
    return id.size() > kTail ? id.substr(id.size() - kTail) : id;
}

std::string_view state_color(StateType type) {
    switch (type) {
    case StateType::Completed:
        return ansi::green;
    case StateType::Failed:
    case StateType::Crashed:
        return ansi::red;
    case StateType::Running:
        return ansi::blue;
    case StateType::Scheduled:
    case StateType::Pending:
    case StateType::Paused:
        return ansi::yellow;
    case StateType::Cancelling:
    case StateType::Cancelled:
        return ansi::dim;
    }
    return {};
}

std::string_view level_color(int level) {
    if (level >= Error) return ansi::red;
    if (level >= Warning) return ansi::yellow;
    if (level >= Info) return {};
    return ansi::dim;
}

std::string crash_times(const State& state) {
    if (state.type != StateType::Crashed || !state.details.is_object()) return {};
    auto at = [&](const char* key) -> std::optional<Micros> {
        auto it = state.details.find(key);
        if (it == state.details.end() || !it->is_string()) return std::nullopt;
        return from_iso(it->get<std::string>());
    };
    std::string s;
    if (auto seen = at("last_seen_time")) s += "last seen alive " + local_time(seen);
    if (auto found = at("detected_time"))
        s += (s.empty() ? "found gone " : ", found gone ") + local_time(found);
    return s;
}

std::string state_with_message(const State& state) {
    std::string text = state.message;
    if (const std::string times = crash_times(state); !times.empty())
        text += (text.empty() ? "" : " ") + std::string("(") + times + ")";
    if (text.empty()) return state.name;
    return state.name + ": " + text;
}

std::string paint(std::string_view text, std::string_view color, bool on) {
    if (!on || color.empty()) return std::string(text);
    std::string s;
    s.reserve(text.size() + color.size() + ansi::reset.size());
    s.append(color).append(text).append(ansi::reset);
    return s;
}

} // namespace weft::cli

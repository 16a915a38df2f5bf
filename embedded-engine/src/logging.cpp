// Sinks that attach each log line to the run the calling thread works for.
#include "weft/log.hpp"

#include "runtime_internal.hpp"

#include <cstdio>
#include <iostream>
#include <mutex>
#include <spdlog/sinks/base_sink.h>
#include <streambuf>
#include <unistd.h>

namespace weft {

namespace {

int python_level(spdlog::level::level_enum l) {
    switch (l) {
    case spdlog::level::trace:
    case spdlog::level::debug:
        return Debug;
    case spdlog::level::info:
        return Info;
    case spdlog::level::warn:
        return Warning;
    case spdlog::level::err:
        return Error;
    case spdlog::level::critical:
        return Critical;
    default:
        return Info;
    }
}

Micros micros_of(spdlog::log_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// Records lines written inside a run in the store (the writer batches them).
class RunSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const auto& c = detail::current();
        if (!c.flow) return;
        LogRecord line;
        line.flow_run_id = c.flow->id;
        if (c.task) line.task_run_id = c.task->id;
        line.name = std::string(msg.logger_name.data(), msg.logger_name.size());
        line.level = python_level(msg.level);
        line.timestamp = micros_of(msg.time);
        line.message = std::string(msg.payload.data(), msg.payload.size());
        detail::engine().store().append_log(std::move(line));
    }
    void flush_() override {}
};

// Prints "12:00:01.123 | INFO    | Task run 'fetch-0' - message" to stderr.
class ConsoleSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    ConsoleSink()
        : m_colour(isatty(STDERR_FILENO) && !std::getenv("NO_COLOR")) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const auto& c = detail::current();
        std::string who;
        if (c.task)
            who = "Task run '" + c.task->name + "' - ";
        else if (c.flow)
            who = "Flow run '" + c.flow->name + "' - ";
        const auto t = spdlog::log_clock::to_time_t(msg.time);
        std::tm tm{};
        localtime_r(&t, &tm);
        const int ms = int(micros_of(msg.time) / 1000 % 1000);
        const char* colour = "";
        if (m_colour) {
            switch (msg.level) {
            case spdlog::level::warn:
                colour = "\033[33m";
                break;
            case spdlog::level::err:
            case spdlog::level::critical:
                colour = "\033[31m";
                break;
            case spdlog::level::debug:
            case spdlog::level::trace:
                colour = "\033[2m";
                break;
            default:
                colour = "\033[36m";
            }
        }
        std::fprintf(
            stderr, "%02d:%02d:%02d.%03d | %s%-8s%s | %s%.*s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
            ms, colour, std::string(log_level_name(python_level(msg.level))).c_str(),
            m_colour ? "\033[0m" : "", who.c_str(), int(msg.payload.size()), msg.payload.data());
    }
    void flush_() override { std::fflush(stderr); }

private:
    bool m_colour;
};

spdlog::level::level_enum console_level() {
    const char* env = std::getenv("WEFT_LOGGING_LEVEL");
    if (!env) return spdlog::level::info;
    switch (log_level_from_string(env).value_or(Info)) {
    case Debug:
        return spdlog::level::debug;
    case Warning:
        return spdlog::level::warn;
    case Error:
        return spdlog::level::err;
    case Critical:
        return spdlog::level::critical;
    default:
        return spdlog::level::info;
    }
}

struct Sinks {
    std::shared_ptr<RunSink> run = std::make_shared<RunSink>();
    std::shared_ptr<ConsoleSink> console = std::make_shared<ConsoleSink>();
    Sinks() { console->set_level(console_level()); }
};

Sinks& sinks() {
    static Sinks* s = new Sinks(); // outlives every logger
    return *s;
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name) {
    auto logger = std::make_shared<spdlog::logger>(
        name, spdlog::sinks_init_list{sinks().run, sinks().console});
    logger->set_level(spdlog::level::debug);
    return logger;
}

// std::cout for tasks with log_stdout: each complete line becomes an INFO log line of the task.
class StdoutCapture final : public std::streambuf {
public:
    explicit StdoutCapture(std::streambuf* original)
        : m_original(original) {}

protected:
    int overflow(int ch) override {
        if (ch == traits_type::eof()) return 0;
        const char c = char(ch);
        return xsputn(&c, 1) == 1 ? ch : traits_type::eof();
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        const auto* task = detail::current().task;
        if (!task || !task->log_stdout) {
            std::scoped_lock lock(m_mutex);
            return m_original->sputn(s, n);
        }
        std::string& line = task->printed;
        for (std::streamsize i = 0; i < n; ++i) {
            if (s[i] == '\n') {
                log(std::string("weft.stdout"))->info("{}", line);
                line.clear();
            } else {
                line += s[i];
            }
        }
        return n;
    }
    int sync() override {
        std::scoped_lock lock(m_mutex);
        return m_original->pubsync();
    }

private:
    std::streambuf* m_original;
    std::mutex m_mutex;
};

} // namespace

spdlog::logger& log() {
    // Never destroyed: pool threads may log while the process exits.
    static auto& flow_logger = *new std::shared_ptr<spdlog::logger>(make_logger("weft.flow_runs"));
    static auto& task_logger = *new std::shared_ptr<spdlog::logger>(make_logger("weft.task_runs"));
    return detail::current().task ? *task_logger : *flow_logger;
}

std::shared_ptr<spdlog::logger> log(const std::string& name) {
    static std::mutex mutex;
    static auto* loggers = new std::unordered_map<std::string, std::shared_ptr<spdlog::logger>>();
    std::scoped_lock lock(mutex);
    auto& logger = (*loggers)[name];
    if (!logger) logger = make_logger(name);
    return logger;
}

namespace detail {
void capture_stdout() {
    static std::once_flag once;
    std::call_once(once, [] {
        static auto* capture = new StdoutCapture(std::cout.rdbuf());
        std::cout.rdbuf(capture);
    });
}

void end_printed_line() {
    const auto* task = current().task;
    if (!task || task->printed.empty()) return;
    try {
        log(std::string("weft.stdout"))->info("{}", task->printed);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "weft: could not record printed text: %s\n", e.what());
    }
    task->printed.clear();
}
} // namespace detail

} // namespace weft

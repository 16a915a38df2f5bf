#pragma once
// The engine's own messages (a lost commit, crash detection, a failed watcher): to stderr, never
// stdout, which belongs to the program and to `--json` output. spdlog's default logger would print
// to stdout, and a program may have replaced it with its own.
#include <memory>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace weft::detail {

/// Lines as given ("weft: …"), info and above. Thread-safe; never destroyed, so threads may still
/// report while the process exits.
inline spdlog::logger& engine_log() {
    static spdlog::logger* logger = [] {
        auto* l = new spdlog::logger("weft", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        l->set_pattern("%v");
        l->set_level(spdlog::level::info);
        l->flush_on(spdlog::level::info);
        return l;
    }();
    return *logger;
}

} // namespace weft::detail

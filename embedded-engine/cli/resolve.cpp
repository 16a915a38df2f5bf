#include "resolve.hpp"

#include "format.hpp"

namespace weft::cli {

std::string short_flow_run_id(Reader&, const std::string& id) {
    return short_id(id);
}

std::string short_task_run_id(Reader&, const std::string& id) {
    return short_id(id);
}

std::string short_flow_run_id(Engine&, const std::string& id) {
    return short_id(id);
}

std::string short_task_run_id(Engine&, const std::string& id) {
    return short_id(id);
}

std::string resolve_flow_run(Engine& engine, const std::string& text) {
    return engine.resolve_flow_run(text);
}

std::string resolve_task_run(Engine& engine, const std::string& text) {
    return engine.resolve_task_run(text);
}

FlowRunRecord load_flow_run(Engine& engine, const std::string& text) {
    const std::string id = resolve_flow_run(engine, text);
    auto run = engine.store().read([&](Reader& r) { return r.flow_run(id); });
    if (!run) throw LookupError("no flow run with id " + id);
    return std::move(*run);
}

TaskRunRecord load_task_run(Engine& engine, const std::string& text) {
    const std::string id = resolve_task_run(engine, text);
    auto run = engine.store().read([&](Reader& r) { return r.task_run(id); });
    if (!run) throw LookupError("no task run with id " + id);
    return std::move(*run);
}

} // namespace weft::cli

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

namespace {

// A server cannot look runs up by part of an id: say so where a local database would have.
template<class F> auto with_server_hint(Cli& cli, F&& f) {
    try {
        return f();
    } catch (const LookupError& e) {
        if (!cli.api()) throw;
        throw LookupError(std::string(e.what()) + " (a server finds runs by whole id or name)");
    }
}

} // namespace

std::string resolve_flow_run(Cli& cli, const std::string& text) {
    return with_server_hint(
        cli, [&] { return cli.read([&](Reader& r) { return weft::resolve_flow_run(r, text); }); });
}

FlowRunRecord load_flow_run(Cli& cli, const std::string& text) {
    return with_server_hint(cli, [&] {
        return cli.read([&](Reader& r) {
            const std::string id = weft::resolve_flow_run(r, text);
            auto run = r.flow_run(id);
            if (!run) throw LookupError("no flow run with id " + id);
            return std::move(*run);
        });
    });
}

TaskRunRecord load_task_run(Cli& cli, const std::string& text) {
    return with_server_hint(cli, [&] {
        return cli.read([&](Reader& r) {
            const std::string id = weft::resolve_task_run(r, text);
            auto run = r.task_run(id);
            if (!run) throw LookupError("no task run with id " + id);
            return std::move(*run);
        });
    });
}

std::string shown_id(Cli& cli, const std::string& id) {
    return cli.api() ? id : short_id(id);
}

} // namespace weft::cli

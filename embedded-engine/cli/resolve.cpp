#include "resolve.hpp"

#include <algorithm>
#include <cctype>

namespace weft::cli {

namespace {
// Ids are stored lowercase; people paste them from anywhere, surrounding spaces included.
std::string normalise(const std::string& prefix) {
    std::string s = prefix;
    const auto not_space = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
    s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}
constexpr size_t kShortest = 8;

template<class Lookup> std::string unique_prefix(const std::string& id, Lookup&& ids_with_prefix) {
    for (size_t n = kShortest; n < id.size(); ++n) {
        if (id[n - 1] == '-') continue; // a prefix ending in a hyphen reads as cut off
        const std::string prefix = id.substr(0, n);
        if (ids_with_prefix(prefix).size() <= 1) return prefix;
    }
    return id;
}

} // namespace

std::string short_flow_run_id(Reader& reader, const std::string& id) {
    return unique_prefix(id,
                         [&](const std::string& p) { return reader.flow_run_ids_with_prefix(p); });
}

std::string short_task_run_id(Reader& reader, const std::string& id) {
    return unique_prefix(id,
                         [&](const std::string& p) { return reader.task_run_ids_with_prefix(p); });
}

std::string short_flow_run_id(Engine& engine, const std::string& id) {
    return engine.store().read([&](Reader& r) { return short_flow_run_id(r, id); });
}

std::string short_task_run_id(Engine& engine, const std::string& id) {
    return engine.store().read([&](Reader& r) { return short_task_run_id(r, id); });
}

std::string resolve_flow_run(Engine& engine, const std::string& prefix) {
    return engine.resolve_flow_run(normalise(prefix));
}

std::string resolve_task_run(Engine& engine, const std::string& prefix) {
    return engine.resolve_task_run(normalise(prefix));
}

FlowRunRecord load_flow_run(Engine& engine, const std::string& prefix) {
    const std::string id = resolve_flow_run(engine, prefix);
    auto run = engine.store().read([&](Reader& r) { return r.flow_run(id); });
    if (!run) throw LookupError("no flow run with id " + id);
    return std::move(*run);
}

TaskRunRecord load_task_run(Engine& engine, const std::string& prefix) {
    const std::string id = resolve_task_run(engine, prefix);
    auto run = engine.store().read([&](Reader& r) { return r.task_run(id); });
    if (!run) throw LookupError("no task run with id " + id);
    return std::move(*run);
}

} // namespace weft::cli

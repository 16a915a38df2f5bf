#pragma once
// The HTTP backend's reads: the server's answers (RemoteReader), with this process's own runs
// from its Mirror where the server cannot know them yet or cannot be reached.
#include "http_mirror.hpp"

#include <weft/remote_reader.hpp>

#include <memory>

namespace weft::http {

/// Whether an error means the server could not answer now (unreachable, or a 5xx): worth retrying.
bool server_unavailable(const ApiError& e);

struct OwnClient {
    explicit OwnClient(const ApiSettings& settings)
        : client(settings) {}
    ApiClient client;
};

class HttpReader final : private OwnClient, public RemoteReader {
public:
    /// `local_first`: the writer's reads inside a transaction, which must see the transaction's
    /// own writes and the process's earlier ones before the server has them. Other readers (the
    /// runtime's watcher looking for a cancel) ask the server first.
    HttpReader(const ApiSettings& settings, std::shared_ptr<const Mirror> mirror, bool local_first);

    std::optional<FlowRecord> flow_by_name(const std::string& name) override;
    std::optional<FlowRunRecord> flow_run(const std::string& id) override;
    std::optional<TaskRunRecord> task_run(const std::string& id) override;
    std::vector<TaskRunRecord> task_runs(const std::string& flow_run_id) override;
    /// The newest valid result for `cache_key` stored on the server, by any program (a miss
    /// while the server cannot be reached).
    std::optional<TaskRunRecord> cached_task_run(const std::string& cache_key, Micros now) override;
    /// The server's tag limits (POST /concurrency_limits/filter); none while it cannot be reached.
    std::vector<ConcurrencyLimit> concurrency_limits() override;

private:
    std::shared_ptr<const Mirror> m_mirror;
    bool m_local_first;
};

} // namespace weft::http

#pragma once
// A backend on a real database whose queries can be made to fail, as a damaged database file
// fails them: every read answers "database disk image is malformed" while failing() is set.
// Commands and the change feed are the embedded backend's own.
#include "backend/embeddedbackend.h"

#include <atomic>
#include <stdexcept>

namespace weft::studio {

class FlakyBackend : public EmbeddedBackend {
public:
    using EmbeddedBackend::EmbeddedBackend;
    static constexpr const char* kError = "database disk image is malformed";

    void setFailing(bool failing) { m_failing = failing; }
    bool failing() const { return m_failing; }

    void fetchFlows(QObject* c, Done<std::vector<weft::FlowRecord>> done) override {
        if (m_failing) return fail(c, std::move(done));
        EmbeddedBackend::fetchFlows(c, std::move(done));
    }
    void fetchFlowRuns(const weft::FlowRunQuery& q, QObject* c,
                       Done<std::vector<weft::FlowRunRecord>> done) override {
        if (m_failing) return fail(c, std::move(done));
        EmbeddedBackend::fetchFlowRuns(q, c, std::move(done));
    }
    void countFlowRuns(const weft::FlowRunQuery& q, QObject* c, Done<std::int64_t> done) override {
        if (m_failing) return fail(c, std::move(done));
        EmbeddedBackend::countFlowRuns(q, c, std::move(done));
    }
    void fetchFlowRun(const std::string& id, QObject* c,
                      Done<std::optional<weft::FlowRunRecord>> done) override {
        if (m_failing) return fail(c, std::move(done));
        EmbeddedBackend::fetchFlowRun(id, c, std::move(done));
    }
    void fetchTaskRuns(const std::string& id, QObject* c,
                       Done<std::vector<weft::TaskRunRecord>> done) override {
        if (m_failing) return fail(c, std::move(done));
        EmbeddedBackend::fetchTaskRuns(id, c, std::move(done));
    }
    void fetchLogs(const weft::LogQuery& q, QObject* c,
                   Done<std::vector<weft::LogRecord>> done) override {
        if (m_failing) return fail(c, std::move(done));
        EmbeddedBackend::fetchLogs(q, c, std::move(done));
    }
    void fetchLogIds(const weft::LogQuery& q, QObject* c, IdChunk chunk) override {
        if (!m_failing) return EmbeddedBackend::fetchLogIds(q, c, std::move(chunk));
        fail<std::vector<std::int64_t>>(
            c, [chunk](Result<std::vector<std::int64_t>> r) { chunk(std::move(r), true); });
    }
    void fetchLogNames(const std::string& id, QObject* c,
                       Done<std::vector<std::string>> done) override {
        if (m_failing) return fail(c, std::move(done));
        EmbeddedBackend::fetchLogNames(id, c, std::move(done));
    }
    void fetchDashboard(weft::Micros from, weft::Micros to, int buckets, QObject* c,
                        Done<DashboardData> done) override {
        if (m_failing) return fail(c, std::move(done));
        EmbeddedBackend::fetchDashboard(from, to, buckets, c, std::move(done));
    }

private:
    // Fails on the pool as a query would: by throwing, which runAsync turns into the error.
    template<class T> void fail(QObject* context, Done<T> done) {
        runAsync<T>(
            context, []() -> T { throw std::runtime_error(kError); }, noting(std::move(done)));
    }
    std::atomic<bool> m_failing{false};
};

} // namespace weft::studio

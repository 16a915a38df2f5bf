// Cache keys and retry delays: the policy arithmetic of tasks.
#include "weft/options.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <xxhash.h>

namespace weft {

namespace {
std::string hex128(const std::string& data) {
    const XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                  static_cast<unsigned long long>(h.low64));
    return buf;
}
} // namespace

CachePolicy CachePolicy::inputs() {
    CachePolicy p;
    p.m_inputs = true;
    return p;
}

CachePolicy CachePolicy::version(std::string v) {
    CachePolicy p;
    p.m_version = std::move(v);
    return p;
}

CachePolicy CachePolicy::flow_parameters() {
    CachePolicy p;
    p.m_flow_parameters = true;
    return p;
}

CachePolicy CachePolicy::run_id() {
    CachePolicy p;
    p.m_run_id = true;
    return p;
}

CachePolicy CachePolicy::key(KeyFn fn) {
    CachePolicy p;
    p.m_key_fns.push_back(std::move(fn));
    return p;
}

CachePolicy CachePolicy::operator+(const CachePolicy& other) const {
    CachePolicy p = *this;
    p.m_inputs |= other.m_inputs;
    p.m_flow_parameters |= other.m_flow_parameters;
    p.m_run_id |= other.m_run_id;
    if (!other.m_version.empty()) p.m_version += (p.m_version.empty() ? "" : "+") + other.m_version;
    p.m_key_fns.insert(p.m_key_fns.end(), other.m_key_fns.begin(), other.m_key_fns.end());
    return p;
}

std::string CachePolicy::compute(const std::string& task_key, const nlohmann::json& parameters,
                                 const nlohmann::json& flow_parameters,
                                 const std::string& flow_run_id) const {
    if (!m_inputs && !m_flow_parameters && !m_run_id && m_version.empty() && m_key_fns.empty())
        return {};
    // Each part is labelled so that different policies never produce the same text.
    std::string material = "task:" + task_key;
    if (m_inputs) material += "\ninputs:" + parameters.dump();
    if (m_flow_parameters) material += "\nflow_parameters:" + flow_parameters.dump();
    if (m_run_id) material += "\nrun:" + flow_run_id;
    if (!m_version.empty()) material += "\nversion:" + m_version;
    for (const auto& fn : m_key_fns)
        material += "\nkey:" + fn(parameters);
    return hex128(material);
}

double TaskOptions::retry_delay(int retry) const {
    double delay = 0;
    if (!retry_delays_s.empty()) {
        delay = retry_delays_s[size_t(std::clamp(retry - 1, 0, int(retry_delays_s.size()) - 1))];
    } else if (backoff) {
        delay = std::min(backoff->max_s, backoff->base_s * std::pow(backoff->factor, retry - 1));
    }
    if (retry_jitter_factor > 0 && delay > 0) {
        thread_local std::mt19937 rng{std::random_device{}()};
        std::uniform_real_distribution<double> jitter(-retry_jitter_factor, retry_jitter_factor);
        delay = std::max(0.0, delay * (1 + jitter(rng)));
    }
    return delay;
}

} // namespace weft

#pragma once
// The ids a server took in lately, so that a report sent again (its answer was lost on the way
// back) is recognised and not stored twice. Bounded: the oldest are forgotten first; a resend
// comes within seconds. Kept in memory, so a restarted server does not know them. Thread-safe.
#include <deque>
#include <mutex>
#include <string>
#include <unordered_set>

namespace weft::server {

class RecentIds {
public:
    explicit RecentIds(std::size_t capacity)
        : m_capacity(capacity) {}

    bool seen(const std::string& id) const {
        std::scoped_lock lock(m_mutex);
        return m_ids.count(id) > 0;
    }

    /// Remembers `id` (once it was stored).
    void remember(const std::string& id) {
        std::scoped_lock lock(m_mutex);
        if (!m_ids.insert(id).second) return;
        m_order.push_back(id);
        if (m_order.size() > m_capacity) {
            m_ids.erase(m_order.front());
            m_order.pop_front();
        }
    }

private:
    const std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::unordered_set<std::string> m_ids;
    std::deque<std::string> m_order;
};

} // namespace weft::server

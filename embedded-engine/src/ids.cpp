#include "weft/ids.hpp"

#include "weft/time.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <random>

namespace weft {

namespace {
std::uint64_t random64() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return engine();
}
} // namespace

std::string new_id() {
    // RFC 9562 version 7: 48 bits of Unix milliseconds, then a 12-bit sequence that keeps ids made
    // in the same millisecond by this process in order, then 62 random bits.
    static std::atomic<std::uint64_t> last{0};
    const std::uint64_t ms = std::uint64_t(now_us() / 1000);
    std::uint64_t prev = last.load(std::memory_order_relaxed);
    std::uint64_t next;
    do {
        next = std::max(prev + 1, ms << 12);
    } while (!last.compare_exchange_weak(prev, next, std::memory_order_relaxed));
    const std::uint64_t hi = ((next >> 12) << 16) | 0x7000u | (next & 0x0fffu);
    const std::uint64_t lo = (random64() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;

    static const char* hex = "0123456789abcdef";
    std::string out(36, '-');
    int pos = 0;
    auto put = [&](std::uint64_t v, int nibbles) {
        for (int i = nibbles - 1; i >= 0; --i) {
            if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
            out[pos++] = hex[(v >> (i * 4)) & 0xf];
        }
    };
    put(hi, 16);
    put(lo, 16);
    return out;
}

bool is_uuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

} // namespace weft

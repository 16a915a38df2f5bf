#pragma once
// An append-only list of sorted 64-bit values (line ids, or row indexes) in fixed-size blocks.
// Appending never moves what is stored: a std::vector of ten million ids copies 80 MB on the GUI
// thread each time it grows (hundreds of ms), this list only adds 64 KiB blocks. 8 bytes a value
// plus at most one partly filled block.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace weft::studio {

class LogIdList {
public:
    static constexpr std::size_t kBlockBits = 13; // 8192 values, 64 KiB a block
    static constexpr std::size_t kBlock = std::size_t(1) << kBlockBits;

    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    std::int64_t operator[](std::size_t i) const {
        return m_blocks[i >> kBlockBits][i & (kBlock - 1)];
    }
    std::int64_t back() const { return (*this)[m_size - 1]; }

    void clear() {
        decltype(m_blocks)().swap(m_blocks); // frees the block table too
        m_size = 0;
    }
    void append(const std::int64_t* values, std::size_t n) {
        while (n > 0) {
            const std::size_t offset = m_size & (kBlock - 1);
            if (offset == 0 && (m_size >> kBlockBits) == m_blocks.size())
                m_blocks.push_back(std::make_unique_for_overwrite<std::int64_t[]>(kBlock));
            const std::size_t take = std::min(n, kBlock - offset);
            std::copy_n(values, take, m_blocks[m_size >> kBlockBits].get() + offset);
            values += take;
            n -= take;
            m_size += take;
        }
    }
    void append(const std::vector<std::int64_t>& values) { append(values.data(), values.size()); }

    /// The first index whose value is >= `value` (size() when none). Values must be sorted.
    std::size_t lowerBound(std::int64_t value) const {
        std::size_t lo = 0, hi = m_size;
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if ((*this)[mid] < value)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
    /// The first index whose value is > `value` (size() when none).
    std::size_t upperBound(std::int64_t value) const {
        return value == INT64_MAX ? m_size : lowerBound(value + 1);
    }
    /// The index of `value`, or -1.
    std::int64_t indexOf(std::int64_t value) const {
        const std::size_t i = lowerBound(value);
        return i < m_size && (*this)[i] == value ? std::int64_t(i) : -1;
    }
    bool contains(std::int64_t value) const { return indexOf(value) >= 0; }

    /// Values [first, first + count) as a vector.
    std::vector<std::int64_t> slice(std::size_t first, std::size_t count) const {
        std::vector<std::int64_t> out;
        out.reserve(count);
        for (std::size_t i = first; i < first + count; ++i)
            out.push_back((*this)[i]);
        return out;
    }
    /// Bytes held (blocks plus the block table).
    std::size_t bytes() const {
        return m_blocks.size() * kBlock * sizeof(std::int64_t)
               + m_blocks.capacity() * sizeof(m_blocks[0]);
    }

private:
    std::vector<std::unique_ptr<std::int64_t[]>> m_blocks;
    std::size_t m_size = 0;
};

} // namespace weft::studio

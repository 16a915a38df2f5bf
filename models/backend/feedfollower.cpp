#include "backend/feedfollower.h"

#include "backend/threadpriority.h"

#include <QDateTime>
#include <spdlog/spdlog.h>

namespace weft::studio {

namespace {
constexpr int kReadChunk = 5000;
constexpr size_t kMaxBatch = 50000; // one delivery; the rest follows on the next tick
constexpr qint64 kCrashSweepMs = 10000;
} // namespace

FeedFollower::FeedFollower(std::shared_ptr<weft::Engine> engine, std::int64_t fromSeq, int pollMs)
    : m_engine(std::move(engine))
    , m_seq(fromSeq)
    , m_pollMs(pollMs) {}

FeedFollower::~FeedFollower() = default;

void FeedFollower::start() {
    lowerThisThreadsPriority(); // polling and reading the feed must not keep the GUI thread waiting
    m_timer = new QTimer(this);
    m_timer->setInterval(m_pollMs);
    connect(m_timer, &QTimer::timeout, this, &FeedFollower::poll);
    m_timer->start();
    m_lastCrashSweep = QDateTime::currentMSecsSinceEpoch();
}

void FeedFollower::setPollInterval(int ms) {
    m_pollMs = ms;
    if (m_timer) m_timer->setInterval(ms);
}

void FeedFollower::poll() {
    try {
        if (!m_reader) m_reader = m_engine->store().open_reader();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (now - m_lastCrashSweep > kCrashSweepMs) {
            m_lastCrashSweep = now;
            m_engine->detect_crashes();
        }
        // Nothing committed since the last look: skip the query.
        const auto version = m_reader->data_version();
        if (version == m_dataVersion) return;
        auto batch = std::make_shared<std::vector<weft::Event>>();
        for (;;) {
            auto events = m_reader->events_after(m_seq, kReadChunk);
            if (events.empty()) break;
            m_seq = events.back().seq;
            std::move(events.begin(), events.end(), std::back_inserter(*batch));
            if (events.size() < size_t(kReadChunk) || batch->size() >= kMaxBatch) break;
        }
        if (batch->size() < kMaxBatch) m_dataVersion = version; // else read on next tick
        if (!batch->empty()) Q_EMIT batchReady(batch);
    } catch (const std::exception& e) {
        spdlog::warn("weft-studio: following the change feed failed: {}", e.what());
        m_reader.reset();
    }
}

} // namespace weft::studio

#include "backend/feedfollower.h"

#include <QDateTime>
#include <spdlog/spdlog.h>

namespace weft::studio {

namespace {
// One batch: what the GUI thread handles in one turn of its event loop. A big commit (a writer's
// backlog of tens of thousands of events) becomes several batches, not one long turn.
constexpr int kBatch = 2000;
constexpr size_t kMaxPerPoll = 50000; // the rest follows on the next tick
constexpr qint64 kCrashSweepMs = 10000;
} // namespace

FeedFollower::FeedFollower(std::shared_ptr<weft::Engine> engine, std::int64_t fromSeq, int pollMs)
    : m_engine(std::move(engine))
    , m_seq(fromSeq)
    , m_pollMs(pollMs) {}

FeedFollower::~FeedFollower() = default;

void FeedFollower::start() {
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
        size_t read = 0;
        for (;;) {
            auto events = m_reader->events_after(m_seq, kBatch);
            if (events.empty()) break;
            m_seq = events.back().seq;
            read += events.size();
            const bool more = events.size() == size_t(kBatch);
            Q_EMIT batchReady(std::make_shared<const std::vector<weft::Event>>(std::move(events)));
            if (!more || read >= kMaxPerPoll) break;
        }
        if (read < kMaxPerPoll) m_dataVersion = version; // else read on next tick
    } catch (const std::exception& e) {
        spdlog::warn("weft-studio: following the change feed failed: {}", e.what());
        m_reader.reset();
    }
}

} // namespace weft::studio

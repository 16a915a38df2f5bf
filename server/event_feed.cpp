#include "event_feed.hpp"

#include <QTimer>
#include <spdlog/spdlog.h>

namespace weft::server {

namespace {
constexpr int kReadChunk = 5000;
constexpr std::size_t kMaxBatch = 20000; // one hand-over; the rest follows on the next tick
} // namespace

class EventFeed::Worker : public QObject {
public:
    Worker(EventFeed* feed, std::shared_ptr<Store> store, int poll_ms)
        : m_feed(feed)
        , m_store(std::move(store))
        , m_poll_ms(poll_ms)
        // Live from here: what is committed once the server is up, however soon, is sent.
        , m_seq(m_store->read([](Reader& r) { return r.last_event_seq(); })) {}

    void start() { // in the feed's thread
        m_timer = new QTimer(this);
        m_timer->setInterval(m_poll_ms);
        connect(m_timer, &QTimer::timeout, this, &Worker::poll);
        m_timer->start();
    }

    void setFilters(std::vector<EventFilter> filters) { // any thread
        std::scoped_lock lock(m_mutex);
        m_filters = std::make_shared<const std::vector<EventFilter>>(std::move(filters));
    }

private:
    void poll() {
        try {
            if (!m_reader) m_reader = m_store->open_reader();
            std::shared_ptr<const std::vector<EventFilter>> filters;
            {
                std::scoped_lock lock(m_mutex);
                filters = m_filters;
            }
            const auto version = m_reader->data_version();
            if (version == m_version) return; // nothing committed since the last look
            if (!filters || filters->empty()) {
                // No one listens: what happens meanwhile is not live for anyone who comes later.
                m_seq = m_reader->last_event_seq();
                m_version = version;
                return;
            }
            auto batch = std::make_shared<std::vector<FeedEvent>>();
            bool more = false;
            for (;;) {
                auto events = m_reader->events_after(m_seq, kReadChunk);
                for (const Event& e : events) {
                    m_builder.saw(e);
                    auto head = event_head(e);
                    if (!head) continue;
                    const bool wanted =
                        std::any_of(filters->begin(), filters->end(),
                                    [&](const auto& f) { return f.matches(*head); });
                    if (!wanted) continue;
                    const nlohmann::json message = {
                        {"type", "event"}, {"event", m_builder.build(e, *head, *m_reader)}};
                    const std::string text =
                        message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                    batch->push_back({std::move(*head), QString::fromStdString(text)});
                }
                if (!events.empty()) m_seq = events.back().seq;
                if (events.size() < size_t(kReadChunk)) break;
                if (batch->size() >= kMaxBatch) {
                    more = true;
                    break;
                }
            }
            if (!more) m_version = version; // else read on next tick
            if (!batch->empty()) Q_EMIT m_feed->eventsReady(FeedBatch(std::move(batch)));
        } catch (const std::exception& e) {
            spdlog::warn("weft-server: following the change feed failed: {}", e.what());
            m_reader.reset();
            m_version = -1;
        }
    }

    EventFeed* m_feed;
    std::shared_ptr<Store> m_store;
    int m_poll_ms;
    std::int64_t m_seq;
    QTimer* m_timer = nullptr;
    std::unique_ptr<Reader> m_reader;
    std::int64_t m_version = -1;
    EventBuilder m_builder;
    std::mutex m_mutex;
    std::shared_ptr<const std::vector<EventFilter>> m_filters;
};

EventFeed::EventFeed(std::shared_ptr<Store> store, int poll_ms) {
    qRegisterMetaType<FeedBatch>();
    m_worker = new Worker(this, std::move(store), poll_ms);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.setObjectName(QStringLiteral("weft-event-feed"));
    m_thread.start();
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { w->start(); }, Qt::QueuedConnection);
}

EventFeed::~EventFeed() {
    m_thread.quit();
    m_thread.wait();
}

void EventFeed::setFilters(std::vector<EventFilter> filters) {
    m_worker->setFilters(std::move(filters));
}

} // namespace weft::server

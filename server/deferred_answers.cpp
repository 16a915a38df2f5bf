#include "deferred_answers.hpp"

#include <QHttpServerResponse>
#include <spdlog/spdlog.h>

namespace weft::server {

DeferredAnswers::DeferredAnswers(Render render, QObject* parent)
    : QObject(parent)
    , m_render(std::move(render))
    , m_thread([this] { waitLoop(); }) {}

DeferredAnswers::~DeferredAnswers() {
    {
        std::scoped_lock lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join(); // every queued future becomes ready: the store commits or fails each one
}

void DeferredAnswers::answer(std::future<Reply> reply, QHttpServerResponder&& responder) {
    const quint64 ticket = m_next_ticket++;
    QPointer<QTcpSocket> socket(responder.socket());
    m_waiting.emplace(ticket, Waiting{socket, std::move(responder)});
    {
        std::scoped_lock lock(m_mutex);
        m_futures.emplace_back(ticket, std::move(reply));
    }
    m_wake.notify_one();
}

void DeferredAnswers::waitLoop() {
    for (;;) {
        std::pair<quint64, std::future<Reply>> next;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return !m_futures.empty() || m_stopping; });
            if (m_futures.empty()) return; // stopping with nothing left
            next = std::move(m_futures.front());
            m_futures.pop_front();
        }
        Reply reply;
        try {
            reply = next.second.get(); // blocks this thread only, until the commit
        } catch (const StoreError& e) {
            spdlog::error("weft-server: {}", e.what());
            reply = Reply::json({{"exception_message", e.what()}}, 503);
        } catch (const std::exception& e) {
            spdlog::error("weft-server: {}", e.what());
            reply = Reply::json({{"exception_message", "Internal Server Error"}}, 500);
        }
        bool first = false;
        {
            std::scoped_lock lock(m_mutex);
            first = m_ready.empty();
            m_ready.emplace_back(next.first, std::move(reply));
        }
        // One wake-up of the HTTP thread per batch of ready replies.
        if (first)
            QMetaObject::invokeMethod(this, &DeferredAnswers::writeReady, Qt::QueuedConnection);
    }
}

void DeferredAnswers::writeReady() {
    std::vector<std::pair<quint64, Reply>> ready;
    {
        std::scoped_lock lock(m_mutex);
        ready.swap(m_ready);
    }
    for (auto& [ticket, reply] : ready) {
        auto it = m_waiting.find(ticket);
        if (it == m_waiting.end()) continue;
        // A client that went away has no socket to write to (QHttpServer deleted it); its
        // change is committed all the same, as with any request whose answer was lost.
        if (it->second.socket && it->second.socket->state() == QAbstractSocket::ConnectedState)
            m_render(reply).write(std::move(it->second.responder));
        m_waiting.erase(it);
    }
}

} // namespace weft::server

#pragma once
// Answers that wait for a commit without holding up the server's thread. The HTTP thread hands
// over a future reply with the request's responder and serves other connections meanwhile; one
// waiter thread takes the futures in the order they were queued (the store commits in that
// order) and hands each ready reply back to the HTTP thread, which writes it if the client is
// still connected. So requests of many connections share the store's commits, and each answer
// still goes out only once its transaction is durable.
#include "api.hpp"

#include <QHttpServerResponder>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>

class QHttpServerResponse;

namespace weft::server {

class DeferredAnswers : public QObject {
    Q_OBJECT
public:
    /// Turns a reply into the response written (the HTTP thread's).
    using Render = std::function<QHttpServerResponse(const Reply&)>;

    explicit DeferredAnswers(Render render, QObject* parent = nullptr);
    ~DeferredAnswers() override; // waits for the replies still pending, then drops them

    /// Answers with `reply` once it is ready. HTTP thread only.
    void answer(std::future<Reply> reply, QHttpServerResponder&& responder);

    /// Answers handed over and not written yet. HTTP thread only.
    std::size_t pending() const { return m_waiting.size(); }

private:
    void waitLoop();
    void writeReady(); // HTTP thread

    Render m_render;

    // HTTP thread: the responders, by ticket.
    struct Waiting {
        QPointer<QTcpSocket> socket; // gone when the client disconnected meanwhile
        QHttpServerResponder responder;
    };
    std::unordered_map<quint64, Waiting> m_waiting;
    quint64 m_next_ticket = 0;

    // Shared with the waiter thread.
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::pair<quint64, std::future<Reply>>> m_futures;
    std::vector<std::pair<quint64, Reply>> m_ready;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace weft::server

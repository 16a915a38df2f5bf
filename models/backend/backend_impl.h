#pragma once
// runAsync: work on the query pool; the result crosses to the GUI thread as a Result<T>.
#include "backend/result.h"
#include "backend/threadpriority.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>
#include <QThread>
#include <QThreadPool>
#include <algorithm>
#include <memory>
#include <spdlog/spdlog.h>

namespace weft::studio {

/// The threads that run backend queries. Not Qt's global pool: the raster paint engine hands
/// parts of a paint to that pool and waits for them, so slow queries there stall painting.
inline QThreadPool* queryPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool; // lives as long as the process: queries may outlive main()
        p->setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
        return p;
    }();
    return pool;
}

/// The threads that start flow programs, at normal priority: a started program inherits the
/// nice value of the thread that starts it, and a flow must not run below normal because Studio
/// (rather than a shell) started it. One thread: starting is quick, and rare.
inline QThreadPool* launchPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool; // lives as long as the process, like queryPool()
        p->setMaxThreadCount(1);
        return p;
    }();
    return pool;
}

/// Hands `call` to the GUI thread, where it runs only if `guard` still lives. The pointer is
/// read there, never on the calling thread: a QPointer tested on a worker may be cleared by the
/// GUI thread right after the test, and posting to the raw object would then use a dead object.
/// So the post goes to the application object, which outlives every context.
template<class F> void postToGuard(const QPointer<QObject>& guard, F&& call) {
    QCoreApplication* app = QCoreApplication::instance();
    if (!app) return; // shutting down: nobody to tell
    QMetaObject::invokeMethod(
        app,
        [guard, call = std::forward<F>(call)]() mutable {
            if (guard) call();
        },
        Qt::QueuedConnection);
}

template<class T>
void runAsync(QObject* context, std::function<T()> work, std::function<void(Result<T>)> done,
              WorkPriority priority) {
    QPointer<QObject> guard(context);
    const bool background = priority == WorkPriority::Background;
    QThreadPool* pool = background ? queryPool() : launchPool();
    pool->start([guard, work = std::move(work), done = std::move(done), background] {
        // The query pool's threads are Studio's own: below the GUI thread.
        if (background) lowerThisThreadsPriority();
        // An exception must not escape the worker: it becomes the answer's error.
        auto result = std::make_shared<std::optional<Result<T>>>();
        try {
            result->emplace(work());
        } catch (const std::exception& e) {
            spdlog::warn("weft-studio: a background query failed: {}", e.what());
            result->emplace(QueryError{QString::fromUtf8(e.what())});
        } catch (...) {
            result->emplace(QueryError{QStringLiteral("unknown error")});
        }
        postToGuard(guard, [done, result] { done(std::move(**result)); });
    });
}

} // namespace weft::studio

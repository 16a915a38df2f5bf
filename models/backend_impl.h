#pragma once
// runAsync: results cross threads with QMetaObject::invokeMethod to a QPointer'd context.
#include <QMetaObject>
#include <QPointer>
#include <QThread>
#include <QThreadPool>
#include <algorithm>
#include <spdlog/spdlog.h>

namespace weft::studio {

/// The threads that run backend queries. Not Qt's global pool: the raster paint engine hands
/// parts of a paint to that pool and waits for them, so slow queries there stall painting.
inline QThreadPool* queryPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool; // lives as long as the process: queries may outlive main()
        p->setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
        p->setThreadPriority(QThread::LowPriority); // the GUI thread comes first on a busy machine
        return p;
    }();
    return pool;
}

template<class T>
void runAsync(QObject* context, std::function<T()> work, std::function<void(T)> done) {
    QPointer<QObject> guard(context);
    queryPool()->start([guard, work = std::move(work), done = std::move(done)] {
        // An exception must not escape the worker: report it as the default value, logged.
        std::optional<T> result;
        try {
            result.emplace(work());
        } catch (const std::exception& e) {
            spdlog::warn("weft-studio: a background query failed: {}", e.what());
            result.emplace();
        }
        if (!guard) return;
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, done, value = std::make_shared<T>(std::move(*result))]() mutable {
                if (guard) done(std::move(*value));
            },
            Qt::QueuedConnection);
    });
}

} // namespace weft::studio

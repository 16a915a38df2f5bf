#pragma once
// Helpers of the Studio tests that talk to a server: opening a RemoteBackend and waiting for a
// backend's answer, the event loop running meanwhile (bounded: 15 s unless told).
#include "backend/remotebackend.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <functional>
#include <optional>

namespace weft::studio::test {

/// Opens `b` and waits until it says opened() or failed(); true when it opened.
inline bool openBackend(RemoteBackend& b, int timeoutMs = 15000) {
    QSignalSpy opened(&b, &Backend::opened);
    QSignalSpy failed(&b, &Backend::failed);
    b.open();
    QElapsedTimer clock;
    clock.start();
    while (opened.count() + failed.count() == 0 && clock.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return opened.count() == 1;
}

/// Makes `call(context, done)` and waits for its answer; nullopt when none came in time.
template<class T>
std::optional<Result<T>> await(std::function<void(QObject*, Backend::Done<T>)> call,
                               int timeoutMs = 15000) {
    QObject context;
    std::optional<Result<T>> answer;
    call(&context, [&](Result<T> r) { answer.emplace(std::move(r)); });
    QElapsedTimer clock;
    clock.start();
    while (!answer && clock.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return answer;
}

} // namespace weft::studio::test

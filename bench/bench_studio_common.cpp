#include "bench_studio_common.h"

#include "runs/flowrunlistmodel.h"
#include "runs/runlistwidget.h"

#include <QEventLoop>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <sys/resource.h>

namespace weft::bench {

using studio::RunListWidget;

QElapsedTimer& benchClock() {
    static QElapsedTimer clock;
    return clock;
}

void progress(const char* format, ...) {
    std::fprintf(stderr, "[%6.1f s] ", benchClock().elapsed() / 1000.0);
    va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

bool TimingApp::notify(QObject* receiver, QEvent* event) {
    // notify() runs in every thread that has an event loop (the feed follower polls in its
    // own): only the GUI thread's events are stalls, and the counters below are its alone.
    if (QThread::currentThread() != thread()) return QApplication::notify(receiver, event);
    const QEvent::Type type = event->type();
    // Timed: the events a running event loop dispatches itself (depth == loop level - 1), so
    // waits driven from inside an event handler are measured too. An event inside which a
    // nested loop ran is not a stall: its time is the loop's.
    const int loopLevel = QThread::currentThread()->loopLevel();
    if (m_depth++ != loopLevel - 1) {
        const bool r = QApplication::notify(receiver, event);
        --m_depth;
        if (afterEvent) afterEvent(receiver, type);
        return r;
    }
    for (auto&& outer : m_timed)
        outer = true; // they contain this loop
    m_timed.push_back(false);
    // The class name before the event: a DeferredDelete destroys its receiver.
    const char* what = receiver->metaObject()->className();
    rusage u0{}, u1{};
    getrusage(RUSAGE_THREAD, &u0);
    const double cpu0 = threadCpuMs();
    QElapsedTimer t;
    t.start();
    const bool r = QApplication::notify(receiver, event);
    const double ms = t.nsecsElapsed() / 1e6;
    const double cpu = threadCpuMs() - cpu0;
    getrusage(RUSAGE_THREAD, &u1);
    --m_depth;
    const bool containedLoop = m_timed.back();
    m_timed.pop_back();
    if (!containedLoop) {
        if (ms > m_wall.ms)
            m_wall = {ms, what, int(type), u1.ru_nvcsw - u0.ru_nvcsw, u1.ru_nivcsw - u0.ru_nivcsw};
        if (cpu > m_cpu.ms) m_cpu = {cpu, what, int(type)};
    }
    if (afterEvent) afterEvent(receiver, type);
    return r;
}

Stall TimingApp::take(const char* phase) {
    if (phase)
        progress("  %s: longest GUI event %.1f ms wall (%s, event type %d; the GUI thread "
                 "waited %ld times, was preempted %ld times), %.1f ms CPU (%s, event type %d)",
                 phase, m_wall.ms, m_wall.what, m_wall.type, m_wall.waits, m_wall.preempted,
                 m_cpu.ms, m_cpu.what, m_cpu.type);
    const Stall s{m_wall.ms, m_cpu.ms};
    m_wall = m_cpu = {};
    return s;
}

GapMeter::GapMeter() {
    m_tick.setInterval(5);
    m_tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&m_tick, &QTimer::timeout, [this] {
        m_gaps.push_back(m_since.nsecsElapsed() / 1e6);
        m_since.restart();
    });
    m_since.start();
    m_tick.start();
}

double GapMeter::take() {
    const double worst = max();
    m_gaps.clear();
    m_since.restart();
    return worst;
}

double GapMeter::max() const {
    return m_gaps.empty() ? 0 : *std::max_element(m_gaps.begin(), m_gaps.end());
}

double GapMeter::percentile(double p) const {
    if (m_gaps.empty()) return 0;
    auto v = m_gaps;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

TimingApp* timingApp() {
    return static_cast<TimingApp*>(QCoreApplication::instance());
}

double waitFor(const std::function<bool()>& done, int ms) {
    QElapsedTimer t;
    t.start();
    if (done()) return 0;
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(2);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done() || t.elapsed() > ms) loop.quit();
    });
    poll.start();
    loop.exec();
    return t.nsecsElapsed() / 1e6;
}

bool visibleLoaded(RunListWidget& w) {
    QTableView* t = w.tableView();
    const int first = t->rowAt(0);
    int last = t->rowAt(t->viewport()->height() - 1);
    if (first < 0) return false;
    if (last < 0) last = w.model()->rowCount() - 1;
    for (int r = first; r <= last; ++r)
        if (!w.model()->isLoaded(r)) return false;
    return true;
}

double showUntilFirstPaint(RunListWidget& list, const QElapsedTimer& clock) {
    // Noted after the event: the paint is on screen, and its rows were loaded when it began.
    double ms = -1;
    TimingApp& app = *timingApp();
    app.afterEvent = [&](QObject* receiver, QEvent::Type type) {
        if (ms < 0 && type == QEvent::Paint && receiver == list.tableView()->viewport()
            && visibleLoaded(list))
            ms = clock.nsecsElapsed() / 1e6;
    };
    list.resize(1280, 800);
    list.show();
    waitFor([&] { return ms >= 0; }, 60000);
    app.afterEvent = nullptr;
    return ms;
}

} // namespace weft::bench

// Times the run list on a large database: opening, scrolling (jumps and steady scrolling) and
// live ingest, with the longest stall of the GUI thread for each. Not a test.
//   bench_flowrunlist DB [EVENTS_PER_SECOND]
#include "models/embeddedbackend.h"
#include "models/flowrunlistmodel.h"
#include "widgets/runlistwidget.h"

#include "fixtures.h"

#include <weft/engine.hpp>

#include <weft/ids.hpp>

#include <QApplication>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>
#include <cstdio>
#include <random>
#include <thread>

using namespace weft::studio;

namespace {
// Measures the longest gap between turns of the event loop (a 1 ms timer's ticks).
class StallMeter : public QObject {
public:
    StallMeter() {
        m_timer.setInterval(1);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last) m_max = std::max(m_max, now - m_last);
            m_last = now;
        });
        m_clock.start();
        m_timer.start();
    }
    void reset() {
        m_max = 0;
        m_last = 0;
    }
    double maxMs() const { return m_max / 1e6; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0, m_max = 0;
};

bool waitFor(const std::function<bool()>& done, int timeoutMs) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

bool visibleLoaded(RunListWidget& w) {
    QTableView* t = w.tableView();
    const int first = t->rowAt(0), last = t->rowAt(t->viewport()->height() - 1);
    for (int r = std::max(0, first); r <= last; ++r)
        if (!w.model()->isLoaded(r)) return false;
    return first >= 0;
}
} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DB [EVENTS_PER_SECOND]\n", argv[0]);
        return 2;
    }
    const int rate = argc > 2 ? std::atoi(argv[2]) : 20000;
    EmbeddedBackend backend(QString::fromLocal8Bit(argv[1]));
    StallMeter stalls;
    QElapsedTimer t;
    t.start();
    if (const QString e = backend.openNow(); !e.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(e));
        return 1;
    }
    const double openDb = t.nsecsElapsed() / 1e6;
    RunListWidget w(&backend);
    // How long the views take to take in the first count's rows (one insert of all of them).
    QElapsedTimer insertClock;
    double insertMs = 0;
    QObject::connect(w.model(), &QAbstractItemModel::modelAboutToBeReset,
                     [&] { insertClock.start(); });
    QObject::connect(w.model(), &FlowRunListModel::totalCountChanged, [&] {
        if (insertClock.isValid() && insertMs == 0) insertMs = insertClock.nsecsElapsed() / 1e6;
    });
    w.resize(1280, 800);
    w.show();
    stalls.reset();
    t.restart();
    if (!waitFor([&] { return w.model()->totalCount() >= 0 && visibleLoaded(w); }, 30000)) return 1;
    std::printf("open: database %.0f ms, count + first screen %.0f ms (%lld runs), max stall "
                "%.1f ms (the view taking in the rows: %.1f ms)\n",
                openDb, t.nsecsElapsed() / 1e6, w.model()->totalCount(), stalls.maxMs(), insertMs);

    QScrollBar* bar = w.tableView()->verticalScrollBar();
    for (double at : {0.10, 0.50, 0.90, 0.999, 0.30}) {
        stalls.reset();
        t.restart();
        bar->setValue(int(bar->maximum() * at));
        if (!waitFor([&] { return visibleLoaded(w); }, 30000)) return 1;
        std::printf("jump to %5.1f%%: rows shown after %.0f ms, max stall %.1f ms\n", at * 100,
                    t.nsecsElapsed() / 1e6, stalls.maxMs());
    }
    // Steady scrolling: a screen every 16 ms for 3 s, as a dragged scroll bar does.
    stalls.reset();
    t.restart();
    int frames = 0, placeholders = 0;
    const int step = w.tableView()->viewport()->height();
    while (t.elapsed() < 3000) {
        bar->setValue(bar->value() + step);
        ++frames;
        QElapsedTimer frame;
        frame.start();
        while (frame.elapsed() < 16)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 16);
        placeholders += !visibleLoaded(w);
    }
    std::printf(
        "scrolling %d screens in 3 s: max stall %.1f ms, frames with rows still loading %d, "
        "cached rows %d, page requests %d\n",
        frames, stalls.maxMs(), placeholders, w.model()->cachedRows(), w.model()->pageRequests());

    // Live ingest: batches every 50 ms of task-run and flow-run state events (on rows shown and
    // elsewhere), as the feed delivers them.
    bar->setValue(0);
    waitFor([&] { return visibleLoaded(w); }, 30000);
    std::vector<std::string> shown;
    for (int r = 0; r < 40; ++r)
        shown.push_back(w.model()->runId(r).toStdString());
    std::mt19937 rng(7);
    const int perBatch = rate / 20;
    double worstBatch = 0;
    stalls.reset();
    t.restart();
    int batches = 0;
    while (t.elapsed() < 3000) {
        auto batch = std::make_shared<std::vector<weft::Event>>();
        batch->reserve(size_t(perBatch));
        for (int i = 0; i < perBatch; ++i) {
            weft::Event e;
            e.seq = batches * perBatch + i;
            const bool flowRun = i % 10 == 0;
            e.kind = flowRun ? weft::EventKind::FlowRunState : weft::EventKind::TaskRunState;
            e.run_id = flowRun ? shown[rng() % shown.size()] : weft::new_id();
            e.flow_run_id = flowRun ? e.run_id : shown[rng() % shown.size()];
            e.state =
                weft::make_state(i % 3 ? weft::StateType::Running : weft::StateType::Completed);
            batch->push_back(std::move(e));
        }
        QElapsedTimer handle;
        handle.start();
        Q_EMIT backend.eventsArrived(batch);
        worstBatch = std::max(worstBatch, handle.nsecsElapsed() / 1e6);
        ++batches;
        QElapsedTimer gap;
        gap.start();
        while (gap.elapsed() < 50)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    }
    std::printf(
        "live: %d events/s in %d batches of %d: slowest batch handled in %.2f ms, max stall "
        "%.1f ms\n",
        rate, batches, perBatch, worstBatch, stalls.maxMs());

    // Real runs written by another thread while the list shows the top: they appear at the top,
    // and the count ends equal to the store's.
    stalls.reset();
    const qint64 before = w.model()->totalCount();
    std::atomic<bool> writing{true};
    std::thread writer([&] {
        for (int i = 0; i < 1000; ++i) {
            fixtures::RunSpec spec;
            spec.flow_name = "live";
            spec.state = i % 2 ? weft::StateType::Running : weft::StateType::Completed;
            fixtures::writeRun(backend.engine()->store(), spec);
        }
        backend.engine()->store().flush();
        writing = false;
    });
    t.restart();
    const bool caughtUp = waitFor(
        [&] {
            return !writing && w.model()->totalCount() == before + 1000
                   && w.model()->runId(0).size() > 0;
        },
        60000);
    writer.join();
    const qint64 stored = backend.engine()->store().read(
        [](weft::Reader& r) { return r.count_flow_runs(weft::FlowRunQuery{}); });
    // The rows shown are the store's newest, in its order (after any reload settled).
    const auto top = backend.engine()->store().read(
        [](weft::Reader& r) { return r.flow_runs(weft::FlowRunQuery{.limit = 50}); });
    const bool sameTop = waitFor(
        [&] {
            for (int r = 0; r < int(top.size()); ++r)
                if (w.model()->runId(r) != QString::fromStdString(top[size_t(r)].id)) return false;
            return true;
        },
        5000);
    std::printf("live writes: 1000 runs written and shown in %.0f ms (%s), model %lld / store %lld "
                "runs, top 50 rows %s the store's, max stall %.1f ms\n",
                t.nsecsElapsed() / 1e6, caughtUp ? "caught up" : "NOT caught up",
                w.model()->totalCount(), stored, sameTop ? "equal" : "DIFFER from", stalls.maxMs());
    return caughtUp && sameTop ? 0 : 1;
}

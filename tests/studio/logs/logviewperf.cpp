// Measures LogView (the real table and delegate, offscreen) on a big log: how long the GUI thread
// stalls while ids stream in, while searching and while live lines arrive, and paint time.
//   weft-logviewperf DB [LINES_PER_S]     (DB from `weft-logperf generate`)
#include "models/embeddedbackend.h"
#include "models/logmodel.h"
#include "widgets/logview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHeaderView>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>
#include <atomic>
#include <cstdio>
#include <thread>

using namespace weft::studio;

namespace {

// Times every event the GUI thread handles (outermost only): the longest is the stall our code
// causes; a gap between timer ticks also counts time the OS gave to other processes.
class TimingApp : public QApplication {
public:
    using QApplication::QApplication;
    bool notify(QObject* receiver, QEvent* event) override {
        if (m_depth++ > 0) {
            const bool r = QApplication::notify(receiver, event);
            --m_depth;
            return r;
        }
        QElapsedTimer t;
        t.start();
        const bool r = QApplication::notify(receiver, event);
        --m_depth;
        const double ms = t.nsecsElapsed() / 1e6;
        if (ms > m_longest) {
            m_longest = ms;
            m_what = QString::fromLatin1(receiver->metaObject()->className()) + QLatin1Char('/')
                     + QString::number(int(event->type()));
        }
        return r;
    }
    QString take() {
        const QString s = QStringLiteral("%1 ms (%2)").arg(m_longest, 0, 'f', 1).arg(m_what);
        m_longest = 0;
        return s;
    }

private:
    int m_depth = 0;
    double m_longest = 0;
    QString m_what;
};

// The longest gap between 5-ms ticks of the GUI thread's event loop since the last reset.
struct StallMeter {
    QTimer tick;
    QElapsedTimer since;
    double worst = 0;
    StallMeter() {
        tick.setInterval(5);
        QObject::connect(&tick, &QTimer::timeout, [this] {
            worst = std::max(worst, since.nsecsElapsed() / 1e6);
            since.restart();
        });
        since.start();
        tick.start();
    }
    double take() {
        const double w = worst;
        worst = 0;
        return w;
    }
};

template<class F> double waitFor(F done, int ms = 120000) {
    // A nested event loop that checks every 2 ms: it sleeps between events, so the measured
    // threads get the CPU (processEvents(flags, maxtime) would spin).
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

bool visibleRowsLoaded(LogView& view) {
    QTableView* table = view.table();
    const int first = std::max(0, table->rowAt(0));
    int last = table->rowAt(table->viewport()->height() - 1);
    if (last < 0) last = view.model()->rowCount() - 1;
    if (view.model()->rowCount() == 0) return false;
    for (int r = first; r <= last; ++r)
        if (!view.model()->lineAt(r)) return false;
    return true;
}

} // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    TimingApp app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: weft-logviewperf DB [LINES_PER_S]\n");
        return 2;
    }
    const int rate = argc >= 3 ? std::atoi(argv[2]) : 20000;
    EmbeddedBackend backend(QString::fromLocal8Bit(argv[1]));
    if (QString error = backend.openNow(); !error.isEmpty()) return 1;
    auto runs = backend.engine()->store().read([](weft::Reader& r) {
        weft::FlowRunQuery q;
        q.limit = 1;
        return r.flow_runs(q);
    });
    if (runs.empty()) return 1;
    const QString runId = QString::fromStdString(runs.front().id);

    LogView view(&backend);
    view.resize(1400, 900);
    view.show();
    StallMeter stalls;
    QElapsedTimer t;
    t.start();
    view.setFlowRun(runId);
    const double firstScreen = waitFor([&] { return visibleRowsLoaded(view); });
    waitFor([&] { return !view.model()->isLoading(); });
    std::printf("view: first screen of text %.0f ms, all %d ids %.0f ms, longest GUI stall %.0f "
                "ms, longest event %s\n",
                firstScreen, view.model()->rowCount(), t.nsecsElapsed() / 1e6, stalls.take(),
                qPrintable(app.take()));

    // Paint: the table's viewport, a frame at a time, at the end and in the middle.
    waitFor([&] { return visibleRowsLoaded(view); });
    t.start();
    for (int i = 0; i < 20; ++i)
        view.table()->viewport()->grab();
    std::printf("paint: %.1f ms a frame (%d visible rows)\n", t.nsecsElapsed() / 1e6 / 20,
                view.table()->viewport()->height()
                    / view.table()->verticalHeader()->defaultSectionSize());
    stalls.take();
    app.take();
    // Scroll page by page through the middle: text shows within a frame or two.
    view.setFollow(false);
    view.table()->verticalScrollBar()->setValue(view.model()->rowCount() / 2);
    double worstScreen = 0;
    for (int i = 0; i < 50; ++i) {
        view.table()->verticalScrollBar()->triggerAction(QAbstractSlider::SliderPageStepAdd);
        worstScreen = std::max(worstScreen, waitFor([&] { return visibleRowsLoaded(view); }));
    }
    std::printf("scrolling 50 pages: slowest page of text %.1f ms, longest GUI stall %.0f ms, "
                "longest event %s\n",
                worstScreen, stalls.take(), qPrintable(app.take()));

    t.start();
    view.setSearchText(QStringLiteral("needle"));
    const double firstHit = waitFor([&] {
        return view.model()->hitCount() > 0
               && view.table()->currentIndex().row() == view.model()->hitRow(0);
    });
    waitFor([&] { return !view.model()->isSearching(); });
    std::printf("search: first hit current %.0f ms, all %d hits %.0f ms, longest GUI stall %.0f "
                "ms, longest event %s\n",
                firstHit, view.model()->hitCount(), t.nsecsElapsed() / 1e6, stalls.take(),
                qPrintable(app.take()));
    t.start();
    view.setContextLines(2);
    std::printf("context ±2: %d rows in %.0f ms\n", view.model()->rowCount(),
                t.nsecsElapsed() / 1e6);
    view.setContextLines(0);
    view.setSearchText({});
    view.jumpToLatest();
    waitFor([&] { return visibleRowsLoaded(view); });
    stalls.take();
    app.take();

    if (rate <= 0) return 0;
    const int before = view.model()->rowCount();
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        auto& store = backend.engine()->store();
        QElapsedTimer w;
        w.start();
        long written = 0;
        while (w.elapsed() < 3000) {
            for (const long due = long(w.elapsed() * rate / 1000); written < due; ++written) {
                weft::LogRecord line;
                line.flow_run_id = runId.toStdString();
                line.name = "live";
                line.level = weft::Info;
                line.timestamp = weft::now_us();
                line.message = "live " + std::to_string(written);
                store.append_log(std::move(line));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        store.flush();
        stop = true;
    });
    waitFor([&] { return stop.load(); }, 20000);
    writer.join();
    waitFor([&] { return view.model()->rowCount() >= before + 3 * rate; }, 10000);
    waitFor([&] { return visibleRowsLoaded(view); }, 2000);
    const QModelIndex last = view.model()->index(view.model()->rowCount() - 1, 0);
    std::printf("live %d lines/s, following: %d lines appended, last row visible %s, longest GUI "
                "stall %.0f ms, longest event %s\n",
                rate, view.model()->rowCount() - before,
                view.table()->viewport()->rect().contains(view.table()->visualRect(last)) ? "yes"
                                                                                          : "no",
                stalls.take(), qPrintable(app.take()));
    return 0;
}

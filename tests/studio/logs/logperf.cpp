// Measures LogModel on a big log, headless (not a test; the Studio benchmark will own this later):
//   weft-logperf generate DB LINES      one flow run with LINES fixture-style lines
//   weft-logperf measure DB [RATE]      first rows, all ids, text, searches, filters, live ingest
// Lines are as fixtures::writeRun writes them: mixed levels, every 97th says "needle".
#include "fixtures.h"
#include "models/embeddedbackend.h"
#include "models/logmodel.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTimer>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <atomic>
#include <cstdio>
#include <sqlite3.h>
#include <sys/resource.h>
#include <thread>

using namespace weft::studio;

namespace {

// Times every event the GUI thread handles: the longest one is the stall our code causes (a gap
// between timer ticks also counts time the OS gave to other processes).
class TimingApp : public QCoreApplication {
public:
    using QCoreApplication::QCoreApplication;
    bool notify(QObject* receiver, QEvent* event) override {
        if (m_depth++ > 0) {
            const bool r = QCoreApplication::notify(receiver, event);
            --m_depth;
            return r;
        }
        QElapsedTimer t;
        t.start();
        const bool r = QCoreApplication::notify(receiver, event);
        --m_depth;
        if (const double ms = t.nsecsElapsed() / 1e6; ms > m_longest) {
            m_longest = ms;
            m_what = receiver->metaObject()->className();
            m_type = int(event->type());
        }
        return r;
    }
    double takeLongest() {
        if (m_longest > 20) std::fprintf(stderr, "  (longest: %s, event %d)\n", m_what, m_type);
        return std::exchange(m_longest, 0.0);
    }

private:
    int m_depth = 0;
    double m_longest = 0;
    const char* m_what = "";
    int m_type = 0;
};

double cpuMs() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3
           + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

TimingApp* timing() {
    return static_cast<TimingApp*>(QCoreApplication::instance());
}

long rssKb() {
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) return 0;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:")) return line.mid(6).trimmed().split(' ').first().toLong();
    return 0;
}

int generate(const QString& path, long lines) {
    auto store = weft::Store::open(path.toStdString());
    fixtures::RunSpec spec;
    spec.tasks = fixtures::chain(8);
    spec.state = weft::StateType::Completed;
    auto run = fixtures::writeRun(*store, spec);
    static const int levels[] = {weft::Debug, weft::Info,    weft::Info,
                                 weft::Info,  weft::Warning, weft::Error};
    QElapsedTimer t;
    t.start();
    const weft::Micros start = weft::now_us();
    for (long i = 0; i < lines; ++i) {
        weft::LogRecord line;
        line.flow_run_id = run.flow_run_id;
        line.task_run_id = run.task_run_ids[std::size_t(i) % run.task_run_ids.size()];
        line.name = "weft.task_runs";
        line.level = levels[i % 6];
        line.timestamp = start + i * 1000;
        line.message =
            "line " + std::to_string(i) + (i % 97 == 0 ? " needle in the haystack" : " of the log");
        store->append_log(std::move(line));
        if (i % 200000 == 199999) {
            store->flush(); // bounds the writer's queue
            std::printf("  %ld lines, %.0f lines/s\n", i + 1, (i + 1) / (t.elapsed() / 1000.0));
            std::fflush(stdout);
        }
    }
    store->flush();
    std::printf("run %s: %ld lines in %.1f s\n", run.flow_run_id.c_str(), lines,
                t.elapsed() / 1000.0);
    return 0;
}

// Runs the event loop until `done` is true or `ms` passed; returns the elapsed ms.
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

int measure(const QString& path, int rate) {
    EmbeddedBackend backend(path);
    if (QString error = backend.openNow(); !error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    auto runs = backend.engine()->store().read([](weft::Reader& r) {
        weft::FlowRunQuery q;
        q.limit = 1;
        return r.flow_runs(q);
    });
    if (runs.empty()) return 1;
    const QString runId = QString::fromStdString(runs.front().id);
    LogModel model(&backend);
    const long rss0 = rssKb();

    // First rows, first text, every id.
    QElapsedTimer t;
    bool inserted = false, loaded = false;
    double firstRows = 0;
    auto c1 = QObject::connect(&model, &QAbstractItemModel::rowsInserted, [&] {
        if (!inserted) firstRows = t.nsecsElapsed() / 1e6;
        inserted = true;
    });
    auto c2 = QObject::connect(&model, &LogModel::loadFinished, [&] { loaded = true; });
    t.start();
    double cpu = cpuMs();
    timing()->takeLongest();
    model.setFlowRun(runId);
    waitFor([&] { return inserted; });
    const double firstText =
        waitFor([&] {
            return model.data(model.index(0, LogModel::MessageColumn), LogModel::IsLoadedRole)
                .toBool();
        })
        + firstRows;
    waitFor([&] { return loaded; });
    const double allIds = t.nsecsElapsed() / 1e6;
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    const long rows = model.rowCount();
    std::printf("lines %ld: first rows %.0f ms, first text %.0f ms, all ids %.0f ms (process CPU "
                "%.0f ms, longest GUI event %.1f ms)\n",
                rows, firstRows, firstText, allIds, cpuMs() - cpu, timing()->takeLongest());
    // Scroll through: text of far pages.
    t.start();
    for (int r = 0; r < rows; r += int(rows / 20)) {
        const QModelIndex i = model.index(r, LogModel::MessageColumn);
        waitFor([&] { return model.data(i, LogModel::IsLoadedRole).toBool(); });
    }
    std::printf("text of 20 pages across the log: %.1f ms each\n", t.nsecsElapsed() / 1e6 / 20);
    std::printf("memory: model %.1f bytes/line (ids + text cache), process RSS +%.1f bytes/line\n",
                double(model.memoryUsage()) / double(rows),
                (rssKb() - rss0) * 1024.0 / double(rows));

    auto search = [&](const char* label, const QString& text, bool raw = false) {
        bool first = false, done = false;
        double firstHit = 0;
        QElapsedTimer s;
        auto h = QObject::connect(&model, &LogModel::hitsChanged, [&] {
            if (!first && model.hitCount() > 0) firstHit = s.nsecsElapsed() / 1e6, first = true;
        });
        auto f = QObject::connect(&model, &LogModel::searchFinished, [&] { done = true; });
        s.start();
        const double cpu = cpuMs();
        timing()->takeLongest();
        model.setSearch(text, raw);
        waitFor([&] { return done; });
        const double all = s.nsecsElapsed() / 1e6;
        QObject::disconnect(h);
        QObject::disconnect(f);
        std::printf("search %-24s %8d hits: first hit %.0f ms, all %.0f ms (CPU %.0f ms, longest "
                    "GUI event %.1f ms)\n",
                    label, model.hitCount(), first ? firstHit : all, all, cpuMs() - cpu,
                    timing()->takeLongest());
    };
    search("\"needle\" (1 in 97)", QStringLiteral("needle"));
    model.setContextLines(2);
    std::printf("  context ±2: %d rows\n", model.rowCount());
    model.setContextLines(0);
    search("\"5000000\" (one line)", QStringLiteral("5000000"));
    search("\"log\" (96 in 97)", QStringLiteral("log"));
    search("raw \"needl*\"", QStringLiteral("needl*"), true);
    model.setSearch({});

    auto filter = [&](const char* label, auto apply) {
        bool done = false;
        auto f = QObject::connect(&model, &LogModel::loadFinished, [&] { done = true; });
        QElapsedTimer s;
        s.start();
        const double cpu = cpuMs();
        apply();
        waitFor([&] { return done; });
        QObject::disconnect(f);
        std::printf("filter %-20s %9d lines in %.0f ms (CPU %.0f ms)\n", label, model.rowCount(),
                    s.nsecsElapsed() / 1e6, cpuMs() - cpu);
    };
    filter("level >= ERROR", [&] { model.setMinLevel(weft::Error); });
    filter("level: all", [&] { model.setMinLevel(0); });

    if (rate <= 0) return 0;
    // Live ingest: a thread writes `rate` lines a second for 3 s; the GUI thread's longest gap
    // between 5-ms ticks is the stall.
    const int before = model.rowCount();
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        auto& store = backend.engine()->store();
        QElapsedTimer w;
        w.start();
        long written = 0;
        while (w.elapsed() < 3000) {
            const long due = long(w.elapsed() * rate / 1000);
            for (; written < due; ++written) {
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
    int inserts = 0;
    auto ins = QObject::connect(&model, &QAbstractItemModel::rowsInserted, [&] { ++inserts; });
    QElapsedTimer gap;
    gap.start();
    double maxGap = 0;
    QTimer tick;
    tick.setInterval(5);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        maxGap = std::max(maxGap, gap.nsecsElapsed() / 1e6);
        gap.restart();
    });
    tick.start();
    timing()->takeLongest();
    waitFor([&] { return stop.load(); }, 20000);
    writer.join();
    const int expected = before + 3 * rate;
    waitFor([&] { return model.rowCount() >= expected; }, 10000);
    QObject::disconnect(ins);
    std::printf("live %d lines/s: %d lines appended in %d inserts, longest GUI event %.1f ms "
                "(longest gap between 5-ms ticks %.1f ms)\n",
                rate, model.rowCount() - before, inserts, timing()->takeLongest(), maxGap);
    return 0;
}

// The id query alone, chunked as EmbeddedBackend::fetchLogIds reads it.
int ids(const QString& path, bool mmap, bool raw) {
    auto store = weft::Store::open(path.toStdString());
    auto runId = store->read([](weft::Reader& r) {
        weft::FlowRunQuery q;
        q.limit = 1;
        return r.flow_runs(q).front().id;
    });
    for (int round = 0; round < 2; ++round) {
        QElapsedTimer t;
        t.start();
        const double cpu = cpuMs();
        long total = 0;
        store->read([&](weft::Reader& r) {
            if (mmap) r.db().exec("PRAGMA mmap_size = 4294967296");
            weft::LogQuery q;
            q.flow_run_id = runId;
            std::size_t chunk = 20000;
            for (;;) {
                std::vector<std::int64_t> v;
                if (raw) {
                    sqlite3_stmt* p = nullptr;
                    sqlite3_prepare_v2(r.db().getHandle(),
                                       "SELECT id FROM logs WHERE flow_run_id = ? AND id > ? "
                                       "ORDER BY id LIMIT ?",
                                       -1, &p, nullptr);
                    sqlite3_bind_text(p, 1, runId.c_str(), -1, SQLITE_TRANSIENT);
                    sqlite3_bind_int64(p, 2, q.after_id);
                    sqlite3_bind_int(p, 3, int(chunk));
                    while (sqlite3_step(p) == SQLITE_ROW)
                        v.push_back(sqlite3_column_int64(p, 0));
                    sqlite3_finalize(p);
                } else {
                    v = r.log_ids(q, int(chunk));
                }
                total += long(v.size());
                if (v.size() < chunk) break;
                q.after_id = v.back();
                chunk = std::min<std::size_t>(chunk * 4, 2'000'000);
            }
            return 0;
        });
        std::printf("log_ids%s%s: %ld ids in %.0f ms (CPU %.0f ms)\n", mmap ? " (mmap)" : "",
                    raw ? " (raw)" : "", total, t.nsecsElapsed() / 1e6, cpuMs() - cpu);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    TimingApp app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() >= 4 && args[1] == QLatin1String("generate"))
        return generate(args[2], args[3].toLong());
    if (args.size() >= 3 && args[1] == QLatin1String("ids"))
        return ids(args[2], args.contains(QLatin1String("mmap")),
                   args.contains(QLatin1String("raw")));
    if (args.size() >= 3 && args[1] == QLatin1String("measure"))
        return measure(args[2], args.size() >= 4 ? args[3].toInt() : 20000);
    std::fprintf(stderr, "usage: weft-logperf generate DB LINES | measure DB [LINES_PER_S]\n");
    return 2;
}

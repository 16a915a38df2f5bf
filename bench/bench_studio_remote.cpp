// weft-bench-studio --remote: Studio on a server with many runs (design §7: first paint < 1 s,
// GUI stalls < 50 ms).
//
// 1. A database of `runs` flow runs, written through the engine's Store (kept in --dir and
//    reused), then a weft-server on it (build/bin/weft-server, port 0).
// 2. Time to first paint of the run list (the first page shown with its rows loaded), on the
//    local embedded backend (the baseline) and then on a RemoteBackend to the server.
// 3. `rate` flow-run state events per second for `seconds`, sent over /api/events/in from a
//    sender thread, reach the open list through /api/events/out: the events the backend
//    delivered per second, and the gaps between a 5 ms GUI-thread timer's ticks (max and p99).
//
// Progress goes to stderr; stdout gets one JSON line.
#include "bench_studio_remote.h"

#include "bench_studio_common.h"

#include "backend/embeddedbackend.h"
#include "backend/remotebackend.h"
#include "fixtures.h"
#include "runs/flowrunlistmodel.h"
#include "runs/runlistwidget.h"

#include <weft/ids.hpp>
#include <weft/store.hpp>
#include <weft/time.hpp>
#include <weft/ws_client.hpp>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

using namespace weft::studio;
using namespace weft::bench;
using nlohmann::json;

namespace {

quint16 startServer(QProcess& server, const std::string& db) {
    server.setProcessChannelMode(QProcess::SeparateChannels);
    server.start(QCoreApplication::applicationDirPath() + QStringLiteral("/weft-server"),
                 {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--db"),
                  QString::fromStdString(db)});
    if (!server.waitForStarted()) return 0;
    server.setReadChannel(QProcess::StandardError);
    static const QRegularExpression listening(
        QStringLiteral("listening on http://[^:]+:(\\d+)/api"));
    QByteArray err;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 30000 && server.state() == QProcess::Running) {
        server.waitForReadyRead(200);
        err += server.readAllStandardError();
        const auto m = listening.match(QString::fromUtf8(err));
        if (m.hasMatch()) return quint16(m.captured(1).toUInt());
    }
    progress("weft-server did not start: %s", err.constData());
    return 0;
}

// A task-run state event as a flow program reports it over /api/events/in (Prefect 3's shape):
// the server stores it and announces it on /api/events/out. (Flow-run events are accepted but
// not stored, so they would not reach Studio.)
json taskRunEvent(const std::string& taskRunId, const std::string& flowRunId, bool running) {
    const std::string when = weft::to_iso(weft::now_us());
    const char* type = running ? "RUNNING" : "COMPLETED";
    const char* name = running ? "Running" : "Completed";
    return {{"id", weft::new_id()},
            {"occurred", when},
            {"event", std::string("prefect.task-run.") + name},
            {"resource",
             {{"prefect.resource.id", "prefect.task-run." + taskRunId},
              {"prefect.resource.name", "bench-task"}}},
            {"related", json::array({{{"prefect.resource.id", "prefect.flow-run." + flowRunId},
                                      {"prefect.resource.role", "flow-run"}}})},
            {"payload",
             {{"validated_state", {{"type", type}, {"name", name}, {"timestamp", when}}},
              {"task_run",
               {{"id", taskRunId},
                {"name", "bench-task"},
                {"task_key", "bench"},
                {"dynamic_key", taskRunId.substr(0, 8)},
                {"flow_run_id", flowRunId}}}}}};
}

// Time from creating the run list to the end of its first paint of loaded rows; -1 after 60 s.
double firstPaintMs(Backend& backend, std::unique_ptr<RunListWidget>& keep) {
    QElapsedTimer clock;
    clock.start();
    keep = std::make_unique<RunListWidget>(&backend);
    return showUntilFirstPaint(*keep, clock);
}

} // namespace

int runRemoteBench(const std::string& dir, long runs, int rate, double seconds) {
    json out;
    const std::string db =
        (std::filesystem::path(dir) / ("remote-" + std::to_string(runs) + ".db"));
    if (!std::filesystem::exists(db)) {
        progress("generating %s through the Store", db.c_str());
        QElapsedTimer g;
        g.start();
        auto store = weft::Store::open(db);
        fixtures::writeManyRuns(*store, int(runs), 30 * 86400.0);
        out["generate_runs_s"] = g.elapsed() / 1000.0;
    }

    {
        EmbeddedBackend local(QString::fromStdString(db));
        if (const QString e = local.openNow(); !e.isEmpty()) {
            progress("cannot open %s: %s", db.c_str(), qPrintable(e));
            return 1;
        }
        std::unique_ptr<RunListWidget> list;
        out["local_first_paint_ms"] = firstPaintMs(local, list);
        progress("local first paint: %.1f ms", out["local_first_paint_ms"].get<double>());
    }

    QProcess server;
    const quint16 port = startServer(server, db);
    if (!port) return 1;
    const std::string api = "http://127.0.0.1:" + std::to_string(port) + "/api";
    RemoteBackend remote({QUrl(QString::fromStdString(api))});
    bool opened = false;
    QObject::connect(&remote, &Backend::opened, [&] { opened = true; });
    remote.open();
    waitFor([&] { return opened && remote.isLive(); }, 30000);
    if (!opened) {
        progress("could not open the server at %s", api.c_str());
        return 1;
    }
    std::unique_ptr<RunListWidget> list;
    out["remote_first_paint_ms"] = firstPaintMs(remote, list);
    progress("remote first paint: %.1f ms", out["remote_first_paint_ms"].get<double>());

    // A task run in each run of the first page moves back and forth between Running and
    // Completed, as a busy server's task runs would.
    std::vector<std::string> runIds, taskIds;
    for (int r = 0; r < std::min(200, list->model()->rowCount()); ++r)
        if (list->model()->isLoaded(r)) {
            runIds.push_back(list->model()->runIds(r, r).value(0).toStdString());
            taskIds.push_back(weft::new_id());
        }
    if (runIds.empty()) return 1;
    std::atomic<long long> delivered{0};
    QObject::connect(&remote, &Backend::eventsArrived,
                     [&](const EventBatch& b) { delivered += (long long)b->size(); });
    GapMeter gaps;
    timingApp()->take(nullptr);
    const double cpu0 = threadCpuMs();
    std::atomic<bool> sending{true};
    std::string sendError;
    std::thread sender([&] {
        try {
            weft::ApiSettings settings;
            settings.url = api;
            weft::http::WebSocketClient in(settings, "/events/in");
            const auto t0 = std::chrono::steady_clock::now();
            const long long total = (long long)(rate * seconds);
            for (long long i = 0; i < total && sending; ++i) {
                // Paced: event i leaves at i / rate seconds.
                std::this_thread::sleep_until(t0 + std::chrono::microseconds(i * 1'000'000 / rate));
                const std::size_t k = std::size_t(i) % runIds.size();
                const bool running = (i / (long long)runIds.size()) % 2 == 0;
                in.send_text(taskRunEvent(taskIds[k], runIds[k], running).dump());
                if (i % 700 == 699) in.checkpoint();
            }
            in.checkpoint();
        } catch (const std::exception& e) {
            sendError = e.what();
        }
    });
    QElapsedTimer window;
    window.start();
    waitFor([&] { return window.elapsed() >= qint64(seconds * 1000); }, int(seconds * 1000) + 100);
    const long long inWindow = delivered;
    const double windowS = window.nsecsElapsed() / 1e9;
    sending = false;
    sender.join();
    waitFor([&] { return false; }, 300); // the last batches, measured too
    gaps.stop();
    // A gap is the GUI thread busy, or preempted on a busy machine: the longest event by CPU
    // time and the thread's CPU share tell which.
    const Stall longest = timingApp()->take("streaming events");
    out["gui_longest_event_ms"] = std::round(longest.wallMs * 10) / 10;
    out["gui_longest_event_cpu_ms"] = std::round(longest.cpuMs * 10) / 10;
    out["gui_cpu_share"] =
        std::round((threadCpuMs() - cpu0) / (window.nsecsElapsed() / 1e6 + 300) * 1000) / 1000;
    if (!sendError.empty()) progress("events in: %s", sendError.c_str());
    out["remote_events_per_s"] = std::round(double(inWindow) / windowS);
    out["gui_max_stall_ms"] = std::round(gaps.max() * 10) / 10;
    out["gui_p99_stall_ms"] = std::round(gaps.percentile(0.99) * 10) / 10;
    out["runs"] = runs;
    out["rate"] = rate;
    list.reset();
    server.terminate();
    server.waitForFinished(10000);
    std::printf("%s\n", out.dump().c_str());
    return 0;
}

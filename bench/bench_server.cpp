// The server's REST throughput (design §7): GET /api/health and persisted task-run set_state
// transitions, each at 64 keep-alive connections on 127.0.0.1. The server runs in this process on
// the main thread's event loop, on a temporary database; the load comes from a one-thread epoll
// client (LoadGenerator) on another thread. Baseline in the same run: the same client against a
// QHttpServer route that answers a constant, so `health_x_raw` says what the API's own handling
// costs over Qt's HTTP server. Prints one JSON line on stdout.
#include "http_server.hpp"

#include <weft/ids.hpp>
#include <weft/time.hpp>
#include <weft/ws_client.hpp>

#include <CLI/CLI.hpp>
#include <QCoreApplication>
#include <QEventLoop>
#include <QHttpServer>
#include <QHttpServerResponse>
#include <QTemporaryDir>
#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

/// What one load run measured.
struct LoadResult {
    long long answered = 0;   // complete responses read
    long long unexpected = 0; // responses whose status was not the one expected
    long long failed = 0;     // connections that broke or timed out
    double seconds = 0;
    std::vector<double> latency_ms; // one per answered request

    double per_second() const { return seconds > 0 ? double(answered) / seconds : 0; }
    double percentile_ms(double p) {
        if (latency_ms.empty()) return 0;
        const size_t k = std::min(latency_ms.size() - 1, size_t(p * double(latency_ms.size())));
        std::nth_element(latency_ms.begin(), latency_ms.begin() + long(k), latency_ms.end());
        return latency_ms[k];
    }
};

/// The next request of connection `conn`, its `seq`-th; empty when that connection is done.
using NextRequest = std::function<std::string(int conn, long long seq)>;

/// HTTP/1.1 keep-alive load on 127.0.0.1 from one thread: each connection sends a request, reads
/// its whole response (Content-Length), then sends its next one, until `deadline` or until every
/// connection has no request left. Only loopback, and bounded by `limit` whatever happens.
class LoadGenerator {
public:
    LoadGenerator(quint16 port, int connections, int expected_status)
        : m_port(port)
        , m_expected(expected_status)
        , m_conns(size_t(connections)) {}

    LoadResult run(const NextRequest& next, std::chrono::milliseconds duration,
                   std::chrono::milliseconds limit) {
        LoadResult out;
        const int ep = m_ep = ::epoll_create1(0);
        int open = 0;
        for (size_t i = 0; i < m_conns.size(); ++i) {
            Conn& c = m_conns[i];
            c.fd = connect_loopback();
            if (c.fd < 0) {
                ++out.failed;
                continue;
            }
            epoll_event ev{};
            ev.events = EPOLLIN; // EPOLLOUT only while a request waits to be written
            ev.data.u64 = i;
            ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
            ++open;
        }
        const auto t0 = Clock::now();
        const auto stop_sending = t0 + duration;
        const auto hard_stop = t0 + limit;
        for (size_t i = 0; i < m_conns.size(); ++i)
            if (m_conns[i].fd >= 0 && !start_next(m_conns[i], int(i), next, stop_sending))
                close_conn(m_conns[i], open);
        std::vector<epoll_event> events(m_conns.size());
        while (open > 0 && Clock::now() < hard_stop) {
            const int n = ::epoll_wait(ep, events.data(), int(events.size()), 100);
            for (int e = 0; e < n; ++e) {
                const size_t i = events[size_t(e)].data.u64;
                Conn& c = m_conns[i];
                if (c.fd < 0) continue;
                if (!pump(c, out)) {
                    ++out.failed;
                    close_conn(c, open);
                    continue;
                }
                if (c.done_response && !start_next(c, int(i), next, stop_sending))
                    close_conn(c, open);
            }
        }
        out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        for (Conn& c : m_conns)
            if (c.fd >= 0) {
                ++out.failed; // still waiting at the hard limit
                close_conn(c, open);
            }
        ::close(ep);
        return out;
    }

private:
    struct Conn {
        int fd = -1;
        long long seq = 0;
        std::string out; // the request being written
        size_t written = 0;
        bool want_out = false;
        std::string in; // the response being read
        bool done_response = false;
        Clock::time_point sent;
    };

    int connect_loopback() const {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) return -1;
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(m_port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(fd);
            return -1;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        return fd;
    }

    static void close_conn(Conn& c, int& open) {
        ::close(c.fd);
        c.fd = -1;
        --open;
    }

    bool start_next(Conn& c, int conn, const NextRequest& next, Clock::time_point stop) {
        if (Clock::now() >= stop) return false;
        c.out = next(conn, c.seq++);
        if (c.out.empty()) return false;
        c.written = 0;
        c.in.clear();
        c.done_response = false;
        c.sent = Clock::now();
        return flush(c);
    }

    static bool flush(Conn& c) {
        while (c.written < c.out.size()) {
            const ssize_t n =
                ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
            if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
            c.written += size_t(n);
        }
        return true;
    }

    // Writes what is left of the request and reads what has come of the response; false when
    // the connection broke.
    bool pump(Conn& c, LoadResult& out) {
        if (!flush(c)) return false;
        char buf[16384];
        for (;;) {
            const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
            if (n == 0) return false;
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                return false;
            }
            c.in.append(buf, size_t(n));
        }
        const size_t head_end = c.in.find("\r\n\r\n");
        if (head_end == std::string::npos) return true;
        const long long length = content_length(c.in, head_end);
        if (length < 0) return false; // this client reads Content-Length bodies only
        if (c.in.size() < head_end + 4 + size_t(length)) return true;
        if (c.in.size() > head_end + 4 + size_t(length)) return false; // never pipelined
        out.latency_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - c.sent).count());
        ++out.answered;
        if (status(c.in) != m_expected) {
            if (out.unexpected++ == 0)
                std::fprintf(stderr, "bench: unexpected answer: %s\n", c.in.c_str());
        }
        c.done_response = true;
        return true;
    }

    static int status(const std::string& head) {
        // "HTTP/1.1 200 OK"
        return head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
    }

    static long long content_length(const std::string& in, size_t head_end) {
        size_t line = in.find("\r\n");
        while (line != std::string::npos && line < head_end) {
            const size_t start = line + 2;
            const size_t colon = in.find(':', start);
            if (colon != std::string::npos && colon - start == 14
                && ::strncasecmp(in.c_str() + start, "content-length", 14) == 0)
                return std::atoll(in.c_str() + colon + 1);
            line = in.find("\r\n", start);
        }
        return -1;
    }

    quint16 m_port;
    int m_ep = -1;
    int m_expected;
    std::vector<Conn> m_conns;
};

/// Runs `load` on its own thread while this thread's event loop serves.
template<class Load> auto serve_while(const Load& load) {
    decltype(load()) result;
    QEventLoop loop;
    std::atomic<bool> done{false};
    std::thread t([&] {
        result = load();
        done = true;
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
    });
    if (!done) loop.exec();
    t.join();
    return result;
}

std::string request(const char* method, const std::string& path, const std::string& body = {}) {
    std::string r = std::string(method) + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!body.empty())
        r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size())
             + "\r\n";
    return r + "\r\n" + body;
}

json must(const weft::server::Reply& reply, const char* what) {
    if (reply.status != 200 && reply.status != 201) {
        std::fprintf(stderr, "bench: %s answered %d: %s\n", what, reply.status,
                     reply.body.dump().c_str());
        std::exit(1);
    }
    return reply.body;
}

// A task-run state event as a flow program reports it over /api/events/in (Prefect 3's shape).
json task_run_event(const std::string& task_run_id, const std::string& flow_run_id, int i) {
    const std::string when = weft::to_iso(weft::now_us());
    const std::string name = "event-" + std::to_string(i);
    return {
        {"id", weft::new_id()},
        {"occurred", when},
        {"event", "prefect.task-run.Completed"},
        {"resource",
         {{"prefect.resource.id", "prefect.task-run." + task_run_id},
          {"prefect.resource.name", name}}},
        {"related", json::array({{{"prefect.resource.id", "prefect.flow-run." + flow_run_id},
                                  {"prefect.resource.role", "flow-run"}}})},
        {"payload",
         {{"validated_state", {{"type", "COMPLETED"}, {"name", "Completed"}, {"timestamp", when}}},
          {"task_run",
           {{"id", task_run_id},
            {"name", name},
            {"task_key", "event"},
            {"dynamic_key", std::to_string(i)},
            {"flow_run_id", flow_run_id}}}}}};
}

struct EventsResult {
    long long sent = 0;
    long long received = 0;   // of those, seen by the /api/events/out client
    double in_per_s = 0;      // sent and read by the server (checkpointed)
    double through_per_s = 0; // first sent to last received on the other socket
    std::string error;
};

// `count` task-run events sent over /api/events/in by one client while another follows
// /api/events/out: what a flow program reports reaching a watching Studio. The sender stays at
// most kWindow events ahead of the watcher, as a live stream must (the server closes a watcher
// that falls 10,000 behind), so the rate is the sustained end-to-end one.
EventsResult measure_events(quint16 port, const std::string& flow_run_id, int count) {
    constexpr long long kWindow = 4000;
    EventsResult r;
    std::mutex mutex;
    std::condition_variable progressed;
    std::atomic<long long> received{0};
    std::atomic<bool> watching{true};
    std::string in_error;
    try {
        weft::ApiSettings settings;
        settings.url = "http://127.0.0.1:" + std::to_string(port) + "/api";
        weft::http::WebSocketClient out(settings, "/events/out");
        out.send_text(
            json{{"type", "filter"}, {"filter", {{"event", {{"prefix", {"prefect.task-run."}}}}}}}
                .dump());
        out.checkpoint(); // the server has the filter: nothing sent from here on is missed
        std::vector<std::string> ids(static_cast<size_t>(count));
        for (auto& id : ids)
            id = weft::new_id();
        const auto t0 = Clock::now();
        std::thread sender([&] {
            try {
                weft::http::WebSocketClient in(settings, "/events/in");
                for (int i = 0; i < count; ++i) {
                    if (i - received.load() >= kWindow) {
                        std::unique_lock lock(mutex);
                        progressed.wait(lock, [&] {
                            return i - received.load() < kWindow || !watching.load();
                        });
                        if (!watching) break;
                    }
                    in.send_text(task_run_event(ids[size_t(i)], flow_run_id, i).dump());
                    ++r.sent;
                    if (i % 700 == 699) in.checkpoint(); // as flow programs do
                }
                in.checkpoint();
                r.in_per_s =
                    double(r.sent) / std::chrono::duration<double>(Clock::now() - t0).count();
            } catch (const std::exception& e) {
                in_error = std::string("events in: ") + e.what();
            }
        });
        try {
            while (received < count) {
                auto text = out.read_text(std::chrono::seconds(10));
                if (!text) break; // nothing for 10 s: report what arrived
                if (text->find("prefect.task-run.") == std::string::npos) continue;
                if (++received % 256 == 0) {
                    std::lock_guard lock(mutex);
                    progressed.notify_one();
                }
            }
        } catch (const std::exception& e) {
            r.error = std::string("events out: ") + e.what();
        }
        r.received = received;
        r.through_per_s =
            double(r.received) / std::chrono::duration<double>(Clock::now() - t0).count();
        {
            std::lock_guard lock(mutex);
            watching = false;
            progressed.notify_one();
        }
        sender.join();
        if (r.error.empty()) r.error = in_error;
    } catch (const std::exception& e) {
        r.error = std::string("events out: ") + e.what();
    }
    return r;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"weft-bench-server: REST throughput of `weft server` on 127.0.0.1"};
    int connections = 64;
    double health_seconds = 3;
    int task_runs_per_connection = 60;
    cli.add_option("--connections", connections, "Concurrent keep-alive connections")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    cli.add_option("--health-seconds", health_seconds, "Seconds of GET /api/health (and raw)")
        ->check(CLI::Range(0.5, 60.0))
        ->capture_default_str();
    cli.add_option("--task-runs", task_runs_per_connection,
                   "Task runs each connection drives Pending -> Running -> Completed")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    int event_count = 20000;
    cli.add_option("--events", event_count, "Task-run events sent through /api/events/in")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::warn); // engine messages stay off the JSON line

    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    auto engine = std::make_shared<weft::Engine>(
        weft::Store::open(dir.filePath(QStringLiteral("server.db")).toStdString()));
    weft::server::HttpServer server(engine);
    const quint16 port = server.listen(QHostAddress::LocalHost, 0);

    // The baseline: Qt's HTTP server answering a constant, with no API behind it.
    QHttpServer raw;
    raw.route(QStringLiteral("/raw"), QHttpServerRequest::Method::Get, [] {
        return QHttpServerResponse(QByteArrayLiteral("application/json"),
                                   QByteArrayLiteral("true"));
    });
    const quint16 raw_port = raw.listen(QHostAddress::LocalHost, 0);
    if (port == 0 || raw_port == 0) {
        std::fprintf(stderr, "bench: could not listen on 127.0.0.1\n");
        return 1;
    }

    const auto health_ms = std::chrono::milliseconds(long(health_seconds * 1000));
    const auto limit = std::chrono::seconds(120);
    const std::string raw_get = request("GET", "/raw");
    const std::string health_get = request("GET", "/api/health");
    auto constant = [](const std::string& r) { return [&r](int, long long) { return r; }; };

    // A short warm-up of both, then each measured.
    serve_while([&] {
        LoadGenerator(raw_port, connections, 200)
            .run(constant(raw_get), std::chrono::milliseconds(300), limit);
        return LoadGenerator(port, connections, 200)
            .run(constant(health_get), std::chrono::milliseconds(300), limit);
    });
    LoadResult raw_result = serve_while([&] {
        return LoadGenerator(raw_port, connections, 200).run(constant(raw_get), health_ms, limit);
    });
    LoadResult health = serve_while([&] {
        return LoadGenerator(port, connections, 200).run(constant(health_get), health_ms, limit);
    });

    // set_state: task runs of one running flow run, created first; then each connection takes
    // its own task runs through Running and Completed, one transition per request, each one
    // committed before it is answered.
    weft::server::Api& api = server.api();
    const std::string flow_id = must(api.create_flow(R"({"name": "bench-server"})"), "flow")["id"];
    const std::string flow_run_id =
        must(api.create_flow_run(json{{"flow_id", flow_id}, {"name", "bench"}}.dump()),
             "flow run")["id"];
    must(api.set_flow_run_state(flow_run_id, R"({"state": {"type": "RUNNING"}})"),
         "flow run RUNNING");
    const int task_runs = connections * task_runs_per_connection;
    // Task runs of that flow run, created through the API (each creation committed).
    auto create_task_runs = [&](const std::string& prefix) {
        std::vector<std::string> out;
        out.reserve(size_t(task_runs));
        for (int i = 0; i < task_runs; ++i)
            out.push_back(must(api.create_task_run(json{{"flow_run_id", flow_run_id},
                                                        {"task_key", "bench"},
                                                        {"dynamic_key", prefix + std::to_string(i)},
                                                        {"name", "bench-" + std::to_string(i)},
                                                        {"state", {{"type", "PENDING"}}}}
                                                       .dump()),
                               "task run")["id"]);
        return out;
    };
    const auto c0 = Clock::now();
    const std::vector<std::string> ids = create_task_runs("http-");
    const double create_s = std::chrono::duration<double>(Clock::now() - c0).count();

    static const char* const kSteps[] = {R"({"state": {"type": "RUNNING"}})",
                                         R"({"state": {"type": "COMPLETED"}})"};
    constexpr int kStepCount = 2;
    std::atomic<long long> not_accepted{0};
    auto transitions = [&](int conn, long long seq) -> std::string {
        const long long k = seq / kStepCount;
        if (k >= task_runs_per_connection) return {};
        const std::string& id = ids[size_t(conn) * size_t(task_runs_per_connection) + size_t(k)];
        return request("POST", "/api/task_runs/" + id + "/set_state", kSteps[seq % kStepCount]);
    };
    const auto commits_before = engine->store().commits();
    LoadResult set_state = serve_while(
        [&] { return LoadGenerator(port, connections, 201).run(transitions, limit, limit); });
    // Transactions the store committed for them: fewer than transitions when answers wait for
    // commits that several connections share.
    const auto set_state_commits = engine->store().commits() - commits_before;
    // Every transition was accepted and stored: each task run ended Completed.
    const long long completed = engine->store().read([&](weft::Reader& r) {
        long long n = 0;
        for (const auto& id : ids)
            if (auto run = r.task_run(id); run && run->state.type == weft::StateType::Completed)
                ++n;
        return n;
    });
    not_accepted = set_state.unexpected;

    // The same transitions on other task runs, handed to the Api on this thread one after
    // another with no HTTP: what orchestration and the store cost alone, as the server runs them
    // (each answer waits for its commit).
    const std::vector<std::string> direct_ids = create_task_runs("direct-");
    long long direct_written = 0;
    const auto d0 = Clock::now();
    for (int step = 0; step < kStepCount; ++step)
        for (const auto& id : direct_ids)
            direct_written += api.set_task_run_state(id, kSteps[step]).status == 201;
    const double direct_s = std::chrono::duration<double>(Clock::now() - d0).count();

    // Events through the server: /api/events/in to /api/events/out.
    const EventsResult events =
        serve_while([&] { return measure_events(port, flow_run_id, event_count); });
    if (!events.error.empty()) std::fprintf(stderr, "bench: %s\n", events.error.c_str());

    json out = {
        {"connections", connections},
        {"health_rps", health.per_second()},
        {"health_p99_ms", health.percentile_ms(0.99)},
        {"raw_rps", raw_result.per_second()},
        {"health_x_raw",
         raw_result.per_second() > 0 ? health.per_second() / raw_result.per_second() : 0.0},
        {"set_state_per_s", set_state.per_second()},
        {"set_state_p50_ms", set_state.percentile_ms(0.50)},
        {"set_state_p99_ms", set_state.percentile_ms(0.99)},
        {"set_state_transitions", set_state.answered},
        {"set_state_commits", set_state_commits},
        {"set_state_direct_per_s", double(direct_written) / direct_s},
        {"set_state_x_direct", set_state.per_second() * direct_s / double(direct_written)},
        {"set_state_not_accepted", not_accepted.load()},
        {"task_runs_completed", completed},
        {"task_runs", task_runs},
        {"task_run_create_per_s", task_runs / create_s},
        {"failed_connections", health.failed + raw_result.failed + set_state.failed},
        {"events_per_s", events.through_per_s},
        {"events_in_per_s", events.in_per_s},
        {"events_sent", events.sent},
        {"events_received", events.received},
        {"events_x_set_state",
         set_state.per_second() > 0 ? events.through_per_s / set_state.per_second() : 0.0},
    };
    std::printf("%s\n", out.dump().c_str());
    engine->store().close();
    return 0;
}

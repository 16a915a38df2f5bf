// Events of `weft server`: the change feed as Prefect's events, live over the /api/events/out
// WebSocket (auth, filter, then matching events) and past ones through POST /api/events/filter.
// Real sockets on 127.0.0.1; the client sockets run in the test's event loop, as the server does.
#include "serverfixture.h"

#include <QWebSocket>
#include <QtTest>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using nlohmann::json;
using weft::server::Auth;
using weft::server::AuthConfig;

namespace {

// A WebSocket client that keeps what it receives and how it was closed.
struct StreamClient {
    QWebSocket socket;
    std::vector<json> messages;
    bool closed = false;
    int closeCode = 0;
    QString closeReason;

    StreamClient() {
        QObject::connect(
            &socket, &QWebSocket::textMessageReceived, &socket,
            [this](const QString& t) { messages.push_back(json::parse(t.toStdString())); });
        QObject::connect(&socket, &QWebSocket::disconnected, &socket, [this] {
            closed = true;
            closeCode = int(socket.closeCode());
            closeReason = socket.closeReason();
        });
    }
    bool open(quint16 port) {
        QSignalSpy connected(&socket, &QWebSocket::connected);
        socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/api/events/out").arg(port)));
        return connected.wait(5000);
    }
    void send(const json& message) {
        socket.sendTextMessage(QString::fromStdString(message.dump()));
    }
    std::vector<json> events() const {
        std::vector<json> out;
        for (const auto& m : messages)
            if (m.value("type", "") == "event") out.push_back(m["event"]);
        return out;
    }
};

json runFilter(const std::string& run_id) {
    return {{"type", "filter"},
            {"filter", {{"resource", {{"id", {"prefect.flow-run." + run_id}}}}}}};
}

json state(const char* type) {
    return {{"type", type}};
}

// An RFC 6455 text frame as a client sends it (masked).
QByteArray clientFrame(const QByteArray& payload) {
    QByteArray frame;
    frame.append(char(0x81));
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else {
        frame.append(char(0x80 | 126));
        frame.append(char((payload.size() >> 8) & 0xff));
        frame.append(char(payload.size() & 0xff));
    }
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

} // namespace

class TestServerEvents : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void liveStreamSendsTheFilteredRunsStatesOnly() {
        ServerFixture f;
        const auto flow = f.createFlow("etl");
        const auto watched = f.createFlowRun(flow, {{"name", "watched"}});
        const auto other = f.createFlowRun(flow, {{"name", "other"}});
        StreamClient client;
        QVERIFY(client.open(f.port()));
        client.send({{"type", "auth"}, {"token", nullptr}});
        QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), size_t(1), 5000);
        QCOMPARE(client.messages[0], json({{"type", "auth_success"}}));
        client.send(runFilter(watched));
        QTRY_COMPARE_WITH_TIMEOUT(f.server().eventsOut().streamingCount(), 1, 5000);

        // The other run changes first: had its events been sent, they would come before.
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), other, state("RUNNING")).status, 201);
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), watched, state("RUNNING")).status, 201);
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), other, state("COMPLETED")).status, 201);
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), watched, state("COMPLETED")).status, 201);
        // The runs' creation (Pending) may come too: it was committed after the server started.
        auto changes = [&] {
            std::vector<json> out;
            for (const auto& e : client.events())
                if (e.value("event", "") != "prefect.flow-run.Pending") out.push_back(e);
            return out;
        };
        QTRY_COMPARE_WITH_TIMEOUT(changes().size(), size_t(2), 5000);
        const auto events = changes();
        QCOMPARE(events[0].value("event", ""), "prefect.flow-run.Running");
        QCOMPARE(events[1].value("event", ""), "prefect.flow-run.Completed");
        for (const auto& e : client.events()) {
            QCOMPARE(e["resource"].value("prefect.resource.id", ""), "prefect.flow-run." + watched);
            QCOMPARE(e["resource"].value("prefect.resource.name", ""), "watched");
            QVERIFY(e.contains("occurred") && e.contains("id") && e.contains("payload"));
            QCOMPARE(e["related"][0].value("prefect.resource.id", ""), "prefect.flow." + flow);
        }
        QCOMPARE(events[1]["payload"]["validated_state"].value("type", ""), "COMPLETED");
        QCOMPARE(events[1]["payload"]["intended"].value("from", ""), "RUNNING");
        QVERIFY(!client.closed);
    }

    void taskRunEventsByPrefix() {
        ServerFixture f;
        const auto flow_run = f.createFlowRun(f.createFlow("etl"));
        StreamClient client;
        QVERIFY(client.open(f.port()));
        // Without auth on the server, the filter may come first.
        client.send(
            {{"type", "filter"}, {"filter", {{"event", {{"prefix", {"prefect.task-run."}}}}}}});
        QTRY_COMPARE_WITH_TIMEOUT(f.server().eventsOut().streamingCount(), 1, 5000);
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), flow_run, state("RUNNING")).status, 201);
        auto task =
            f.post(QStringLiteral("/api/task_runs/"),
                   {{"flow_run_id", flow_run}, {"task_key", "extract"}, {"dynamic_key", "0"}});
        QCOMPARE(task.status, 201);
        const auto task_id = task.body.value("id", "");
        QCOMPARE(f.setState(QStringLiteral("task_runs"), task_id, state("RUNNING")).status, 201);
        QTRY_COMPARE_WITH_TIMEOUT(client.events().size(), size_t(2), 5000);
        const auto events = client.events();
        QCOMPARE(events[0].value("event", ""), "prefect.task-run.Pending");
        QCOMPARE(events[1].value("event", ""), "prefect.task-run.Running");
        QCOMPARE(events[1]["resource"].value("prefect.resource.id", ""),
                 "prefect.task-run." + task_id);
        QCOMPARE(events[1]["related"][0].value("prefect.resource.id", ""),
                 "prefect.flow-run." + flow_run);
    }

    void streamWantsTheTokenWhenAuthIsOn() {
        ServerFixture f(Auth(AuthConfig{"ann:s3cret", {}}));
        StreamClient wrong;
        QVERIFY(wrong.open(f.port()));
        wrong.send({{"type", "auth"}, {"token", "ann:guess"}});
        QTRY_VERIFY_WITH_TIMEOUT(wrong.closed, 5000);
        QCOMPARE(wrong.closeCode, 1008);
        QCOMPARE(wrong.closeReason, QStringLiteral("Unauthorized"));

        StreamClient skipped; // a filter without authenticating first
        QVERIFY(skipped.open(f.port()));
        skipped.send(runFilter("00000000-0000-0000-0000-000000000000"));
        QTRY_VERIFY_WITH_TIMEOUT(skipped.closed, 5000);
        QCOMPARE(skipped.closeCode, 1008);

        StreamClient right;
        QVERIFY(right.open(f.port()));
        right.send({{"type", "auth"}, {"token", "ann:s3cret"}});
        QTRY_COMPARE_WITH_TIMEOUT(right.messages.size(), size_t(1), 5000);
        QCOMPARE(right.messages[0], json({{"type", "auth_success"}}));
        right.send(runFilter("00000000-0000-0000-0000-000000000000"));
        QTRY_COMPARE_WITH_TIMEOUT(f.server().eventsOut().streamingCount(), 1, 5000);
    }

    void malformedMessagesCloseWithAReason_data() {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<int>("code");
        QTest::addRow("not json") << QByteArray("{nope") << 1002;
        QTest::addRow("array") << QByteArray("[1,2]") << 1002;
        QTest::addRow("no type") << QByteArray(R"({"filter":{}})") << 1002;
        QTest::addRow("type not text") << QByteArray(R"({"type":7})") << 1002;
        QTest::addRow("unknown type") << QByteArray(R"({"type":"subscribe"})") << 1002;
        QTest::addRow("unknown filter key")
            << QByteArray(R"({"type":"filter","filter":{"bogus":1}})") << 1002;
        QTest::addRow("bad date") << QByteArray(
            R"({"type":"filter","filter":{"occurred":{"since":"soon"}}})")
                                  << 1002;
        QTest::addRow("prefix not a list")
            << QByteArray(R"({"type":"filter","filter":{"event":{"prefix":"prefect."}}})") << 1002;
        QTest::addRow("unsupported part")
            << QByteArray(R"({"type":"filter","filter":{"related":{"role":["flow"]}}})") << 1008;
    }
    void malformedMessagesCloseWithAReason() {
        QFETCH(QByteArray, message);
        QFETCH(int, code);
        ServerFixture f;
        StreamClient bad;
        QVERIFY(bad.open(f.port()));
        bad.socket.sendTextMessage(QString::fromUtf8(message));
        QTRY_VERIFY_WITH_TIMEOUT(bad.closed, 5000);
        QCOMPARE(bad.closeCode, code);
        QVERIFY(!bad.closeReason.isEmpty());
        // The server carries on: HTTP and a well-behaved stream client.
        QCOMPARE(f.get(QStringLiteral("/api/health")).status, 200);
        StreamClient good;
        QVERIFY(good.open(f.port()));
        good.send(runFilter("00000000-0000-0000-0000-000000000000"));
        QTRY_COMPARE_WITH_TIMEOUT(f.server().eventsOut().streamingCount(), 1, 5000);
    }

    void binaryMessagesAndOtherPathsAreClosed() {
        ServerFixture f;
        StreamClient binary;
        QVERIFY(binary.open(f.port()));
        binary.socket.sendBinaryMessage(QByteArrayLiteral("\x01\x02"));
        QTRY_VERIFY_WITH_TIMEOUT(binary.closed, 5000);
        QCOMPARE(binary.closeCode, 1003);

        QWebSocket elsewhere;
        QSignalSpy disconnected(&elsewhere, &QWebSocket::disconnected);
        elsewhere.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/api/flows/").arg(f.port())));
        QVERIFY(disconnected.wait(5000));
        QCOMPARE(f.get(QStringLiteral("/api/health")).status, 200);
    }

    void aSlowClientIsClosedAndDoesNotHoldUpOthers() {
        ServerFixture f;
        weft::server::EventsOut::Limits limits;
        limits.max_socket_backlog = 16 * 1024;
        limits.max_queued = 500;
        f.server().eventsOut().setLimits(limits);
        const auto flow_run = f.createFlowRun(f.createFlow("etl"));
        const json filter = runFilter(flow_run);

        // The slow client: a raw socket with a tiny receive buffer that never reads its events.
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        const int small = 2048;
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(f.port());
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QCOMPARE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        const QByteArray upgrade = "GET /api/events/out HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                   "Sec-WebSocket-Version: 13\r\n\r\n";
        QCOMPARE(::send(fd, upgrade.constData(), size_t(upgrade.size()), 0),
                 ssize_t(upgrade.size()));
        QByteArray handshake;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                char buf[1024];
                const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n > 0) handshake.append(buf, n);
                return handshake.contains("\r\n\r\n");
            }(),
            5000);
        QVERIFY2(handshake.startsWith("HTTP/1.1 101"), handshake.constData());
        const QByteArray frame = clientFrame(QByteArray::fromStdString(filter.dump()));
        QCOMPARE(::send(fd, frame.constData(), size_t(frame.size()), 0), ssize_t(frame.size()));

        StreamClient fast;
        QVERIFY(fast.open(f.port()));
        fast.send(filter);
        QTRY_COMPARE_WITH_TIMEOUT(f.server().eventsOut().streamingCount(), 2, 5000);

        auto running = [&] {
            const auto events = fast.events();
            return size_t(std::count_if(events.begin(), events.end(), [](const json& e) {
                return e.value("event", "") == "prefect.flow-run.Running";
            }));
        };
        // Rounds of 300 events of ~8 KB, far more than the slow client's socket buffers hold:
        // the fast client gets each round while the slow one's queue grows past its bound.
        const std::string padding(8000, 'x');
        const int kRound = 300, kRounds = 4;
        for (int round = 1; round <= kRounds; ++round) {
            auto run =
                f.engine().store().read([&](weft::Reader& r) { return *r.flow_run(flow_run); });
            for (int i = 0; i < kRound; ++i) {
                weft::State s = weft::states::running();
                s.message = padding + std::to_string(i);
                weft::enter_state(run, s);
                f.engine().store().put_flow_run(run, weft::EventKind::FlowRunState);
            }
            f.engine().store().flush();
            QTRY_COMPARE_WITH_TIMEOUT(running(), size_t(round * kRound), 20000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(f.server().eventsOut().streamingCount(), 1, 10000);
        QVERIFY(!fast.closed);
        ::close(fd);
    }

    void pastEventsThroughTheFilterEndpoint() {
        ServerFixture f;
        const auto flow = f.createFlow("etl");
        const auto a = f.createFlowRun(flow, {{"name", "a"}});
        const auto b = f.createFlowRun(flow, {{"name", "b"}});
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), a, state("RUNNING")).status, 201);
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), b, state("RUNNING")).status, 201);
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), a, state("COMPLETED")).status, 201);

        auto all = f.post(QStringLiteral("/api/events/filter"), json::object());
        QCOMPARE(all.status, 200);
        QCOMPARE(all.body.value("total", -1), 5); // 2 created (Pending) + 3 changes
        QVERIFY(all.body["next_page"].is_null());
        QCOMPARE(all.body["events"].size(), size_t(5));
        QCOMPARE(all.body["events"][0].value("event", ""), "prefect.flow-run.Completed"); // DESC

        auto onlyA = f.post(
            QStringLiteral("/api/events/filter"),
            {{"filter", {{"resource", {{"id", {"prefect.flow-run." + a}}}}, {"order", "ASC"}}},
             {"limit", 2}});
        QCOMPARE(onlyA.status, 200);
        QCOMPARE(onlyA.body.value("total", -1), 3);
        QCOMPARE(onlyA.body["events"].size(), size_t(2));
        QCOMPARE(onlyA.body["events"][0].value("event", ""), "prefect.flow-run.Pending");
        QCOMPARE(onlyA.body["events"][1].value("event", ""), "prefect.flow-run.Running");

        auto running = f.post(QStringLiteral("/api/events/filter"),
                              {{"filter", {{"event", {{"name", {"prefect.flow-run.Running"}}}}}}});
        QCOMPARE(running.body.value("total", -1), 2);

        auto future = f.post(QStringLiteral("/api/events/filter"),
                             {{"filter", {{"occurred", {{"since", "2999-01-01T00:00:00Z"}}}}}});
        QCOMPARE(future.body.value("total", -1), 0);

        QCOMPARE(f.post(QStringLiteral("/api/events/filter"), {{"limit", 51}}).status, 422);
        auto unknown = f.post(QStringLiteral("/api/events/filter"), {{"filter", {{"bogus", 1}}}});
        QCOMPARE(unknown.status, 422);
        QCOMPARE(unknown.body["detail"][0]["loc"], json({"body", "filter", "bogus"}));
        QCOMPARE(f.post(QStringLiteral("/api/events/filter"),
                        {{"filter", {{"related", {{"role", {"flow"}}}}}}})
                     .status,
                 422);
    }
};

QTEST_GUILESS_MAIN(TestServerEvents)
#include "tst_server_events.moc"

// /api/events/in: Prefect 3's SDK reports task runs as events over a WebSocket. A
// `prefect.task-run.<State>` event creates or moves the task run; a resent event (same id) changes
// nothing; a frame that is not an Event closes the socket with a reason and the server goes on.
#include "serverfixture.h"

#include <QWebSocket>
#include <QtTest>

#include <weft/ids.hpp>
#include <weft/time.hpp>

using nlohmann::json;
using weft::server::Auth;
using weft::server::AuthConfig;

namespace {

struct IntakeClient {
    QWebSocket socket;
    std::vector<json> messages;
    bool closed = false;
    int closeCode = 0;
    QString closeReason;

    IntakeClient() {
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
        socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/api/events/in").arg(port)));
        return connected.wait(5000);
    }
    void send(const json& message) {
        socket.sendTextMessage(QString::fromStdString(message.dump()));
    }
};

// A task-run state event as Prefect 3's SDK sends it.
json taskRunEvent(const std::string& eventId, const std::string& taskRunId,
                  const std::string& flowRunId, const char* type, const char* name,
                  weft::Micros at) {
    const std::string when = weft::to_iso(at);
    return {
        {"id", eventId},
        {"occurred", when},
        {"event", std::string("prefect.task-run.") + name},
        {"resource",
         {{"prefect.resource.id", "prefect.task-run." + taskRunId},
          {"prefect.resource.name", "fetch-3"},
          {"prefect.state-name", name},
          {"prefect.state-type", type},
          {"prefect.orchestration", "client"}}},
        {"related", json::array({{{"prefect.resource.id", "prefect.flow-run." + flowRunId},
                                  {"prefect.resource.role", "flow-run"}}})},
        {"payload",
         {{"intended", {{"from", nullptr}, {"to", type}}},
          {"initial_state", nullptr},
          {"validated_state",
           {{"type", type},
            {"name", name},
            {"message", ""},
            {"state_details", json::object()},
            {"data", nullptr},
            {"timestamp", when}}},
          {"task_run",
           {{"id", taskRunId},
            {"name", "fetch-3"},
            {"task_key", "fetch"},
            {"dynamic_key", "3"},
            {"flow_run_id", flowRunId},
            {"tags", {"io"}},
            {"empirical_policy", {{"retries", 2}}},
            {"task_inputs", json::object()}}}}},
    };
}

} // namespace

class TestServerEventsIn : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void taskRunAppearsWithItsStates() {
        ServerFixture f;
        const std::string run = f.createFlowRun(f.createFlow("ingest"));
        QVERIFY(!run.empty());
        const std::string task = weft::new_id();
        IntakeClient client;
        QVERIFY(client.open(f.port()));
        const weft::Micros t0 = weft::now_us();
        client.send(taskRunEvent(weft::new_id(), task, run, "PENDING", "Pending", t0));
        client.send(taskRunEvent(weft::new_id(), task, run, "RUNNING", "Running", t0 + 1000));
        const std::string done = weft::new_id();
        client.send(taskRunEvent(done, task, run, "COMPLETED", "Completed", t0 + 2000));

        const QString path = QStringLiteral("/api/task_runs/") + QString::fromStdString(task);
        QTRY_COMPARE_WITH_TIMEOUT(f.get(path).body.value("state_type", ""),
                                  std::string("COMPLETED"), 5000);
        const json stored = f.get(path).body;
        QCOMPARE(stored.value("name", ""), std::string("fetch-3"));
        QCOMPARE(stored.value("task_key", ""), std::string("fetch"));
        QCOMPARE(stored.value("dynamic_key", ""), std::string("3"));
        QCOMPARE(stored.value("flow_run_id", ""), run);
        QCOMPARE(stored.value("run_count", 0), 1);
        QCOMPARE(stored.at("state").value("id", ""), done); // the event's id is the state's
        QCOMPARE(stored.at("tags"), json({"io"}));
        const auto history = f.get(QStringLiteral("/api/task_run_states/?task_run_id=")
                                   + QString::fromStdString(task))
                                 .body;
        QCOMPARE(history.size(), size_t(3));

        // The same event again (a client resending after a reconnect) changes nothing.
        client.send(taskRunEvent(done, task, run, "COMPLETED", "Completed", t0 + 2000));
        // An old state arriving late does not move the run back.
        client.send(taskRunEvent(weft::new_id(), task, run, "RUNNING", "Running", t0 + 1500));
        QTRY_COMPARE_WITH_TIMEOUT(f.server().eventsIn().counts().duplicates, std::int64_t(2), 5000);
        QCOMPARE(f.server().eventsIn().counts().stored, std::int64_t(3));
        QCOMPARE(f.get(path).body.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(f.get(QStringLiteral("/api/task_run_states/?task_run_id=")
                       + QString::fromStdString(task))
                     .body.size(),
                 size_t(3));
        QVERIFY(!client.closed);
    }

    void otherEventsAreAcceptedAndCounted() {
        ServerFixture f;
        IntakeClient client;
        QVERIFY(client.open(f.port()));
        client.send({{"type", "auth"}, {"token", nullptr}});
        QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), size_t(1), 5000);
        QCOMPARE(client.messages[0], json({{"type", "auth_success"}}));
        const std::string id = weft::new_id();
        const json custom = {{"id", id},
                             {"occurred", weft::to_iso(weft::now_us())},
                             {"event", "acme.warehouse.loaded"},
                             {"resource", {{"prefect.resource.id", "acme.table.orders"}}}};
        client.send(custom);
        client.send(custom);
        // A task run of a flow run the server does not know is dropped, not stored alone.
        client.send(taskRunEvent(weft::new_id(), weft::new_id(), weft::new_id(), "RUNNING",
                                 "Running", weft::now_us()));
        QTRY_COMPARE_WITH_TIMEOUT(f.server().eventsIn().counts().dropped, std::int64_t(2), 5000);
        QCOMPARE(f.server().eventsIn().counts().duplicates, std::int64_t(1));
        QVERIFY(!client.closed);
    }

    void malformedFramesCloseWithAReason_data() {
        QTest::addColumn<QString>("frame");
        QTest::addColumn<QString>("reason");
        QTest::newRow("not json") << QStringLiteral("{nope") << QStringLiteral("JSON object");
        QTest::newRow("array") << QStringLiteral("[1,2]") << QStringLiteral("JSON object");
        QTest::newRow("no id") << QStringLiteral(R"({"event":"x","occurred":"2026-01-01T00:00:00Z",
            "resource":{"prefect.resource.id":"a"}})")
                               << QStringLiteral("event.id");
        QTest::newRow("bad time") << QStringLiteral(
            R"({"id":"3f1c2a4e-8d6b-4c1a-9e2f-0a1b2c3d4e5f","event":"x",
                "occurred":"yesterday","resource":{"prefect.resource.id":"a"}})")
                                  << QStringLiteral("event.occurred");
        QTest::newRow("task run without state")
            << QStringLiteral(R"({"id":"3f1c2a4e-8d6b-4c1a-9e2f-0a1b2c3d4e5f",
                "event":"prefect.task-run.Running","occurred":"2026-01-01T00:00:00Z",
                "resource":{"prefect.resource.id":"prefect.task-run.3f1c2a4e-8d6b-4c1a-9e2f-0a1b2c3d4e50"},
                "payload":{}})")
            << QStringLiteral("validated_state");
        QTest::newRow("unknown message")
            << QStringLiteral(R"({"type":"filter"})") << QStringLiteral("auth message");
    }
    void malformedFramesCloseWithAReason() {
        QFETCH(QString, frame);
        QFETCH(QString, reason);
        ServerFixture f;
        IntakeClient bad;
        QVERIFY(bad.open(f.port()));
        bad.socket.sendTextMessage(frame);
        QTRY_VERIFY_WITH_TIMEOUT(bad.closed, 5000);
        QCOMPARE(bad.closeCode, int(QWebSocketProtocol::CloseCodeProtocolError));
        QVERIFY2(bad.closeReason.contains(reason), qPrintable(bad.closeReason));
        // The server goes on: a new client is served.
        IntakeClient good;
        QVERIFY(good.open(f.port()));
        QCOMPARE(f.get(QStringLiteral("/api/health")).status, 200);
    }

    void authIsRequiredWhenTheServerHasIt() {
        AuthConfig config;
        config.api_key = "s3cret";
        ServerFixture f{Auth(config)};
        IntakeClient wrong;
        QVERIFY(wrong.open(f.port()));
        wrong.send({{"type", "auth"}, {"token", "nope"}});
        QTRY_VERIFY_WITH_TIMEOUT(wrong.closed, 5000);
        QCOMPARE(wrong.closeCode, int(QWebSocketProtocol::CloseCodePolicyViolated));

        IntakeClient right;
        QVERIFY(right.open(f.port()));
        right.send({{"type", "auth"}, {"token", "s3cret"}});
        QTRY_COMPARE_WITH_TIMEOUT(right.messages.size(), size_t(1), 5000);
        QCOMPARE(right.messages[0].value("type", ""), std::string("auth_success"));
    }

    void plainRequestIsTold426() {
        ServerFixture f;
        QCOMPARE(f.get(QStringLiteral("/api/events/in")).status, 426);
    }
};

QTEST_GUILESS_MAIN(TestServerEventsIn)
#include "tst_server_events_in.moc"

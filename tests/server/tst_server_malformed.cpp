// Malformed requests of every kind: each is answered with a 4xx (never a crash, a hang or a 5xx),
// and the server goes on answering /api/health after each.
#include "serverfixture.h"

#include <QtTest>

using nlohmann::json;

namespace {
const char* kRunId = "0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee";
}

class TestServerMalformed : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        m_server = std::make_unique<ServerFixture>();
        m_flow = m_server->createFlow("etl");
        m_run = m_server->createFlowRun(m_flow);
        QVERIFY(!m_run.empty());
    }
    void cleanupTestCase() { m_server.reset(); }

    void refusedWith4xx_data() {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");

        const QString flows = QStringLiteral("/api/flows/");
        const QString runs = QStringLiteral("/api/flow_runs/");
        const QString runFilter = QStringLiteral("/api/flow_runs/filter");
        const QString tasks = QStringLiteral("/api/task_runs/");
        const QString logs = QStringLiteral("/api/logs/");
        const QString setState = QStringLiteral("/api/flow_runs/%1/set_state");
        const QByteArray flow = QByteArray::fromStdString(m_flow);
        auto runBody = [&](const char* rest) {
            return QByteArray("{\"flow_id\": \"") + flow + "\", " + rest + "}";
        };

        // Not JSON at all.
        QTest::addRow("garbage bytes")
            << QByteArray("POST") << flows << QByteArray("\x00\xff\xfe garbage", 12) << 422;
        QTest::addRow("truncated object")
            << QByteArray("POST") << flows << QByteArray("{\"name\": \"etl\"") << 422;
        QTest::addRow("truncated filter")
            << QByteArray("POST") << runFilter << QByteArray("{\"flow_runs\": {\"id\": {") << 422;
        QTest::addRow("trailing garbage")
            << QByteArray("POST") << flows << QByteArray("{\"name\": \"a\"} }") << 422;
        QTest::addRow("invalid UTF-8 in a string")
            << QByteArray("POST") << flows << QByteArray("{\"name\": \"\xff\xfe\"}") << 422;
        QTest::addRow("NaN") << QByteArray("POST") << runFilter << QByteArray("{\"limit\": NaN}")
                             << 422;
        QTest::addRow("nested 100000 deep") << QByteArray("POST") << runFilter
                                            << (QByteArray("{\"flows\": ") + QByteArray(100000, '[')
                                                + QByteArray(100000, ']') + "}")
                                            << 422;
        // JSON of the wrong shape.
        QTest::addRow("array for an object")
            << QByteArray("POST") << flows << QByteArray("[]") << 422;
        QTest::addRow("null body") << QByteArray("POST") << runs << QByteArray("null") << 422;
        QTest::addRow("object for the logs array")
            << QByteArray("POST") << logs << QByteArray("{\"name\": \"x\"}") << 422;
        QTest::addRow("number for a name")
            << QByteArray("POST") << flows << QByteArray("{\"name\": 5}") << 422;
        QTest::addRow("string for tags") << QByteArray("POST") << flows
                                         << QByteArray("{\"name\": \"a\", \"tags\": \"x\"}") << 422;
        QTest::addRow("string for a limit")
            << QByteArray("POST") << runFilter << QByteArray("{\"limit\": \"ten\"}") << 422;
        QTest::addRow("fraction for an offset")
            << QByteArray("POST") << runFilter << QByteArray("{\"offset\": 1.5}") << 422;
        QTest::addRow("huge limit")
            << QByteArray("POST") << runFilter << QByteArray("{\"limit\": 1e400}") << 422;
        QTest::addRow("limit past 200")
            << QByteArray("POST") << runFilter << QByteArray("{\"limit\": 100000}") << 422;
        QTest::addRow("number for force")
            << QByteArray("POST") << setState.arg(QString::fromStdString(m_run))
            << QByteArray("{\"state\": {\"type\": \"RUNNING\"}, \"force\": 1}") << 422;
        QTest::addRow("null state")
            << QByteArray("POST") << setState.arg(QString::fromStdString(m_run))
            << QByteArray("{\"state\": null}") << 422;
        QTest::addRow("unknown key")
            << QByteArray("POST") << runs << runBody("\"colour\": 1") << 422;
        QTest::addRow("unknown filter key")
            << QByteArray("POST") << runFilter << QByteArray("{\"flow_runs\": {\"colour\": {}}}")
            << 422;
        QTest::addRow("missing required")
            << QByteArray("POST") << tasks << QByteArray("{\"task_key\": \"t\"}") << 422;
        // Bad UUIDs.
        QTest::addRow("short flow_id")
            << QByteArray("POST") << runs << QByteArray("{\"flow_id\": \"1234\"}") << 422;
        QTest::addRow("non-hex flow_id")
            << QByteArray("POST") << runs
            << QByteArray("{\"flow_id\": \"zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz\"}") << 422;
        QTest::addRow("number flow_id")
            << QByteArray("POST") << runs << QByteArray("{\"flow_id\": 12}") << 422;
        QTest::addRow("bad id in path")
            << QByteArray("GET") << QStringLiteral("/api/flow_runs/not-a-uuid") << QByteArray()
            << 422;
        QTest::addRow("bad id in set_state path")
            << QByteArray("POST") << setState.arg(QStringLiteral("1234"))
            << QByteArray("{\"state\": {\"type\": \"RUNNING\"}}") << 422;
        QTest::addRow("bad id in an any_ list")
            << QByteArray("POST") << runFilter
            << QByteArray("{\"flow_runs\": {\"id\": {\"any_\": [\"x\"]}}}") << 422;
        // Bad dates.
        QTest::addRow("February 30") << QByteArray("POST") << runFilter
                                     << QByteArray("{\"flow_runs\": {\"start_time\": {\"after_\": "
                                                   "\"2026-02-30T00:00:00Z\"}}}")
                                     << 422;
        QTest::addRow("hour 25")
            << QByteArray("POST") << logs
            << QByteArray("[{\"name\": \"x\", \"level\": 20, \"message\": \"m\", \"timestamp\": "
                          "\"2026-12-07T25:00:00Z\"}]")
            << 422;
        QTest::addRow("words for a date")
            << QByteArray("POST") << runFilter
            << QByteArray("{\"flow_runs\": {\"expected_start_time\": {\"before_\": \"soon\"}}}")
            << 422;
        QTest::addRow("number for a date")
            << QByteArray("POST") << tasks
            << QByteArray("{\"task_key\": \"t\", \"dynamic_key\": \"0\", \"cache_expiration\": 5}")
            << 422;
        // Numbers past what the store keeps.
        QTest::addRow("log level past an int")
            << QByteArray("POST") << logs
            << QByteArray("[{\"name\": \"x\", \"level\": 4294967316, \"message\": \"m\", "
                          "\"timestamp\": \"2026-12-07T10:00:00Z\"}]")
            << 422;
        QTest::addRow("retries past an int")
            << QByteArray("POST") << runs << runBody("\"empirical_policy\": {\"retries\": 1e12}")
            << 422;
        // Bad values.
        QTest::addRow("unknown state type")
            << QByteArray("POST") << setState.arg(QString::fromStdString(m_run))
            << QByteArray("{\"state\": {\"type\": \"DONE\"}}") << 422;
        QTest::addRow("unknown sort")
            << QByteArray("POST") << runFilter << QByteArray("{\"sort\": \"RANDOM\"}") << 422;
        // Too large to read.
        QTest::addRow("2 MB body")
            << QByteArray("POST") << flows
            << (QByteArray("{\"name\": \"") + QByteArray(2 << 20, 'a') + "\"}") << 413;
        // Unknown things.
        QTest::addRow("unknown path")
            << QByteArray("POST") << QStringLiteral("/api/nothing") << QByteArray("{}") << 404;
        QTest::addRow("unknown run") << QByteArray("POST") << setState.arg(QLatin1String(kRunId))
                                     << QByteArray("{\"state\": {\"type\": \"RUNNING\"}}") << 404;
    }

    void refusedWith4xx() {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        auto a = m_server->send(method, path, body);
        QCOMPARE(a.status, status);
        if (status == 422) {
            QVERIFY2(a.body.is_object(), a.text().c_str());
            QVERIFY(a.body.contains("detail"));
        }
        auto health = m_server->get(QStringLiteral("/api/health"));
        QCOMPARE(health.status, 200);
        QCOMPARE(health.body, json(true));
    }

private:
    std::unique_ptr<ServerFixture> m_server;
    std::string m_flow, m_run;
};

QTEST_GUILESS_MAIN(TestServerMalformed)
#include "tst_server_malformed.moc"

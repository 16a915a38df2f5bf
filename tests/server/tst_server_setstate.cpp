// set_state answered once committed without holding up the server: while the store's writer is
// busy, other requests are served; state changes of several connections share one commit; a
// client gone before its answer costs the server nothing and its change is kept.
#include "serverfixture.h"

#include <QTcpSocket>
#include <QtTest>
#include <future>

using nlohmann::json;

namespace {

// Holds the store's writer inside a transaction until released: what is queued meanwhile
// commits together afterwards.
class WriterGate {
public:
    explicit WriterGate(weft::Store& store) {
        auto opened = std::make_shared<std::promise<void>>();
        auto entered = opened->get_future();
        m_done =
            store.transact<void>([opened, release = m_release.get_future().share()](weft::Txn&) {
                opened->set_value();
                release.wait();
            });
        entered.wait();
    }
    ~WriterGate() { open(); }
    void open() {
        if (m_opened) return;
        m_opened = true;
        m_release.set_value();
        m_done.get();
    }

private:
    std::promise<void> m_release;
    std::future<void> m_done;
    bool m_opened = false;
};

} // namespace

class TestServerSetState : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void answersWaitForTheCommitWithoutBlockingOthers() {
        ServerFixture f;
        const auto flow_run = f.createFlowRun(f.createFlow("etl"));
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), flow_run, {{"type", "RUNNING"}}).status,
                 201);
        std::vector<std::string> tasks;
        for (int i = 0; i < 6; ++i) {
            auto t =
                f.post(QStringLiteral("/api/task_runs/"), {{"flow_run_id", flow_run},
                                                           {"task_key", "step"},
                                                           {"dynamic_key", std::to_string(i)}});
            QCOMPARE(t.status, 201);
            tasks.push_back(t.body.value("id", ""));
        }

        WriterGate gate(f.engine().store());
        const auto commits_before = f.engine().store().commits();
        // Six connections' state changes (QNetworkAccessManager opens six per host).
        QNetworkAccessManager network;
        std::vector<QNetworkReply*> replies;
        for (const auto& id : tasks) {
            QNetworkRequest r(f.url(
                QStringLiteral("/api/task_runs/%1/set_state").arg(QString::fromStdString(id))));
            r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            replies.push_back(
                network.post(r, QByteArrayLiteral(R"({"state": {"type": "RUNNING"}})")));
        }
        QTRY_COMPARE_WITH_TIMEOUT(f.server().answersWaiting(), size_t(6), 10000);
        // None is answered before its commit, and the server goes on serving meanwhile.
        for (auto* reply : replies)
            QVERIFY(!reply->isFinished());
        QCOMPARE(f.get(QStringLiteral("/api/health")).status, 200);

        gate.open();
        for (auto* reply : replies) {
            QSignalSpy finished(reply, &QNetworkReply::finished);
            QVERIFY(reply->isFinished() || finished.wait(10000));
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 201);
            QCOMPARE(json::parse(reply->readAll().toStdString()).value("status", ""), "ACCEPT");
            reply->deleteLater();
        }
        // The gate's own transaction and one group for all six.
        QVERIFY2(f.engine().store().commits() - commits_before <= 2,
                 std::to_string(f.engine().store().commits() - commits_before).c_str());
        for (const auto& id : tasks) {
            auto run = f.engine().store().read([&](weft::Reader& r) { return r.task_run(id); });
            QCOMPARE(run->state.type, weft::StateType::Running);
        }
        QCOMPARE(f.server().answersWaiting(), size_t(0));
    }

    void refusedAndUnknownAreAnsweredTheSame() {
        ServerFixture f;
        const auto flow_run = f.createFlowRun(f.createFlow("etl"));
        auto unknown = f.setState(QStringLiteral("flow_runs"),
                                  "00000000-0000-0000-0000-000000000000", {{"type", "RUNNING"}});
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.body, json({{"detail", "Flow run not found"}}));
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), flow_run, {{"type", "NOPE"}}).status, 422);
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), flow_run, {{"type", "COMPLETED"}}).status,
                 201);
        auto refused = f.setState(QStringLiteral("flow_runs"), flow_run, {{"type", "RUNNING"}});
        QCOMPARE(refused.status, 200);
        QCOMPARE(refused.body.value("status", ""), "ABORT");
    }

    void aClientGoneBeforeItsAnswerLeavesTheServerServing() {
        ServerFixture f;
        const auto flow_run = f.createFlowRun(f.createFlow("etl"));
        const int others = f.server().connectionCount(); // the fixture's kept-alive connection
        WriterGate gate(f.engine().store());
        {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, f.port());
            QVERIFY(socket.waitForConnected(5000));
            const QByteArray body = R"({"state": {"type": "RUNNING"}})";
            socket.write("POST /api/flow_runs/" + QByteArray::fromStdString(flow_run)
                         + "/set_state HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                           "application/json\r\nContent-Length: "
                         + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            QTRY_COMPARE_WITH_TIMEOUT(f.server().answersWaiting(), size_t(1), 10000);
            socket.abort();
        }
        // The server noticed: it deleted the socket the answer was for.
        QTRY_COMPARE_WITH_TIMEOUT(f.server().connectionCount(), others, 10000);
        gate.open();
        QTRY_COMPARE_WITH_TIMEOUT(f.server().answersWaiting(), size_t(0), 10000);
        QCOMPARE(f.get(QStringLiteral("/api/health")).status, 200);
        auto run = f.engine().store().read([&](weft::Reader& r) { return r.flow_run(flow_run); });
        QCOMPARE(run->state.type, weft::StateType::Running); // committed all the same
    }
};

QTEST_GUILESS_MAIN(TestServerSetState)
#include "tst_server_setstate.moc"

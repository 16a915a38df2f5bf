// RemoteBackend on a bad network, against a real weft-server behind a TcpProxy the test
// controls: what happened while Studio could not hear the server is caught up on reconnecting.
#include "backend/remotebackend.h"
#include "fixtures.h"
#include "remotetesting.h"
#include "runs/flowrunlistmodel.h"
#include "runs/flowrunroles.h"
#include "runs/runsnapshot.h"
#include "tcpproxy.h"
#include "testprocess.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace weft::studio;
using test::openBackend;

namespace {

constexpr int kWaitMs = 15000;

// A 5 ms timer on the GUI thread: the longest gap between its ticks is how long the GUI
// thread was kept from its events.
class GuiTicker {
public:
    GuiTicker() {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(5);
        QObject::connect(&m_timer, &QTimer::timeout,
                         [this] { m_maxGapMs = std::max(m_maxGapMs, m_clock.restart()); });
        m_clock.start();
        m_timer.start();
    }
    qint64 maxGapMs() const { return m_maxGapMs; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_maxGapMs = 0;
};

// The waits between successive connection attempts.
QList<qint64> gaps(const QList<qint64>& attempts) {
    QList<qint64> out;
    for (qsizetype i = 1; i < attempts.size(); ++i)
        out << attempts[i] - attempts[i - 1];
    return out;
}

QByteArray describe(const QList<qint64>& values) {
    QByteArray out;
    for (qint64 v : values)
        out += QByteArray::number(v) + " ";
    return out;
}

// A bound far above a healthy GUI thread's few ms, far below a blocking network call's seconds:
// the machine running the tests may be busy.
constexpr qint64 kMaxGuiGapMs = 500;

int rowOf(const FlowRunListModel& m, const std::string& id) {
    for (int row = 0; row < m.rowCount(); ++row)
        if (m.data(m.index(row, 0), flowruns::IdRole).toString().toStdString() == id) return row;
    return -1;
}

} // namespace

class TestRemoteFaults : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_db; // a few runs, for the stream tests
    std::unique_ptr<ServerProcess> m_server;

private Q_SLOTS:
    void initTestCase() {
        m_db = m_dir.filePath(QStringLiteral("stream.db"));
        {
            auto store = weft::Store::open(m_db.toStdString());
            fixtures::writeManyRuns(*store, 20);
        }
        m_server = std::make_unique<ServerProcess>();
        QVERIFY2(m_server->start(m_db), m_server->error().constData());
    }

    // A server that accepts the WebSocket and then never sends (not even pongs): the missed
    // pong gives it away, the stream is reopened with a growing backoff, polling meanwhile,
    // and the GUI thread keeps ticking throughout.
    void stalledStreamIsReopened() {
        TcpProxy proxy(m_server->port());
        proxy.setStallWebSockets(true);
        GuiTicker ticker;
        RemoteBackend b({proxy.api()});
        b.setHeartbeat(300);
        b.setBackoff(200, 3200);
        QSignalSpy link(&b, &RemoteBackend::linkChanged);
        QVERIFY(openBackend(b));
        QTRY_VERIFY_WITH_TIMEOUT(!link.isEmpty() && link.first().at(0).toBool(), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!b.isLive(), kWaitMs);
        QVERIFY2(b.linkStatus().startsWith(QLatin1String("reconnecting")),
                 qPrintable(b.linkStatus()));
        QVERIFY2(b.linkStatus().contains(QLatin1String("ping")), qPrintable(b.linkStatus()));
        QTRY_VERIFY_WITH_TIMEOUT(proxy.webSocketAttempts().size() >= 5, kWaitMs);
        const QList<qint64> g = gaps(proxy.webSocketAttempts());
        QVERIFY2(g[3] >= 2 * g[0], describe(g).constData());
        QVERIFY2(b.isHealthy(), qPrintable(b.healthError())); // REST answers: polls go on
        QVERIFY2(ticker.maxGapMs() < kMaxGuiGapMs, QByteArray::number(ticker.maxGapMs()));
        qInfo("stall: attempts %s ms apart; GUI thread max gap %lld ms", describe(g).constData(),
              ticker.maxGapMs());
    }

    // A stream dropped a second after every open: the short-lived connections do not reset
    // the backoff, so the attempts spread out instead of hammering the server.
    void streamDroppedEverySecond() {
        TcpProxy proxy(m_server->port());
        proxy.setDropWebSocketsAfter(1000);
        GuiTicker ticker;
        RemoteBackend b({proxy.api()});
        b.setBackoff(200, 3200);
        QVERIFY(openBackend(b));
        QTRY_VERIFY_WITH_TIMEOUT(b.isLive(), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!b.isLive(), kWaitMs);
        QVERIFY2(b.linkStatus().startsWith(QLatin1String("reconnecting")),
                 qPrintable(b.linkStatus()));
        QTRY_VERIFY_WITH_TIMEOUT(proxy.webSocketAttempts().size() >= 5, kWaitMs);
        const QList<qint64> g = gaps(proxy.webSocketAttempts());
        for (qint64 gap : g)
            QVERIFY2(gap >= 1000, describe(g).constData());
        QVERIFY2(g[3] >= g[0] + 1000, describe(g).constData()); // 200 ms → 1.6 s backoff
        QVERIFY2(ticker.maxGapMs() < kMaxGuiGapMs, QByteArray::number(ticker.maxGapMs()));
        qInfo("drops: attempts %s ms apart; GUI thread max gap %lld ms", describe(g).constData(),
              ticker.maxGapMs());
    }

    // A run deleted while the event stream was down sent its one event to nobody: after the
    // reconnect it leaves the list, and its page's snapshot says it was deleted.
    void runDeletedWhileTheStreamWasDown() {
        const QString db = m_dir.filePath(QStringLiteral("deleted.db"));
        fixtures::Written doomed, kept;
        {
            auto store = weft::Store::open(db.toStdString());
            fixtures::RunSpec spec;
            // Finished long ago, so that no catch-up poll of recent runs brings them again.
            spec.start = weft::now_us() - 2 * 86'400'000'000LL;
            spec.name = "doomed";
            spec.tasks = fixtures::chain(2);
            doomed = fixtures::writeRun(*store, spec);
            spec.name = "kept";
            kept = fixtures::writeRun(*store, spec);
        }
        auto server = std::make_unique<ServerProcess>();
        QVERIFY2(server->start(db), server->error().constData());
        TcpProxy proxy(server->port());
        QVERIFY(proxy.isListening());

        RemoteBackend b({proxy.api()});
        b.setPollInterval(200);
        QVERIFY(openBackend(b));
        QTRY_VERIFY_WITH_TIMEOUT(b.isLive(), kWaitMs);
        FlowRunListModel model(&b);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(model, doomed.flow_run_id) >= 0, kWaitMs);
        RunSnapshot page(&b);
        QSignalSpy loaded(&page, &RunSnapshot::loaded);
        page.setFlowRun(QString::fromStdString(doomed.flow_run_id));
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), kWaitMs);
        QVERIFY(page.run());

        // The network goes down, the server dies and comes back, and the run is deleted
        // before Studio can hear of it.
        proxy.setDown(true);
        QTRY_VERIFY_WITH_TIMEOUT(!b.isLive(), kWaitMs);
        server->kill();
        server = std::make_unique<ServerProcess>();
        QVERIFY2(server->start(db), server->error().constData());
        const HttpAnswer deleted = request(
            "DELETE",
            server->url(
                QStringLiteral("/flow_runs/%1").arg(QString::fromStdString(doomed.flow_run_id))));
        QVERIFY2(deleted.status / 100 == 2, deleted.raw.constData());
        proxy.setTarget(server->port());
        proxy.setDown(false);

        QTRY_VERIFY_WITH_TIMEOUT(b.isLive(), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(rowOf(model, doomed.flow_run_id), -1, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, kWaitMs);
        QVERIFY(rowOf(model, kept.flow_run_id) >= 0);
        QTRY_VERIFY_WITH_TIMEOUT(page.runDeleted(), kWaitMs);
        QVERIFY(!page.run());
    }
};

QTEST_MAIN(TestRemoteFaults)
#include "tst_remotefaults.moc"

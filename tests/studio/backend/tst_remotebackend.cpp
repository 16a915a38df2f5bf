// RemoteBackend against a real weft-server on 127.0.0.1 (started by the test on a database the
// fixtures wrote), and against tiny fake servers that answer HTML, garbage or nothing in time.
#include "backend/remotebackend.h"
#include "common/theme.h"
#include "fixtures.h"
#include "logs/logmodel.h"
#include "logs/logroles.h"
#include "mainwindow.h"
#include "remotetesting.h"
#include "runactions.h"
#include "runpage.h"
#include "runs/flowrunlistmodel.h"
#include "runs/runsnapshot.h"
#include "testprocess.h"

#include <weft/record_json.hpp>

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QImage>
#include <QLabel>
#include <QTcpServer>
#include <QTcpSocket>
#include <QToolButton>
#include <QtTest>

using namespace weft::studio;
using nlohmann::json;
using test::await;
using test::openBackend;

namespace {

// A server that answers every request with `answer` (after `delayMs`), or never when empty.
class FakeServer : public QTcpServer {
public:
    QByteArray answer;
    int delayMs = 0;
    QList<QByteArray> requestLines; // "POST /api/flow_runs/filter HTTP/1.1", in order
    FakeServer() {
        listen(QHostAddress::LocalHost, 0);
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    const QByteArray head = s->readAll();
                    requestLines.append(head.left(head.indexOf("\r\n")));
                    if (!head.contains("\r\n\r\n") || answer.isEmpty()) return;
                    QTimer::singleShot(delayMs, s, [s, a = answer] {
                        s->write(a);
                        s->disconnectFromHost();
                    });
                });
            }
        });
    }
    QUrl api() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/api").arg(serverPort())); }
};

QByteArray httpAnswer(const QByteArray& status, const QByteArray& type, const QByteArray& body) {
    return "HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: "
           + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace

class TestRemoteBackend : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_db;
    fixtures::Written m_run;     // completed, with tasks and logs
    fixtures::Written m_running; // running
    std::unique_ptr<ServerProcess> m_server;

private Q_SLOTS:
    void initTestCase() {
        m_db = m_dir.filePath(QStringLiteral("server.db"));
        {
            auto store = weft::Store::open(m_db.toStdString());
            fixtures::writeManyRuns(*store, 250);
            fixtures::RunSpec spec;
            spec.flow_name = "etl";
            spec.name = "with-tasks";
            spec.tasks = fixtures::chain(3);
            spec.log_lines = 30;
            m_run = fixtures::writeRun(*store, spec);
            fixtures::RunSpec running;
            running.name = "still-running";
            running.state = weft::StateType::Running;
            running.tasks = fixtures::chain(2);
            m_running = fixtures::writeRun(*store, running);
        }
        m_server = std::make_unique<ServerProcess>();
        QVERIFY2(m_server->start(m_db), m_server->error().constData());
    }

    void listsCountsAndPages() {
        RemoteBackend b({m_server->url()});
        QVERIFY(openBackend(b));
        weft::FlowRunQuery all;
        all.limit = -1;
        auto count = await<std::int64_t>([&](QObject* c, auto d) { b.countFlowRuns(all, c, d); });
        QVERIFY(count && *count);
        QCOMPARE(**count, 252);
        // More than one page of 200: the backend pages through the server.
        auto runs = await<std::vector<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRuns(all, c, d); });
        QVERIFY(runs && *runs);
        QCOMPARE(int((*runs)->size()), 252);
        for (const auto& r : **runs)
            QVERIFY2(!r.flow_name.empty(), r.id.c_str());
        weft::FlowRunQuery page = all;
        page.offset = 195;
        page.limit = 10;
        auto part = await<std::vector<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRuns(page, c, d); });
        QVERIFY(part && *part);
        QCOMPARE(int((*part)->size()), 10);
        for (int i = 0; i < 10; ++i)
            QCOMPARE((*part)->at(size_t(i)).id, (*runs)->at(size_t(195 + i)).id);
        weft::FlowRunQuery running;
        running.states = {weft::StateType::Running};
        running.limit = -1;
        auto n = await<std::int64_t>([&](QObject* c, auto d) { b.countFlowRuns(running, c, d); });
        QVERIFY(n && *n);
        auto rr = await<std::vector<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRuns(running, c, d); });
        QCOMPARE(std::int64_t((*rr)->size()), **n);
        // The search box: a server matches the run's name.
        weft::FlowRunQuery search;
        search.name_like = "with-tas";
        search.limit = 50;
        auto found = await<std::vector<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRuns(search, c, d); });
        QVERIFY(found && *found);
        QCOMPARE((*found)->size(), size_t(1));
        QCOMPARE((*found)->front().id, m_run.flow_run_id);
        // An order a server cannot sort by is refused in words, not answered unsorted.
        weft::FlowRunQuery byState = page;
        byState.sort = weft::FlowRunSort::StateAsc;
        auto refused = await<std::vector<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRuns(byState, c, d); });
        QVERIFY(refused && !*refused);
        QVERIFY(refused->error().contains(QStringLiteral("cannot sort")));
        auto flows =
            await<std::vector<weft::FlowRecord>>([&](QObject* c, auto d) { b.fetchFlows(c, d); });
        QVERIFY(flows && *flows && !(*flows)->empty());
        QVERIFY(b.isHealthy());
    }

    void aRunsTasksLogsAndStates() {
        RemoteBackend b({m_server->url()});
        QVERIFY(openBackend(b));
        auto run = await<std::optional<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRun(m_run.flow_run_id, c, d); });
        QVERIFY(run && *run && **run);
        QCOMPARE((**run)->name, std::string("with-tasks"));
        QCOMPARE((**run)->flow_name, std::string("etl"));
        auto missing = await<std::optional<weft::FlowRunRecord>>([&](QObject* c, auto d) {
            b.fetchFlowRun("00000000-0000-4000-8000-000000000000", c, d);
        });
        QVERIFY(missing && *missing && !**missing);
        auto ids = await<std::vector<std::string>>(
            [&](QObject* c, auto d) { b.fetchFlowRunIdsWithPrefix(m_run.flow_run_id, c, d); });
        QVERIFY(ids && *ids);
        QCOMPARE((*ids)->size(), size_t(1));
        auto part = await<std::vector<std::string>>([&](QObject* c, auto d) {
            b.fetchFlowRunIdsWithPrefix(m_run.flow_run_id.substr(0, 8), c, d);
        });
        QVERIFY(part && !*part); // said, not "no run"
        QVERIFY((*part).error().contains(QStringLiteral("whole id")));

        auto tasks = await<std::vector<weft::TaskRunRecord>>(
            [&](QObject* c, auto d) { b.fetchTaskRuns(m_run.flow_run_id, c, d); });
        QVERIFY(tasks && *tasks);
        QCOMPARE((*tasks)->size(), size_t(3));
        auto history = await<std::vector<weft::State>>(
            [&](QObject* c, auto d) { b.fetchStateHistory(m_run.flow_run_id, c, d); });
        QVERIFY(history && *history);
        QVERIFY((*history)->size() >= 2);
        QCOMPARE((*history)->back().type, weft::StateType::Completed);
        auto taskHistory = await<std::vector<weft::State>>(
            [&](QObject* c, auto d) { b.fetchStateHistory(m_run.task_run_ids[0], c, d); });
        QVERIFY(taskHistory && *taskHistory && !(*taskHistory)->empty());
        // A backend that has not listed the task run finds its history too.
        RemoteBackend fresh({m_server->url()});
        auto unlisted = await<std::vector<weft::State>>(
            [&](QObject* c, auto d) { fresh.fetchStateHistory(m_run.task_run_ids[0], c, d); });
        QVERIFY(unlisted && *unlisted);
        QCOMPARE((*unlisted)->size(), (*taskHistory)->size());

        // Log lines: numbered here, in order, then read by id as a view's window does.
        weft::LogQuery lq;
        lq.flow_run_id = m_run.flow_run_id;
        std::vector<std::int64_t> logIds;
        bool last = false;
        QObject context;
        b.fetchLogIds(lq, &context, [&](Result<std::vector<std::int64_t>> chunk, bool l) {
            QVERIFY(chunk);
            logIds.insert(logIds.end(), chunk->begin(), chunk->end());
            last = l;
        });
        QTRY_VERIFY_WITH_TIMEOUT(last, 15000);
        QCOMPARE(int(logIds.size()), 30);
        QVERIFY(std::is_sorted(logIds.begin(), logIds.end()));
        weft::LogQuery window;
        window.ids = {logIds[3], logIds[4], logIds[5]};
        auto lines = await<std::vector<weft::LogRecord>>(
            [&](QObject* c, auto d) { b.fetchLogs(window, c, d); });
        QVERIFY(lines && *lines);
        QCOMPARE((*lines)->size(), size_t(3));
        QCOMPARE((*lines)->at(0).id, logIds[3]);
        QCOMPARE((*lines)->at(0).flow_run_id, m_run.flow_run_id);
        QVERIFY(!(*lines)->at(0).message.empty());
        // A word search, done on this side (a server has no full-text search).
        weft::LogQuery search = lq;
        search.text = (*lines)->at(0).message.substr(0, 5);
        last = false;
        std::vector<std::int64_t> hits;
        b.fetchLogIds(search, &context, [&](Result<std::vector<std::int64_t>> chunk, bool l) {
            if (chunk) hits.insert(hits.end(), chunk->begin(), chunk->end());
            last = l;
        });
        QTRY_VERIFY_WITH_TIMEOUT(last, 15000);
        QVERIFY(std::find(hits.begin(), hits.end(), logIds[3]) != hits.end());

        // Every run's lines: the newest of the server's, in order.
        weft::LogQuery every;
        std::vector<std::int64_t> all;
        last = false;
        b.fetchLogIds(every, &context, [&](Result<std::vector<std::int64_t>> chunk, bool l) {
            QVERIFY(chunk);
            all.insert(all.end(), chunk->begin(), chunk->end());
            last = l;
        });
        QTRY_VERIFY_WITH_TIMEOUT(last, 15000);
        QVERIFY(all.size() >= 30 && all.size() <= 10000);
        QVERIFY(std::is_sorted(all.begin(), all.end()));

        auto dashboard = await<DashboardData>([&](QObject* c, auto d) {
            b.fetchDashboard(weft::now_us() - 2 * 86'400'000'000LL, weft::now_us() + 60'000'000, 24,
                             c, d);
        });
        QVERIFY(dashboard && *dashboard);
        QCOMPARE((*dashboard)->buckets.size(), size_t(24));
        QVERIFY((*dashboard)->totalRuns > 0);
        QVERIFY(!(*dashboard)->flows.empty()); // from the range's newest runs
        int bucketed = 0;
        for (const auto& bucket : (*dashboard)->buckets)
            for (const auto& [type, n] : bucket.runsByState)
                bucketed += n;
        QCOMPARE(std::int64_t(bucketed), (*dashboard)->totalRuns);
    }

    void commandsAcceptedAndRefused() {
        ServerProcess server;
        QTemporaryDir dir;
        fixtures::Written done, running, gone;
        {
            auto store = weft::Store::open(dir.filePath(QStringLiteral("c.db")).toStdString());
            done = fixtures::writeRun(*store, {});
            fixtures::RunSpec r;
            r.state = weft::StateType::Running;
            running = fixtures::writeRun(*store, r);
            gone = fixtures::writeRun(*store, {});
        }
        QVERIFY2(server.start(dir.filePath(QStringLiteral("c.db"))), server.error().constData());
        RemoteBackend b({server.url()});
        QVERIFY(openBackend(b));

        // A completed run cannot go back to Running without force: the server's reason shows.
        weft::State back;
        back.type = weft::StateType::Running;
        auto refused = await<CommandResult>(
            [&](QObject* c, auto d) { b.setFlowRunState(done.flow_run_id, back, false, c, d); });
        QVERIFY(refused && *refused);
        QVERIFY(!(*refused)->ok);
        QVERIFY2(!(*refused)->message.isEmpty(), "a refusal says why");
        auto forced = await<CommandResult>(
            [&](QObject* c, auto d) { b.setFlowRunState(done.flow_run_id, back, true, c, d); });
        QVERIFY(forced && *forced);
        QVERIFY2((*forced)->ok, qPrintable((*forced)->message));

        auto cancel = await<CommandResult>(
            [&](QObject* c, auto d) { b.cancelFlowRun(running.flow_run_id, c, d); });
        QVERIFY(cancel && *cancel);
        QVERIFY2((*cancel)->ok, qPrintable((*cancel)->message));
        auto after = await<std::optional<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRun(running.flow_run_id, c, d); });
        QVERIFY((**after)->state.type == weft::StateType::Cancelling
                || (**after)->state.type == weft::StateType::Cancelled);

        auto fromTask = await<CommandResult>([&](QObject* c, auto d) {
            b.retryFlowRun(gone.flow_run_id, gone.task_run_ids.empty() ? "x" : gone.task_run_ids[0],
                           c, d);
        });
        // Weft's server reruns a deployment's run from a task run; this run has no deployment,
        // so no worker could: refused before anything is changed, saying so.
        QVERIFY(!(*fromTask)->ok);
        QVERIFY2((*fromTask)->message.contains(QStringLiteral("deployment")),
                 qPrintable((*fromTask)->message));
        auto unchanged = await<std::optional<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRun(gone.flow_run_id, c, d); });
        QVERIFY(unchanged && *unchanged && **unchanged);
        QCOMPARE((**unchanged)->state.type, weft::StateType::Completed);
        auto retry = await<CommandResult>(
            [&](QObject* c, auto d) { b.retryFlowRun(gone.flow_run_id, {}, c, d); });
        QVERIFY2((*retry)->ok, qPrintable((*retry)->message));
        auto retried = await<std::optional<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRun(gone.flow_run_id, c, d); });
        QCOMPARE((**retried)->state.type, weft::StateType::Scheduled);
        QCOMPARE((**retried)->state.name, std::string("AwaitingRetry"));

        auto del = await<CommandResult>(
            [&](QObject* c, auto d) { b.deleteFlowRun(gone.flow_run_id, c, d); });
        QVERIFY2((*del)->ok, qPrintable((*del)->message));
        auto deleted = await<std::optional<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRun(gone.flow_run_id, c, d); });
        QVERIFY(deleted && *deleted && !**deleted);
        auto again = await<CommandResult>(
            [&](QObject* c, auto d) { b.deleteFlowRun(gone.flow_run_id, c, d); });
        QVERIFY(!(*again)->ok);
        QVERIFY2((*again)->message.contains(QStringLiteral("404")), qPrintable((*again)->message));
    }

    // A state change made by someone else through REST reaches the backend as one batch.
    void liveStateChangeArrivesAsABatch() {
        RemoteBackend b({m_server->url()});
        QSignalSpy batches(&b, &Backend::eventsArrived);
        QVERIFY(openBackend(b));
        QTRY_VERIFY_WITH_TIMEOUT(b.isLive(), 10000);
        const auto answer =
            m_server->api("POST",
                          QStringLiteral("/flow_runs/%1/set_state")
                              .arg(QString::fromStdString(m_run.flow_run_id)),
                          {{"state", {{"type", "RUNNING"}, {"name", "Running"}}}, {"force", true}});
        QCOMPARE(answer.status, 201);
        auto arrived = [&] {
            for (const auto& args : batches)
                for (const weft::Event& e : *args.at(0).value<EventBatch>())
                    if (e.run_id == m_run.flow_run_id && e.state
                        && e.state->type == weft::StateType::Running)
                        return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(arrived(), 10000);
    }

    // Without the event stream (a Prefect server lacking it, a proxy blocking WebSockets) the
    // backend polls: a state change and a new run arrive as synthesized events.
    void pollingWithoutTheStream() {
        RemoteSettings settings{m_server->url()};
        settings.liveEvents = false;
        RemoteBackend b(settings);
        b.setPollInterval(200);
        QSignalSpy batches(&b, &Backend::eventsArrived);
        QVERIFY(openBackend(b));
        const json flow =
            m_server->api("POST", QStringLiteral("/flows/"), {{"name", "polled"}}).body;
        QVERIFY(flow.contains("id"));
        const json created = m_server
                                 ->api("POST", QStringLiteral("/flow_runs/"),
                                       {{"flow_id", flow["id"]},
                                        {"name", "new-while-polling"},
                                        {"state", {{"type", "RUNNING"}}}})
                                 .body;
        QVERIFY(created.contains("id"));
        const std::string id = created["id"];
        auto saw = [&](weft::EventKind kind) {
            for (const auto& args : batches)
                for (const weft::Event& e : *args.at(0).value<EventBatch>())
                    if (e.run_id == id && e.kind == kind) return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(saw(weft::EventKind::FlowRunCreated), 10000);
        QVERIFY(!b.isLive());
        m_server->api("POST",
                      QStringLiteral("/flow_runs/%1/set_state").arg(QString::fromStdString(id)),
                      {{"state", {{"type", "COMPLETED"}}}, {"force", true}});
        auto completed = [&] {
            for (const auto& args : batches)
                for (const weft::Event& e : *args.at(0).value<EventBatch>())
                    if (e.run_id == id && e.kind == weft::EventKind::FlowRunState && e.state
                        && e.state->type == weft::StateType::Completed)
                        return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(completed(), 10000);
    }

    // A server sends no events for log lines: a watched run's new lines are read after its
    // state events and announced as a Logs event, with ids after the ones already shown.
    void newLogLinesOfAWatchedRun() {
        RemoteBackend b({m_server->url()});
        QSignalSpy batches(&b, &Backend::eventsArrived);
        QVERIFY(openBackend(b));
        QTRY_VERIFY_WITH_TIMEOUT(b.isLive(), 10000);
        weft::LogQuery q;
        q.flow_run_id = m_running.flow_run_id;
        std::vector<std::int64_t> ids;
        bool last = false;
        QObject context;
        b.fetchLogIds(q, &context, [&](Result<std::vector<std::int64_t>> chunk, bool l) {
            if (chunk) ids.insert(ids.end(), chunk->begin(), chunk->end());
            last = l;
        });
        QTRY_VERIFY_WITH_TIMEOUT(last, 10000);
        const std::int64_t before = ids.empty() ? 0 : ids.back();
        const auto logged = m_server->api("POST", QStringLiteral("/logs/"),
                                          json::array({{{"name", "test"},
                                                        {"level", 20},
                                                        {"message", "a line written later"},
                                                        {"timestamp", weft::to_iso(weft::now_us())},
                                                        {"flow_run_id", m_running.flow_run_id}}}));
        QCOMPARE(logged.status, 201);
        m_server->api("POST",
                      QStringLiteral("/flow_runs/%1/set_state")
                          .arg(QString::fromStdString(m_running.flow_run_id)),
                      {{"state", {{"type", "RUNNING"}, {"name", "Running"}}}, {"force", true}});
        auto lastId = [&]() -> std::int64_t {
            for (const auto& args : batches)
                for (const weft::Event& e : *args.at(0).value<EventBatch>())
                    if (e.kind == weft::EventKind::Logs && e.flow_run_id == m_running.flow_run_id)
                        return e.payload.value("last_id", std::int64_t(0));
            return 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(lastId() > before, 10000);
        // The live read the log view makes next: the new line, by its new id.
        q.after_id = before;
        q.before_id = lastId() + 1;
        std::vector<std::int64_t> fresh;
        last = false;
        b.fetchLogIds(q, &context, [&](Result<std::vector<std::int64_t>> chunk, bool l) {
            if (chunk) fresh.insert(fresh.end(), chunk->begin(), chunk->end());
            last = l;
        });
        QTRY_VERIFY_WITH_TIMEOUT(last, 10000);
        QCOMPARE(fresh.size(), size_t(1));
        weft::LogQuery window;
        window.ids = fresh;
        auto lines = await<std::vector<weft::LogRecord>>(
            [&](QObject* c, auto d) { b.fetchLogs(window, c, d); });
        QCOMPARE((*lines)->at(0).message, std::string("a line written later"));
    }

    // Killed: errors within the timeout, never a hang; started again on the same file and port:
    // healthy, and events flow again.
    void serverKilledAndRestarted() {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("k.db"));
        fixtures::Written run;
        {
            auto store = weft::Store::open(db.toStdString());
            run = fixtures::writeRun(*store, {});
        }
        auto server = std::make_unique<ServerProcess>();
        QVERIFY2(server->start(db), server->error().constData());
        const quint16 port = server->port();
        RemoteSettings settings{server->url()};
        settings.timeoutMs = 3000;
        RemoteBackend b(settings);
        QSignalSpy health(&b, &Backend::healthChanged);
        QSignalSpy batches(&b, &Backend::eventsArrived);
        QVERIFY(openBackend(b));
        QTRY_VERIFY_WITH_TIMEOUT(b.isLive(), 10000);

        server->kill();
        // A loaded machine (CI on 2 cores) may take a few seconds to notice: the limit is generous.
        QTRY_VERIFY_WITH_TIMEOUT(!b.isHealthy(), 15000);
        QVERIFY(!b.isLive());
        weft::FlowRunQuery all;
        QElapsedTimer clock;
        clock.start();
        auto failed = await<std::int64_t>([&](QObject* c, auto d) { b.countFlowRuns(all, c, d); });
        QVERIFY(failed);
        QVERIFY(!*failed);
        QVERIFY2(failed->error().contains(QStringLiteral("could not be reached")),
                 qPrintable(failed->error()));
        QVERIFY(clock.elapsed() < 5000);

        server = std::make_unique<ServerProcess>();
        QVERIFY2(server->start(db, port), server->error().constData());
        QTRY_VERIFY_WITH_TIMEOUT(b.isLive(), 15000); // the backoff reconnected
        auto count = await<std::int64_t>([&](QObject* c, auto d) { b.countFlowRuns(all, c, d); });
        QVERIFY(count && *count);
        QTRY_VERIFY_WITH_TIMEOUT(b.isHealthy(), 5000);
        batches.clear();
        server->api(
            "POST",
            QStringLiteral("/flow_runs/%1/set_state").arg(QString::fromStdString(run.flow_run_id)),
            {{"state", {{"type", "RUNNING"}}}, {"force", true}});
        QTRY_VERIFY_WITH_TIMEOUT(!batches.isEmpty(), 10000);
    }

    void wrongTokenIs401() {
        QTemporaryDir dir;
        { weft::Store::open(dir.filePath(QStringLiteral("a.db")).toStdString()); }
        ServerProcess server;
        QVERIFY2(server.start(dir.filePath(QStringLiteral("a.db")), 0,
                              {QStringLiteral("--api-key"), QStringLiteral("secret")}),
                 server.error().constData());
        RemoteBackend wrong({server.url(), QStringLiteral("not-it")});
        QSignalSpy failed(&wrong, &Backend::failed);
        QVERIFY(!openBackend(wrong));
        QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("answered 401")),
                 qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(!wrong.isHealthy());
        RemoteBackend right({server.url(), QStringLiteral("secret")});
        QVERIFY(openBackend(right));
        QTRY_VERIFY_WITH_TIMEOUT(right.isLive(), 10000); // the socket signs in too
    }

    void basicAuthToken() {
        QTemporaryDir dir;
        { weft::Store::open(dir.filePath(QStringLiteral("b.db")).toStdString()); }
        ServerProcess server;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("WEFT_SERVER_API_AUTH_STRING"), QStringLiteral("ann:pw"));
        server.process().setProcessEnvironment(env);
        QVERIFY2(server.start(dir.filePath(QStringLiteral("b.db"))), server.error().constData());
        RemoteBackend wrong({server.url(), QStringLiteral("ann:nope")});
        QVERIFY(!openBackend(wrong));
        RemoteBackend right({server.url(), QStringLiteral("ann:pw")});
        QVERIFY(openBackend(right));
        QTRY_VERIFY_WITH_TIMEOUT(right.isLive(), 10000);
    }

    // weft-studio --connect: the window on the server (a screenshot of it), or one sentence
    // and exit status 1 when the server cannot be reached.
    void studioConnects() {
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("remote.png"));
        auto studio = [&](const QStringList& args, QByteArray* err) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.path());
            p.setProcessEnvironment(env);
            p.start(qEnvironmentVariable("WEFT_BIN_DIR") + QStringLiteral("/weft-studio"), args);
            if (!p.waitForFinished(60000)) {
                p.kill();
                return -1;
            }
            *err = p.readAllStandardError();
            return p.exitCode();
        };
        QByteArray err;
        QCOMPARE(studio({QStringLiteral("--connect"), m_server->url().toString(),
                         QStringLiteral("--screenshot"), png},
                        &err),
                 0);
        QVERIFY2(!QImage(png).isNull(), err.constData());
        FakeServer closed; // a free port, then nobody listening on it
        const QString url = closed.api().toString();
        closed.close();
        QCOMPARE(
            studio({QStringLiteral("--connect"), url, QStringLiteral("--screenshot"), png}, &err),
            1);
        QVERIFY2(err.contains("could not be reached"), err.constData());
    }

    void htmlGarbageAndSlowAnswersAreErrors() {
        FakeServer fake;
        RemoteSettings settings{fake.api()};
        settings.timeoutMs = 1500;
        RemoteBackend b(settings);
        weft::FlowRunQuery all;
        fake.answer = httpAnswer("200 OK", "text/html", "<!DOCTYPE html><html>Welcome</html>");
        auto html = await<std::int64_t>([&](QObject* c, auto d) { b.countFlowRuns(all, c, d); });
        QVERIFY(html && !*html);
        QVERIFY2(html->error().contains(QStringLiteral("not JSON")), qPrintable(html->error()));
        QVERIFY(html->error().contains(fake.api().toString()));
        QVERIFY(!b.isHealthy());

        fake.answer = httpAnswer("200 OK", "application/json", "{\"id\": [1, 2");
        auto garbage = await<std::vector<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRuns(all, c, d); });
        QVERIFY(garbage && !*garbage);

        fake.answer = httpAnswer("200 OK", "application/json", "{\"not\": \"a number\"}");
        auto shape = await<std::int64_t>([&](QObject* c, auto d) { b.countFlowRuns(all, c, d); });
        QVERIFY(shape && !*shape);
        QVERIFY2(shape->error().contains(QStringLiteral("unexpected")), qPrintable(shape->error()));

        fake.answer = httpAnswer("500 Internal Server Error", "application/json",
                                 "{\"detail\": \"database is locked\"}");
        auto five = await<std::int64_t>([&](QObject* c, auto d) { b.countFlowRuns(all, c, d); });
        QVERIFY2(five->error().contains(QStringLiteral("answered 500: database is locked")),
                 qPrintable(five->error()));

        // Slower than the timeout: an error in time, and the GUI thread turns meanwhile.
        fake.answer = httpAnswer("200 OK", "application/json", "3");
        fake.delayMs = 5000;
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, [&] { ++ticks; });
        ticker.start(20);
        QElapsedTimer clock;
        clock.start();
        auto slow = await<std::int64_t>([&](QObject* c, auto d) { b.countFlowRuns(all, c, d); });
        QVERIFY(slow && !*slow);
        QVERIFY2(slow->error().contains(QStringLiteral("no answer within")),
                 qPrintable(slow->error()));
        QVERIFY(clock.elapsed() < 4000);
        QVERIFY2(ticks > 20, "the GUI thread was blocked");
    }

    // A server whose /events/out is no WebSocket (an upgrade answered like any request): the
    // backend polls the runs instead, and stays healthy while the polls are answered.
    void serverWithoutTheStreamIsPolled() {
        FakeServer fake;
        fake.answer = httpAnswer("200 OK", "application/json", "[]");
        RemoteBackend b({fake.api()});
        b.setPollInterval(100);
        QVERIFY(openBackend(b));
        auto polls = [&] {
            return std::count_if(
                fake.requestLines.begin(), fake.requestLines.end(),
                [](const QByteArray& l) { return l.startsWith("POST /api/flow_runs/filter"); });
        };
        QTRY_VERIFY_WITH_TIMEOUT(polls() >= 4, 10000);
        QVERIFY(!b.isLive());
        QVERIFY(
            std::any_of(fake.requestLines.begin(), fake.requestLines.end(),
                        [](const QByteArray& l) { return l.startsWith("GET /api/events/out"); }));
        QVERIFY2(b.isHealthy(), qPrintable(b.healthError())); // polling is a working mode
    }

    // A context destroyed before the answer is never called.
    void destroyedContextIsNotCalled() {
        RemoteBackend b({m_server->url()});
        bool called = false;
        {
            QObject context;
            b.countFlowRuns({}, &context, [&](Result<std::int64_t>) { called = true; });
        }
        QObject waiter;
        bool later = false;
        b.countFlowRuns({}, &waiter, [&](Result<std::int64_t>) { later = true; });
        QTRY_VERIFY_WITH_TIMEOUT(later, 10000);
        QVERIFY(!called);
    }

    void flowRunListModelOverTheServer() {
        RemoteBackend b({m_server->url()});
        QVERIFY(openBackend(b));
        FlowRunListModel model(&b);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &FlowRunListModel::pageLoaded);
        model.reload();
        auto count = await<std::int64_t>([&](QObject* c, auto d) { b.countFlowRuns({}, c, d); });
        QVERIFY(count && *count && **count >= 252);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), int(**count), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 15000);
        QVERIFY(model.data(model.index(0, 0)).isValid());
    }

    // A run page's models over the server: its snapshot (the run and its task runs) and its log
    // lines, which fill in when a view asks for them.
    void runPageModelsOverTheServer() {
        RemoteBackend b({m_server->url()});
        QVERIFY(openBackend(b));
        RunSnapshot snapshot(&b);
        QSignalSpy loaded(&snapshot, &RunSnapshot::loaded);
        snapshot.setFlowRun(QString::fromStdString(m_run.flow_run_id));
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 15000);
        QVERIFY(snapshot.run());
        QCOMPARE(snapshot.taskCount(), 3);

        LogModel logs(&b);
        QAbstractItemModelTester tester(&logs,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&logs, &LogModel::loadFinished);
        logs.setFlowRun(QString::fromStdString(m_run.flow_run_id));
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 15000);
        QCOMPARE(logs.rowCount(), 30);
        logs.data(logs.index(0, 0), LogRoles::MessageRole); // asks for the first page
        QTRY_VERIFY_WITH_TIMEOUT(
            !logs.data(logs.index(0, 0), LogRoles::MessageRole).toString().isEmpty(), 15000);
    }

    // The window names the server; a run page disables what a server cannot do, saying why.
    void windowOnAServer() {
        RemoteBackend b({m_server->url()});
        QVERIFY(openBackend(b));
        ThemeManager theme(*qApp);
        MainWindow window(&b, &theme);
        QVERIFY2(window.windowTitle().contains(m_server->url().toString()),
                 qPrintable(window.windowTitle()));
        auto* label = window.findChild<QLabel*>(QStringLiteral("backendLabel"));
        QVERIFY(label && label->text().contains(m_server->url().toString()));

        auto run = await<std::optional<weft::FlowRunRecord>>(
            [&](QObject* c, auto d) { b.fetchFlowRun(m_run.flow_run_id, c, d); });
        QVERIFY(run && *run && **run);
        QWidget host;
        RunActions actions(&b, &host);
        RunPage page(&b, &actions, ***run);
        auto* again = page.findChild<QToolButton*>(QStringLiteral("runAgain"));
        QVERIFY(again);
        QVERIFY(!again->isEnabled());
        QCOMPARE(again->toolTip(), b.cannot(Backend::Capability::RunAgain));
        auto* mark = page.findChild<QToolButton*>(QStringLiteral("markas"));
        QVERIFY(mark && mark->isEnabled()); // what a server does stays enabled
    }
};

QTEST_MAIN(TestRemoteBackend)
#include "tst_remotebackend.moc"

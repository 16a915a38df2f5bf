// Studio's models against a Prefect-3-shaped server (FakePrefectServer, serving recorded,
// schema-valid answers with every field Prefect sends): the run list, a run's snapshot and task
// runs, its log lines and the dashboard fill with the recorded values, and what Prefect lacks
// (the event stream, some sort orders, full-text log search) is handled, not shown as nothing.
#include "backend/remotebackend.h"
#include "dashboard/dashboardmodel.h"
#include "fakeprefectserver.h"
#include "logs/logmodel.h"
#include "logs/logroles.h"
#include "remotetesting.h"
#include "runs/flowrunlistmodel.h"
#include "runs/flowrunroles.h"
#include "runs/runsnapshot.h"

#include <weft/record_json.hpp>

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace weft::studio;
using nlohmann::json;
using test::openBackend;

namespace {

constexpr int kWaitMs = 10000;

QString text(const json& j, const char* key) {
    return QString::fromStdString(j.at(key).get<std::string>());
}

// The row of run `name` in the list, -1 when absent.
int rowOf(const FlowRunListModel& m, const QString& name) {
    for (int row = 0; row < m.rowCount(); ++row)
        if (m.data(m.index(row, flowruns::NameColumn)).toString() == name) return row;
    return -1;
}

} // namespace

class TestPrefectCompat : public QObject {
    Q_OBJECT
    std::unique_ptr<FakePrefectServer> m_server;
    json m_runs;  // flow_runs_filter.json: running, failed, completed (newest first)
    json m_flows; // flows_filter.json

    json run(int i) const { return m_runs.at(std::size_t(i)); }
    QString flowName(const json& run) const {
        for (const auto& f : m_flows)
            if (f["id"] == run["flow_id"]) return text(f, "name");
        return {};
    }

private Q_SLOTS:
    void init() {
        m_server = std::make_unique<FakePrefectServer>(QStringLiteral(WEFT_PREFECT_RESPONSES));
        QVERIFY(m_server->isListening());
        m_runs = m_server->recorded(QStringLiteral("flow_runs_filter.json"));
        m_flows = m_server->recorded(QStringLiteral("flows_filter.json"));
        QCOMPARE(m_runs.size(), 3u);
    }
    void cleanup() { m_server.reset(); }

    // The list shows the recorded runs newest first, each with its flow's name (looked up: a
    // Prefect run names only its flow's id), state, start and run time; the count is the
    // recorded one. With no event stream, the backend polls, and a state change shows.
    void runListFromPrefect() {
        RemoteBackend b({m_server->api()});
        b.setPollInterval(200);
        QVERIFY(openBackend(b));
        FlowRunListModel model(&b);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        const int recordedCount = m_server->recorded(QStringLiteral("flow_runs_count.json"));
        QTRY_COMPARE_WITH_TIMEOUT(model.totalCount(), qint64(recordedCount), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), recordedCount, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(
            !model.data(model.index(2, 0), flowruns::IsPlaceholderRole).toBool(), kWaitMs);
        for (int row = 0; row < 3; ++row) {
            const json r = run(row);
            QCOMPARE(model.data(model.index(row, 0), flowruns::IdRole).toString(), text(r, "id"));
            QCOMPARE(model.data(model.index(row, flowruns::NameColumn)).toString(),
                     text(r, "name"));
            QTRY_COMPARE_WITH_TIMEOUT(
                model.data(model.index(row, 0), flowruns::FlowNameRole).toString(), flowName(r),
                kWaitMs);
            QCOMPARE(model.data(model.index(row, 0), flowruns::StateTypeRole).toInt(),
                     int(*weft::state_type_from_string(r["state_type"].get<std::string>())));
            QCOMPARE(model.data(model.index(row, 0), flowruns::StateNameRole).toString(),
                     text(r, "state_name"));
            QCOMPARE(model.data(model.index(row, 0), flowruns::StartTimeRole).toLongLong(),
                     *weft::from_iso(r["start_time"].get<std::string>()) / 1000);
        }
        QCOMPARE(model.data(model.index(1, 0), flowruns::StateMessageRole).toString(),
                 text(run(1)["state"], "message"));
        QCOMPARE(model.data(model.index(2, 0), flowruns::DurationRole).toDouble(),
                 run(2)["total_run_time"].get<double>());
        QCOMPARE(model.data(model.index(2, 0), flowruns::TagsRole).toStringList(),
                 (QStringList{QStringLiteral("etl"), QStringLiteral("nightly")}));

        // No /api/events/out on this server: polling, which sees the running run finish.
        QVERIFY(m_server->count("GET", QStringLiteral("/events/out")) >= 1);
        QVERIFY(!b.isLive());
        const QString running = text(run(0), "name");
        m_server->setRunState(run(0)["id"], "COMPLETED", "Completed");
        QTRY_COMPARE_WITH_TIMEOUT(
            model.data(model.index(rowOf(model, running), 0), flowruns::StateTypeRole).toInt(),
            int(weft::StateType::Completed), kWaitMs);
    }

    // Prefect sorts flow runs by start and by name only (FlowRunSort): the list offers those
    // columns and refuses the others itself, so the server never sees a sort it rejects.
    void onlySortsPrefectAccepts() {
        RemoteBackend b({m_server->api()});
        QVERIFY(openBackend(b));
        FlowRunListModel model(&b);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, kWaitMs);
        QVERIFY(model.canSort(flowruns::StartColumn));
        QVERIFY(model.canSort(flowruns::NameColumn));
        for (int column : {flowruns::StateColumn, flowruns::FlowColumn, flowruns::DurationColumn}) {
            QVERIFY(!model.canSort(column));
            QVERIFY(
                !model.headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
            model.sort(column, Qt::AscendingOrder);
            QCOMPARE(model.sortColumn(), int(flowruns::StartColumn));
        }
        model.sort(flowruns::NameColumn, Qt::AscendingOrder);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(model.data(model.index(0, flowruns::NameColumn)).toString(),
                                  QStringLiteral("amber-otter"), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(
            !model.data(model.index(2, 0), flowruns::IsPlaceholderRole).toBool(), kWaitMs);
        QCOMPARE(model.data(model.index(2, flowruns::NameColumn)).toString(),
                 QStringLiteral("calm-lynx"));
        QVERIFY(model.errorString().isEmpty());
        const QStringList accepted{QStringLiteral("EXPECTED_START_TIME_DESC"),
                                   QStringLiteral("EXPECTED_START_TIME_ASC"),
                                   QStringLiteral("START_TIME_DESC"),
                                   QStringLiteral("END_TIME_DESC"),
                                   QStringLiteral("NAME_ASC"),
                                   QStringLiteral("NAME_DESC")};
        for (const auto& r : m_server->requests)
            if (r.path == QLatin1String("/flow_runs/filter"))
                QVERIFY2(accepted.contains(QString::fromStdString(r.body.value("sort", ""))),
                         r.body.dump().c_str());
    }

    // Prefect has no "retry from a task run" (its /admin/version says it is Prefect, not Weft):
    // the control says why and nothing is sent; it resumes paused runs as Weft's server does.
    void retryFromTaskIsWeftsOnly() {
        RemoteBackend b({m_server->api()});
        QVERIFY(openBackend(b));
        QVERIFY(!b.isWeftServer());
        const QString why = b.cannot(Backend::Capability::RetryFromTask);
        QVERIFY2(why.contains(QStringLiteral("Prefect")), qPrintable(why));
        QCOMPARE(b.cannot(Backend::Capability::Resume), QString());
        const json failed = run(1);
        QObject context;
        std::optional<CommandResult> answer;
        b.retryFlowRun(failed.value("id", ""), "0190c0de-0000-7000-8000-000000000001", &context,
                       [&](Result<CommandResult> r) { answer = *r; });
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), kWaitMs);
        QVERIFY(!answer->ok);
        QCOMPARE(answer->message, why);
        for (const auto& r : m_server->requests)
            QVERIFY2(!r.path.endsWith(QLatin1String("/set_state")), qPrintable(r.path));
    }

    // A run's snapshot: the recorded run and its three task runs, with their states, run times
    // and the upstream edges Prefect's task_inputs give; its state history as recorded.
    void runSnapshotAndTaskRuns() {
        RemoteBackend b({m_server->api()});
        QVERIFY(openBackend(b));
        const json completed = run(2);
        const json tasks = m_server->recorded(QStringLiteral("task_runs_filter.json"));
        RunSnapshot snapshot(&b);
        QSignalSpy loaded(&snapshot, &RunSnapshot::loaded);
        snapshot.setFlowRun(text(completed, "id"));
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), kWaitMs);
        QVERIFY2(snapshot.errorString().isEmpty(), qPrintable(snapshot.errorString()));
        QVERIFY(snapshot.run());
        QCOMPARE(snapshot.run()->name, completed["name"].get<std::string>());
        QCOMPARE(snapshot.run()->flow_name, flowName(completed).toStdString());
        QCOMPARE(snapshot.run()->state.type, weft::StateType::Completed);
        QCOMPARE(snapshot.run()->max_retries, 2);
        QCOMPARE(snapshot.taskCount(), int(tasks.size()));
        for (std::size_t i = 0; i < tasks.size(); ++i) {
            const int at = snapshot.indexOf(tasks[i]["id"]);
            QVERIFY(at >= 0);
            QCOMPARE(snapshot.task(at).name, tasks[i]["name"].get<std::string>());
            QCOMPARE(weft::to_seconds(snapshot.task(at).total_run_time),
                     tasks[i]["total_run_time"].get<double>());
        }
        QCOMPARE(snapshot.count(weft::StateType::Completed), 3);
        const int transform = snapshot.indexOf(tasks[1]["id"]);
        QCOMPARE(snapshot.upstream(transform), std::vector<int>{snapshot.indexOf(tasks[0]["id"])});

        std::optional<Result<std::vector<weft::State>>> states;
        QObject context;
        b.fetchStateHistory(completed["id"], &context,
                            [&](Result<std::vector<weft::State>> r) { states.emplace(r); });
        QTRY_VERIFY_WITH_TIMEOUT(states.has_value(), kWaitMs);
        QVERIFY(states->ok());
        const json recorded = m_server->recorded(QStringLiteral("flow_run_states.json"));
        QCOMPARE((*states)->size(), recorded.size());
        QCOMPARE((*states)->back().type, weft::StateType::Completed);
        QCOMPARE((*states)->front().id, recorded[0]["id"].get<std::string>());

        // A run the server does not know (any more) is gone, not an error.
        RunSnapshot missing(&b);
        QSignalSpy missingLoaded(&missing, &RunSnapshot::loaded);
        missing.setFlowRun(QStringLiteral("9a1b2c3d-0009-4e5f-8a9b-0c1d2e3f4a09"));
        QTRY_VERIFY_WITH_TIMEOUT(!missingLoaded.isEmpty(), kWaitMs);
        QVERIFY(!missing.run());
    }

    // Log lines with UUID ids are numbered in order, with their levels, loggers and task runs;
    // a word search works on this side, a full-text (raw) query is refused in words.
    void logLinesFromPrefect() {
        RemoteBackend b({m_server->api()});
        QVERIFY(openBackend(b));
        const json lines = m_server->recorded(QStringLiteral("logs_filter.json"));
        LogModel logs(&b);
        QAbstractItemModelTester tester(&logs,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&logs, &LogModel::loadFinished);
        logs.setFlowRun(text(run(2), "id"));
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kWaitMs);
        QCOMPARE(logs.rowCount(), int(lines.size()));
        logs.data(logs.index(0, 0), LogRoles::MessageRole); // asks for the lines' text
        QTRY_VERIFY_WITH_TIMEOUT(
            logs.data(logs.index(int(lines.size()) - 1, 0), LogRoles::IsLoadedRole).toBool(),
            kWaitMs);
        qint64 lastId = 0;
        for (int row = 0; row < logs.rowCount(); ++row) {
            const json& l = lines[std::size_t(row)];
            const QModelIndex i = logs.index(row, 0);
            QCOMPARE(logs.data(i, LogRoles::MessageRole).toString(), text(l, "message"));
            QCOMPARE(logs.data(i, LogRoles::LevelRole).toInt(), l["level"].get<int>());
            QCOMPARE(logs.data(i, LogRoles::LoggerRole).toString(), text(l, "name"));
            QCOMPARE(logs.data(i, LogRoles::TaskRunIdRole).toString(),
                     l["task_run_id"].is_null() ? QString() : text(l, "task_run_id"));
            const qint64 id = logs.data(i, LogRoles::IdRole).toLongLong();
            QVERIFY(id > lastId);
            lastId = id;
        }

        logs.setSearch(QStringLiteral("warehouse"));
        QTRY_COMPARE_WITH_TIMEOUT(logs.hitCount(), 1, kWaitMs);
        logs.setSearch(QStringLiteral("rows NEAR warehouse"), true);
        QTRY_VERIFY_WITH_TIMEOUT(logs.errorString().contains(QLatin1String("full-text")), kWaitMs);
    }

    // The dashboard: totals and per-bucket counts from flow_runs/history, per-flow statistics
    // and the recent failure from the runs.
    void dashboardFromPrefect() {
        RemoteBackend b({m_server->api()});
        QVERIFY(openBackend(b));
        DashboardModel dashboard(&b);
        QAbstractItemModelTester tester(&dashboard,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy refreshed(&dashboard, &DashboardModel::refreshed);
        dashboard.setRange(24 * 3600, 24);
        dashboard.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!refreshed.isEmpty(), kWaitMs);
        QVERIFY2(dashboard.errorString().isEmpty(), qPrintable(dashboard.errorString()));
        const DashboardData& d = dashboard.data();
        int recorded = 0;
        for (const auto& bucket : m_server->recorded(QStringLiteral("flow_runs_history.json")))
            for (const auto& s : bucket["states"])
                recorded += s["count_runs"].get<int>();
        QCOMPARE(d.totalRuns, std::int64_t(recorded));
        QCOMPARE(d.completed, std::int64_t(1));
        QCOMPARE(d.failed, std::int64_t(1));
        QCOMPARE(d.successRate.value_or(-1), 0.5);
        QCOMPARE(d.flows.size(), 2u);
        for (const auto& f : d.flows) {
            if (f.flowName == "etl-daily") {
                QCOMPARE(f.runs, 2);
                QCOMPARE(f.completed, 1);
                QCOMPARE(f.maxDurationS, run(2)["total_run_time"].get<double>());
            } else {
                QCOMPARE(f.flowName, std::string("ml-train"));
                QCOMPARE(f.failed, 1);
            }
        }
        QCOMPARE(dashboard.rowCount(), 1);
        QCOMPARE(dashboard.data(dashboard.index(0, DashboardModel::RunColumn), Qt::DisplayRole)
                     .toString(),
                 text(run(1), "name"));
    }
};

QTEST_MAIN(TestPrefectCompat)
#include "tst_prefectcompat.moc"

// Each endpoint of the REST API: its happy path, an unknown id (404) and a body that does not
// match Prefect's schema (422, in the shape Prefect's server sends).
#include "serverfixture.h"

#include <QtTest>

using nlohmann::json;

namespace {

const char* kMissingId = "0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee";

QString path(const char* prefix, const std::string& id, const char* suffix = "") {
    return QString::fromLatin1(prefix) + QString::fromStdString(id) + QString::fromLatin1(suffix);
}

// A 422 in Prefect's server's shape, naming the field at `loc`.
void verify422(const HttpAnswer& a, const json& loc, const std::string& type) {
    QCOMPARE(a.status, 422);
    QCOMPARE(a.body.value("exception_message", std::string()),
             std::string("Invalid request received."));
    QVERIFY2(a.body.contains("request_body"), a.text().c_str());
    const json& detail = a.body.at("detail");
    QCOMPARE(a.body.at("exception_detail"), detail);
    const bool named = std::any_of(detail.begin(), detail.end(), [&](const json& e) {
        return e.at("loc") == loc && e.at("type") == type && e.at("msg").is_string();
    });
    QVERIFY2(named, a.text().c_str());
}

} // namespace

class TestServerApi : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void flowsAreCreatedOnceByName() {
        ServerFixture f;
        auto first = f.post(QStringLiteral("/api/flows/"), {{"name", "etl"}, {"tags", {"a"}}});
        QCOMPARE(first.status, 201);
        QCOMPARE(first.body.at("name"), json("etl"));
        QCOMPARE(first.body.at("tags"), json({"a"}));
        for (const char* key : {"id", "created", "updated"})
            QVERIFY(first.body.at(key).is_string());
        auto again = f.post(QStringLiteral("/api/flows/"), {{"name", "etl"}});
        QCOMPARE(again.status, 200);
        QCOMPARE(again.body.at("id"), first.body.at("id"));

        auto read = f.get(path("/api/flows/", first.body.at("id")));
        QCOMPARE(read.status, 200);
        QCOMPARE(read.body.at("name"), json("etl"));
        auto missing = f.get(path("/api/flows/", kMissingId));
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.body, json({{"detail", "Flow not found"}}));
        verify422(f.get(QStringLiteral("/api/flows/not-a-uuid")), {"path", "id"}, "uuid_parsing");
        verify422(f.post(QStringLiteral("/api/flows/"), json::object()), {"body", "name"},
                  "missing");
        verify422(f.post(QStringLiteral("/api/flows/"), {{"name", "a/b"}}), {"body", "name"},
                  "string_pattern_mismatch");
        verify422(f.post(QStringLiteral("/api/flows/"), {{"name", "x"}, {"colour", "red"}}),
                  {"body", "colour"}, "extra_forbidden");
    }

    void flowsFilterByNameAndSort() {
        ServerFixture f;
        for (const char* name : {"beta", "alpha", "gamma"})
            QVERIFY(!f.createFlow(name).empty());
        auto all = f.post(QStringLiteral("/api/flows/filter"), {{"sort", "NAME_DESC"}});
        QCOMPARE(all.status, 200);
        QCOMPARE(all.body.size(), size_t(3));
        QCOMPARE(all.body[0].at("name"), json("gamma"));
        auto like =
            f.post(QStringLiteral("/api/flows/filter"), {{"flows", {{"name", {{"like_", "AL"}}}}}});
        QCOMPARE(like.body.size(), size_t(1));
        QCOMPARE(like.body[0].at("name"), json("alpha"));
        auto paged = f.post(QStringLiteral("/api/flows/filter"), {{"limit", 1}, {"offset", 1}});
        QCOMPARE(paged.body.size(), size_t(1));
        QCOMPARE(paged.body[0].at("name"), json("beta"));
        verify422(f.post(QStringLiteral("/api/flows/filter"), {{"sort", "SIDEWAYS"}}),
                  {"body", "sort"}, "enum");
        verify422(f.post(QStringLiteral("/api/flows/filter"), {{"flows", {{"nme", {}}}}}),
                  {"body", "flows", "nme"}, "extra_forbidden");
    }

    void flowRunCreateReadDelete() {
        ServerFixture f;
        const std::string flow = f.createFlow("etl");
        auto created = f.post(QStringLiteral("/api/flow_runs/"),
                              {{"flow_id", flow},
                               {"name", "first"},
                               {"parameters", {{"n", 3}}},
                               {"tags", {"nightly"}},
                               {"empirical_policy", {{"retries", 2}, {"retry_delay", 5}}}});
        QCOMPARE(created.status, 201);
        const json& run = created.body;
        QCOMPARE(run.at("flow_id"), json(flow));
        QCOMPARE(run.at("name"), json("first"));
        QCOMPARE(run.at("state_type"), json("PENDING"));
        QCOMPARE(run.at("state").at("type"), json("PENDING"));
        QCOMPARE(run.at("parameters"), json({{"n", 3}}));
        QCOMPARE(run.at("empirical_policy").at("retries"), json(2));
        QCOMPARE(run.at("run_count"), json(0));
        const std::string id = run.at("id");

        auto read = f.get(path("/api/flow_runs/", id));
        QCOMPARE(read.status, 200);
        QCOMPARE(read.body.at("id"), json(id));
        QCOMPARE(read.body.at("tags"), json({"nightly"}));

        QCOMPARE(f.send("DELETE", path("/api/flow_runs/", id)).status, 204);
        QCOMPARE(f.get(path("/api/flow_runs/", id)).status, 404);
        auto gone = f.send("DELETE", path("/api/flow_runs/", id));
        QCOMPARE(gone.status, 404);
        QCOMPARE(gone.body, json({{"detail", "Flow run not found"}}));
    }

    void flowRunErrors() {
        ServerFixture f;
        const std::string flow = f.createFlow("etl");
        auto unknown_flow = f.post(QStringLiteral("/api/flow_runs/"), {{"flow_id", kMissingId}});
        QCOMPARE(unknown_flow.status, 404);
        auto missing = f.get(path("/api/flow_runs/", kMissingId));
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.body, json({{"detail", "Flow run not found"}}));
        verify422(f.post(QStringLiteral("/api/flow_runs/"), json::object()), {"body", "flow_id"},
                  "missing");
        verify422(f.post(QStringLiteral("/api/flow_runs/"), {{"flow_id", flow}, {"tags", "x"}}),
                  {"body", "tags"}, "list_type");
        verify422(f.post(QStringLiteral("/api/flow_runs/"),
                         {{"flow_id", flow}, {"state", {{"type", "DONE"}}}}),
                  {"body", "state", "type"}, "enum");
        // A full State (id, timestamp) is not a StateCreate.
        verify422(f.post(QStringLiteral("/api/flow_runs/"),
                         {{"flow_id", flow}, {"state", {{"type", "PENDING"}, {"id", kMissingId}}}}),
                  {"body", "state", "id"}, "extra_forbidden");
        verify422(f.post(QStringLiteral("/api/flow_runs/"),
                         {{"flow_id", flow}, {"empirical_policy", {{"retries", "two"}}}}),
                  {"body", "empirical_policy", "retries"}, "int_type");
    }

    void flowRunIdempotencyKeyNamesOneRun() {
        ServerFixture f;
        const std::string flow = f.createFlow("etl");
        json body = {{"flow_id", flow}, {"idempotency_key", "nightly-2026-12-07"}};
        auto first = f.post(QStringLiteral("/api/flow_runs/"), body);
        auto second = f.post(QStringLiteral("/api/flow_runs/"), body);
        QCOMPARE(first.status, 201);
        QCOMPARE(second.status, 200);
        QCOMPARE(second.body.at("id"), first.body.at("id"));
        body["idempotency_key"] = "another";
        QVERIFY(f.post(QStringLiteral("/api/flow_runs/"), body).body.at("id")
                != first.body.at("id"));
    }

    void flowRunsFilterAndCount() {
        ServerFixture f;
        const std::string flow = f.createFlow("etl");
        const std::string other = f.createFlow("report");
        const std::string a = f.createFlowRun(flow, {{"name", "a"}, {"tags", {"x"}}});
        const std::string b = f.createFlowRun(flow, {{"name", "b"}});
        const std::string c = f.createFlowRun(other, {{"name", "c"}});
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), b, {{"type", "RUNNING"}}).status, 201);

        auto names = [](const HttpAnswer& a) {
            std::vector<std::string> out;
            for (const auto& r : a.body)
                out.push_back(r.at("name"));
            return out;
        };
        auto of_flow = f.post(QStringLiteral("/api/flow_runs/filter"),
                              {{"flows", {{"id", {{"any_", {flow}}}}}}, {"sort", "NAME_ASC"}});
        QCOMPARE(of_flow.status, 200);
        QCOMPARE(names(of_flow), (std::vector<std::string>{"a", "b"}));
        auto running = f.post(QStringLiteral("/api/flow_runs/filter"),
                              {{"flow_runs", {{"state", {{"type", {{"any_", {"RUNNING"}}}}}}}}});
        QCOMPARE(names(running), std::vector<std::string>{"b"});
        auto tagged = f.post(QStringLiteral("/api/flow_runs/filter"),
                             {{"flow_runs", {{"tags", {{"all_", {"x"}}}}}}});
        QCOMPARE(names(tagged), std::vector<std::string>{"a"});
        auto not_a = f.post(QStringLiteral("/api/flow_runs/filter"),
                            {{"flow_runs", {{"id", {{"not_any_", {a}}}}}}, {"sort", "NAME_DESC"}});
        QCOMPARE(names(not_a), (std::vector<std::string>{"c", "b"}));
        auto started = f.post(QStringLiteral("/api/flow_runs/filter"),
                              {{"flow_runs", {{"start_time", {{"is_null_", false}}}}}});
        QCOMPARE(names(started), std::vector<std::string>{"b"});
        auto nothing = f.post(QStringLiteral("/api/flow_runs/filter"),
                              {{"flow_runs", {{"id", {{"any_", json::array()}}}}}});
        QCOMPARE(nothing.body, json::array());
        // Weft has no deployments yet: a run with one matches nothing.
        auto deployed = f.post(QStringLiteral("/api/flow_runs/filter"),
                               {{"flow_runs", {{"deployment_id", {{"is_null_", false}}}}}});
        QCOMPARE(deployed.body, json::array());

        auto count = f.post(QStringLiteral("/api/flow_runs/count"),
                            {{"flows", {{"name", {{"any_", {"etl"}}}}}}});
        QCOMPARE(count.status, 200);
        QCOMPARE(count.body, json(2));
        QCOMPARE(f.post(QStringLiteral("/api/flow_runs/count"), json::object()).body, json(3));
        QCOMPARE(f.send("POST", QStringLiteral("/api/flow_runs/count")).body, json(3));
        Q_UNUSED(c);

        auto too_many = f.post(QStringLiteral("/api/flow_runs/filter"), {{"limit", 201}});
        QCOMPARE(too_many.status, 422);
        QVERIFY(too_many.body.at("detail").is_string());
        QCOMPARE(f.post(QStringLiteral("/api/flow_runs/filter"), {{"limit", 200}}).status, 200);
        verify422(f.post(QStringLiteral("/api/flow_runs/filter"), {{"offset", -1}}),
                  {"body", "offset"}, "greater_than_equal");
        verify422(f.post(QStringLiteral("/api/flow_runs/filter"),
                         {{"flow_runs", {{"start_time", {{"after_", "yesterday"}}}}}}),
                  {"body", "flow_runs", "start_time", "after_"}, "datetime_parsing");
        verify422(f.post(QStringLiteral("/api/flow_runs/filter"),
                         {{"flow_runs", {{"id", {{"any_", {"123"}}}}}}}),
                  {"body", "flow_runs", "id", "any_", 0}, "uuid_parsing");
    }

    void setStateAnswersAnOrchestrationResult() {
        ServerFixture f;
        const std::string run = f.createFlowRun(f.createFlow("etl"));
        auto accepted = f.setState(QStringLiteral("flow_runs"), run, {{"type", "RUNNING"}});
        QCOMPARE(accepted.status, 201);
        QCOMPARE(accepted.body.at("status"), json("ACCEPT"));
        QCOMPARE(accepted.body.at("details"), json({{"type", "accept_details"}}));
        QCOMPARE(accepted.body.at("state").at("type"), json("RUNNING"));
        QVERIFY(accepted.body.at("state").at("id").is_string());

        auto missing = f.setState(QStringLiteral("flow_runs"), kMissingId, {{"type", "RUNNING"}});
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.body, json({{"detail", "Flow run not found"}}));
        verify422(f.post(path("/api/flow_runs/", run, "/set_state"), json::object()),
                  {"body", "state"}, "missing");
        verify422(f.setState(QStringLiteral("flow_runs"), run, {{"type", "RUNNING"}, {"x", 1}}),
                  {"body", "state", "x"}, "extra_forbidden");
        verify422(f.post(path("/api/flow_runs/", run, "/set_state"),
                         {{"state", {{"type", "FAILED"}}}, {"force", "yes"}}),
                  {"body", "force"}, "bool_type");
        verify422(f.setState(QStringLiteral("flow_runs"), run,
                             {{"type", "SCHEDULED"},
                              {"state_details", {{"scheduled_time", "2026-13-45T00:00:00Z"}}}}),
                  {"body", "state", "state_details", "scheduled_time"}, "datetime_parsing");
    }

    void taskRunCreateReadFilter() {
        ServerFixture f;
        const std::string run = f.createFlowRun(f.createFlow("etl"));
        json body = {{"flow_run_id", run},
                     {"task_key", "extract"},
                     {"dynamic_key", "0"},
                     {"tags", {"io"}},
                     {"task_inputs", {{"x", {{{"input_type", "parameter"}, {"name", "n"}}}}}}};
        auto created = f.post(QStringLiteral("/api/task_runs/"), body);
        QCOMPARE(created.status, 201);
        QCOMPARE(created.body.at("task_key"), json("extract"));
        QCOMPARE(created.body.at("dynamic_key"), json("0"));
        QCOMPARE(created.body.at("flow_run_id"), json(run));
        QCOMPARE(created.body.at("state_type"), json("PENDING"));
        // The same call of the same flow run is the same task run.
        auto again = f.post(QStringLiteral("/api/task_runs/"), body);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.body.at("id"), created.body.at("id"));
        body["dynamic_key"] = "1";
        body.erase("tags");
        QCOMPARE(f.post(QStringLiteral("/api/task_runs/"), body).status, 201);

        const std::string id = created.body.at("id");
        auto read = f.get(path("/api/task_runs/", id));
        QCOMPARE(read.status, 200);
        QCOMPARE(read.body.at("id"), json(id));
        auto missing = f.get(path("/api/task_runs/", kMissingId));
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.body, json({{"detail", "Task not found"}}));

        auto tagged = f.post(QStringLiteral("/api/task_runs/filter"),
                             {{"task_runs", {{"tags", {{"all_", {"io"}}}}}}});
        QCOMPARE(tagged.status, 200);
        QCOMPARE(tagged.body.size(), size_t(1));
        auto of_run = f.post(QStringLiteral("/api/task_runs/filter"),
                             {{"flow_runs", {{"id", {{"any_", {run}}}}}}, {"sort", "NAME_ASC"}});
        QCOMPARE(of_run.body.size(), size_t(2));
        QCOMPARE(of_run.body[0].at("name"), json("extract-0"));

        verify422(f.post(QStringLiteral("/api/task_runs/"), {{"task_key", "t"}}),
                  {"body", "dynamic_key"}, "missing");
        verify422(f.post(QStringLiteral("/api/task_runs/"),
                         {{"task_key", "t"}, {"dynamic_key", "0"}, {"flow_run_id", "nope"}}),
                  {"body", "flow_run_id"}, "uuid_parsing");
        verify422(f.post(QStringLiteral("/api/task_runs/"),
                         {{"task_key", "t"},
                          {"dynamic_key", "0"},
                          {"task_inputs", {{"x", {{{"input_type", "rumour"}}}}}}}),
                  {"body", "task_inputs", "x", 0, "input_type"}, "enum");
        verify422(f.post(QStringLiteral("/api/task_runs/filter"), {{"sort", "START_TIME_DESC"}}),
                  {"body", "sort"}, "enum");
        auto unknown_run =
            f.post(QStringLiteral("/api/task_runs/"),
                   {{"task_key", "t"}, {"dynamic_key", "0"}, {"flow_run_id", kMissingId}});
        QCOMPARE(unknown_run.status, 404);
    }

    void taskRunSetState() {
        ServerFixture f;
        const std::string run = f.createFlowRun(f.createFlow("etl"));
        auto task = f.post(QStringLiteral("/api/task_runs/"),
                           {{"flow_run_id", run}, {"task_key", "t"}, {"dynamic_key", "0"}});
        const std::string id = task.body.at("id");
        auto running = f.setState(QStringLiteral("task_runs"), id, {{"type", "RUNNING"}});
        QCOMPARE(running.status, 201);
        QCOMPARE(running.body.at("status"), json("ACCEPT"));
        QCOMPARE(f.get(path("/api/task_runs/", id)).body.at("run_count"), json(1));
        auto missing = f.setState(QStringLiteral("task_runs"), kMissingId, {{"type", "RUNNING"}});
        QCOMPARE(missing.status, 404);
        verify422(f.setState(QStringLiteral("task_runs"), id, {{"type", 3}}),
                  {"body", "state", "type"}, "enum");
    }

    void logsCreateAndFilter() {
        ServerFixture f;
        const std::string run = f.createFlowRun(f.createFlow("etl"));
        json lines = json::array();
        for (int i = 0; i < 5; ++i)
            lines.push_back({{"name", "etl"},
                             {"level", i % 2 ? 40 : 20},
                             {"message", "line " + std::to_string(i)},
                             {"timestamp", "2026-12-07T10:00:0" + std::to_string(i) + "Z"},
                             {"flow_run_id", run}});
        auto created = f.post(QStringLiteral("/api/logs/"), lines);
        QCOMPARE(created.status, 201);

        auto all = f.post(QStringLiteral("/api/logs/filter"),
                          {{"logs", {{"flow_run_id", {{"any_", {run}}}}}}});
        QCOMPARE(all.status, 200);
        QCOMPARE(all.body.size(), size_t(5));
        QCOMPARE(all.body[0].at("message"), json("line 0"));
        QVERIFY(all.body[0].at("id").is_string());
        QCOMPARE(all.body[0].at("timestamp"), json("2026-12-07T10:00:00.000000Z"));
        auto errors = f.post(QStringLiteral("/api/logs/filter"),
                             {{"logs", {{"level", {{"ge_", 40}}}}}, {"sort", "TIMESTAMP_DESC"}});
        QCOMPARE(errors.body.size(), size_t(2));
        QCOMPARE(errors.body[0].at("message"), json("line 3"));
        auto window = f.post(
            QStringLiteral("/api/logs/filter"),
            {{"logs",
              {{"timestamp",
                {{"after_", "2026-12-07T10:00:01Z"}, {"before_", "2026-12-07T10:00:02Z"}}}}}});
        QCOMPARE(window.body.size(), size_t(2));
        auto paged = f.post(QStringLiteral("/api/logs/filter"), {{"limit", 2}, {"offset", 3}});
        QCOMPARE(paged.body.size(), size_t(2));
        QCOMPARE(paged.body[0].at("message"), json("line 3"));

        verify422(f.post(QStringLiteral("/api/logs/"), {{"name", "x"}}), {"body"}, "list_type");
        verify422(f.post(QStringLiteral("/api/logs/"),
                         json::array({{{"name", "x"}, {"level", 20}, {"message", "m"}}})),
                  {"body", 0, "timestamp"}, "missing");
        verify422(f.post(QStringLiteral("/api/logs/"),
                         json::array({{{"name", "x"},
                                       {"level", "INFO"},
                                       {"message", "m"},
                                       {"timestamp", "2026-12-07T10:00:00Z"}}})),
                  {"body", 0, "level"}, "int_type");
        verify422(f.post(QStringLiteral("/api/logs/filter"),
                         {{"logs", {{"text", {{"query", std::string(201, 'a')}}}}}}),
                  {"body", "logs", "text", "query"}, "string_too_long");
    }
};

QTEST_GUILESS_MAIN(TestServerApi)
#include "tst_server_api.moc"

// Deployments and work pools over REST: pools created once (409 after), workers' heartbeats,
// deployments upserted by flow and name, run from (the parameters merged, the tags joined, the
// run placed in the pool), filtered, paused and deleted; and get_scheduled_flow_runs handing out
// a pool's due runs oldest first, within its limit and its concurrency limit.
#include "serverfixture.h"

#include <weft/time.hpp>

#include <QtTest>

using nlohmann::json;

namespace {

QString path(const std::string& text) {
    return QString::fromStdString(text);
}

// A SCHEDULED state due at `at`.
json scheduled_at(weft::Micros at) {
    return {{"type", "SCHEDULED"}, {"state_details", {{"scheduled_time", weft::to_iso(at)}}}};
}

std::vector<std::string> run_ids(const json& answers) {
    std::vector<std::string> ids;
    for (const auto& a : answers)
        ids.push_back(a.at("flow_run").at("id").get<std::string>());
    return ids;
}

} // namespace

class TestServerDeployments : public QObject {
    Q_OBJECT

    // A pool, a flow and a deployment of it in the pool; returns the deployment's id.
    static std::string deploy(ServerFixture& f, const std::string& pool, json extra = {}) {
        const std::string flow = f.createFlow("etl");
        json body = {{"name", "nightly"},
                     {"flow_id", flow},
                     {"work_pool_name", pool},
                     {"entrypoint", "/opt/etl/bin/etl:etl"},
                     {"parameters", {{"n", 1}, {"m", 2}}},
                     {"tags", {"nightly"}}};
        if (extra.is_object()) body.update(extra);
        auto a = f.post(QStringLiteral("/api/deployments/"), body);
        if (a.status != 201) qWarning("deploy: %d %s", a.status, a.raw.constData());
        return a.body.value("id", std::string());
    }

private Q_SLOTS:
    void workPoolsAndWorkers() {
        ServerFixture f;
        auto created = f.post(QStringLiteral("/api/work_pools/"),
                              {{"name", "local"}, {"type", "process"}, {"concurrency_limit", 4}});
        QCOMPARE(created.status, 201);
        QCOMPARE(created.body.at("name"), json("local"));
        QCOMPARE(created.body.at("concurrency_limit"), json(4));
        QCOMPARE(created.body.at("status"), json("NOT_READY")); // no worker yet
        QVERIFY(created.body.at("default_queue_id").is_string());
        auto again = f.post(QStringLiteral("/api/work_pools/"), {{"name", "local"}});
        QCOMPARE(again.status, 409);
        QVERIFY(again.body.at("detail").get<std::string>().find("local") != std::string::npos);
        auto bad = f.post(QStringLiteral("/api/work_pools/"), {{"nam", "typo"}});
        QCOMPARE(bad.status, 422);
        QCOMPARE(bad.body.at("detail").at(0).at("loc"), json({"body", "name"}));

        QCOMPARE(f.get(QStringLiteral("/api/work_pools/local")).status, 200);
        auto missing = f.get(QStringLiteral("/api/work_pools/nowhere"));
        QCOMPARE(missing.status, 404);
        QVERIFY(missing.body.at("detail").is_string());
        f.post(QStringLiteral("/api/work_pools/"), {{"name", "gpu"}, {"type", "process"}});
        auto both = f.post(QStringLiteral("/api/work_pools/filter"), json::object());
        QCOMPARE(both.status, 200);
        QCOMPARE(both.body.size(), std::size_t(2));
        auto one = f.post(QStringLiteral("/api/work_pools/filter"),
                          {{"work_pools", {{"name", {{"any_", {"gpu"}}}}}}});
        QCOMPARE(one.body.size(), std::size_t(1));
        QCOMPARE(one.body.at(0).at("name"), json("gpu"));

        // Heartbeats: the worker appears ONLINE, beating again keeps one worker.
        for (int i = 0; i < 2; ++i)
            QCOMPARE(f.post(QStringLiteral("/api/work_pools/local/workers/heartbeat"),
                            {{"name", "worker-1"}, {"heartbeat_interval_seconds", 30}})
                         .status,
                     204);
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/nowhere/workers/heartbeat"),
                        {{"name", "worker-1"}})
                     .status,
                 404);
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/local/workers/heartbeat"), json::object())
                     .status,
                 422);
        auto workers =
            f.post(QStringLiteral("/api/work_pools/local/workers/filter"), json::object());
        QCOMPARE(workers.status, 200);
        QCOMPARE(workers.body.size(), std::size_t(1));
        QCOMPARE(workers.body.at(0).at("name"), json("worker-1"));
        QCOMPARE(workers.body.at(0).at("status"), json("ONLINE"));
        QCOMPARE(workers.body.at(0).at("heartbeat_interval_seconds"), json(30));
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/local/workers/filter"),
                        {{"workers", {{"status", {{"any_", {"OFFLINE"}}}}}}})
                     .body.size(),
                 std::size_t(0));
        QCOMPARE(f.get(QStringLiteral("/api/work_pools/local")).body.at("status"), json("READY"));

        QCOMPARE(f.send("DELETE", QStringLiteral("/api/work_pools/gpu")).status, 204);
        QCOMPARE(f.send("DELETE", QStringLiteral("/api/work_pools/gpu")).status, 404);
        QCOMPARE(f.get(QStringLiteral("/api/work_pools/gpu")).status, 404);
    }

    void deploymentsUpsertReadFilterDelete() {
        ServerFixture f;
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/"), {{"name", "local"}}).status, 201);
        const std::string id = deploy(
            f, "local", {{"schedules", {{{"schedule", {{"interval", 3600}}}, {"active", true}}}}});
        QVERIFY(!id.empty());
        auto read = f.get(path("/api/deployments/" + id));
        QCOMPARE(read.status, 200);
        QCOMPARE(read.body.at("name"), json("nightly"));
        QCOMPARE(read.body.at("work_pool_name"), json("local"));
        QCOMPARE(read.body.at("work_queue_name"), json("default"));
        QCOMPARE(read.body.at("entrypoint"), json("/opt/etl/bin/etl:etl"));
        QCOMPARE(read.body.at("schedules").size(), std::size_t(1));
        QCOMPARE(read.body.at("schedules").at(0).at("schedule").at("interval"), json(3600.0));
        QVERIFY(read.body.at("work_queue_id").is_string());

        // The same flow and name again: the same deployment, updated (200).
        const std::string flow = read.body.at("flow_id");
        auto updated =
            f.post(QStringLiteral("/api/deployments/"), {{"name", "nightly"},
                                                         {"flow_id", flow},
                                                         {"work_pool_name", "local"},
                                                         {"description", "every night"}});
        QCOMPARE(updated.status, 200);
        QCOMPARE(updated.body.at("id"), json(id));
        QCOMPARE(updated.body.at("description"), json("every night"));
        auto by_name = f.get(QStringLiteral("/api/deployments/name/etl/nightly"));
        QCOMPARE(by_name.status, 200);
        QCOMPARE(by_name.body.at("id"), json(id));
        QCOMPARE(f.get(QStringLiteral("/api/deployments/name/etl/weekly")).status, 404);

        // 404, 409, 422.
        auto unknown =
            f.get(QStringLiteral("/api/deployments/00000000-0000-4000-8000-000000000000"));
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.body, json({{"detail", "Deployment not found"}}));
        QCOMPARE(f.get(QStringLiteral("/api/deployments/not-a-uuid")).status, 422);
        QCOMPARE(f.post(QStringLiteral("/api/deployments/"),
                        {{"name", "x"}, {"flow_id", flow}, {"work_pool_name", "nowhere"}})
                     .status,
                 404);
        QCOMPARE(f.post(QStringLiteral("/api/deployments/"),
                        {{"name", "x"}, {"flow_id", "00000000-0000-4000-8000-000000000000"}})
                     .status,
                 409);
        auto extra = f.post(QStringLiteral("/api/deployments/"),
                            {{"name", "x"}, {"flow_id", flow}, {"colour", "red"}});
        QCOMPARE(extra.status, 422);
        QCOMPARE(extra.body.at("detail").at(0).at("loc"), json({"body", "colour"}));
        auto bad_schedule = f.post(
            QStringLiteral("/api/deployments/"),
            {{"name", "x"}, {"flow_id", flow}, {"schedules", {{{"schedule", {{"every", 5}}}}}}});
        QCOMPARE(bad_schedule.status, 422);
        QCOMPARE(bad_schedule.body.at("detail").at(0).at("loc"),
                 json({"body", "schedules", 0, "schedule"}));
        QCOMPARE(f.post(QStringLiteral("/api/deployments/"),
                        {{"name", "x"},
                         {"flow_id", flow},
                         {"schedules", {{{"schedule", {{"interval", -5}}}}}}})
                     .status,
                 422);
        auto bad_cron = f.post(QStringLiteral("/api/deployments/"),
                               {{"name", "x"},
                                {"flow_id", flow},
                                {"schedules", {{{"schedule", {{"cron", "61 * * * *"}}}}}}});
        QCOMPARE(bad_cron.status, 422);
        QCOMPARE(bad_cron.body.at("detail").at(0).at("loc"),
                 json({"body", "schedules", 0, "schedule", "cron"}));

        // Filter and count.
        QCOMPARE(
            f.post(QStringLiteral("/api/deployments/"), {{"name", "weekly"}, {"flow_id", flow}})
                .status,
            201);
        auto all = f.post(QStringLiteral("/api/deployments/filter"), json::object());
        QCOMPARE(all.status, 200);
        QCOMPARE(all.body.size(), std::size_t(2));
        QCOMPARE(all.body.at(0).at("name"), json("nightly")); // NAME_ASC
        auto pooled = f.post(QStringLiteral("/api/deployments/filter"),
                             {{"work_pools", {{"name", {{"any_", {"local"}}}}}}});
        QCOMPARE(pooled.body.size(), std::size_t(1));
        QCOMPARE(f.post(QStringLiteral("/api/deployments/count"),
                        {{"deployments", {{"name", {{"like_", "WEEK"}}}}}})
                     .body,
                 json(1));
        QCOMPARE(f.post(QStringLiteral("/api/flows/count"),
                        {{"flows", {{"deployment", {{"is_null_", false}}}}}})
                     .body,
                 json(1));

        // Pause and resume.
        QCOMPARE(
            f.post(path("/api/deployments/" + id + "/pause_deployment"), json::object()).status,
            200);
        QCOMPARE(f.get(path("/api/deployments/" + id)).body.at("paused"), json(true));
        QCOMPARE(f.post(QStringLiteral("/api/deployments/filter"),
                        {{"deployments", {{"paused", {{"eq_", true}}}}}})
                     .body.size(),
                 std::size_t(1));
        QCOMPARE(
            f.post(path("/api/deployments/" + id + "/resume_deployment"), json::object()).status,
            200);
        QCOMPARE(f.get(path("/api/deployments/" + id)).body.at("paused"), json(false));

        // Deleting it takes its runs that have not started; a finished one stays.
        auto waiting = f.post(path("/api/deployments/" + id + "/create_flow_run"), json::object());
        auto done = f.post(path("/api/deployments/" + id + "/create_flow_run"),
                           {{"state", {{"type", "COMPLETED"}}}});
        QCOMPARE(waiting.status, 201);
        QCOMPARE(done.status, 201);
        QCOMPARE(f.send("DELETE", path("/api/deployments/" + id)).status, 204);
        QCOMPARE(f.send("DELETE", path("/api/deployments/" + id)).status, 404);
        QCOMPARE(f.get(path("/api/flow_runs/" + waiting.body.at("id").get<std::string>())).status,
                 404);
        QCOMPARE(f.get(path("/api/flow_runs/" + done.body.at("id").get<std::string>())).status,
                 200);
    }

    // PATCH /deployments/{id}: only the fields sent change (null clears one); 204 as Prefect's.
    void deploymentsArePatched() {
        ServerFixture f;
        f.post(QStringLiteral("/api/work_pools/"), {{"name", "local"}});
        f.post(QStringLiteral("/api/work_pools/"), {{"name", "gpu"}});
        const std::string id = deploy(f, "local");
        QVERIFY(!id.empty());
        const QString at = path("/api/deployments/" + id);
        auto patch = [&](const json& body) {
            return f.send("PATCH", at, QByteArray::fromStdString(body.dump()));
        };

        auto changed = patch({{"description", "every night"},
                              {"parameters", {{"n", 5}}},
                              {"tags", {"etl", "night"}},
                              {"paused", true},
                              {"work_pool_name", "gpu"},
                              {"schedules", {{{"schedule", {{"interval", 3600}}}}}}});
        QCOMPARE(changed.status, 204);
        QVERIFY(changed.raw.isEmpty());
        json d = f.get(at).body;
        QCOMPARE(d.at("description"), json("every night"));
        QCOMPARE(d.at("parameters"), json({{"n", 5}}));
        QCOMPARE(d.at("tags"), json({"etl", "night"}));
        QCOMPARE(d.at("paused"), json(true));
        QCOMPARE(d.at("work_pool_name"), json("gpu"));
        QCOMPARE(d.at("work_queue_name"), json("default"));
        QCOMPARE(d.at("schedules").size(), std::size_t(1));
        QCOMPARE(d.at("schedules").at(0).at("schedule").at("interval"), json(3600));
        QCOMPARE(d.at("entrypoint"), json("/opt/etl/bin/etl:etl")); // not sent: unchanged

        QCOMPARE(patch({{"description", nullptr}, {"paused", false}}).status, 204);
        d = f.get(at).body;
        QVERIFY(d.at("description").is_null());
        QCOMPARE(d.at("paused"), json(false));
        QCOMPARE(d.at("parameters"), json({{"n", 5}}));

        // Bad bodies name the field; nothing changes.
        auto extra = patch({{"nmae", "typo"}});
        QCOMPARE(extra.status, 422);
        QCOMPARE(extra.body.at("detail").at(0).at("loc"), json({"body", "nmae"}));
        auto wrong = patch({{"paused", "yes"}});
        QCOMPARE(wrong.status, 422);
        QCOMPARE(wrong.body.at("detail").at(0).at("loc"), json({"body", "paused"}));
        auto badCron = patch({{"schedules", {{{"schedule", {{"cron", "not a cron"}}}}}}});
        QCOMPARE(badCron.status, 422);
        QCOMPARE(f.send("PATCH", at, QByteArrayLiteral("{")).status, 422);
        auto noPool = patch({{"work_pool_name", "nowhere"}});
        QCOMPARE(noPool.status, 404);
        QCOMPARE(f.get(at).body.at("work_pool_name"), json("gpu"));
        QCOMPARE(f.get(at).body.at("schedules").size(), std::size_t(1));

        const std::string unknown = "01900000-0000-7000-8000-000000000000";
        QCOMPARE(
            f.send("PATCH", path("/api/deployments/" + unknown), QByteArrayLiteral("{}")).status,
            404);
        QCOMPARE(
            f.send("PATCH", QStringLiteral("/api/deployments/not-a-uuid"), QByteArrayLiteral("{}"))
                .status,
            422);
    }

    // A deployment's parameter schema: kept as sent on create and read back by every read (by id,
    // by name, filter); PATCH replaces or clears it (not sent: kept); anything but
    // an object is refused naming the field, and nothing changes.
    void parameterSchemaIsKept() {
        ServerFixture f;
        f.post(QStringLiteral("/api/work_pools/"), {{"name", "local"}});
        const json schema = {
            {"title", "Parameters"},
            {"type", "object"},
            {"properties",
             {{"n", {{"title", "n"}, {"type", "integer"}, {"position", 0}, {"default", 1}}},
              {"names",
               {{"title", "names"},
                {"type", "array"},
                {"items", {{"type", "string"}}},
                {"position", 1}}}}},
            {"required", {"names"}}};
        const std::string id = deploy(f, "local", {{"parameter_openapi_schema", schema}});
        QVERIFY(!id.empty());
        const QString at = path("/api/deployments/" + id);
        QCOMPARE(f.get(at).body.at("parameter_openapi_schema"), schema);
        QCOMPARE(f.get(QStringLiteral("/api/deployments/name/etl/nightly"))
                     .body.at("parameter_openapi_schema"),
                 schema);
        auto all = f.post(QStringLiteral("/api/deployments/filter"), json::object());
        QCOMPARE(all.body.size(), std::size_t(1));
        QCOMPARE(all.body.at(0).at("parameter_openapi_schema"), schema);

        auto patch = [&](const json& body) {
            return f.send("PATCH", at, QByteArray::fromStdString(body.dump()));
        };
        json other = schema;
        other["properties"].erase("names");
        other["required"] = json::array();
        QCOMPARE(patch({{"parameter_openapi_schema", other}}).status, 204);
        QCOMPARE(f.get(at).body.at("parameter_openapi_schema"), other);
        QCOMPARE(patch({{"description", "not the schema"}}).status, 204);
        QCOMPARE(f.get(at).body.at("parameter_openapi_schema"), other); // not sent: kept

        for (const json& bad : {json("a string"), json({1, 2}), json(3)}) {
            auto refused = patch({{"parameter_openapi_schema", bad}});
            QCOMPARE(refused.status, 422);
            QCOMPARE(refused.body.at("detail").at(0).at("loc"),
                     json({"body", "parameter_openapi_schema"}));
            const std::string flow = f.get(at).body.at("flow_id");
            auto created =
                f.post(QStringLiteral("/api/deployments/"),
                       {{"name", "other"}, {"flow_id", flow}, {"parameter_openapi_schema", bad}});
            QCOMPARE(created.status, 422);
            QCOMPARE(created.body.at("detail").at(0).at("loc"),
                     json({"body", "parameter_openapi_schema"}));
        }
        QCOMPARE(f.get(at).body.at("parameter_openapi_schema"), other);
        QCOMPARE(f.get(QStringLiteral("/api/deployments/name/etl/other")).status, 404);

        QCOMPARE(patch({{"parameter_openapi_schema", nullptr}}).status, 204);
        QVERIFY(f.get(at).body.at("parameter_openapi_schema").is_null());
        // A deployment made without one answers null.
        const std::string flow = f.get(at).body.at("flow_id");
        auto plain =
            f.post(QStringLiteral("/api/deployments/"), {{"name", "plain"}, {"flow_id", flow}});
        QCOMPARE(plain.status, 201);
        QVERIFY(plain.body.at("parameter_openapi_schema").is_null());
    }

    // PATCH /work_pools/{name}: paused, limit and description; null lifts the limit.
    void workPoolsArePatched() {
        ServerFixture f;
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/"), {{"name", "local"}}).status, 201);
        const QString at = QStringLiteral("/api/work_pools/local");
        auto patch = [&](const json& body) {
            return f.send("PATCH", at, QByteArray::fromStdString(body.dump()));
        };
        QCOMPARE(patch({{"is_paused", true}, {"concurrency_limit", 2}, {"description", "the box"}})
                     .status,
                 204);
        json pool = f.get(at).body;
        QCOMPARE(pool.at("is_paused"), json(true));
        QCOMPARE(pool.at("status"), json("PAUSED"));
        QCOMPARE(pool.at("concurrency_limit"), json(2));
        QCOMPARE(pool.at("description"), json("the box"));

        QCOMPARE(patch({{"concurrency_limit", nullptr}, {"is_paused", false}}).status, 204);
        pool = f.get(at).body;
        QVERIFY(pool.at("concurrency_limit").is_null());
        QCOMPARE(pool.at("is_paused"), json(false));
        QCOMPARE(pool.at("description"), json("the box"));

        auto negative = patch({{"concurrency_limit", -1}});
        QCOMPARE(negative.status, 422);
        QCOMPARE(negative.body.at("detail").at(0).at("loc"), json({"body", "concurrency_limit"}));
        QCOMPARE(patch({{"name", "renamed"}}).status, 422); // a pool's name does not change
        QCOMPARE(f.send("PATCH", QStringLiteral("/api/work_pools/nowhere"), QByteArrayLiteral("{}"))
                     .status,
                 404);
        QVERIFY(f.get(at).body.at("concurrency_limit").is_null());
    }

    void createFlowRunFromTheCurlExample() {
        ServerFixture f;
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/"), {{"name", "local"}}).status, 201);
        const std::string id = deploy(f, "local");
        // The body of the documented curl example, byte for byte.
        const weft::Micros before = weft::now_us();
        auto run = f.send("POST", path("/api/deployments/" + id + "/create_flow_run"),
                          QByteArrayLiteral(R"({"parameters": {"n": 3}})"));
        QCOMPARE(run.status, 201);
        const json& r = run.body;
        QCOMPARE(r.at("state_type"), json("SCHEDULED"));
        QCOMPARE(r.at("parameters"), json({{"n", 3}, {"m", 2}}));
        QCOMPARE(r.at("deployment_id"), json(id));
        QCOMPARE(r.at("work_pool_name"), json("local"));
        QCOMPARE(r.at("work_queue_name"), json("default"));
        QVERIFY(*weft::from_iso(r.at("expected_start_time").get<std::string>()) >= before - 1000);

        // Tags joined; the same idempotency key names the same run.
        auto keyed = f.post(path("/api/deployments/" + id + "/create_flow_run"),
                            {{"tags", {"manual", "nightly"}}, {"idempotency_key", "k1"}});
        QCOMPARE(keyed.status, 201);
        QCOMPARE(keyed.body.at("tags"), json({"nightly", "manual"}));
        auto same = f.post(path("/api/deployments/" + id + "/create_flow_run"),
                           {{"idempotency_key", "k1"}});
        QCOMPARE(same.status, 200);
        QCOMPARE(same.body.at("id"), keyed.body.at("id"));

        // The runs are found by their deployment and their pool; a run of no deployment is not.
        const std::string flow = r.at("flow_id");
        f.createFlowRun(flow);
        auto by_deployment = f.post(QStringLiteral("/api/flow_runs/count"),
                                    {{"deployments", {{"id", {{"any_", {id}}}}}}});
        QCOMPARE(by_deployment.body, json(2));
        QCOMPARE(f.post(QStringLiteral("/api/flow_runs/count"),
                        {{"work_pools", {{"name", {{"any_", {"local"}}}}}}})
                     .body,
                 json(2));
        QCOMPARE(f.post(QStringLiteral("/api/flow_runs/count"),
                        {{"flow_runs", {{"deployment_id", {{"is_null_", true}}}}}})
                     .body,
                 json(1));
        QCOMPARE(f.post(QStringLiteral("/api/flow_runs/filter"),
                        {{"flow_runs", {{"deployment_id", {{"any_", {id}}}}}}})
                     .body.size(),
                 std::size_t(2));

        // 404 and 422.
        QCOMPARE(f.post(QStringLiteral("/api/deployments/00000000-0000-4000-8000-000000000000/"
                                       "create_flow_run"),
                        json::object())
                     .status,
                 404);
        auto bad =
            f.post(path("/api/deployments/" + id + "/create_flow_run"), {{"parameters", "n=3"}});
        QCOMPARE(bad.status, 422);
        QCOMPARE(bad.body.at("detail").at(0).at("loc"), json({"body", "parameters"}));
    }

    void scheduledFlowRunsOldestFirstWithinLimits() {
        ServerFixture f;
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/"),
                        {{"name", "local"}, {"concurrency_limit", 2}})
                     .status,
                 201);
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/"), {{"name", "other"}}).status, 201);
        const std::string id = deploy(f, "local");
        const weft::Micros now = weft::now_us();
        const weft::Micros minute = 60'000'000;
        // Created out of order: due 3, 1 and 2 minutes ago, and one due in an hour.
        std::map<int, std::string> due;
        for (int ago : {3, 1, 2, -60}) {
            auto a = f.post(path("/api/deployments/" + id + "/create_flow_run"),
                            {{"state", scheduled_at(now - ago * minute)}});
            QCOMPARE(a.status, 201);
            due[ago] = a.body.at("id");
        }
        const QString poll = QStringLiteral("/api/work_pools/local/get_scheduled_flow_runs");
        const json before_now = {{"scheduled_before", weft::to_iso(now)}};

        auto oldest = f.post(poll, {{"scheduled_before", weft::to_iso(now)}, {"limit", 1}});
        QCOMPARE(oldest.status, 200);
        QCOMPARE(run_ids(oldest.body), std::vector<std::string>{due[3]});
        QVERIFY(oldest.body.at(0).at("work_pool_id").is_string());
        QVERIFY(oldest.body.at(0).at("work_queue_id").is_string());

        // At most the pool's concurrency limit (2), oldest first; the one not due is left.
        auto two = f.post(poll, {{"scheduled_before", weft::to_iso(now)}, {"worker_name", "w1"}});
        QCOMPARE(run_ids(two.body), (std::vector<std::string>{due[3], due[2]}));
        const auto claimed =
            f.engine().store().read([&](weft::Reader& r) { return r.flow_run(due[3]); });
        QCOMPARE(QString::fromStdString(claimed->placement.worker_name), QStringLiteral("w1"));
        auto all = f.post(poll, json::object());
        QCOMPARE(run_ids(all.body), (std::vector<std::string>{due[3], due[2]}));

        // A run taken (PENDING) holds a slot: one is left, and the next oldest fills it.
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), due[3], {{"type", "PENDING"}}).status,
                 201);
        auto after_claim = f.post(poll, before_now);
        QCOMPARE(run_ids(after_claim.body), std::vector<std::string>{due[2]});
        QCOMPARE(f.get(QStringLiteral("/api/work_pools/local")).body.at("active_slots"), json(1));
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), due[2], {{"type", "PENDING"}}).status,
                 201);
        QCOMPARE(f.post(poll, before_now).body.size(), std::size_t(0)); // the pool is full

        // Other pools see none of them; unknown pools are 404; bad bodies 422.
        QCOMPARE(
            f.post(QStringLiteral("/api/work_pools/other/get_scheduled_flow_runs"), json::object())
                .body.size(),
            std::size_t(0));
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/nowhere/get_scheduled_flow_runs"),
                        json::object())
                     .status,
                 404);
        QCOMPARE(f.post(poll, {{"limit", -1}}).status, 422);
        QCOMPARE(f.post(poll, {{"scheduled_before", "yesterday"}}).status, 422);

        // A paused pool hands out nothing.
        QCOMPARE(
            f.post(QStringLiteral("/api/work_pools/"), {{"name", "paused"}, {"is_paused", true}})
                .status,
            201);
        const std::string flow = f.createFlow("etl");
        auto paused_deployment =
            f.post(QStringLiteral("/api/deployments/"),
                   {{"name", "p"}, {"flow_id", flow}, {"work_pool_name", "paused"}});
        QCOMPARE(paused_deployment.status, 201);
        const std::string pid = paused_deployment.body.at("id");
        QCOMPARE(
            f.post(path("/api/deployments/" + pid + "/create_flow_run"), json::object()).status,
            201);
        auto from_paused = f.post(QStringLiteral("/api/work_pools/paused/get_scheduled_flow_runs"),
                                  json::object());
        QCOMPARE(from_paused.status, 200);
        QCOMPARE(from_paused.body.size(), std::size_t(0));
        QCOMPARE(f.get(QStringLiteral("/api/work_pools/paused")).body.at("status"), json("PAUSED"));
    }

    void retriedRunsGoBackToTheirPool() {
        // A FAILED or CRASHED run of a deployment set to SCHEDULED (AwaitingRetry) over the API is
        // handed to the pool's workers again, when its retry time has come.
        ServerFixture f;
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/"), {{"name", "local"}}).status, 201);
        const std::string id = deploy(f, "local");
        const QString poll = QStringLiteral("/api/work_pools/local/get_scheduled_flow_runs");
        std::vector<std::string> runs;
        for (int i = 0; i < 2; ++i)
            runs.push_back(
                f.post(path("/api/deployments/" + id + "/create_flow_run"), json::object())
                    .body.at("id"));
        QCOMPARE(f.post(poll, {{"worker_name", "w1"}}).body.size(), std::size_t(2));
        const char* ends[] = {"FAILED", "CRASHED"};
        for (int i = 0; i < 2; ++i)
            for (const char* type : {"PENDING", "RUNNING", ends[i]})
                QCOMPARE(
                    f.setState(QStringLiteral("flow_runs"), runs[std::size_t(i)], {{"type", type}})
                        .status,
                    201);
        QCOMPARE(f.post(poll, json::object()).body.size(), std::size_t(0));

        // The failed run, to retry now; the crashed one, in an hour.
        const weft::Micros now = weft::now_us();
        const weft::Micros hour = 3600'000'000;
        auto retry = f.setState(QStringLiteral("flow_runs"), runs[0],
                                {{"type", "SCHEDULED"}, {"name", "AwaitingRetry"}});
        QCOMPARE(retry.status, 201);
        QCOMPARE(retry.body.at("status"), json("ACCEPT"));
        auto later =
            f.setState(QStringLiteral("flow_runs"), runs[1],
                       {{"type", "SCHEDULED"},
                        {"name", "AwaitingRetry"},
                        {"state_details", {{"scheduled_time", weft::to_iso(now + hour)}}}});
        QCOMPARE(later.status, 201);

        auto due_now = f.post(
            poll, {{"scheduled_before", weft::to_iso(weft::now_us())}, {"worker_name", "w2"}});
        QCOMPARE(run_ids(due_now.body), std::vector<std::string>{runs[0]});
        QCOMPARE(due_now.body.at(0).at("flow_run").at("state_name"), json("AwaitingRetry"));
        auto within_two_hours = f.post(poll, {{"scheduled_before", weft::to_iso(now + 2 * hour)}});
        QCOMPARE(run_ids(within_two_hours.body), (std::vector<std::string>{runs[0], runs[1]}));
        auto after_an_hour = f.post(poll, {{"scheduled_after", weft::to_iso(now + hour / 2)}});
        QCOMPARE(run_ids(after_an_hour.body), std::vector<std::string>{runs[1]});
        // The worker that takes it again is the one recorded, and it runs a second time.
        const auto placed =
            f.engine().store().read([&](weft::Reader& r) { return r.flow_run(runs[0]); });
        QCOMPARE(QString::fromStdString(placed->placement.worker_name), QStringLiteral("w2"));
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), runs[0], {{"type", "PENDING"}}).status,
                 201);
        auto rerun = f.setState(QStringLiteral("flow_runs"), runs[0], {{"type", "RUNNING"}});
        QCOMPARE(rerun.status, 201);
        QCOMPARE(f.get(path("/api/flow_runs/" + runs[0])).body.at("run_count"), json(2));
    }
};

QTEST_GUILESS_MAIN(TestServerDeployments)
#include "tst_server_deployments.moc"

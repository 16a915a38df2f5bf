// Records to Prefect's JSON shapes and back: what `weft … --json` and the server write, a client
// (the CLI over WEFT_API_URL, Studio's remote backend) reads into the same records.
#include <weft/deployment_json.hpp>
#include <weft/record_json.hpp>
#include <weft/states.hpp>

#include <QtTest>

using nlohmann::json;

class TestRecordJson : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void flowRunRoundTrips() {
        weft::FlowRunRecord run;
        run.id = "01a24f0b-147f-7000-97a2-abd822fec1bb";
        run.flow_id = "01a24f0b-147f-7000-97a2-abd822fec1bc";
        run.flow_name = "etl";
        run.name = "brave-otter";
        run.state = weft::make_state(weft::StateType::Failed, "Failed", "load failed");
        run.parameters = {{"n", 3}};
        run.tags = {"nightly", "eu"};
        run.parent_task_run_id = "01a24f0b-147f-7000-97a2-abd822fec1bd";
        run.run_count = 2;
        run.max_retries = 1;
        run.retry_delay_s = 2.5;
        run.start_time = 1'780'000'000'000'000;
        run.end_time = *run.start_time + 1'500'000;
        run.total_run_time = 1'250'000;
        run.expected_start_time = *run.start_time - 10;
        run.created = run.updated = run.expected_start_time;
        run.launch.program = "/opt/etl/flow";
        run.process.host = "build-1";
        run.process.pid = 4242;

        const weft::FlowRunRecord back = weft::flow_run_from_json(weft::to_json(run));
        QCOMPARE(back.id, run.id);
        QCOMPARE(back.flow_id, run.flow_id);
        QCOMPARE(back.flow_name, run.flow_name);
        QCOMPARE(back.name, run.name);
        QCOMPARE(back.state.type, weft::StateType::Failed);
        QCOMPARE(back.state.message, std::string("load failed"));
        QCOMPARE(back.state.timestamp, run.state.timestamp);
        QCOMPARE(back.parameters, run.parameters);
        QCOMPARE(back.tags, run.tags);
        QCOMPARE(back.parent_task_run_id, run.parent_task_run_id);
        QCOMPARE(back.run_count, 2);
        QCOMPARE(back.max_retries, 1);
        QCOMPARE(back.retry_delay_s, 2.5);
        QCOMPARE(back.start_time, run.start_time);
        QCOMPARE(back.end_time, run.end_time);
        QCOMPARE(back.total_run_time, run.total_run_time);
        QCOMPARE(back.expected_start_time, run.expected_start_time);
        QCOMPARE(back.launch.program, run.launch.program);
        QCOMPARE(back.process.host, run.process.host);
        QCOMPARE(back.process.pid, run.process.pid);
    }

    void taskRunAndLogRoundTrip() {
        weft::TaskRunRecord t;
        t.id = "01a24f0b-147f-7000-97a2-abd822fec1be";
        t.flow_run_id = "01a24f0b-147f-7000-97a2-abd822fec1bb";
        t.task_key = "load";
        t.dynamic_key = "3";
        t.name = "load-3";
        t.state = weft::make_state(weft::StateType::Completed, "Cached");
        t.task_inputs = {{"rows", {{{"input_type", "task_run"}, {"id", "x"}}}}};
        t.result = {{"rows", 12}};
        t.has_result = true;
        t.cache_key = "k";
        t.cache_expiration = 1'790'000'000'000'000;
        const weft::TaskRunRecord back = weft::task_run_from_json(weft::to_json(t));
        QCOMPARE(back.id, t.id);
        QCOMPARE(back.flow_run_id, t.flow_run_id);
        QCOMPARE(back.task_key, t.task_key);
        QCOMPARE(back.dynamic_key, t.dynamic_key);
        QCOMPARE(back.state.name, std::string("Cached"));
        QCOMPARE(back.task_inputs, t.task_inputs);
        QCOMPARE(back.result, t.result);
        QVERIFY(back.has_result);
        QCOMPARE(back.cache_expiration, t.cache_expiration);

        weft::LogRecord line{
            7, t.flow_run_id, t.id, "etl.load", weft::Warning, 1'780'000'000'000'123, "slow disk"};
        const weft::LogRecord l = weft::log_from_json(weft::to_json(line));
        QCOMPARE(l.id, line.id);
        QCOMPARE(l.task_run_id, line.task_run_id);
        QCOMPARE(l.level, int(weft::Warning));
        QCOMPARE(l.timestamp, line.timestamp);
        QCOMPARE(l.message, line.message);
    }

    // What a Prefect server sends: keys Weft does not know, nulls where Weft has values, UUID log
    // ids. Read without complaint; a wrong type is refused with the field's name.
    void prefectShapesAreReadTolerantly() {
        const json prefect = {{"id", "9c2b5f3e-0000-4000-8000-000000000001"},
                              {"name", "gentle-fox"},
                              {"flow_id", "9c2b5f3e-0000-4000-8000-000000000002"},
                              {"state",
                               {{"type", "RUNNING"},
                                {"name", "Running"},
                                {"id", "9c2b5f3e-0000-4000-8000-000000000003"},
                                {"timestamp", "2026-12-07T10:00:00.123456+00:00"}}},
                              {"empirical_policy", {{"retries", 3}, {"retry_delay", 10}}},
                              {"infrastructure_pid", nullptr},
                              {"work_pool_name", "default"},
                              {"start_time", nullptr},
                              {"tags", json::array()}};
        const auto run = weft::flow_run_from_json(prefect);
        QCOMPARE(run.state.type, weft::StateType::Running);
        QCOMPARE(run.max_retries, 3);
        QCOMPARE(run.retry_delay_s, 10.0);
        QVERIFY(!run.start_time);
        QVERIFY(run.flow_name.empty());
        const auto line = weft::log_from_json(
            {{"id", "9c2b5f3e-0000-4000-8000-000000000004"}, {"message", "hi"}, {"level", 20}});
        QCOMPARE(line.id, std::int64_t(0));
        QCOMPARE(line.message, std::string("hi"));

        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 weft::flow_run_from_json({{"start_time", "yesterday"}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, weft::flow_run_from_json({{"name", 3}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, weft::task_run_from_json(json::array()));
    }

    // A deployment's parameter schema: read as the object it is, null or missing as none, any
    // other type refused.
    void deploymentParameterSchema() {
        const json schema = {{"title", "Parameters"},
                             {"type", "object"},
                             {"properties", {{"n", {{"type", "integer"}, {"position", 0}}}}},
                             {"required", {"n"}}};
        const auto d =
            weft::deployment_from_json({{"name", "nightly"}, {"parameter_openapi_schema", schema}});
        QCOMPARE(d.parameter_openapi_schema, schema);
        QVERIFY(weft::deployment_from_json({{"parameter_openapi_schema", nullptr}})
                    .parameter_openapi_schema.is_null());
        QVERIFY(weft::deployment_from_json(json::object()).parameter_openapi_schema.is_null());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 weft::deployment_from_json({{"parameter_openapi_schema", "x"}}));
    }
};

QTEST_GUILESS_MAIN(TestRecordJson)
#include "tst_recordjson.moc"

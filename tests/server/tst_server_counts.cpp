// Counts and pages over REST: flows/count and task_runs/count agree with their /filter
// endpoints; flow_runs/paginate pages through the same selection; admin/version names the Prefect
// release this server follows.
#include "serverfixture.h"

#include <QtTest>

#include <set>

using nlohmann::json;

class TestServerCounts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void flowAndTaskRunCountsFollowTheirFilters() {
        ServerFixture f;
        const std::string etl = f.createFlow("etl");
        f.createFlow("report");
        const std::string run = f.createFlowRun(etl);
        for (int i = 0; i < 3; ++i) {
            auto t = f.post(
                QStringLiteral("/api/task_runs/"),
                {{"flow_run_id", run}, {"task_key", "step"}, {"dynamic_key", std::to_string(i)}});
            QCOMPARE(t.status, 201);
            if (i == 0)
                QCOMPARE(
                    f.setState(QStringLiteral("task_runs"), t.body.at("id"), {{"type", "RUNNING"}})
                        .status,
                    201);
        }
        QCOMPARE(f.post(QStringLiteral("/api/flows/count"), json::object()).body, json(2));
        QCOMPARE(
            f.post(QStringLiteral("/api/flows/count"), {{"flows", {{"name", {{"any_", {"etl"}}}}}}})
                .body,
            json(1));
        // Flows that have a run: only etl.
        QCOMPARE(
            f.post(QStringLiteral("/api/flows/count"), {{"flow_runs", {{"id", {{"any_", {run}}}}}}})
                .body,
            json(1));
        QCOMPARE(f.post(QStringLiteral("/api/task_runs/count"), json::object()).body, json(3));
        auto running = f.post(QStringLiteral("/api/task_runs/count"),
                              {{"task_runs", {{"state", {{"type", {{"any_", {"RUNNING"}}}}}}}}});
        QCOMPARE(running.status, 200);
        QCOMPARE(running.body, json(1));
        QCOMPARE(
            f.post(QStringLiteral("/api/task_runs/count"), {{"task_runs", {{"nope", 1}}}}).status,
            422);
    }

    void flowRunsPageThroughTheSelection() {
        ServerFixture f;
        const std::string etl = f.createFlow("etl");
        std::set<std::string> created;
        for (int i = 0; i < 5; ++i)
            created.insert(f.createFlowRun(etl, {{"name", "run-" + std::to_string(i)}}));
        std::set<std::string> seen;
        for (int page = 1; page <= 3; ++page) {
            auto p = f.post(QStringLiteral("/api/flow_runs/paginate"),
                            {{"page", page}, {"limit", 2}, {"sort", "NAME_ASC"}});
            QCOMPARE(p.status, 200);
            QCOMPARE(p.body.at("count"), json(5));
            QCOMPARE(p.body.at("pages"), json(3));
            QCOMPARE(p.body.at("page"), json(page));
            QCOMPARE(p.body.at("results").size(), size_t(page < 3 ? 2 : 1));
            if (page == 1) QCOMPARE(p.body.at("results")[0].at("name"), json("run-0"));
            for (const auto& r : p.body.at("results"))
                seen.insert(r.at("id").get<std::string>());
        }
        QCOMPARE(seen, created);
        QCOMPARE(f.post(QStringLiteral("/api/flow_runs/paginate"), {{"page", 0}}).status, 422);
        QCOMPARE(f.post(QStringLiteral("/api/flow_runs/paginate"), {{"limit", 201}}).status, 422);
    }

    void adminVersionIsAPrefectThreeRelease() {
        ServerFixture f;
        auto v = f.get(QStringLiteral("/api/admin/version"));
        QCOMPARE(v.status, 200);
        QVERIFY2(v.body.is_string() && v.body.get<std::string>().rfind("3.", 0) == 0,
                 v.text().c_str());
    }
};

QTEST_GUILESS_MAIN(TestServerCounts)
#include "tst_server_counts.moc"

// Tag concurrency limits over REST (Prefect's concurrency_limits): created (201), changed (200),
// read by tag with the task runs holding its slots, filtered by tag, deleted (404 after); bad
// bodies are 422 naming the field.
#include "serverfixture.h"

#include <QtTest>

using nlohmann::json;

class TestServerConcurrency : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void limitsByTag() {
        ServerFixture f;
        auto created = f.post(QStringLiteral("/api/concurrency_limits/"),
                              {{"tag", "db"}, {"concurrency_limit", 2}});
        QCOMPARE(created.status, 201);
        QCOMPARE(created.body.at("tag"), json("db"));
        QCOMPARE(created.body.at("concurrency_limit"), json(2));
        QCOMPARE(created.body.at("active_slots"), json::array());
        auto changed = f.post(QStringLiteral("/api/concurrency_limits/"),
                              {{"tag", "db"}, {"concurrency_limit", 3}});
        QCOMPARE(changed.status, 200);
        QCOMPARE(changed.body.at("id"), created.body.at("id"));
        QCOMPARE(f.post(QStringLiteral("/api/concurrency_limits/"),
                        {{"tag", "api"}, {"concurrency_limit", 1}})
                     .status,
                 201);

        // A task run holding a slot of "db" is listed.
        const std::string task = "0190c0de-0000-7000-8000-000000000001";
        const std::string run = "0190c0de-0000-7000-8000-000000000002";
        const std::string full = f.engine()
                                     .store()
                                     .transact<std::string>([&](weft::Txn& txn) {
                                         return txn.acquire_slots({"db"}, task, run);
                                     })
                                     .get();
        QCOMPARE(QString::fromStdString(full), QString());
        auto read = f.get(QStringLiteral("/api/concurrency_limits/tag/db"));
        QCOMPARE(read.status, 200);
        QCOMPARE(read.body.at("concurrency_limit"), json(3));
        QCOMPARE(read.body.at("active_slots"), json({task}));

        auto all = f.post(QStringLiteral("/api/concurrency_limits/filter"), json::object());
        QCOMPARE(all.status, 200);
        QCOMPARE(all.body.size(), std::size_t(2));
        QCOMPARE(all.body.at(0).at("tag"), json("api")); // by tag
        QCOMPARE(
            f.post(QStringLiteral("/api/concurrency_limits/filter"), {{"offset", 1}, {"limit", 5}})
                .body.size(),
            std::size_t(1));

        QCOMPARE(f.send("DELETE", QStringLiteral("/api/concurrency_limits/tag/db")).status, 200);
        QCOMPARE(f.send("DELETE", QStringLiteral("/api/concurrency_limits/tag/db")).status, 404);
        auto gone = f.get(QStringLiteral("/api/concurrency_limits/tag/db"));
        QCOMPARE(gone.status, 404);
        QCOMPARE(gone.body, json({{"detail", "Concurrency limit not found"}}));

        auto no_tag =
            f.post(QStringLiteral("/api/concurrency_limits/"), {{"concurrency_limit", 1}});
        QCOMPARE(no_tag.status, 422);
        QCOMPARE(no_tag.body.at("detail").at(0).at("loc"), json({"body", "tag"}));
        QCOMPARE(f.post(QStringLiteral("/api/concurrency_limits/"),
                        {{"tag", "x"}, {"concurrency_limit", -1}})
                     .status,
                 422);
        QCOMPARE(f.post(QStringLiteral("/api/concurrency_limits/filter"), {{"limit", 500}}).status,
                 422);
    }
};

QTEST_GUILESS_MAIN(TestServerConcurrency)
#include "tst_server_concurrency.moc"

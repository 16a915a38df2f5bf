// Caching: a completed task run's result is reused by later runs with the same cache key (COMPLETED
// named "Cached", the function not called) until it expires; keys made of inputs, versions, key
// functions and their combinations.
#include "sdktest.hpp"

#include <QTest>

#include <atomic>

using namespace sdktest;

namespace {

std::string g_flow_run_id;

// Runs `t(args…)` as the only call of a new flow run; returns its result.
template<class T, class... A> auto in_flow(const T& t, A... args) {
    auto f = weft::flow("cache_flow", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        return t(args...);
    });
    return f();
}

// A value without a JSON form.
struct Opaque {
    int value = 0;
};

struct Case {
    weft::CachePolicy policy;
    std::string task_key;
    nlohmann::json params;
    nlohmann::json flow_params;
    std::string run_id;
};

} // namespace

Q_DECLARE_METATYPE(Case)

class TestCache : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(use_fresh_database(m_dir)); }
    void sameInputsAreCached();
    void cachedRunRecordsItsSource();
    void expiredEntryRunsAgain();
    void versionedPolicy();
    void keyFunction();
    void unpersistedResultsAreNotCached();
    void repeatedCallInOneFlowRun();
    void opaqueInputsAreNotCached();
    void voidTaskIsCached();
    void computeIsStable();
    void computeDistinguishes_data();
    void computeDistinguishes();

private:
    QTemporaryDir m_dir;
};

void TestCache::sameInputsAreCached() {
    std::atomic<int> calls{0};
    auto sq = weft::task("cached_square", [&](int x) {
                  ++calls;
                  return x * x;
              }).cache(weft::CachePolicy::inputs());
    QCOMPARE(in_flow(sq, 3), 9);
    QCOMPARE(calls.load(), 1);
    const auto first = task_runs(g_flow_run_id).at(0);
    QCOMPARE(qs(first.state.name), QStringLiteral("Completed"));
    QVERIFY(!first.cache_key.empty());
    QVERIFY(!first.cache_expiration); // no expiration set: valid for ever

    QCOMPARE(in_flow(sq, 3), 9);
    QCOMPARE(calls.load(), 1); // not executed
    const auto second = task_runs(g_flow_run_id).at(0);
    QVERIFY(second.id != first.id);
    QCOMPARE(second.state.type, weft::StateType::Completed);
    QCOMPARE(qs(second.state.name), QStringLiteral("Cached"));
    QCOMPARE(qs(second.cache_key), qs(first.cache_key));
    QCOMPARE(js(second.result), QStringLiteral("9"));
    QCOMPARE(second.run_count, 0);
    QCOMPARE(history_names(second.id),
             QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("COMPLETED/Cached")}));

    // Different inputs: a different key, a real run.
    QCOMPARE(in_flow(sq, 4), 16);
    QCOMPARE(calls.load(), 2);
    const auto third = task_runs(g_flow_run_id).at(0);
    QCOMPARE(qs(third.state.name), QStringLiteral("Completed"));
    QVERIFY(third.cache_key != first.cache_key);
}

void TestCache::cachedRunRecordsItsSource() {
    auto t = weft::task("cached_text", [](std::string s) {
                 return s + s;
             }).cache(weft::CachePolicy::inputs());
    QCOMPARE(in_flow(t, std::string("ab")), std::string("abab"));
    const auto source = task_runs(g_flow_run_id).at(0);
    QCOMPARE(in_flow(t, std::string("ab")), std::string("abab"));
    const auto hit = task_runs(g_flow_run_id).at(0);
    QCOMPARE(qs(hit.state.name), QStringLiteral("Cached"));
    QVERIFY2(hit.state.message.find(source.id) != std::string::npos, hit.state.message.c_str());
    QCOMPARE(qs(hit.state.details.value("cache_key", "")), qs(source.cache_key));
    // The flow run that used the cache completed normally.
    QCOMPARE(flow_run(g_flow_run_id).state.type, weft::StateType::Completed);
}

void TestCache::expiredEntryRunsAgain() {
    std::atomic<int> calls{0};
    auto body = [&](int x) {
        ++calls;
        return x + 1;
    };
    auto lasting =
        weft::task("lasting", body).cache(weft::CachePolicy::inputs()).cache_expiration(3600);
    auto fleeting =
        weft::task("fleeting", body).cache(weft::CachePolicy::inputs()).cache_expiration(0.2);

    QCOMPARE(in_flow(lasting, 1), 2);
    const auto lasting_run = task_runs(g_flow_run_id).at(0);
    QVERIFY(lasting_run.cache_expiration);
    QVERIFY(*lasting_run.cache_expiration - *lasting_run.end_time > weft::from_seconds(3500));
    QCOMPARE(in_flow(fleeting, 1), 2);
    const auto fleeting_run = task_runs(g_flow_run_id).at(0);
    QVERIFY(fleeting_run.cache_expiration);
    const auto expires = *fleeting_run.cache_expiration;
    const double lifetime = weft::to_seconds(expires - *fleeting_run.end_time);
    QVERIFY2(lifetime >= 0.19 && lifetime < 0.5, qPrintable(QString::number(lifetime)));
    QCOMPARE(calls.load(), 2);

    // Wait for the wall clock to pass the short expiration.
    QTRY_VERIFY_WITH_TIMEOUT(weft::now_us() > expires, 5000);
    QCOMPARE(in_flow(lasting, 1), 2);
    QCOMPARE(qs(task_runs(g_flow_run_id).at(0).state.name), QStringLiteral("Cached"));
    QCOMPARE(calls.load(), 2);
    QCOMPARE(in_flow(fleeting, 1), 2);
    QCOMPARE(qs(task_runs(g_flow_run_id).at(0).state.name), QStringLiteral("Completed"));
    QCOMPARE(calls.load(), 3);
}

void TestCache::versionedPolicy() {
    std::atomic<int> calls{0};
    auto body = [&](int x) {
        ++calls;
        return x * 100 + calls.load();
    };
    using weft::CachePolicy;
    auto v1 =
        weft::task("versioned", body).cache(CachePolicy::inputs() + CachePolicy::version("1"));
    auto v2 =
        weft::task("versioned", body).cache(CachePolicy::inputs() + CachePolicy::version("2"));
    QCOMPARE(in_flow(v1, 5), 501);
    QCOMPARE(in_flow(v1, 5), 501); // cached
    QCOMPARE(in_flow(v2, 5), 502); // a new version runs
    QCOMPARE(in_flow(v2, 5), 502);
    QCOMPARE(in_flow(v1, 5), 501); // the old version's entry is still there
    QCOMPARE(calls.load(), 2);

    // A version alone ignores the inputs.
    auto only_version = weft::task("version_only", body).cache(CachePolicy::version("x"));
    QCOMPARE(in_flow(only_version, 1), 103);
    QCOMPARE(in_flow(only_version, 2), 103);
    QCOMPARE(calls.load(), 3);
}

void TestCache::keyFunction() {
    std::atomic<int> calls{0};
    auto initial = weft::task("initial",
                              [&](std::string word) {
                                  ++calls;
                                  return word;
                              })
                       .params({"word"})
                       .cache(weft::CachePolicy::key([](const nlohmann::json& p) {
                           return p.at("word").get<std::string>().substr(0, 1);
                       }));
    QCOMPARE(in_flow(initial, std::string("apple")), std::string("apple"));
    QCOMPARE(in_flow(initial, std::string("avocado")), std::string("apple")); // same key: cached
    QCOMPARE(in_flow(initial, std::string("banana")), std::string("banana"));
    QCOMPARE(calls.load(), 2);
}

void TestCache::unpersistedResultsAreNotCached() {
    std::atomic<int> calls{0};
    auto t = weft::task("unpersisted",
                        [&](int x) {
                            ++calls;
                            return x;
                        })
                 .cache(weft::CachePolicy::inputs())
                 .persist_result(false);
    QCOMPARE(in_flow(t, 1), 1);
    const auto run = task_runs(g_flow_run_id).at(0);
    QVERIFY(!run.has_result);
    QVERIFY(run.result.is_null());
    QCOMPARE(in_flow(t, 1), 1);
    QCOMPARE(calls.load(), 2); // nothing to reuse
}

void TestCache::repeatedCallInOneFlowRun() {
    // The second call finds the first one's result although nothing reached the database yet:
    // the store's writer is held while both calls run.
    std::atomic<int> calls{0};
    auto add_one = weft::task("add_one", [&](int x) {
                       ++calls;
                       return x + 1;
                   }).cache(weft::CachePolicy::inputs());
    Gate writer_may_go;
    auto f = weft::flow("repeat_flow", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        store().transact<void>([&](weft::Txn&) { writer_may_go.wait(); });
        struct Release {
            Gate& gate;
            ~Release() { gate.open(); }
        } release{writer_may_go};
        const int a = add_one(1);
        const int b = add_one(1);
        return a * 10 + b;
    });
    QCOMPARE(f(), 22);
    QCOMPARE(calls.load(), 1);
    const auto runs = task_runs(g_flow_run_id, "add_one");
    QCOMPARE(runs.size(), size_t(2));
    QCOMPARE(qs(runs.at(0).state.name), QStringLiteral("Completed"));
    QCOMPARE(qs(runs.at(1).state.name), QStringLiteral("Cached"));
    QCOMPARE(js(runs.at(1).result), QStringLiteral("2"));
}

void TestCache::opaqueInputsAreNotCached() {
    // Inputs without a JSON form cannot be keyed: such a call is not cached, rather than being
    // keyed by a placeholder that every other value shares.
    std::atomic<int> calls{0};
    auto body = [&](Opaque o) {
        ++calls;
        return o.value;
    };
    auto by_inputs = weft::task("opaque_inputs", body).cache(weft::CachePolicy::inputs());
    QCOMPARE(in_flow(by_inputs, Opaque{1}), 1);
    QVERIFY(task_runs(g_flow_run_id).at(0).cache_key.empty());
    QCOMPARE(in_flow(by_inputs, Opaque{21}), 21);
    QCOMPARE(in_flow(by_inputs, Opaque{21}), 21);
    QCOMPARE(calls.load(), 3);

    // A key that does not use the inputs is unaffected.
    auto by_version = weft::task("opaque_version", body).cache(weft::CachePolicy::version("1"));
    QCOMPARE(in_flow(by_version, Opaque{1}), 1);
    QCOMPARE(in_flow(by_version, Opaque{21}), 1);
    QCOMPARE(calls.load(), 4);
}

void TestCache::voidTaskIsCached() {
    std::atomic<int> calls{0};
    auto touch = weft::task("touch", [&](int) { ++calls; }).cache(weft::CachePolicy::inputs());
    in_flow(touch, 1);
    const auto first = task_runs(g_flow_run_id).at(0);
    QCOMPARE(qs(first.state.name), QStringLiteral("Completed"));
    QVERIFY(first.has_result);
    in_flow(touch, 1);
    QCOMPARE(calls.load(), 1);
    QCOMPARE(qs(task_runs(g_flow_run_id).at(0).state.name), QStringLiteral("Cached"));
    in_flow(touch, 2);
    QCOMPARE(calls.load(), 2);
}

void TestCache::computeIsStable() {
    using weft::CachePolicy;
    const auto policy = CachePolicy::inputs() + CachePolicy::version("3")
                        + CachePolicy::key([](const nlohmann::json& p) { return p.dump(); });
    const nlohmann::json params{{"a", 1}, {"b", {1, 2}}};
    const std::string key = policy.compute("t", params, {{"p", 1}}, "run-1");
    QCOMPARE(key.size(), size_t(32)); // 128-bit hex
    for (int i = 0; i < 5; ++i)
        QCOMPARE(qs(policy.compute("t", params, {{"p", 1}}, "run-1")), qs(key));
    // A copy of the policy computes the same key; so does the same policy built again.
    const auto copy = policy;
    QCOMPARE(qs(copy.compute("t", params, {{"p", 1}}, "run-1")), qs(key));
    // No parts: no key, so no caching.
    QCOMPARE(qs(weft::CachePolicy().compute("t", params, {}, "r")), QString());
}

void TestCache::computeDistinguishes_data() {
    using weft::CachePolicy;
    QTest::addColumn<Case>("a");
    QTest::addColumn<Case>("b");
    QTest::addColumn<bool>("same");

    const nlohmann::json p1{{"x", 1}};
    const nlohmann::json p2{{"x", 2}};
    const auto in = CachePolicy::inputs();
    const auto fp = CachePolicy::flow_parameters();
    const auto rid = CachePolicy::run_id();
    const auto first_x =
        CachePolicy::key([](const nlohmann::json& p) { return p.dump().substr(0, 4); });

    QTest::addRow("inputs: same") << Case{in, "t", p1, {}, "r"} << Case{in, "t", p1, {}, "s"}
                                  << true;
    QTest::addRow("inputs: differ")
        << Case{in, "t", p1, {}, "r"} << Case{in, "t", p2, {}, "r"} << false;
    QTest::addRow("task name") << Case{in, "t", p1, {}, "r"} << Case{in, "u", p1, {}, "r"} << false;
    QTest::addRow("inputs vs flow parameters")
        << Case{in, "t", p1, p1, "r"} << Case{fp, "t", p1, p1, "r"} << false;
    QTest::addRow("flow parameters: same")
        << Case{fp, "t", p1, p1, "r"} << Case{fp, "t", p2, p1, "s"} << true;
    QTest::addRow("flow parameters: differ")
        << Case{fp, "t", p1, p1, "r"} << Case{fp, "t", p1, p2, "r"} << false;
    QTest::addRow("run id: same") << Case{rid, "t", p1, {}, "r"} << Case{rid, "t", p2, {}, "r"}
                                  << true;
    QTest::addRow("run id: differ")
        << Case{rid, "t", p1, {}, "r"} << Case{rid, "t", p1, {}, "s"} << false;
    QTest::addRow("version: same") << Case{CachePolicy::version("1"), "t", p1, {}, "r"}
                                   << Case{CachePolicy::version("1"), "t", p2, {}, "s"} << true;
    QTest::addRow("version: differ") << Case{CachePolicy::version("1"), "t", p1, {}, "r"}
                                     << Case{CachePolicy::version("2"), "t", p1, {}, "r"} << false;
    QTest::addRow("version vs inputs")
        << Case{CachePolicy::version("1"), "t", p1, {}, "r"} << Case{in, "t", p1, {}, "r"} << false;
    QTest::addRow("key fn: same key")
        << Case{first_x, "t", p1, {}, "r"} << Case{first_x, "t", p2, {}, "s"} << true;
    QTest::addRow("inputs + version vs inputs")
        << Case{in + CachePolicy::version("1"), "t", p1, {}, "r"} << Case{in, "t", p1, {}, "r"}
        << false;
    QTest::addRow("+ is symmetric")
        << Case{in + CachePolicy::version("1"), "t", p1, {}, "r"}
        << Case{CachePolicy::version("1") + in, "t", p1, {}, "r"} << true;
    QTest::addRow("+ adds the run id")
        << Case{in + rid, "t", p1, {}, "r"} << Case{in + rid, "t", p1, {}, "s"} << false;
    QTest::addRow("+ with itself changes nothing")
        << Case{in + in, "t", p1, {}, "r"} << Case{in, "t", p1, {}, "r"} << true;
    QTest::addRow("two versions vs one")
        << Case{CachePolicy::version("1") + CachePolicy::version("2"), "t", p1, {}, "r"}
        << Case{CachePolicy::version("1"), "t", p1, {}, "r"} << false;
}

void TestCache::computeDistinguishes() {
    QFETCH(Case, a);
    QFETCH(Case, b);
    QFETCH(bool, same);
    const std::string ka = a.policy.compute(a.task_key, a.params, a.flow_params, a.run_id);
    const std::string kb = b.policy.compute(b.task_key, b.params, b.flow_params, b.run_id);
    QVERIFY(!ka.empty() && !kb.empty());
    QCOMPARE(ka == kb, same);
}

QTEST_GUILESS_MAIN(TestCache)
#include "tst_cache.moc"

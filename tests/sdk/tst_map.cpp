// Task::map: sequences among the arguments are mapped together (zip, equal lengths checked before
// anything is submitted), weft::unmapped() passes a sequence whole to every run, and futures are
// mapped over like values.
#include "sdktest.hpp"

#include <QTest>

#include <list>
#include <stdexcept>

using namespace sdktest;

namespace {

std::string g_flow_run_id;

auto add = weft::task("add", [](int a, int b) { return a + b; }).params({"a", "b"});
auto square = weft::task("square", [](int x) { return x * x; }).params({"x"});
auto count_in = weft::task("count_in", [](int x, const std::vector<int>& v) {
                    return int(std::count(v.begin(), v.end(), x));
                }).params({"x", "values"});
auto label = weft::task("label", [](const std::string& prefix, int i) {
                 return prefix + std::to_string(i);
             }).params({"prefix", "i"});

template<class T> std::vector<T> results(const std::vector<weft::Future<T>>& futures) {
    std::vector<T> out;
    for (const auto& f : futures)
        out.push_back(f.result());
    return out;
}

nlohmann::json edge(const std::string& id) {
    return nlohmann::json::array({nlohmann::json{{"input_type", "task_run"}, {"id", id}}});
}

} // namespace

class TestMap : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void zipsSequences();
    void unmappedPassesWhole();
    void textIsOneValue();
    void unequalLengthsThrowBeforeSubmitting();
    void mapsOverFutures();
    void mapWithWaitFor();

private:
    QTemporaryDir m_dir;
};

void TestMap::initTestCase() {
    QVERIFY(use_fresh_database(m_dir));
}

void TestMap::zipsSequences() {
    auto f = weft::flow("zips", [] {
        g_flow_run_id = weft::current_flow_run_id();
        // Any forward range: a list beside a vector.
        return results(add.map(std::vector<int>{1, 2, 3}, std::list<int>{10, 20, 30}));
    });
    QCOMPARE(f(), (std::vector<int>{11, 22, 33}));
    const auto runs = task_runs(g_flow_run_id, "add");
    QCOMPARE(runs.size(), size_t(3));
    QCOMPARE(js(runs[1].parameters), js({{"a", 2}, {"b", 20}}));
}

void TestMap::unmappedPassesWhole() {
    const std::vector<int> values{1, 2, 2, 3, 3, 3};
    auto f = weft::flow("unmapped", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        return results(count_in.map(std::vector<int>{1, 2, 3, 4}, weft::unmapped(values)));
    });
    QCOMPARE(f(), (std::vector<int>{1, 2, 3, 0}));
    const auto runs = task_runs(g_flow_run_id, "count_in");
    QCOMPARE(runs.size(), size_t(4));
    QCOMPARE(js(runs[3].parameters), js({{"x", 4}, {"values", values}}));
}

void TestMap::textIsOneValue() {
    // A string is a constant, not a sequence of characters; a plain number is a constant too.
    auto f = weft::flow("text_constant", [] {
        auto labels = results(label.map(std::string("run-"), std::vector<int>{1, 2}));
        auto sums = results(add.map(std::vector<int>{1, 2}, 100));
        labels.push_back(std::to_string(sums[0] + sums[1]));
        return labels;
    });
    QCOMPARE(f(), (std::vector<std::string>{"run-1", "run-2", "203"}));
}

void TestMap::unequalLengthsThrowBeforeSubmitting() {
    std::string message;
    auto f = weft::flow("unequal", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        try {
            add.map(std::vector<int>{1, 2, 3}, std::vector<int>{1, 2});
        } catch (const std::invalid_argument& e) {
            message = e.what();
        }
    });
    f();
    QVERIFY2(message.find("a: 3, b: 2") != std::string::npos, message.c_str());
    QVERIFY2(message.find("weft::unmapped()") != std::string::npos, message.c_str());
    QVERIFY(task_runs(g_flow_run_id).empty());
}

void TestMap::mapsOverFutures() {
    // A sequence of futures is mapped (run i waits for future i: an edge each); a single future
    // is a constant, an edge into every run.
    std::vector<std::string> up_ids;
    std::string base_id;
    auto f = weft::flow("maps_futures", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto squares = square.map(std::vector<int>{1, 2, 3});
        for (const auto& s : squares)
            up_ids.push_back(s.task_run_id());
        auto base = square.submit(10);
        base_id = base.task_run_id();
        return results(add.map(squares, base));
    });
    QCOMPARE(f(), (std::vector<int>{101, 104, 109}));
    const auto runs = task_runs(g_flow_run_id, "add");
    QCOMPARE(runs.size(), size_t(3));
    for (size_t i = 0; i < 3; ++i)
        QCOMPARE(js(runs[i].task_inputs), js({{"a", edge(up_ids[i])}, {"b", edge(base_id)}}));
}

void TestMap::mapWithWaitFor() {
    std::string first_id;
    auto f = weft::flow("map_waits_for", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto first = square.submit(5);
        first_id = first.task_run_id();
        return results(square.map(std::vector<int>{1, 2}, weft::wait_for(first)));
    });
    QCOMPARE(f(), (std::vector<int>{1, 4}));
    const auto runs = task_runs(g_flow_run_id, "square");
    QCOMPARE(runs.size(), size_t(3));
    for (size_t i = 1; i < 3; ++i) {
        QCOMPARE(js(runs[i].task_inputs["wait_for"]), js(edge(first_id)));
        QVERIFY(*runs[i].start_time >= *runs[0].end_time);
    }
}

QTEST_GUILESS_MAIN(TestMap)
#include "tst_map.moc"

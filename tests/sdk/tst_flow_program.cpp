// The flow program's command line (weft::main): run with parameters as JSON or text, list, rerun,
// and exit codes 0 (completed), 1 (not completed) and 2 (usage errors); also as a real process.
#include "sdktest.hpp"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QTemporaryFile>
#include <QTest>

#include <cstdio>
#include <iostream>
#include <optional>
#include <unistd.h>

using namespace sdktest;

namespace {

std::atomic<bool> g_fixed{false};

auto greet = weft::flow("greet", [](std::string name) { return "hello " + name; })
                 .params({"name"})
                 .defaults({{"name", "world"}})
                 .description("Says hello");
auto sum = weft::flow("sum", [](int a, int b) { return a + b; }).params({"a", "b"});
auto total = weft::flow("total", [](std::vector<int> xs) {
                 int t = 0;
                 for (int x : xs)
                     t += x;
                 return t;
             }).params({"xs"});
auto scale = weft::flow("scale", [](double x, bool twice) {
                 return twice ? 2 * x : x;
             }).params({"x", "twice"});
auto maybe = weft::flow("maybe", [](std::optional<int> limit) {
                 return limit.value_or(-1);
             }).params({"limit"});
auto fails = weft::flow("fails", [] {
    if (!g_fixed) throw std::runtime_error("not fixed yet");
    return 1;
});

struct Ran {
    int code = -1;
    QString out;
    QString err;
};

QString read_all(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll());
}

// Runs weft::main in this process with stdout and stderr captured.
Ran run_main(const QStringList& args) {
    std::vector<std::string> words{"flowprog"};
    for (const auto& a : args)
        words.push_back(a.toStdString());
    std::vector<char*> argv;
    for (auto& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);

    QTemporaryFile out, err;
    if (!out.open() || !err.open()) return {};
    std::cout.flush();
    std::fflush(stdout);
    std::fflush(stderr);
    const int saved_out = dup(1), saved_err = dup(2);
    dup2(out.handle(), 1);
    dup2(err.handle(), 2);
    Ran r;
    r.code = weft::main(int(words.size()), argv.data(), {greet, sum, total, scale, fails, maybe});
    std::cout.flush();
    std::fflush(stdout);
    std::fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    r.out = read_all(out.fileName());
    r.err = read_all(err.fileName());
    return r;
}

// JSON compared as its text (QTest cannot show nlohmann::json).
#define QCOMPARE_JSON(actual, expected)                                                            \
    QCOMPARE(QString::fromStdString(nlohmann::json(actual).dump()),                                \
             QString::fromStdString(nlohmann::json(expected).dump()))

std::int64_t flow_run_count() {
    return store().read([](weft::Reader& r) { return r.count_flow_runs({}); });
}

} // namespace

class TestFlowProgram : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(use_fresh_database(m_dir)); }
    void runCommand_data();
    void runCommand();
    void usageErrors_data();
    void usageErrors();
    void list();
    void listJson();
    void rerun();
    void separateProcess();

private:
    QTemporaryDir m_dir;
};

void TestFlowProgram::runCommand_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("flow");
    QTest::addColumn<QString>("parameters");
    QTest::addColumn<QString>("result");
    auto L = [](std::initializer_list<const char*> words) {
        QStringList out;
        for (const char* w : words)
            out << QString::fromUtf8(w);
        return out;
    };
    QTest::addRow("JSON values") << L({"run", "sum", "--param", "a=1", "--param", "b=2"}) << 0
                                 << QStringLiteral("sum") << QStringLiteral(R"({"a":1,"b":2})")
                                 << QStringLiteral("3");
    QTest::addRow("short option") << L({"run", "sum", "-p", "a=-4", "-p", "b=10"}) << 0
                                  << QStringLiteral("sum") << QStringLiteral(R"({"a":-4,"b":10})")
                                  << QStringLiteral("6");
    QTest::addRow("plain string") << L({"run", "greet", "--param", "name=Ada Lovelace"}) << 0
                                  << QStringLiteral("greet")
                                  << QStringLiteral(R"({"name":"Ada Lovelace"})")
                                  << QStringLiteral(R"("hello Ada Lovelace")");
    QTest::addRow("JSON string") << L({"run", "greet", "--param", R"(name="7")"}) << 0
                                 << QStringLiteral("greet") << QStringLiteral(R"({"name":"7"})")
                                 << QStringLiteral(R"("hello 7")");
    QTest::addRow("digits for a string")
        << L({"run", "greet", "--param", "name=42"}) << 0 << QStringLiteral("greet")
        << QStringLiteral(R"({"name":"42"})") << QStringLiteral(R"("hello 42")");
    QTest::addRow("default") << L({"run", "greet"}) << 0 << QStringLiteral("greet")
                             << QStringLiteral(R"({"name":"world"})")
                             << QStringLiteral(R"("hello world")");
    QTest::addRow("first flow") << L({}) << 0 << QStringLiteral("greet")
                                << QStringLiteral(R"({"name":"world"})")
                                << QStringLiteral(R"("hello world")");
    QTest::addRow("JSON array") << L({"run", "total", "--param", "xs=[1,2,3]"}) << 0
                                << QStringLiteral("total") << QStringLiteral(R"({"xs":[1,2,3]})")
                                << QStringLiteral("6");
    QTest::addRow("params-json") << L({"run", "sum", "--params-json", R"({"a":2,"b":3})"}) << 0
                                 << QStringLiteral("sum") << QStringLiteral(R"({"a":2,"b":3})")
                                 << QStringLiteral("5");
    QTest::addRow("param beats params-json")
        << L({"run", "sum", "--params-json", R"({"a":2,"b":3})", "--param", "b=30"}) << 0
        << QStringLiteral("sum") << QStringLiteral(R"({"a":2,"b":30})") << QStringLiteral("32");
    QTest::addRow("whole float for an integer")
        << L({"run", "sum", "--param", "a=2.0", "--param", "b=1"}) << 0 << QStringLiteral("sum")
        << QStringLiteral(R"({"a":2,"b":1})") << QStringLiteral("3");
    QTest::addRow("double and bool")
        << L({"run", "scale", "--param", "x=1.5", "--param", "twice=true"}) << 0
        << QStringLiteral("scale") << QStringLiteral(R"({"twice":true,"x":1.5})")
        << QStringLiteral("3.0");
    // An optional parameter may be left out (null), as its schema says.
    QTest::addRow("optional left out")
        << L({"run", "maybe"}) << 0 << QStringLiteral("maybe")
        << QStringLiteral(R"({"limit":null})") << QStringLiteral("-1");
    QTest::addRow("optional given")
        << L({"run", "maybe", "--param", "limit=7"}) << 0 << QStringLiteral("maybe")
        << QStringLiteral(R"({"limit":7})") << QStringLiteral("7");
    QTest::addRow("optional null")
        << L({"run", "maybe", "--params-json", R"({"limit":null})"}) << 0 << QStringLiteral("maybe")
        << QStringLiteral(R"({"limit":null})") << QStringLiteral("-1");
    QTest::addRow("failed run") << L({"run", "fails"}) << 1 << QStringLiteral("fails")
                                << QStringLiteral("{}") << QStringLiteral("null");
}

void TestFlowProgram::runCommand() {
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, flow);
    QFETCH(QString, parameters);
    QFETCH(QString, result);
    const auto before = flow_run_count();
    const Ran r = run_main(args);
    QVERIFY2(r.code == code, qPrintable(r.err));
    QCOMPARE(flow_run_count(), before + 1);
    const auto run = latest_flow_run(flow.toStdString());
    QCOMPARE(js(run.parameters), parameters);
    QCOMPARE(js(run.result), result);
    QCOMPARE(run.state.type, code == 0 ? weft::StateType::Completed : weft::StateType::Failed);
}

void TestFlowProgram::usageErrors_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message"); // part of what stderr says
    auto L = [](std::initializer_list<const char*> words) {
        QStringList out;
        for (const char* w : words)
            out << QString::fromUtf8(w);
        return out;
    };
    QTest::addRow("unknown flow") << L({"run", "nope"}) << QStringLiteral("no flow named 'nope'");
    QTest::addRow("missing parameter")
        << L({"run", "sum", "--param", "a=1"}) << QStringLiteral("missing parameter 'b'");
    QTest::addRow("wrong type") << L({"run", "sum", "--param", "a=one", "--param", "b=1"})
                                << QStringLiteral("parameter 'a'");
    // Values that do not fit the parameter's type name the parameter and say what it takes,
    // instead of storing a wrapped-around number or printing the JSON library's error.
    QTest::addRow("integer too big")
        << L({"run", "sum", "--param", "a=99999999999999999999999", "--param", "b=1"})
        << QStringLiteral(
               "parameter 'a' of flow sum: expected an integer from -2147483648 to 2147483647, "
               "got 1e+23");
    QTest::addRow("integer too small")
        << L({"run", "sum", "--param", "a=-2147483649", "--param", "b=1"})
        << QStringLiteral("parameter 'a' of flow sum: expected an integer from -2147483648");
    QTest::addRow("text for an integer")
        << L({"run", "sum", "--param", "a=abc", "--param", "b=1"})
        << QStringLiteral("parameter 'a' of flow sum: expected an integer from -2147483648 to "
                          "2147483647, got \"abc\"");
    QTest::addRow("fraction for an integer")
        << L({"run", "sum", "--param", "a=2.5", "--param", "b=1"})
        << QStringLiteral("parameter 'a' of flow sum: expected an integer");
    QTest::addRow("number for a bool")
        << L({"run", "scale", "--param", "x=1", "--param", "twice=1"})
        << QStringLiteral("parameter 'twice' of flow scale: expected true or false, got 1");
    QTest::addRow("text for a double")
        << L({"run", "scale", "--param", "x=big", "--param", "twice=false"})
        << QStringLiteral("parameter 'x' of flow scale: expected a number, got \"big\"");
    QTest::addRow("text for a list")
        << L({"run", "total", "--param", "xs=abc"})
        << QStringLiteral("parameter 'xs' of flow total: \"abc\" does not fit its type");
    QTest::addRow("text for an optional integer")
        << L({"run", "maybe", "--param", "limit=many"})
        << QStringLiteral("parameter 'limit' of flow maybe: expected an integer");
    QTest::addRow("list for a string") << L({"run", "greet", "--param", "name=[1]"})
                                       << QStringLiteral("parameter 'name' of flow greet: expected "
                                                         "text, got [1]");
    QTest::addRow("unknown parameter")
        << L({"run", "sum", "--param", "a=1", "--param", "b=2", "--param", "m=5"})
        << QStringLiteral("flow sum has no parameter 'm'; its parameters are a, b");
    QTest::addRow("unknown in params-json")
        << L({"run", "greet", "--params-json", R"({"nam":"Ada"})"})
        << QStringLiteral("flow greet has no parameter 'nam'; its parameters are name");
    QTest::addRow("parameter of a flow without any")
        << L({"run", "fails", "--param", "x=1"})
        << QStringLiteral("flow fails has no parameter 'x'; it takes none");
    QTest::addRow("no equals sign")
        << L({"run", "sum", "--param", "a"}) << QStringLiteral("KEY=VALUE");
    QTest::addRow("params-json not an object")
        << L({"run", "sum", "--params-json", "[1,2]"}) << QStringLiteral("must be a JSON object");
    QTest::addRow("params-json not JSON")
        << L({"run", "sum", "--params-json", "{a"}) << QStringLiteral("must be a JSON object");
    QTest::addRow("unknown option") << L({"run", "sum", "--bogus"}) << QStringLiteral("bogus");
    QTest::addRow("unknown command") << L({"frobnicate"}) << QStringLiteral("frobnicate");
    QTest::addRow("rerun without id") << L({"rerun"}) << QStringLiteral("run_id");
}

void TestFlowProgram::usageErrors() {
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const auto before = flow_run_count();
    const Ran r = run_main(args);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(message) || r.out.contains(message), qPrintable(r.err + r.out));
    QVERIFY2(!r.err.contains(QStringLiteral("json.exception")), qPrintable(r.err));
    QCOMPARE(flow_run_count(), before); // no run was made
}

void TestFlowProgram::list() {
    const auto before = flow_run_count();
    const Ran r = run_main({QStringLiteral("list")});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QStringLiteral(
                        "greet(name)  Says hello\nsum(a, b)\ntotal(xs)\nscale(x, twice)\nfails()\n"
                        "maybe(limit)\n"));
    QCOMPARE(flow_run_count(), before);

    const Ran help = run_main({QStringLiteral("--help")});
    QCOMPARE(help.code, 0);
    QVERIFY(help.out.contains(QStringLiteral("rerun")));
}

void TestFlowProgram::listJson() {
    // What `weft deploy` reads: each flow's name, description, parameter names and their schema.
    const auto before = flow_run_count();
    const Ran r = run_main({QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const auto flows = nlohmann::json::parse(r.out.toStdString(), nullptr, false);
    QVERIFY2(flows.is_array(), qPrintable(r.out));
    QCOMPARE(flows.size(), std::size_t(6));
    QCOMPARE_JSON(flows[0].at("name"), nlohmann::json("greet"));
    QCOMPARE_JSON(flows[0].at("description"), nlohmann::json("Says hello"));
    QCOMPARE_JSON(flows[0].at("parameters"), nlohmann::json({"name"}));
    const nlohmann::json greet_schema = {
        {"title", "Parameters"},
        {"type", "object"},
        {"properties",
         {{"name",
           {{"title", "name"}, {"position", 0}, {"type", "string"}, {"default", "world"}}}}},
        {"required", nlohmann::json::array()}};
    QCOMPARE_JSON(flows[0].at("parameter_openapi_schema"), greet_schema);
    const auto& scale_schema = flows[3].at("parameter_openapi_schema");
    QCOMPARE_JSON(scale_schema.at("properties").at("x").at("type"), nlohmann::json("number"));
    QCOMPARE_JSON(scale_schema.at("properties").at("twice").at("type"), nlohmann::json("boolean"));
    QCOMPARE_JSON(scale_schema.at("properties").at("twice").at("position"), nlohmann::json(1));
    QCOMPARE_JSON(scale_schema.at("required"), nlohmann::json({"x", "twice"}));
    QCOMPARE_JSON(
        flows[2].at("parameter_openapi_schema").at("properties").at("xs").at("items").at("type"),
        nlohmann::json("integer"));
    QCOMPARE_JSON(flows[4].at("parameter_openapi_schema").at("properties"),
                  nlohmann::json::object());
    // An optional parameter: its value's type, not required.
    const auto& maybe_schema = flows[5].at("parameter_openapi_schema");
    QCOMPARE_JSON(maybe_schema.at("properties").at("limit").at("type"), nlohmann::json("integer"));
    QCOMPARE_JSON(maybe_schema.at("required"), nlohmann::json::array());
    QCOMPARE(flow_run_count(), before);
}

void TestFlowProgram::rerun() {
    g_fixed = false;
    QCOMPARE(run_main({QStringLiteral("run"), QStringLiteral("fails")}).code, 1);
    const auto failed = latest_flow_run("fails");
    QCOMPARE(failed.state.type, weft::StateType::Failed);
    const QString id = qs(failed.id);

    // Still broken: rerun, fails again, exit code 1.
    QCOMPARE(run_main({QStringLiteral("rerun"), id}).code, 1);
    QCOMPARE(flow_run(failed.id).run_count, 2);

    // Fixed: rerun by a unique prefix of its id, completes.
    g_fixed = true;
    const auto before = flow_run_count();
    const Ran ok = run_main({QStringLiteral("rerun"), id.left(30)});
    QVERIFY2(ok.code == 0, qPrintable(ok.err));
    QCOMPARE(flow_run_count(), before); // the same run, not a new one
    const auto done = flow_run(failed.id);
    QCOMPARE(done.state.type, weft::StateType::Completed);
    QCOMPARE(done.run_count, 3);

    // A completed run is not rerun.
    const Ran again = run_main({QStringLiteral("rerun"), id});
    QCOMPARE(again.code, 1);
    QVERIFY2(again.err.contains(QStringLiteral("only FAILED, CRASHED or CANCELLED")),
             qPrintable(again.err));
    QCOMPARE(flow_run(failed.id).run_count, 3);

    // An unknown id.
    const Ran unknown = run_main({QStringLiteral("rerun"), qs(weft::new_id())});
    QCOMPARE(unknown.code, 1);
    QVERIFY2(unknown.err.contains(QStringLiteral("no flow run with id")), qPrintable(unknown.err));
}

void TestFlowProgram::separateProcess() {
    const QString program =
        QCoreApplication::applicationDirPath() + QStringLiteral("/sdk_flow_program");
    QVERIFY2(QFile::exists(program), qPrintable(program));
    const QString db = m_dir.path() + QStringLiteral("/program.db");
    auto start = [&](const QStringList& args, bool crash = true) {
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        if (!crash) env.insert(QStringLiteral("SDK_NO_CRASH"), QStringLiteral("1"));
        p.setProcessEnvironment(env);
        p.start(program, QStringList{QStringLiteral("--db"), db} + args);
        if (!p.waitForFinished(30000)) p.kill();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    };
    using L = QStringList;
    QCOMPARE(start(L{QStringLiteral("run"), QStringLiteral("add"), QStringLiteral("--param"),
                     QStringLiteral("a=2"), QStringLiteral("--param"), QStringLiteral("b=3")}),
             0);
    QCOMPARE(start(L{QStringLiteral("run"), QStringLiteral("add")}), 2);
    // The process dies in the middle of its run.
    QCOMPARE(start(L{QStringLiteral("run"), QStringLiteral("crash"), QStringLiteral("--param"),
                     QStringLiteral("code=3")}),
             3);

    // Opening the database notices the dead process: the run is CRASHED.
    const auto engine = weft::Engine::open(db.toStdString());
    auto read_runs = [&](const char* flow) {
        weft::FlowRunQuery q;
        q.flow_names = {flow};
        return engine->store().read([&](weft::Reader& r) { return r.flow_runs(q); });
    };
    const auto added = read_runs("add");
    QCOMPARE(added.size(), size_t(1)); // the usage error made no run
    QCOMPARE(added[0].state.type, weft::StateType::Completed);
    QCOMPARE(js(added[0].result), QStringLiteral("5"));
    const auto crashed = read_runs("crash").at(0);
    QCOMPARE(crashed.state.type, weft::StateType::Crashed);

    // A later process reruns it: the first step is reused, the rest runs.
    QCOMPARE(start(L{QStringLiteral("rerun"), qs(crashed.id)}, false), 0);
    const auto resumed =
        engine->store().read([&](weft::Reader& r) { return r.flow_run(crashed.id); });
    QVERIFY(resumed);
    QCOMPARE(resumed->state.type, weft::StateType::Completed);
    QCOMPARE(js(resumed->result), QStringLiteral("5"));
    const auto steps =
        engine->store().read([&](weft::Reader& r) { return r.task_runs(crashed.id); });
    QCOMPARE(steps.size(), size_t(2));
    for (const auto& s : steps) {
        QCOMPARE(s.state.type, weft::StateType::Completed);
        QCOMPARE(s.run_count, 1); // neither ran twice
    }
}

QTEST_GUILESS_MAIN(TestFlowProgram)
#include "tst_flow_program.moc"

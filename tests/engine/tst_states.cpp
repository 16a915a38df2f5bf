// States, their JSON, the bookkeeping of entering a state, ISO 8601 times and ids.
#include "enginetest.hpp"
#include "weft/engine.hpp"
#include "weft/ids.hpp"
#include "weft/states.hpp"
#include "weft/time.hpp"

#include <QRegularExpression>
#include <QTest>

#include <set>
#include <stdexcept>
#include <thread>

using namespace weft;
using enginetest::qs;
using enginetest::state_at;

Q_DECLARE_METATYPE(weft::StateType)
Q_DECLARE_METATYPE(nlohmann::json)

class TestStates : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void typeNames_data();
    void typeNames();
    void typeFromString_data();
    void typeFromString();
    void helpers_data();
    void helpers();
    void jsonRoundTrip();
    void stateCreate();
    void badJson_data();
    void badJson();
    void enterStateBookkeeping();
    void enterStateFlowRunResult();
    void isoFormat_data();
    void isoFormat();
    void isoParse_data();
    void isoParse();
    void isoRoundTrip();
    void humanDuration_data();
    void humanDuration();
    void newIdFormat();
    void newIdsUniqueAndIncreasing();
    void newIdsUniqueAcrossThreads();
    void isUuid_data();
    void isUuid();
};

void TestStates::typeNames_data() {
    QTest::addColumn<StateType>("type");
    QTest::addColumn<QString>("upper");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("terminal");
    QTest::addColumn<bool>("resumable");
    using enum StateType;
    QTest::addRow("scheduled") << Scheduled << "SCHEDULED"
                               << "Scheduled" << false << false;
    QTest::addRow("pending") << Pending << "PENDING"
                             << "Pending" << false << false;
    QTest::addRow("running") << Running << "RUNNING"
                             << "Running" << false << false;
    QTest::addRow("completed") << Completed << "COMPLETED"
                               << "Completed" << true << false;
    QTest::addRow("failed") << Failed << "FAILED"
                            << "Failed" << true << true;
    QTest::addRow("cancelled") << Cancelled << "CANCELLED"
                               << "Cancelled" << true << true;
    QTest::addRow("crashed") << Crashed << "CRASHED"
                             << "Crashed" << true << true;
    QTest::addRow("paused") << Paused << "PAUSED"
                            << "Paused" << false << false;
    QTest::addRow("cancelling") << Cancelling << "CANCELLING"
                                << "Cancelling" << false << false;
}

void TestStates::typeNames() {
    QFETCH(StateType, type);
    QFETCH(QString, upper);
    QFETCH(QString, name);
    QFETCH(bool, terminal);
    QFETCH(bool, resumable);
    QCOMPARE(qs(to_string(type)), upper);
    QCOMPARE(qs(default_name(type)), name);
    QCOMPARE(is_terminal(type), terminal);
    QCOMPARE(is_resumable(type), resumable);
    // Round trips through both spellings.
    QCOMPARE(state_type_from_string(upper.toStdString()), std::optional(type));
    QCOMPARE(state_type_from_string(name.toStdString()), std::optional(type));
    const State s = make_state(type);
    QCOMPARE(qs(s.name), name);
}

void TestStates::typeFromString_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("type"); // -1: not a state type
    QTest::addRow("lower") << "running" << int(StateType::Running);
    QTest::addRow("mixed") << "CanCelLing" << int(StateType::Cancelling);
    QTest::addRow("empty") << "" << -1;
    QTest::addRow("unknown") << "FINISHED" << -1;
    QTest::addRow("prefix") << "RUN" << -1;
    QTest::addRow("longer") << "RUNNINGX" << -1;
    QTest::addRow("space") << " RUNNING" << -1;
    QTest::addRow("state name, not type") << "AwaitingRetry" << -1;
}

void TestStates::typeFromString() {
    QFETCH(QString, text);
    QFETCH(int, type);
    const auto got = state_type_from_string(text.toStdString());
    QCOMPARE(got.has_value(), type >= 0);
    if (got) QCOMPARE(int(*got), type);
}

void TestStates::helpers_data() {
    QTest::addColumn<State>("state");
    QTest::addColumn<StateType>("type");
    QTest::addColumn<QString>("name");
    using enum StateType;
    const Micros at = *from_iso("2030-01-02T03:04:05Z");
    QTest::addRow("scheduled") << states::scheduled(at) << Scheduled << "Scheduled";
    QTest::addRow("late") << states::scheduled(at, "Late") << Scheduled << "Late";
    QTest::addRow("awaiting_retry") << states::awaiting_retry(at) << Scheduled << "AwaitingRetry";
    QTest::addRow("pending") << states::pending() << Pending << "Pending";
    QTest::addRow("running") << states::running() << Running << "Running";
    QTest::addRow("retrying") << states::retrying() << Running << "Retrying";
    QTest::addRow("completed") << states::completed() << Completed << "Completed";
    QTest::addRow("cached") << states::cached() << Completed << "Cached";
    QTest::addRow("failed") << states::failed("x") << Failed << "Failed";
    QTest::addRow("timed_out") << states::timed_out("x") << Failed << "TimedOut";
    QTest::addRow("crashed") << states::crashed("x") << Crashed << "Crashed";
    QTest::addRow("cancelling") << states::cancelling() << Cancelling << "Cancelling";
    QTest::addRow("cancelled") << states::cancelled() << Cancelled << "Cancelled";
    QTest::addRow("paused") << states::paused() << Paused << "Paused";
}

void TestStates::helpers() {
    QFETCH(State, state);
    QFETCH(StateType, type);
    QFETCH(QString, name);
    QCOMPARE(int(state.type), int(type));
    QCOMPARE(qs(state.name), name);
    QVERIFY(is_uuid(state.id));
    QVERIFY(qAbs(state.timestamp - now_us()) < 60'000'000);
    if (type == StateType::Scheduled)
        QCOMPARE(state.scheduled_time().value_or(0), *from_iso("2030-01-02T03:04:05Z"));
    else
        QVERIFY(!state.scheduled_time());
}

void TestStates::jsonRoundTrip() {
    State s = states::awaiting_retry(*from_iso("2026-05-06T07:08:09.123456Z"), "Retry 1 of 2");
    s.timestamp = *from_iso("2026-05-06T07:08:00.5Z");
    s.details["cache_key"] = "abc";
    s.data = nlohmann::json{{"answer", 42}};
    const nlohmann::json j = to_json(s);
    QCOMPARE(qs(j.at("id").get<std::string>()), qs(s.id));
    QCOMPARE(qs(j.at("type").get<std::string>()), QStringLiteral("SCHEDULED"));
    QCOMPARE(qs(j.at("name").get<std::string>()), QStringLiteral("AwaitingRetry"));
    QCOMPARE(qs(j.at("timestamp").get<std::string>()),
             QStringLiteral("2026-05-06T07:08:00.500000Z"));
    QCOMPARE(qs(j.at("message").get<std::string>()), QStringLiteral("Retry 1 of 2"));
    QCOMPARE(qs(j.at("state_details").at("scheduled_time").get<std::string>()),
             QStringLiteral("2026-05-06T07:08:09.123456Z"));
    QVERIFY(j.at("data") == s.data);

    const State back = state_from_json(j);
    QCOMPARE(qs(back.id), qs(s.id));
    QCOMPARE(int(back.type), int(s.type));
    QCOMPARE(qs(back.name), qs(s.name));
    QCOMPARE(back.timestamp, s.timestamp);
    QCOMPARE(qs(back.message), qs(s.message));
    QVERIFY2(back.details == s.details, back.details.dump().c_str());
    QVERIFY(back.data == s.data);
    QVERIFY(to_json(back) == j);

    // Empty message and details are sent the way Prefect's clients expect them.
    const nlohmann::json plain = to_json(states::running());
    QVERIFY(plain.at("message").is_null());
    QVERIFY(plain.at("state_details").is_object() && plain.at("state_details").empty());
    QVERIFY(plain.at("data").is_null());
}

void TestStates::stateCreate() {
    const Micros before = now_us();
    const State s = state_from_json({{"type", "completed"}, {"message", "done by hand"}});
    const Micros after = now_us();
    QCOMPARE(int(s.type), int(StateType::Completed));
    QCOMPARE(qs(s.name), QStringLiteral("Completed")); // missing name = the type's
    QCOMPARE(qs(s.message), QStringLiteral("done by hand"));
    QVERIFY(is_uuid(s.id));
    QVERIFY(s.timestamp >= before && s.timestamp <= after);

    const State other = state_from_json({{"type", "COMPLETED"}});
    QVERIFY(other.id != s.id); // each StateCreate gets its own id

    // A SCHEDULED StateCreate without scheduled_time is scheduled now, as Prefect's server does.
    const State sched =
        state_from_json({{"type", "SCHEDULED"}, {"name", "Late"}, {"message", nullptr}});
    QCOMPARE(qs(sched.name), QStringLiteral("Late"));
    QVERIFY(sched.message.empty());
    QCOMPARE(sched.scheduled_time().value_or(0), sched.timestamp);

    // A given scheduled_time is kept.
    const State later = state_from_json(
        {{"type", "SCHEDULED"}, {"state_details", {{"scheduled_time", "2031-01-01T00:00:00Z"}}}});
    QCOMPARE(later.scheduled_time().value_or(0), *from_iso("2031-01-01T00:00:00Z"));
}

void TestStates::badJson_data() {
    QTest::addColumn<nlohmann::json>("input");
    QTest::addColumn<QString>("field");
    using J = nlohmann::json;
    QTest::addRow("not an object") << J::array({1, 2}) << "state";
    QTest::addRow("string") << J("RUNNING") << "state";
    QTest::addRow("no type") << J{{"name", "Running"}} << "state.type";
    QTest::addRow("type null") << J{{"type", nullptr}} << "state.type";
    QTest::addRow("type a number") << J{{"type", 3}} << "state.type";
    QTest::addRow("unknown type") << J{{"type", "FINISHED"}} << "state.type";
    QTest::addRow("name a number") << J{{"type", "RUNNING"}, {"name", 5}} << "state.name";
    QTest::addRow("message an object")
        << J{{"type", "FAILED"}, {"message", J::object()}} << "state.message";
    QTest::addRow("bad timestamp")
        << J{{"type", "RUNNING"}, {"timestamp", "yesterday"}} << "state.timestamp";
    QTest::addRow("details a list")
        << J{{"type", "RUNNING"}, {"state_details", J::array()}} << "state.state_details";
}

void TestStates::badJson() {
    QFETCH(nlohmann::json, input);
    QFETCH(QString, field);
    try {
        state_from_json(input);
        QFAIL("no exception");
    } catch (const std::invalid_argument& e) {
        const QString what = QString::fromUtf8(e.what());
        // The message starts with the bad field, e.g. "state.type: …".
        QVERIFY2(what.startsWith(field + u':'), e.what());
    }
}

void TestStates::enterStateBookkeeping() {
    const Micros t0 = *from_iso("2026-01-01T00:00:00Z");
    auto at = [t0](double s) { return t0 + from_seconds(s); };
    TaskRunRecord run =
        enginetest::make_task_run("flow-run", "task", 0, state_at(StateType::Pending, at(0)));

    enter_state(run, state_at(StateType::Running, at(1)));
    QCOMPARE(run.run_count, 1);
    QCOMPARE(run.start_time.value_or(0), at(1));
    QVERIFY(!run.end_time);
    QCOMPARE(run.total_run_time, Micros(0));
    QCOMPARE(run.updated, at(1));

    enter_state(run, state_at(StateType::Failed, at(3.5)));
    QCOMPARE(run.total_run_time, from_seconds(2.5));
    QCOMPARE(run.end_time.value_or(0), at(3.5));
    QCOMPARE(run.run_count, 1);

    // Retried: no longer over, waiting does not count as run time.
    enter_state(run, state_at(StateType::Scheduled, at(4), "AwaitingRetry"));
    QVERIFY(!run.end_time);
    QCOMPARE(run.total_run_time, from_seconds(2.5));

    enter_state(run, state_at(StateType::Running, at(10), "Retrying"));
    QCOMPARE(run.run_count, 2);
    QCOMPARE(run.start_time.value_or(0), at(1)); // set once, on the first attempt

    // RUNNING → RUNNING is not a new attempt.
    enter_state(run, state_at(StateType::Running, at(11)));
    QCOMPARE(run.run_count, 2);
    QCOMPARE(run.total_run_time, from_seconds(2.5));

    State done = state_at(StateType::Completed, at(12));
    done.data = nlohmann::json{{"rows", 7}};
    enter_state(run, done);
    // Two RUNNING spans: 1→3.5 and 10→12 (the RUNNING → RUNNING step keeps counting from 11).
    QCOMPARE(run.total_run_time, from_seconds(2.5) + from_seconds(1));
    QCOMPARE(run.end_time.value_or(0), at(12));
    QVERIFY(run.has_result);
    QVERIFY2(run.result == done.data, run.result.dump().c_str());
    QVERIFY(run.state.data.is_null()); // results live on the run, not in the state
    QCOMPARE(qs(run.state.id), qs(done.id));
    QCOMPARE(run.updated, at(12));

    // A state stamped before the RUNNING one never makes run time negative.
    TaskRunRecord odd = enginetest::make_task_run("f", "t", 1, state_at(StateType::Running, at(5)));
    enter_state(odd, state_at(StateType::Completed, at(4)));
    QCOMPARE(odd.total_run_time, Micros(0));
}

void TestStates::enterStateFlowRunResult() {
    const Micros t0 = *from_iso("2026-01-01T00:00:00Z");
    FlowRunRecord run =
        enginetest::make_flow_run("flow", "brave-otter", state_at(StateType::Running, t0));
    run.run_count = 1;
    run.start_time = t0;
    // Resumed after a crash: end_time cleared, run_count counts the new attempt.
    enter_state(run, state_at(StateType::Crashed, t0 + 1'000'000));
    QCOMPARE(run.end_time.value_or(0), t0 + 1'000'000);
    enter_state(run, state_at(StateType::Running, t0 + 5'000'000));
    QVERIFY(!run.end_time);
    QCOMPARE(run.run_count, 2);
    State done = state_at(StateType::Completed, t0 + 6'000'000);
    done.data = "result";
    enter_state(run, done);
    QVERIFY(run.result == nlohmann::json("result"));
    QCOMPARE(run.total_run_time, Micros(2'000'000));
    // A COMPLETED state without data leaves an earlier result alone.
    FlowRunRecord other = run;
    other.state = state_at(StateType::Running, t0 + 7'000'000);
    enter_state(other, state_at(StateType::Completed, t0 + 8'000'000));
    QVERIFY(other.result == nlohmann::json("result"));
}

void TestStates::isoFormat_data() {
    QTest::addColumn<qint64>("micros");
    QTest::addColumn<QString>("iso");
    QTest::addRow("epoch") << qint64(0) << "1970-01-01T00:00:00.000000Z";
    QTest::addRow("one micro") << qint64(1) << "1970-01-01T00:00:00.000001Z";
    QTest::addRow("before epoch") << qint64(-1) << "1969-12-31T23:59:59.999999Z";
    QTest::addRow("whole second before epoch")
        << qint64(-1'000'000) << "1969-12-31T23:59:59.000000Z";
    QTest::addRow("2026") << qint64(1795612685123456) << "2026-11-25T13:18:05.123456Z";
    QTest::addRow("leap day") << qint64(951782400000000) << "2000-02-29T00:00:00.000000Z";
}

void TestStates::isoFormat() {
    QFETCH(qint64, micros);
    QFETCH(QString, iso);
    QCOMPARE(qs(to_iso(micros)), iso);
    QCOMPARE(from_iso(iso.toStdString()).value_or(-42), micros);
}

void TestStates::isoParse_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("micros");
    const qint64 base = 1795612685000000; // 2026-11-25T13:18:05Z
    QTest::addRow("Z") << "2026-11-25T13:18:05Z" << true << base;
    QTest::addRow("lowercase z and t") << "2026-11-25t13:18:05z" << true << base;
    QTest::addRow("space separator") << "2026-11-25 13:18:05Z" << true << base;
    QTest::addRow("no offset is UTC") << "2026-11-25T13:18:05" << true << base;
    QTest::addRow("+01:00") << "2026-11-25T14:18:05+01:00" << true << base;
    QTest::addRow("+0100") << "2026-11-25T14:18:05+0100" << true << base;
    QTest::addRow("+01") << "2026-11-25T14:18:05+01" << true << base;
    QTest::addRow("-05:30") << "2026-11-25T07:48:05-05:30" << true << base;
    QTest::addRow("+00:00") << "2026-11-25T13:18:05+00:00" << true << base;
    QTest::addRow("0 fraction digits, minutes only")
        << "2026-11-25T13:18Z" << true << base - 5'000'000;
    QTest::addRow("1 fraction digit") << "2026-11-25T13:18:05.1Z" << true << base + 100000;
    QTest::addRow("2 fraction digits") << "2026-11-25T13:18:05.12Z" << true << base + 120000;
    QTest::addRow("3 fraction digits") << "2026-11-25T13:18:05.123Z" << true << base + 123000;
    QTest::addRow("4 fraction digits") << "2026-11-25T13:18:05.1234Z" << true << base + 123400;
    QTest::addRow("5 fraction digits") << "2026-11-25T13:18:05.12345Z" << true << base + 123450;
    QTest::addRow("6 fraction digits") << "2026-11-25T13:18:05.123456Z" << true << base + 123456;
    QTest::addRow("9 digits: truncated to micros")
        << "2026-11-25T13:18:05.123456789Z" << true << base + 123456;
    QTest::addRow("fraction and offset") << "2026-11-25T14:18:05.5+01:00" << true << base + 500000;
    QTest::addRow("date only") << "2026-11-25" << true << base - 47885'000000;
    QTest::addRow("leap day") << "2024-02-29T00:00:00Z" << true << qint64(1709164800000000);

    QTest::addRow("empty") << "" << false << qint64(0);
    QTest::addRow("garbage") << "not a time" << false << qint64(0);
    QTest::addRow("slashes") << "2026/11/25T13:18:05Z" << false << qint64(0);
    QTest::addRow("short year") << "26-11-25T13:18:05Z" << false << qint64(0);
    QTest::addRow("month 13") << "2026-13-01T00:00:00Z" << false << qint64(0);
    QTest::addRow("month 0") << "2026-00-01T00:00:00Z" << false << qint64(0);
    QTest::addRow("day 32") << "2026-01-32T00:00:00Z" << false << qint64(0);
    QTest::addRow("February 30") << "2026-02-30T00:00:00Z" << false << qint64(0);
    QTest::addRow("February 29, not a leap year") << "2026-02-29T00:00:00Z" << false << qint64(0);
    QTest::addRow("April 31") << "2026-04-31T00:00:00Z" << false << qint64(0);
    QTest::addRow("hour 24") << "2026-11-25T24:00:00Z" << false << qint64(0);
    QTest::addRow("minute 60") << "2026-11-25T13:60:00Z" << false << qint64(0);
    QTest::addRow("hour only") << "2026-11-25T13Z" << false << qint64(0);
    QTest::addRow("dot without digits") << "2026-11-25T13:18:05.Z" << false << qint64(0);
    QTest::addRow("one-digit offset") << "2026-11-25T13:18:05+1" << false << qint64(0);
    QTest::addRow("offset colon without minutes")
        << "2026-11-25T13:18:05+01:" << false << qint64(0);
    QTest::addRow("offset hour 24") << "2026-11-25T13:18:05+24:00" << false << qint64(0);
    QTest::addRow("offset minute 60") << "2026-11-25T13:18:05+01:60" << false << qint64(0);
    QTest::addRow("space before offset") << "2026-11-25T13:18:05 +01:00" << false << qint64(0);
    QTest::addRow("trailing text") << "2026-11-25T13:18:05Zjunk" << false << qint64(0);
    QTest::addRow("trailing T") << "2026-11-25T" << false << qint64(0);
}

void TestStates::isoParse() {
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(qint64, micros);
    const auto got = from_iso(text.toStdString());
    QCOMPARE(got.has_value(), valid);
    if (valid) QCOMPARE(*got, micros);
}

void TestStates::isoRoundTrip() {
    // Every microsecond survives a round trip, on both sides of the epoch.
    for (Micros t : {Micros(0), Micros(-123456789), Micros(1), Micros(4102444799999999),
                     Micros(-2208988800000000), now_us()}) {
        const auto back = from_iso(to_iso(t));
        QVERIFY2(back && *back == t, to_iso(t).c_str());
    }
    for (Micros t = -2'000'000'000'000'000; t < 4'000'000'000'000'000; t += 12'345'678'901'234) {
        const auto back = from_iso(to_iso(t));
        QVERIFY2(back && *back == t, to_iso(t).c_str());
    }
}

void TestStates::humanDuration_data() {
    QTest::addColumn<qint64>("micros");
    QTest::addColumn<QString>("text");
    QTest::addRow("negative") << qint64(-5) << "0 ms";
    QTest::addRow("zero") << qint64(0) << "0 ms";
    // Ran, but for less than half a millisecond: not "0 ms", which reads as "never ran".
    QTest::addRow("under a millisecond") << qint64(194) << "<1 ms";
    QTest::addRow("ms") << qint64(250'000) << "250 ms";
    QTest::addRow("seconds") << qint64(1'200'000) << "1.2 s";
    QTest::addRow("minutes") << qint64(184'000'000) << "3 min 4 s";
    QTest::addRow("hours") << qint64(7'500'000'000) << "2 h 5 min";
}

void TestStates::humanDuration() {
    QFETCH(qint64, micros);
    QFETCH(QString, text);
    QCOMPARE(qs(human_duration(micros)), text);
}

void TestStates::newIdFormat() {
    static const QRegularExpression v7(
        QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
    const Micros before = now_us() / 1000;
    const std::string id = new_id();
    const Micros after = now_us() / 1000;
    QVERIFY2(v7.match(qs(id)).hasMatch(), id.c_str());
    QVERIFY(is_uuid(id));
    // The first 48 bits are the Unix time in milliseconds.
    const QString hex = qs(id).remove(u'-').left(12);
    bool ok = false;
    const qint64 ms = hex.toLongLong(&ok, 16);
    QVERIFY(ok);
    QVERIFY2(ms >= before && ms <= after + 5, qPrintable(hex));
}

void TestStates::newIdsUniqueAndIncreasing() {
    // Many ids within one millisecond still sort in the order they were made.
    std::string prev = new_id();
    std::set<std::string> seen{prev};
    for (int i = 0; i < 100'000; ++i) {
        std::string id = new_id();
        QVERIFY2(id > prev, (prev + " then " + id).c_str());
        QVERIFY(seen.insert(id).second);
        prev = std::move(id);
    }
}

void TestStates::newIdsUniqueAcrossThreads() {
    std::vector<std::vector<std::string>> made(4);
    std::vector<std::thread> threads;
    for (auto& out : made)
        threads.emplace_back([&out] {
            for (int i = 0; i < 20'000; ++i)
                out.push_back(new_id());
        });
    for (auto& t : threads)
        t.join();
    std::set<std::string> all;
    for (const auto& out : made)
        all.insert(out.begin(), out.end());
    QCOMPARE(all.size(), size_t(80'000));
}

void TestStates::isUuid_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addRow("lowercase") << "0190f2a4-6b1c-7d2e-8f30-123456789abc" << true;
    QTest::addRow("uppercase") << "0190F2A4-6B1C-7D2E-8F30-123456789ABC" << true;
    QTest::addRow("empty") << "" << false;
    QTest::addRow("no hyphens") << "0190f2a46b1c7d2e8f30123456789abc" << false;
    QTest::addRow("too short") << "0190f2a4-6b1c-7d2e-8f30-123456789ab" << false;
    QTest::addRow("too long") << "0190f2a4-6b1c-7d2e-8f30-123456789abcd" << false;
    QTest::addRow("hyphen misplaced") << "0190f2a-46b1c-7d2e-8f30-123456789abc" << false;
    QTest::addRow("not hex") << "0190f2a4-6b1c-7d2e-8f30-123456789abg" << false;
}

void TestStates::isUuid() {
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QCOMPARE(is_uuid(text.toStdString()), valid);
}

QTEST_GUILESS_MAIN(TestStates)
#include "tst_states.moc"

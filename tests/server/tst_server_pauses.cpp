// Pause and resume over REST: a paused run's input form and answer as Prefect's flow run inputs,
// and POST /flow_runs/{id}/resume checking the input against the form (REJECT with the reason,
// the run still PAUSED), moving the run on (ACCEPT), refusing a run that is not paused (ABORT).
#include "serverfixture.h"

#include <QtTest>

using nlohmann::json;

class TestServerPauses : public QObject {
    Q_OBJECT

    static json form() {
        return {{"title", "Approval"},
                {"type", "object"},
                {"properties", {{"approved", {{"type", "boolean"}, {"title", "approved"}}}}},
                {"required", {"approved"}}};
    }

private Q_SLOTS:
    void resumeChecksTheInputAgainstTheForm() {
        ServerFixture f;
        const auto run = f.createFlowRun(f.createFlow("approvals"));
        const QString id = QString::fromStdString(run);
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), run, {{"type", "RUNNING"}}).status, 201);
        const json details = {{"pause_key", "1"},
                              {"pause_timeout", "2999-01-01T00:00:00Z"},
                              {"pause_reschedule", false},
                              {"run_input_keyset",
                               {{"schema", "paused-1-schema"},
                                {"response", "paused-1-response"},
                                {"description", "paused-1-description"}}}};
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), run,
                            {{"type", "PAUSED"}, {"name", "Paused"}, {"state_details", details}},
                            true)
                     .status,
                 201);

        const auto input = QStringLiteral("/api/flow_runs/%1/input").arg(id);
        QCOMPARE(f.post(input, {{"key", "paused-1-schema"}, {"value", form().dump()}}).status, 201);
        QCOMPARE(f.get(input + QStringLiteral("/paused-1-schema")).body, form());
        QCOMPARE(f.get(input + QStringLiteral("/paused-1-response")).status, 404);
        // Only a pause's form is kept; a value that is no schema is refused.
        QCOMPARE(f.post(input, {{"key", "other"}, {"value", "1"}}).status, 422);
        QCOMPARE(f.post(input, {{"key", "paused-1-schema"}, {"value", "not json"}}).status, 422);
        QCOMPARE(f.post(input, {{"key", "paused-1-schema"}}).status, 422);

        const auto resume = QStringLiteral("/api/flow_runs/%1/resume").arg(id);
        auto refused = f.post(resume, {{"run_input", {{"approved", "no"}}}});
        QCOMPARE(refused.status, 200);
        QCOMPARE(refused.body.value("status", ""), std::string("REJECT"));
        QVERIFY2(refused.body.at("details").value("reason", "").find("approved")
                     != std::string::npos,
                 refused.text().c_str());
        QCOMPARE(f.get(QStringLiteral("/api/flow_runs/%1").arg(id)).body.value("state_type", ""),
                 std::string("PAUSED"));

        auto resumed = f.post(resume, {{"run_input", {{"approved", true}}}});
        QCOMPARE(resumed.status, 200);
        QCOMPARE(resumed.body.value("status", ""), std::string("ACCEPT"));
        QCOMPARE(resumed.body.at("state").value("type", ""), std::string("RUNNING"));
        QCOMPARE(f.get(input + QStringLiteral("/paused-1-response")).body,
                 json({{"approved", true}}));

        auto again = f.post(resume, json::object());
        QCOMPARE(again.body.value("status", ""), std::string("ABORT"));
        QVERIFY(again.body.at("details").value("reason", "").find("PAUSED") != std::string::npos);

        const QString unknown = QStringLiteral("0190c0de-0000-7000-8000-0000000000ff");
        QCOMPARE(
            f.post(QStringLiteral("/api/flow_runs/%1/resume").arg(unknown), json::object()).status,
            404);
        QCOMPARE(f.post(QStringLiteral("/api/flow_runs/nope/resume"), json::object()).status, 422);
        QCOMPARE(f.post(resume, {{"run_input", 5}}).status, 422);
    }
};

QTEST_GUILESS_MAIN(TestServerPauses)
#include "tst_server_pauses.moc"

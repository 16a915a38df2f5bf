// A flow that waits for a person's approval before it publishes: it pauses with an input form
// (approved, reviewer, note). While it waits, resume it with
//   weft flow-run resume ID --input '{"approved": true, "reviewer": "ada"}'
// or with the Resume button on the run's page in Weft Studio. With `--param suspend=true` the
// program exits while it waits instead; the resume starts it again, the report it built is reused
// and the flow goes on from the pause. A pause nobody resumes within `timeout` seconds fails.
#include <weft/weft.hpp>

#include <string>

auto build_report = weft::task("build_report", [](int rows) {
                        weft::log().info("built a report of {} rows", rows);
                        return "report of " + std::to_string(rows) + " rows";
                    }).params({"rows"});

auto publish = weft::task("publish", [](std::string report, std::string reviewer) {
                   weft::log().info("published the {}, approved by {}", report, reviewer);
                   return "published";
               }).params({"report", "reviewer"});

weft::RunInput approval_form() {
    weft::RunInput form;
    form.title = "Publish the report?";
    form.fields = {
        {"approved", "boolean", nullptr, "Publish it"},
        {"reviewer", "string", "someone", "Who approves"},
        {"note", "string", "", "Anything to add"},
    };
    return form;
}

auto approve_and_publish =
    weft::flow("approve_and_publish",
               [](int rows, bool suspend, double timeout) {
                   const std::string report = build_report(rows);
                   const auto answer = suspend ? weft::suspend_flow_run(approval_form(), timeout)
                                               : weft::pause_flow_run(approval_form(), timeout);
                   if (!answer.at("approved").get<bool>()) {
                       weft::log().warn("Not approved: {}", answer.at("note").get<std::string>());
                       return std::string("not published");
                   }
                   return std::string(publish(report, answer.at("reviewer").get<std::string>()));
               })
        .params({"rows", "suspend", "timeout"})
        .defaults({{"rows", 100}, {"suspend", false}, {"timeout", 3600.0}})
        .description("Builds a report, waits for approval, publishes it");

int main(int argc, char** argv) {
    return weft::main(argc, argv, {approve_and_publish});
}

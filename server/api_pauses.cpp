// Pause and resume over the API: a paused flow run's input form and its answer as Prefect's flow
// run inputs (the keys its PAUSED state's run_input_keyset names, kept in the engine's pauses),
// and POST /flow_runs/{id}/resume through the engine's resume, which validates the input.
#include "api.hpp"
#include "body.hpp"
#include "prefect_json.hpp"
#include "schemas.hpp"

#include <weft/pause.hpp>

namespace weft::server {

using nlohmann::json;

namespace {

// The parts of a pause's input key: "paused-KEY-schema" or "paused-KEY-response".
struct PauseInputKey {
    std::string pause_key;
    bool schema = false; // else the response
};

std::optional<PauseInputKey> pause_input_key(const std::string& key) {
    const std::string prefix = "paused-";
    for (const auto& [suffix, schema] :
         {std::pair{std::string("-schema"), true}, std::pair{std::string("-response"), false}}) {
        if (key.size() > prefix.size() + suffix.size() && key.starts_with(prefix)
            && key.ends_with(suffix))
            return PauseInputKey{
                key.substr(prefix.size(), key.size() - prefix.size() - suffix.size()), schema};
    }
    return std::nullopt;
}

Reply input_not_found() {
    return Reply::detail(404, "Flow run input not found");
}

} // namespace

Reply Api::create_flow_run_input(const std::string& raw_id, const std::string& text) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    Body body = parse_body(text, &schemas::flow_run_input_create());
    if (body.error) return *body.error;
    const std::string id = lowercase_id(raw_id);
    const std::string key = body.value.at("key").get<std::string>();
    const auto parts = pause_input_key(key);
    if (!parts || !parts->schema)
        return Reply::detail(422, "This server keeps a pause's input form only (the key "
                                  "paused-KEY-schema of its run_input_keyset), not '"
                                      + key + "'");
    json schema = json::parse(body.value.at("value").get<std::string>(), nullptr, false);
    if (schema.is_discarded() || !schema.is_object())
        return Reply::detail(422, "The value of " + key + " is not a JSON schema object");
    const bool known = m_engine->store()
                           .transact<bool>([&](Txn& txn) {
                               if (!txn.read().flow_run(id)) return false;
                               PauseRecord p =
                                   txn.read()
                                       .pause(id, parts->pause_key)
                                       .value_or(PauseRecord{id, parts->pause_key, nullptr, nullptr,
                                                             now_us(), std::nullopt});
                               p.schema = std::move(schema);
                               txn.put_pause(p);
                               return true;
                           })
                           .get();
    if (!known) return Reply::detail(404, "Flow run not found");
    return Reply::json(nullptr, 201);
}

Reply Api::read_flow_run_input(const std::string& raw_id, const std::string& key) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    const std::string id = lowercase_id(raw_id);
    const auto parts = pause_input_key(key);
    if (!parts) return input_not_found();
    auto pause = m_engine->store().read([&](Reader& r) { return r.pause(id, parts->pause_key); });
    if (!pause) return input_not_found();
    if (parts->schema) {
        if (pause->schema.is_null()) return input_not_found();
        return Reply::json(pause->schema);
    }
    if (!pause->resumed) return input_not_found();
    return Reply::json(pause->input);
}

Reply Api::resume_flow_run(const std::string& raw_id, const std::string& text) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    Body body = parse_body(text, &schemas::resume_flow_run_body());
    if (body.error) return *body.error;
    const std::string id = lowercase_id(raw_id);
    std::optional<json> input;
    if (auto it = body.value.find("run_input"); it != body.value.end() && !it->is_null())
        input = *it;
    ResumeOutcome out;
    try {
        // A program reporting over HTTP is not seen from here: as Prefect's, the resume goes
        // ahead, and the program takes it up when it next looks.
        out = weft::resume_flow_run(*m_engine, id, input, true);
    } catch (const LookupError&) {
        return Reply::detail(404, "Flow run not found");
    }
    const std::optional<State> state = out.run ? std::optional(out.run->state) : std::nullopt;
    if (out.accepted)
        return Reply::json(orchestration_result(Outcome{Decision::Accept, state, {}, 0}, state));
    // As Prefect: input that does not fit the form is rejected (the run stays PAUSED, waiting
    // for a better one); a run that cannot be resumed at all is an abort.
    const Decision d = out.input_refused ? Decision::Reject : Decision::Abort;
    return Reply::json(orchestration_result(Outcome{d, std::nullopt, out.reason, 0}, state));
}

} // namespace weft::server

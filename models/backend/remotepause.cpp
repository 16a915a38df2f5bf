// Resuming paused runs on a server, as Prefect's API has it: the pause's input form is the flow
// run input named by its PAUSED state's run_input_keyset, and POST /flow_runs/{id}/resume checks
// the input against it (REJECT with the reason leaves the run PAUSED). The waiting program goes
// on by itself; a suspended run is started again by a worker of its pool.
#include "backend/remotebackend.h"

namespace weft::studio {

using nlohmann::json;

namespace {

// The input key of the form a PAUSED run waits for; empty when it is not paused or waits for
// no input.
std::string formKey(const json& run) {
    const json state = run.value("state", json::object());
    if (!state.is_object() || state.value("type", "") != "PAUSED") return {};
    const json details = state.value("state_details", json::object());
    if (!details.is_object()) return {};
    const json keyset = details.value("run_input_keyset", json::object());
    if (!keyset.is_object()) return {};
    const auto schema = keyset.find("schema");
    return schema != keyset.end() && schema->is_string() ? schema->get<std::string>()
                                                         : std::string();
}

} // namespace

void RemoteBackend::fetchPauseInput(const std::string& id, QObject* context,
                                    Done<nlohmann::json> done) {
    done = noting(std::move(done));
    const QString run = QString::fromStdString(id);
    QPointer<QObject> guard(context);
    QPointer<RestClient> rest(m_rest);
    m_rest->send<std::string>(
        "GET", QStringLiteral("/flow_runs/%1").arg(run), nullptr, context,
        [](RestAnswer a) { return a.status == 200 ? formKey(a.body) : std::string(); },
        [guard, rest, run, done](Result<std::string> key) {
            if (!key) return done(QueryError{key.error()});
            if (key->empty() || !rest) return done(json()); // nothing to ask for
            // Prefect answers the input's value as text: the schema's JSON, parsed as any body.
            rest->send<json>(
                "GET",
                QStringLiteral("/flow_runs/%1/input/%2")
                    .arg(run,
                         QString::fromUtf8(QUrl::toPercentEncoding(QString::fromStdString(*key)))),
                nullptr, guard.data(),
                [](RestAnswer a) { return a.status == 404 ? json() : std::move(a.body); }, done,
                {404});
        },
        {404, 422});
}

void RemoteBackend::resumeFlowRun(const std::string& id, const nlohmann::json& input,
                                  QObject* context, Done<CommandResult> done) {
    json body = json::object();
    if (!input.is_null()) body["run_input"] = input;
    m_rest->send<CommandResult>(
        "POST", QStringLiteral("/flow_runs/%1/resume").arg(QString::fromStdString(id)), &body,
        context,
        [](RestAnswer a) {
            CommandResult r = commandResult(a.body);
            if (!r.ok) return r;
            const bool restarts = r.outcome && r.outcome->state
                                  && r.outcome->state->type == weft::StateType::Scheduled;
            r.message = restarts ? tr("Resumed: a worker of the server starts its program again.")
                                 : tr("Resumed; its program goes on.");
            return r;
        },
        [done](Result<CommandResult> r) {
            if (!r) return done(CommandResult{false, r.error(), std::nullopt});
            done(std::move(*r));
        });
}

} // namespace weft::studio

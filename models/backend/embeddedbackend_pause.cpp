// Resuming paused runs on the embedded engine: the resume goes through the engine's rules, and a
// suspended run's program is started again by the engine's launcher (`resume RUN_ID`), where it
// first ran.
#include "backend/embeddedbackend.h"

#include <weft/launcher.hpp>
#include <weft/pause.hpp>

#include <QFileInfo>

namespace weft::studio {

void EmbeddedBackend::fetchPauseInput(const std::string& id, QObject* context,
                                      Done<nlohmann::json> done) {
    auto engine = m_engine;
    runAsync<nlohmann::json>(
        context,
        [engine, id]() -> nlohmann::json {
            try {
                return engine ? weft::paused_input_schema(*engine, id) : nlohmann::json();
            } catch (const std::exception&) {
                return nullptr; // the run is gone: no form to show
            }
        },
        std::move(done));
}

void EmbeddedBackend::resumeFlowRun(const std::string& id, const nlohmann::json& input,
                                    QObject* context, Done<CommandResult> done) {
    auto engine = m_engine;
    const std::string dbPath = QFileInfo(m_path).absoluteFilePath().toStdString();
    runAsync<CommandResult>(
        context,
        [engine, id, input, dbPath] {
            try {
                if (!engine) return CommandResult{false, tr("No database is open."), std::nullopt};
                const auto out = weft::resume_flow_run(
                    *engine, id, input.is_null() ? std::nullopt : std::optional(input));
                if (!out.accepted)
                    return CommandResult{false, QString::fromStdString(out.reason), std::nullopt};
                if (!out.start_program)
                    return CommandResult{true, tr("Resumed; its program goes on."), std::nullopt};
                weft::LaunchRequest request = weft::resume_request(*out.run, dbPath);
                request.detach = true;
                const weft::LaunchResult started = weft::launch(request);
                if (!started.ok())
                    return CommandResult{false,
                                         tr("Resumed, but its program could not be started (%1); "
                                            "`weft flow-run resume` starts it again.")
                                             .arg(QString::fromStdString(started.error)),
                                         std::nullopt};
                return CommandResult{true, tr("Resumed in process %1.").arg(started.pid),
                                     std::nullopt};
            } catch (const std::exception& e) {
                return CommandResult{false, QString::fromStdString(e.what()), std::nullopt};
            }
        },
        std::move(done), WorkPriority::Normal); // it may start the run's program
}

} // namespace weft::studio

// Resuming paused runs on the embedded engine: the resume goes through the engine's rules, and a
// suspended run's program is started again with `resume RUN_ID`, where it first ran.
#include "models/embeddedbackend.h"

#include <weft/pause.hpp>

#include <QFileInfo>
#include <QProcess>

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
    const QString dbPath = QFileInfo(m_path).absoluteFilePath();
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
                const auto& launch = out.run->launch;
                const QString program = QString::fromStdString(launch.program);
                QProcess process;
                process.setProgram(program);
                process.setArguments({QStringLiteral("resume"), QString::fromStdString(id),
                                      QStringLiteral("--db"), dbPath});
                process.setWorkingDirectory(QString::fromStdString(launch.working_dir));
                process.setStandardOutputFile(QProcess::nullDevice());
                process.setStandardErrorFile(QProcess::nullDevice());
                qint64 pid = 0;
                if (program.isEmpty() || !process.startDetached(&pid))
                    return CommandResult{false,
                                         tr("Resumed, but its program (%1) could not be started; "
                                            "`weft flow-run resume` starts it again.")
                                             .arg(program),
                                         std::nullopt};
                return CommandResult{true, tr("Resumed in process %1.").arg(pid), std::nullopt};
            } catch (const std::exception& e) {
                return CommandResult{false, QString::fromStdString(e.what()), std::nullopt};
            }
        },
        std::move(done));
}

} // namespace weft::studio

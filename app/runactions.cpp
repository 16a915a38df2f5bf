#include "runactions.h"

#include "common/markasdialog.h"
#include "launch/parametersdialog.h"
#include "resumedialog.h"

#include <QMessageBox>
#include <QWidget>
#include <memory>

namespace weft::studio {

RunActions::RunActions(Backend* backend, QWidget* dialogParent)
    : QObject(dialogParent)
    , m_backend(backend)
    , m_parent(dialogParent) {}

bool RunActions::ask(const QString& title, const QString& text) {
    if (!m_confirm) return true;
    return QMessageBox::question(m_parent, title, text, QMessageBox::Yes | QMessageBox::Cancel,
                                 QMessageBox::Cancel)
           == QMessageBox::Yes;
}

void RunActions::report(const QString& action, const std::vector<CommandResult>& results) {
    int ok = 0;
    QStringList reasons;
    for (const auto& r : results) {
        if (r.ok)
            ++ok;
        else if (!reasons.contains(r.message))
            reasons << r.message;
    }
    const int refused = int(results.size()) - ok;
    if (refused == 0)
        Q_EMIT message(tr("%1: done for %n run(s).", nullptr, ok).arg(action));
    else
        Q_EMIT message(tr("%1: %2 refused — %3")
                           .arg(action)
                           .arg(refused)
                           .arg(reasons.join(QStringLiteral("; "))));
    if (refused > 0 && m_confirm)
        QMessageBox::information(m_parent, action,
                                 tr("%1 of %2 refused:\n\n%3")
                                     .arg(refused)
                                     .arg(results.size())
                                     .arg(reasons.join(QLatin1Char('\n'))));
    Q_EMIT finished(action, ok, refused);
}

bool RunActions::mayChangeRuns() {
    if (!m_backend->isReadOnly()) return true;
    Q_EMIT message(tr("This database is read-only for you: runs cannot be changed."));
    return false;
}

// Issues one command per id and reports once every answer is in.
template<class Fn>
void RunActions::forEach(const QString& action, const QStringList& ids, Fn issue) {
    if (ids.isEmpty()) return;
    auto results = std::make_shared<std::vector<CommandResult>>();
    const int expected = int(ids.size());
    for (const QString& id : ids)
        issue(id.toStdString(), [this, results, expected, action](Result<CommandResult> r) {
            // A command that could not be sent is refused with its error as the reason.
            results->push_back(r ? std::move(*r) : CommandResult{false, r.error(), std::nullopt});
            if (int(results->size()) == expected) report(action, *results);
        });
}

void RunActions::retry(const QStringList& ids) {
    if (!mayChangeRuns()) return;
    forEach(tr("Retry"), ids, [this](const std::string& id, auto done) {
        m_backend->retryFlowRun(id, {}, this, done);
    });
}

void RunActions::resume(const QString& flowRunId) {
    if (!mayChangeRuns()) return;
    m_backend->fetchPauseInput(
        flowRunId.toStdString(), this, [this, flowRunId](Result<nlohmann::json> answer) {
            if (!answer) {
                Q_EMIT message(
                    tr("Resume: couldn't read the pause's input fields — %1").arg(answer.error()));
                return;
            }
            const nlohmann::json& schema = *answer;
            nlohmann::json input;
            const bool asks = schema.is_object() && schema.contains("properties")
                              && schema["properties"].is_object() && !schema["properties"].empty();
            if (asks && m_confirm) {
                ResumeDialog dialog(schema, m_parent);
                if (dialog.exec() != QDialog::Accepted) return;
                input = dialog.input().value_or(nlohmann::json());
            } else if (asks) {
                input = ResumeDialog::defaults(schema);
            }
            resumeWithInput(flowRunId, input);
        });
}

void RunActions::resumeWithInput(const QString& flowRunId, const nlohmann::json& input) {
    if (!mayChangeRuns()) return;
    forEach(tr("Resume"), {flowRunId}, [this, input](const std::string& id, auto done) {
        m_backend->resumeFlowRun(id, input, this, done);
    });
}

void RunActions::retryFromTask(const QString& flowRunId, const QString& taskRunId) {
    if (!mayChangeRuns()) return;
    if (!ask(tr("Retry from here"),
             tr("Run this task run and everything downstream of it again? Upstream results are "
                "reused.")))
        return;
    forEach(tr("Retry from here"), {flowRunId},
            [this, taskRunId](const std::string& id, auto done) {
                m_backend->retryFlowRun(id, taskRunId.toStdString(), this, done);
            });
}

void RunActions::runAgain(const QString& flowRunId) {
    if (!mayChangeRuns()) return;
    // The form needs the run's parameters, read away from the GUI thread first.
    m_backend->fetchFlowRun(
        flowRunId.toStdString(), this,
        [this, flowRunId](Result<std::optional<weft::FlowRunRecord>> answer) {
            if (!answer) {
                Q_EMIT message(
                    tr("Run again: couldn't read the flow run — %1").arg(answer.error()));
                return;
            }
            const std::optional<weft::FlowRunRecord>& run = *answer;
            if (!run) {
                Q_EMIT message(tr("Run again: the flow run no longer exists."));
                return;
            }
            const QString what =
                tr("Starts a new run of <b>%1</b> with these parameters, by %2 in %3.")
                    .arg(QString::fromStdString(run->flow_name).toHtmlEscaped(),
                         QString::fromStdString(run->launch.program).toHtmlEscaped(),
                         QString::fromStdString(run->launch.working_dir).toHtmlEscaped());
            ParametersDialog dialog(run->parameters, what, m_parent);
            if (m_confirm && dialog.exec() != QDialog::Accepted) return;
            const nlohmann::json parameters = dialog.parameters();
            forEach(tr("Run again"), {flowRunId},
                    [this, parameters](const std::string& id, auto done) {
                        m_backend->runFlowAgain(id, parameters, this, done);
                    });
        });
}

void RunActions::cancel(const QStringList& ids) {
    if (!mayChangeRuns()) return;
    if (!ask(tr("Cancel"), tr("Cancel %n flow run(s)?", nullptr, int(ids.size())))) return;
    forEach(tr("Cancel"), ids,
            [this](const std::string& id, auto done) { m_backend->cancelFlowRun(id, this, done); });
}

void RunActions::markAs(const QStringList& ids) {
    if (!mayChangeRuns()) return;
    if (ids.isEmpty()) return;
    MarkAsDialog dialog(tr("Mark %n flow run(s) as…", nullptr, int(ids.size())), m_parent);
    if (m_confirm && dialog.exec() != QDialog::Accepted) return;
    const weft::State state = dialog.state();
    forEach(tr("Mark as %1").arg(QString::fromStdString(state.name)), ids,
            [this, state](const std::string& id, auto done) {
                m_backend->setFlowRunState(id, state, false, this, done);
            });
}

void RunActions::markTaskRunAs(const QString& taskRunId) {
    if (!mayChangeRuns()) return;
    MarkAsDialog dialog(tr("Mark the task run as…"), m_parent);
    if (m_confirm && dialog.exec() != QDialog::Accepted) return;
    const weft::State state = dialog.state();
    forEach(tr("Mark as %1").arg(QString::fromStdString(state.name)), {taskRunId},
            [this, state](const std::string& id, auto done) {
                m_backend->setTaskRunState(id, state, false, this, done);
            });
}

void RunActions::remove(const QStringList& ids) {
    if (!mayChangeRuns()) return;
    if (!ask(tr("Delete"), tr("Delete %n flow run(s) with their task runs, logs and subflow runs? "
                              "This cannot be undone.",
                              nullptr, int(ids.size()))))
        return;
    forEach(tr("Delete"), ids,
            [this](const std::string& id, auto done) { m_backend->deleteFlowRun(id, this, done); });
}

} // namespace weft::studio

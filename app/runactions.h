#pragma once
// The run controls: retry (rerun), retry from a task, run again with parameters, resume, cancel,
// mark as, delete — on one run or a selection. Destructive actions ask first; refusals show the
// rule's reason.
#include "backend/backend.h"

#include <QObject>
#include <QStringList>

class QWidget;

namespace weft::studio {

class RunActions : public QObject {
    Q_OBJECT
public:
    RunActions(Backend* backend, QWidget* dialogParent);

    /// Set false by tests and --screenshot runs: no modal questions, answers are "yes".
    void setConfirm(bool ask) { m_confirm = ask; }

    void retry(const QStringList& flowRunIds);
    void retryFromTask(const QString& flowRunId, const QString& taskRunId);
    /// "Run again with parameters…": a form filled from the run's parameters, then a new run
    /// of the same flow by the same program.
    void runAgain(const QString& flowRunId);
    void cancel(const QStringList& flowRunIds);
    void markAs(const QStringList& flowRunIds);
    void markTaskRunAs(const QString& taskRunId);
    void remove(const QStringList& flowRunIds);
    /// Resumes a paused run; when its pause waits for input, a form for the input's fields asks
    /// for it first (without confirmation: the fields' defaults).
    void resume(const QString& flowRunId);
    void resumeWithInput(const QString& flowRunId, const nlohmann::json& input);

Q_SIGNALS:
    /// One line for the status bar, e.g. "Cancelling 3 runs" or a refusal's reason.
    void message(const QString& text);
    /// Every command of a batch has answered.
    void finished(const QString& action, int succeeded, int refused);

private:
    bool ask(const QString& title, const QString& text);
    bool mayChangeRuns(); // false (and says why) on a read-only backend
    void report(const QString& action, const std::vector<CommandResult>& results);
    template<class Fn> void forEach(const QString& action, const QStringList& ids, Fn issue);

    Backend* m_backend;
    QWidget* m_parent;
    bool m_confirm = true;
};

} // namespace weft::studio

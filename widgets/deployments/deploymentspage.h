#pragma once
// The Deployments page: the deployments table, and the selected one's details (description,
// schedules in words, default parameters, pool) with "Run…" and "Pause / Resume schedules"
// where the backend can (else disabled, the reason in the tooltip).
#include "backend/backend.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;
class QTextBrowser;

namespace weft::studio {

class DeploymentListModel;
class RunDeploymentDialog;

class DeploymentsPage : public QWidget {
    Q_OBJECT
public:
    explicit DeploymentsPage(Backend* backend, QWidget* parent = nullptr);

    DeploymentListModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    QTextBrowser* details() const { return m_details; }
    QPushButton* runButton() const { return m_run; }
    QPushButton* pauseButton() const { return m_pause; }
    /// The id of the selected deployment; empty without one.
    std::string selectedId() const;
    void selectDeployment(const std::string& id);

public Q_SLOTS:
    /// Opens "Run deployment…" for the selected deployment (none selected: the first); returns
    /// the dialog (open, window-modal), or nullptr without deployments or when the backend
    /// cannot run them.
    RunDeploymentDialog* runSelected();
    void togglePaused();

Q_SIGNALS:
    /// A run of a deployment was created: the main window opens it.
    void openRun(const QString& flowRunId);
    /// A one-line outcome for the status bar ("Paused etl/nightly", a refusal).
    void message(const QString& text);

private:
    void showDetails();
    void updateButtons();
    void updateStatus();

    Backend* m_backend;
    DeploymentListModel* m_model;
    QTableView* m_table;
    QTextBrowser* m_details;
    QLabel* m_status;
    QPushButton* m_run;
    QPushButton* m_pause;
    std::string m_keepSelected; // across a reset of the model
};

} // namespace weft::studio

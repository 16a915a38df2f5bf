#pragma once
// "Run deployment…": the deployment's parameters as a form (ParameterForm), sent on OK as a new
// run of it (Backend::createDeploymentRun). The server's refusal stays in the dialog with its
// reason; on success runCreated() names the new run and the dialog closes.
#include "backend/backend.h"

#include <QDialog>
#include <QPointer>

class QDialogButtonBox;
class QLabel;

namespace weft::studio {

class ParameterForm;

class RunDeploymentDialog : public QDialog {
    Q_OBJECT
public:
    RunDeploymentDialog(Backend* backend, const DeploymentInfo& deployment,
                        QWidget* parent = nullptr);

    ParameterForm* form() const { return m_form; }
    /// The refusal or error shown, for tests.
    QString errorText() const;

    void accept() override;

Q_SIGNALS:
    void runCreated(const QString& flowRunId);

private:
    void setBusy(bool busy);

    QPointer<Backend> m_backend;
    std::string m_deploymentId;
    ParameterForm* m_form;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
};

} // namespace weft::studio

#include "deployments/rundeploymentdialog.h"

#include "deployments/parameterform.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace weft::studio {

RunDeploymentDialog::RunDeploymentDialog(Backend* backend, const DeploymentInfo& info,
                                         QWidget* parent)
    : QDialog(parent)
    , m_backend(backend)
    , m_deploymentId(info.deployment.id) {
    const QString name = QString::fromStdString(
        (info.flowName.empty() ? std::string() : info.flowName + "/") + info.deployment.name);
    setWindowTitle(tr("Run %1").arg(name));
    auto* layout = new QVBoxLayout(this);
    auto* heading =
        new QLabel(tr("A new run of <b>%1</b>, scheduled now; a worker of its pool starts it.")
                       .arg(name.toHtmlEscaped()),
                   this);
    heading->setWordWrap(true);
    layout->addWidget(heading);

    m_form = new ParameterForm(info.deployment.parameter_openapi_schema, info.deployment.parameters,
                               this);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // the form narrows instead
    scroll->setWidget(m_form);
    layout->addWidget(scroll, 1);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("runError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->setVisible(false);
    layout->addWidget(m_error);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Run"));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_form->isValid());
    connect(m_form, &ParameterForm::validityChanged, m_buttons->button(QDialogButtonBox::Ok),
            &QWidget::setEnabled);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &RunDeploymentDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &RunDeploymentDialog::reject);
    layout->addWidget(m_buttons);
    resize(560, 460);
}

QString RunDeploymentDialog::errorText() const {
    return m_error->isVisible() || !m_error->text().isEmpty() ? m_error->text() : QString();
}

void RunDeploymentDialog::setBusy(bool busy) {
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!busy && m_form->isValid());
    m_form->setEnabled(!busy);
}

void RunDeploymentDialog::accept() {
    QString error;
    const auto parameters = m_form->values(&error);
    if (!parameters) {
        m_error->setText(error);
        m_error->setVisible(true);
        return;
    }
    if (!m_backend) return;
    m_error->clear();
    m_error->setVisible(false);
    setBusy(true);
    m_backend->createDeploymentRun(
        m_deploymentId, *parameters, this, [this](Result<CommandResult> r) {
            setBusy(false);
            const CommandResult c = r ? *r : CommandResult{false, r.error(), std::nullopt};
            if (!c.ok) { // the server's reason, kept until the next try
                m_error->setText(c.message.isEmpty() ? tr("The server refused the run.")
                                                     : c.message);
                m_error->setVisible(true);
                return;
            }
            Q_EMIT runCreated(QString::fromStdString(c.createdRunId));
            QDialog::accept();
        });
}

} // namespace weft::studio

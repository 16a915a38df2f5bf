#include "deployments/deploymentspage.h"

#include "deployments/deploymentlistmodel.h"
#include "deployments/listtable.h"
#include "deployments/rundeploymentdialog.h"
#include "deployments/scheduleformat.h"
#include "runs/runformat.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace weft::studio {

namespace {
QString esc(const std::string& s) {
    return QString::fromStdString(s).toHtmlEscaped();
}
} // namespace

DeploymentsPage::DeploymentsPage(Backend* backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_model(new DeploymentListModel(backend, this)) {
    auto* layout = new QVBoxLayout(this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("deploymentsStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto* split = new QSplitter(Qt::Vertical, this);
    m_table = makeListTable(m_model, split);

    auto* lower = new QWidget(split);
    auto* lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    auto* buttons = new QHBoxLayout;
    m_run = new QPushButton(tr("Run…"), lower);
    m_run->setObjectName(QStringLiteral("runDeployment"));
    m_pause = new QPushButton(tr("Pause schedules"), lower);
    m_pause->setObjectName(QStringLiteral("pauseDeployment"));
    buttons->addWidget(m_run);
    buttons->addWidget(m_pause);
    buttons->addStretch(1);
    lowerLayout->addLayout(buttons);
    m_details = new QTextBrowser(lower);
    m_details->setObjectName(QStringLiteral("deploymentDetails"));
    m_details->setOpenLinks(false);
    lowerLayout->addWidget(m_details, 1);
    split->addWidget(m_table);
    split->addWidget(lower);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    connect(m_run, &QPushButton::clicked, this, &DeploymentsPage::runSelected);
    connect(m_pause, &QPushButton::clicked, this, &DeploymentsPage::togglePaused);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        showDetails();
        updateButtons();
    });
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this,
            [this] { m_keepSelected = selectedId(); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (!m_keepSelected.empty()) selectDeployment(m_keepSelected);
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, &DeploymentsPage::showDetails);
    connect(m_model, &DeploymentListModel::refreshed, this, [this] {
        if (!m_table->selectionModel()->hasSelection() && m_model->rowCount() > 0)
            m_table->selectRow(0);
        updateStatus();
        updateButtons();
    });
    updateStatus();
    updateButtons();
}

std::string DeploymentsPage::selectedId() const {
    const auto rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty()) return {};
    const DeploymentInfo* d = m_model->deployment(rows.front().row());
    return d ? d->deployment.id : std::string();
}

void DeploymentsPage::selectDeployment(const std::string& id) {
    const int row = m_model->rowOf(id);
    if (row >= 0) m_table->selectRow(row);
}

void DeploymentsPage::updateStatus() {
    QString text = m_model->errorString();
    if (text.isEmpty() && m_model->rowCount() == 0)
        text = tr("No deployments. Make one with `weft deploy` against a server (WEFT_API_URL), "
                  "or Prefect's `prefect deploy`.");
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
}

void DeploymentsPage::updateButtons() {
    const DeploymentInfo* d = m_model->deployment(m_model->rowOf(selectedId()));
    const QString cannotRun = m_backend->cannot(Backend::Capability::RunDeployment);
    const QString cannotPause = m_backend->cannot(Backend::Capability::PauseDeployment);
    m_run->setEnabled(d && cannotRun.isEmpty());
    m_run->setToolTip(cannotRun.isEmpty() ? tr("Start a run of this deployment with parameters")
                                          : cannotRun);
    m_pause->setText(d && d->deployment.paused ? tr("Resume schedules") : tr("Pause schedules"));
    m_pause->setEnabled(d && cannotPause.isEmpty());
    m_pause->setToolTip(cannotPause);
}

void DeploymentsPage::showDetails() {
    const DeploymentInfo* info = m_model->deployment(m_model->rowOf(selectedId()));
    if (!info) {
        m_details->clear();
        return;
    }
    const weft::DeploymentRecord& d = info->deployment;
    QString html =
        QStringLiteral("<h3>%1</h3>")
            .arg(esc((info->flowName.empty() ? std::string() : info->flowName + " / ") + d.name));
    if (!d.description.empty()) html += QStringLiteral("<p>%1</p>").arg(esc(d.description));
    html += QStringLiteral("<table cellspacing=4>");
    auto row = [&](const QString& key, const QString& value) {
        if (!value.isEmpty())
            html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(key, value);
    };
    row(tr("State"), d.paused ? tr("paused: its schedules make no runs") : tr("active"));
    row(tr("Work pool"),
        esc(d.work_pool_name)
            + (d.work_queue_name.empty() ? QString()
                                         : QStringLiteral(" / ") + esc(d.work_queue_name)));
    row(tr("Status"), info->status == "READY" ? tr("ready (a worker is online)")
                                              : tr("not ready (no worker online)"));
    row(tr("Next run"),
        info->nextRun ? formatTimestamp(*info->nextRun / 1000) : tr("none waiting"));
    row(tr("Entrypoint"), esc(d.entrypoint));
    row(tr("Version"), esc(d.version));
    html += QStringLiteral("</table><h4>%1</h4><ul>").arg(tr("Schedules"));
    if (d.schedules.empty())
        html += QStringLiteral("<li>%1</li>").arg(tr("none: runs only by hand"));
    for (const auto& s : d.schedules)
        html += QStringLiteral("<li>%1</li>").arg(scheduleInWords(s).toHtmlEscaped());
    html += QStringLiteral("</ul><h4>%1</h4>").arg(tr("Default parameters"));
    html += d.parameters.empty() ? QStringLiteral("<p>%1</p>").arg(tr("none"))
                                 : QStringLiteral("<pre>%1</pre>").arg(esc(d.parameters.dump(2)));
    if (info->deployment.parameter_openapi_schema.is_object())
        html += QStringLiteral("<h4>%1</h4><pre>%2</pre>")
                    .arg(tr("Parameter schema"),
                         esc(info->deployment.parameter_openapi_schema.dump(2)));
    m_details->setHtml(html);
}

RunDeploymentDialog* DeploymentsPage::runSelected() {
    if (!m_backend->cannot(Backend::Capability::RunDeployment).isEmpty()) return nullptr;
    int row = m_model->rowOf(selectedId());
    if (row < 0 && m_model->rowCount() > 0) row = 0;
    const DeploymentInfo* d = m_model->deployment(row);
    if (!d) return nullptr;
    auto* dialog = new RunDeploymentDialog(m_backend, *d, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &RunDeploymentDialog::runCreated, this, [this](const QString& id) {
        Q_EMIT message(tr("Created flow run %1.").arg(id));
        Q_EMIT openRun(id);
        m_model->refresh();
    });
    dialog->open();
    return dialog;
}

void DeploymentsPage::togglePaused() {
    const DeploymentInfo* d = m_model->deployment(m_model->rowOf(selectedId()));
    if (!d) return;
    const bool pause = !d->deployment.paused;
    const QString name = QString::fromStdString(d->deployment.name);
    m_pause->setEnabled(false);
    m_backend->setDeploymentPaused(
        d->deployment.id, pause, this, [this, pause, name](Result<CommandResult> r) {
            const CommandResult c = r ? *r : CommandResult{false, r.error(), std::nullopt};
            Q_EMIT message(c.ok ? (pause ? tr("Paused the schedules of %1.").arg(name)
                                         : tr("Resumed the schedules of %1.").arg(name))
                                : tr("Couldn't change %1: %2").arg(name, c.message));
            m_model->refresh();
            updateButtons();
        });
}

} // namespace weft::studio

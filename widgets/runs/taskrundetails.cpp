#include "runs/taskrundetails.h"

#include "common/resultview.h"
#include "common/statebadge.h"
#include "common/statepalette.h"
#include "dashboard/jsonmodel.h"
#include "runs/runformat.h"
#include "runs/taskrunmodel.h"

#include <QDateTime>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace weft::studio {

namespace {
QTreeView* jsonTree(JsonModel* model, QWidget* parent) {
    auto* view = new QTreeView(parent);
    view->setModel(model);
    view->setUniformRowHeights(true);
    view->setAlternatingRowColors(true);
    view->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->setMinimumHeight(90);
    return view;
}
} // namespace

TaskRunDetails::TaskRunDetails(Backend* backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_parameters(new JsonModel(this))
    , m_result(new ResultView(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout();
    m_badge = new StateBadge(this);
    m_title = new QLabel(tr("Select a task run"), this);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont f = m_title->font();
    f.setBold(true);
    m_title->setFont(f);
    auto* close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setToolTip(tr("Hide the task-run details"));
    close->setAutoRaise(true);
    connect(close, &QToolButton::clicked, this, &TaskRunDetails::closeRequested);
    top->addWidget(m_badge);
    top->addWidget(m_title, 1);
    top->addWidget(close);
    layout->addLayout(top);
    m_facts = new QLabel(this);
    m_facts->setWordWrap(true);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_facts);

    auto* buttons = new QHBoxLayout();
    auto* logs = new QPushButton(QIcon(QStringLiteral(":/weft/icons/logs.svg")), tr("Logs"), this);
    auto* retry = new QPushButton(QIcon(QStringLiteral(":/weft/icons/retry.svg")),
                                  tr("Retry from here"), this);
    auto* mark =
        new QPushButton(QIcon(QStringLiteral(":/weft/icons/markas.svg")), tr("Mark as…"), this);
    m_openChild = new QPushButton(tr("Open subflow run"), this);
    m_openChild->hide();
    for (auto* b : {logs, retry, mark, m_openChild})
        buttons->addWidget(b);
    for (auto* b : {retry, mark})
        b->setEnabled(!m_backend->isReadOnly());
    buttons->addStretch();
    layout->addLayout(buttons);
    connect(logs, &QPushButton::clicked, this, [this] {
        if (!m_id.isEmpty()) Q_EMIT showLogs(m_id);
    });
    connect(retry, &QPushButton::clicked, this, [this] {
        if (!m_id.isEmpty()) Q_EMIT retryFromHere(m_id);
    });
    connect(mark, &QPushButton::clicked, this, [this] {
        if (!m_id.isEmpty()) Q_EMIT markAs(m_id);
    });
    connect(m_openChild, &QPushButton::clicked, this,
            [this] { Q_EMIT openFlowRun(m_childFlowRun); });

    layout->addWidget(new QLabel(tr("<b>Parameters</b>"), this));
    layout->addWidget(jsonTree(m_parameters, this), 2);
    layout->addWidget(new QLabel(tr("<b>Result</b>"), this));
    m_result->setMinimumHeight(90);
    layout->addWidget(m_result, 1);
    layout->addWidget(new QLabel(tr("<b>State history</b>"), this));
    m_history = new QListWidget(this);
    m_history->setMinimumHeight(80);
    layout->addWidget(m_history, 1);
}

void TaskRunDetails::showTaskRun(const QString& taskRunId, const TaskRunModel* runs) {
    m_id = taskRunId;
    if (const weft::TaskRunRecord* r = runs->taskRun(runs->rowOfTaskRun(taskRunId))) fill(*r, runs);
    const quint64 generation = ++m_generation;
    m_backend->fetchStateHistory(
        taskRunId.toStdString(), this,
        [this, generation](Result<std::vector<weft::State>> history) {
            if (generation != m_generation) return;
            m_history->clear();
            if (!history) { // said in place, not an empty history
                new QListWidgetItem(tr("couldn't load the state history: %1").arg(history.error()),
                                    m_history);
                return;
            }
            const bool dark = palette().color(QPalette::Window).lightnessF() < 0.5;
            for (const auto& s : *history) {
                auto* item = new QListWidgetItem(
                    QStringLiteral("%1  %2%3")
                        .arg(formatTimestamp(s.timestamp / 1000), QString::fromStdString(s.name),
                             s.message.empty()
                                 ? QString()
                                 : QStringLiteral(" — ") + QString::fromStdString(s.message)),
                    m_history);
                item->setForeground(stateColor(s.type, dark));
                item->setToolTip(QString::fromStdString(s.message));
            }
        });
}

void TaskRunDetails::fill(const weft::TaskRunRecord& r, const TaskRunModel* runs) {
    m_badge->setState(r.state.type, QString::fromStdString(r.state.name));
    m_title->setText(QString::fromStdString(r.name));
    QStringList upstream;
    if (r.task_inputs.is_object())
        for (const auto& [param, refs] : r.task_inputs.items())
            for (const auto& ref : refs)
                if (ref.value("input_type", "") == "task_run") {
                    const std::string id = ref.value("id", "");
                    const QString qid = QString::fromStdString(id);
                    const weft::TaskRunRecord* k = runs->taskRun(runs->rowOfTaskRun(qid));
                    const QString name = k ? QString::fromStdString(k->name) : qid.left(8);
                    upstream << QStringLiteral("%1 ← %2").arg(QString::fromStdString(param), name);
                }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const double runTime = runTimeS(r, now), wallTime = wallTimeS(r, now);
    QStringList lines;
    lines << tr("Id: %1").arg(QString::fromStdString(r.id));
    lines << tr("Attempts: %1 (retries allowed: %2)").arg(r.run_count).arg(r.max_retries);
    if (r.start_time) lines << tr("Started: %1").arg(formatTimestampMs(*r.start_time / 1000));
    if (r.end_time) lines << tr("Ended: %1").arg(formatTimestampMs(*r.end_time / 1000));
    if (runTime >= 0) lines << tr("Run time: %1").arg(formatDuration(runTime));
    if (wallTime >= 0) lines << tr("Wall time: %1").arg(formatDuration(wallTime));
    if (!r.cache_key.empty()) lines << tr("Cache key: %1").arg(QString::fromStdString(r.cache_key));
    if (!r.tags.empty()) {
        QStringList tags;
        for (const auto& t : r.tags)
            tags << QString::fromStdString(t);
        lines << tr("Tags: %1").arg(tags.join(QStringLiteral(", ")));
    }
    if (!upstream.isEmpty()) lines << tr("Inputs: %1").arg(upstream.join(QStringLiteral(", ")));
    if (!r.state.message.empty())
        lines << tr("Message: %1").arg(QString::fromStdString(r.state.message));
    m_facts->setText(lines.join(QLatin1Char('\n')));
    m_parameters->setJson(r.parameters);
    m_result->setResult(r.result, r.has_result, r.state.type);
    m_childFlowRun = QString::fromStdString(r.child_flow_run_id);
    m_openChild->setVisible(!m_childFlowRun.isEmpty());
}

} // namespace weft::studio

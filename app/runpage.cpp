#include "runpage.h"

#include "common/jsonpane.h"
#include "common/resultview.h"
#include "common/statebadge.h"
#include "common/statepalette.h"
#include "graph/rungraphmodel.h"
#include "graph/rungraphwidget.h"
#include "logs/logmodel.h"
#include "logs/logview.h"
#include "logs/snapshottasknames.h"
#include "runactions.h"
#include "runs/runformat.h"
#include "runs/runsnapshot.h"
#include "runs/runsnapshots.h"
#include "runs/taskrundetails.h"
#include "runs/taskrunmodel.h"
#include "runs/taskruntable.h"
#include "timeline/timelinemodel.h"
#include "timeline/timelineview.h"
#include "timeline/timelinewidget.h"

#include <QDateTime>
#include <QLabel>
#include <QMenu>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace weft::studio {

namespace {
QToolButton* actionButton(const QString& icon, const QString& text, QWidget* parent) {
    auto* b = new QToolButton(parent);
    b->setIcon(QIcon(QStringLiteral(":/weft/icons/") + icon + QStringLiteral(".svg")));
    b->setText(text);
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    b->setAutoRaise(true);
    b->setObjectName(icon); // tests find the controls by name
    return b;
}
} // namespace

RunPage::RunPage(Backend* backend, RunActions* actions, const weft::FlowRunRecord& run,
                 QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_actions(actions)
    , m_id(QString::fromStdString(run.id))
    , m_run(run)
    , m_heldSnapshot(RunSnapshots::of(backend, m_id))
    , m_snapshot(m_heldSnapshot.get()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildHeader());

    m_split = new QSplitter(Qt::Horizontal, this);
    m_tabs = new QTabWidget(m_split);
    m_tabs->setDocumentMode(true);
    m_graphModel = new RunGraphModel(backend, this);
    m_graph = new RunGraphWidget(m_graphModel, m_tabs);
    m_timeline = new TimelineWidget(backend, m_tabs);
    m_logs = new LogView(backend, m_tabs);
    m_taskRuns = new TaskRunTable(backend, m_tabs);
    m_parameters = new JsonPane(m_tabs);
    m_result = new ResultView(m_tabs);
    m_tabs->addTab(m_graph, QIcon(QStringLiteral(":/weft/icons/graph.svg")), tr("&Graph"));
    m_tabs->addTab(m_timeline, QIcon(QStringLiteral(":/weft/icons/timeline.svg")), tr("&Timeline"));
    m_tabs->addTab(m_logs, QIcon(QStringLiteral(":/weft/icons/logs.svg")), tr("&Logs"));
    m_tabs->addTab(m_taskRuns, tr("Task &runs"));
    m_tabs->addTab(m_parameters, tr("&Parameters"));
    m_tabs->addTab(m_result, tr("Res&ult"));
    m_details = new TaskRunDetails(backend, m_split);
    m_split->addWidget(m_tabs);
    m_split->addWidget(m_details);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 1);
    m_split->setSizes({900, 320});
    m_details->hide(); // the tabs get the width until a task run is selected
    layout->addWidget(m_split, 1);

    // One snapshot of the run for the header, the graph, the timeline and the task runs: one
    // fetch, one merge per event batch, so they agree on counts and durations.
    m_taskRuns->taskRunModel()->setSnapshot(m_snapshot);
    m_timeline->model()->setSnapshot(m_snapshot);
    m_graphModel->setSnapshot(m_snapshot);
    m_logs->model()->setTaskNames(new SnapshotTaskNames(m_snapshot, this));
    m_logs->setFlowRun(m_id);

    connect(m_graph, &RunGraphWidget::taskRunActivated, this, &RunPage::selectTaskRun);
    connect(m_timeline, &TimelineWidget::taskRunActivated, this, &RunPage::selectTaskRun);
    connect(m_taskRuns, &TaskRunTable::taskRunActivated, this, &RunPage::selectTaskRun);
    connect(m_logs, &LogView::taskRunActivated, this, &RunPage::selectTaskRun);
    connect(m_logs, &LogView::openRun, this, &RunPage::openRun);
    connect(m_graph, &RunGraphWidget::contextMenuRequested, this, &RunPage::taskContextMenu);
    connect(m_timeline, &TimelineWidget::contextMenuRequested, this, &RunPage::taskContextMenu);
    connect(m_taskRuns, &TaskRunTable::contextMenuRequested, this, &RunPage::taskContextMenu);
    connect(m_details, &TaskRunDetails::showLogs, this, [this](const QString& id) {
        m_logs->showTaskRun(id);
        showTab(Tab::Logs);
    });
    connect(m_details, &TaskRunDetails::retryFromHere, this,
            [this](const QString& id) { m_actions->retryFromTask(m_id, id); });
    connect(m_details, &TaskRunDetails::markAs, m_actions, &RunActions::markTaskRunAs);
    connect(m_details, &TaskRunDetails::openFlowRun, this, &RunPage::openRun);
    connect(m_details, &TaskRunDetails::closeRequested, m_details, &QWidget::hide);
    connect(m_snapshot, &RunSnapshot::reset, this, &RunPage::onSnapshotChanged);
    connect(m_snapshot, &RunSnapshot::updated, this, &RunPage::onSnapshotChanged);
    connect(m_snapshot, &RunSnapshot::errorChanged, this, &RunPage::updateCounts);
    connect(m_snapshot, &RunSnapshot::loadingChanged, this, &RunPage::updateCounts);

    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] { showRecord(m_run); });
    showRecord(run);
    onSnapshotChanged(); // it may be loaded already: another view of the run holds it
}

QWidget* RunPage::buildHeader() {
    auto* header = new QFrame(this);
    header->setObjectName(QStringLiteral("runHeader"));
    header->setFrameShape(QFrame::StyledPanel);
    auto* grid = new QVBoxLayout(header);
    auto* top = new QHBoxLayout();
    m_badge = new StateBadge(header);
    m_title = new QLabel(header);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont f = m_title->font();
    f.setPointSizeF(f.pointSizeF() * 1.35);
    f.setBold(true);
    m_title->setFont(f);
    top->addWidget(m_badge);
    top->addWidget(m_title, 1);
    // With several connections open, the header says which one the run came from.
    m_source = new QLabel(header);
    m_source->setObjectName(QStringLiteral("runSource"));
    m_source->setForegroundRole(QPalette::PlaceholderText); // muted beside the title
    m_source->setVisible(false);
    top->addWidget(m_source);
    m_retry = actionButton(QStringLiteral("retry"), tr("Retry"), header);
    m_cancel = actionButton(QStringLiteral("cancel"), tr("Cancel"), header);
    auto* again = actionButton(QStringLiteral("retry"), tr("Run again…"), header);
    again->setObjectName(QStringLiteral("runAgain"));
    again->setToolTip(tr("Run again with parameters…"));
    // Only a paused run shows it (updateRun).
    m_resume = actionButton(QStringLiteral("resume"), tr("Resume…"), header);
    m_resume->setVisible(false);
    top->addWidget(m_resume);
    connect(m_resume, &QToolButton::clicked, this, [this] { m_actions->resume(m_id); });
    auto* mark = actionButton(QStringLiteral("markas"), tr("Mark as…"), header);
    auto* remove = actionButton(QStringLiteral("delete"), tr("Delete"), header);
    for (auto* b : {m_retry, again, m_cancel, mark, remove}) {
        top->addWidget(b);
        if (m_backend->isReadOnly()) b->setToolTip(tr("The database is read-only for you."));
    }
    again->setEnabled(!m_backend->isReadOnly());
    // What this backend cannot do is disabled, and says why.
    if (const QString why = m_backend->cannot(Backend::Capability::RunAgain); !why.isEmpty()) {
        again->setEnabled(false);
        again->setToolTip(why);
    }
    if (const QString why = m_backend->cannot(Backend::Capability::Resume); !why.isEmpty())
        m_resume->setToolTip(why);
    mark->setEnabled(!m_backend->isReadOnly());
    remove->setEnabled(!m_backend->isReadOnly());
    connect(m_retry, &QToolButton::clicked, this, [this] { m_actions->retry({m_id}); });
    connect(again, &QToolButton::clicked, this, [this] { m_actions->runAgain(m_id); });
    connect(m_cancel, &QToolButton::clicked, this, [this] { m_actions->cancel({m_id}); });
    connect(mark, &QToolButton::clicked, this, [this] { m_actions->markAs({m_id}); });
    connect(remove, &QToolButton::clicked, this, [this] { m_actions->remove({m_id}); });
    grid->addLayout(top);
    m_facts = new QLabel(header);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_facts->setWordWrap(true);
    grid->addWidget(m_facts);
    m_message = new QLabel(header);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(m_message);
    m_counts = new QLabel(header);
    m_counts->setTextFormat(Qt::RichText);
    grid->addWidget(m_counts);
    return header;
}

QString RunPage::title() const {
    return QStringLiteral("%1 · %2").arg(QString::fromStdString(m_run.flow_name),
                                         QString::fromStdString(m_run.name));
}

void RunPage::setSource(const QString& source) {
    m_source->setText(source);
    m_source->setToolTip(source);
    m_source->setVisible(!source.isEmpty());
}

QString RunPage::source() const {
    return m_source->text();
}

void RunPage::showTab(Tab tab) {
    m_tabs->setCurrentIndex(int(tab));
}
RunPage::Tab RunPage::currentTab() const {
    return Tab(m_tabs->currentIndex());
}

void RunPage::refresh() {
    m_snapshot->refresh();
}

void RunPage::onSnapshotChanged() {
    if (const auto& run = m_snapshot->run()) showRecord(*run);
    if (m_snapshot->runDeleted()) {
        m_message->setVisible(true);
        m_message->setText(tr("This flow run was deleted."));
    }
    updateCounts();
}

void RunPage::showRecord(const weft::FlowRunRecord& run) {
    const bool stateChangedNow = run.state.id != m_run.state.id;
    m_run = run;
    m_badge->setState(run.state.type, QString::fromStdString(run.state.name));
    m_title->setText(title());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QStringList facts;
    facts << tr("Run %1").arg(QString::fromStdString(run.id));
    if (run.start_time)
        facts << tr("started %1 (%2)")
                     .arg(formatTimestamp(*run.start_time / 1000),
                          formatRelative(*run.start_time / 1000, now));
    else
        facts << tr("expected %1").arg(formatTimestamp(run.expected_start_time / 1000));
    // The same two durations as the task runs' (runformat.h), labelled.
    if (const double d = runTimeS(run, now); d >= 0)
        facts << tr("run time %1").arg(formatDuration(d));
    if (const double d = wallTimeS(run, now); d >= 0)
        facts << tr("wall time %1").arg(formatDuration(d));
    facts << tr("run count %1").arg(run.run_count);
    if (!run.tags.empty()) {
        QStringList tags;
        for (const auto& t : run.tags)
            tags << QString::fromStdString(t);
        facts << tr("tags %1").arg(tags.join(QStringLiteral(", ")));
    }
    if (!run.flow_version.empty())
        facts << tr("version %1").arg(QString::fromStdString(run.flow_version));
    const QString params = parametersSummary(run.parameters, 200);
    if (!params.isEmpty()) facts << tr("parameters: %1").arg(params);
    m_facts->setText(facts.join(QStringLiteral("  ·  ")));
    const bool dark = palette().color(QPalette::Window).lightnessF() < 0.5;
    const QString message = stateMessage(run.state);
    m_message->setVisible(!message.isEmpty());
    m_message->setText(message);
    QPalette mp = m_message->palette();
    mp.setColor(QPalette::WindowText,
                weft::is_terminal(run.state.type) && run.state.type != weft::StateType::Completed
                    ? stateColor(run.state.type, dark)
                    : palette().color(QPalette::WindowText));
    m_message->setPalette(mp);
    const bool writable = !m_backend->isReadOnly();
    m_retry->setEnabled(writable && weft::is_resumable(run.state.type));
    m_cancel->setEnabled(writable && !weft::is_terminal(run.state.type));
    m_resume->setVisible(run.state.type == weft::StateType::Paused);
    m_resume->setEnabled(writable && m_backend->cannot(Backend::Capability::Resume).isEmpty());
    m_parameters->setJson(run.parameters, tr("This run has no parameters."));
    m_result->setResult(run.result, !run.result.is_null(), run.state.type);
    if (run.state.type == weft::StateType::Running && !m_tick.isActive()) m_tick.start();
    if (run.state.type != weft::StateType::Running) m_tick.stop();
    if (stateChangedNow) {
        Q_EMIT stateChanged(run.state.type);
        Q_EMIT titleChanged(title());
    }
}

void RunPage::updateCounts() {
    m_counts->setText(countsText());
}

QString RunPage::countsText() const {
    if (m_snapshot->isLoading()) return tr("Loading task runs…");
    // An error is not "0 task runs": say what failed (the tabs show it too, with Retry).
    if (!m_snapshot->errorString().isEmpty())
        return QStringLiteral("<span style='color:#d9534f'>%1</span>")
            .arg(m_snapshot->errorString().toHtmlEscaped());
    const bool dark = palette().color(QPalette::Window).lightnessF() < 0.5;
    QStringList chips;
    for (auto type : allStateTypes()) {
        const int n = m_snapshot->count(type);
        if (n == 0) continue;
        chips << QStringLiteral("<span style='color:%1'>&#9679;</span> %2 %3")
                     .arg(stateColor(type, dark).name())
                     .arg(n)
                     .arg(stateTypeLabel(type).toLower());
    }
    return tr("<b>%n task run(s)</b>", nullptr, m_snapshot->taskCount())
           + QStringLiteral("&nbsp;&nbsp;") + chips.join(QStringLiteral("&nbsp;&nbsp;&nbsp;"));
}

void RunPage::selectTaskRun(const QString& taskRunId) {
    m_details->showTaskRun(taskRunId, m_taskRuns->taskRunModel());
    m_details->show();
}

void RunPage::taskContextMenu(const QString& taskRunId, const QPoint& globalPos) {
    QMenu menu(this);
    QAction* fromHere =
        menu.addAction(QIcon(QStringLiteral(":/weft/icons/retry.svg")), tr("Retry from here"), this,
                       [this, taskRunId] { m_actions->retryFromTask(m_id, taskRunId); });
    if (const QString why = m_backend->cannot(Backend::Capability::RetryFromTask); !why.isEmpty()) {
        fromHere->setEnabled(false);
        fromHere->setToolTip(why);
        menu.setToolTipsVisible(true);
    }
    menu.addAction(QIcon(QStringLiteral(":/weft/icons/logs.svg")), tr("Show its log lines"), this,
                   [this, taskRunId] {
                       m_logs->showTaskRun(taskRunId);
                       showTab(Tab::Logs);
                   });
    menu.addAction(QIcon(QStringLiteral(":/weft/icons/markas.svg")), tr("Mark as…"), this,
                   [this, taskRunId] { m_actions->markTaskRunAs(taskRunId); });
    menu.addAction(tr("Details"), this, [this, taskRunId] { selectTaskRun(taskRunId); });
    menu.exec(globalPos);
}

bool RunPage::exportGraph(const QString& path) {
    return m_graph->view()->exportTo(path);
}
bool RunPage::exportTimeline(const QString& path) {
    return m_timeline->view()->exportTo(path);
}

} // namespace weft::studio

// LogView: construction, toolbar, scope and filters. Navigation, follow, copy and download are in
// logviewactions.cpp.
#include "logs/logview.h"

#include "runs/errorpanel.h"

#include "backend/backend.h"
#include "logs/logdelegate.h"
#include "logs/logexporter.h"
#include "logs/logformat.h"
#include "logs/logmodel.h"

#include <QActionGroup>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QScrollBar>
#include <QShortcut>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace weft::studio {

LogView::LogView(Backend* backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_model(new LogModel(backend, this))
    , m_delegate(new LogDelegate(this))
    , m_exporter(new LogExporter(backend, this))
    , m_copier(new LogExporter(backend, this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto* barWidget = new QWidget(this);
    barWidget->setObjectName(QStringLiteral("logToolbar"));
    auto* bar = new QHBoxLayout(barWidget);
    bar->setContentsMargins(6, 4, 6, 4);
    bar->setSpacing(4);
    buildToolbar(bar);
    layout->addWidget(barWidget);
    m_table = new QTableView(this);
    layout->addWidget(m_table, 1);
    setupTable();

    m_searchDebounce.setSingleShot(true);
    m_searchDebounce.setInterval(250);
    connect(&m_searchDebounce, &QTimer::timeout, this, &LogView::applySearch);
    m_followTimer.setSingleShot(true);
    m_followTimer.setInterval(0);
    connect(&m_followTimer, &QTimer::timeout, this, &LogView::followNow);
    m_statusTimer.setSingleShot(true);
    m_statusTimer.setInterval(100); // live lines may come thousands a second
    connect(&m_statusTimer, &QTimer::timeout, this, &LogView::updateStatus);

    connect(m_model, &QAbstractItemModel::rowsInserted, this, &LogView::rowsArrived);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        updateStatus();
        updateHitLabel();
        updateEmptyState();
    });
    connect(m_model, &LogModel::loadingChanged, this, [this] {
        updateStatus();
        updateEmptyState();
    });
    connect(m_model, &LogModel::hitsChanged, this, [this] {
        if (m_jumpToFirstHit && m_model->hitRow(0) >= 0) {
            m_jumpToFirstHit = false;
            goToHit(0);
        }
        updateHitLabel();
    });
    connect(m_model, &LogModel::searchFinished, this, [this] {
        m_jumpToFirstHit = false;
        updateHitLabel();
        updateEmptyState();
    });
    connect(m_model, &LogModel::loggerNamesArrived, this, &LogView::populateLoggerMenu);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        // The task chip names its task run once the name is known.
        if (!m_model->taskRun().isEmpty() && m_taskChip->property("named").toBool() == false)
            updateScopeUi();
    });
    connect(m_exporter, &LogExporter::progress, this, [this](qint64 lines, qint64 total) {
        m_lastMessage = total > 0 ? tr("Downloading… %1%").arg(lines * 100 / total)
                                  : tr("Downloading… %1 lines").arg(groupedNumber(lines));
        updateStatus();
    });
    connect(m_exporter, &LogExporter::finished, this,
            [this](bool ok, const QString& message, qint64 lines) {
                m_lastMessage =
                    ok ? tr("Saved %1 lines to %2").arg(groupedNumber(lines), message) : message;
                updateStatus();
                Q_EMIT downloadFinished(ok, message);
            });
    connect(m_copier, &LogExporter::textReady, this,
            [this](const QString& text, qint64 lines) { setCopyText(text, int(lines)); });

    auto* find = new QShortcut(QKeySequence::Find, this);
    find->setContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    auto* next = new QShortcut(QKeySequence(Qt::Key_F3), this);
    next->setContext(Qt::WidgetWithChildrenShortcut);
    connect(next, &QShortcut::activated, this, &LogView::findNext);
    auto* prev = new QShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F3), this);
    prev->setContext(Qt::WidgetWithChildrenShortcut);
    connect(prev, &QShortcut::activated, this, &LogView::findPrevious);

    updateScopeUi();
    updateStatus();
    updateHitLabel();
    updateEmptyState();
}

LogView::~LogView() = default;

void LogView::buildToolbar(QHBoxLayout* bar) {
    m_scope = new QComboBox(this);
    m_scope->addItem(tr("This run"));
    m_scope->addItem(tr("All runs"));
    m_scope->setToolTip(tr("Show this run's lines, or search the lines of every run"));
    connect(m_scope, &QComboBox::activated, this, [this](int i) { setAllRuns(i == 1); });
    bar->addWidget(m_scope);

    m_level = new QComboBox(this);
    const std::pair<QString, int> levels[] = {{tr("All levels"), 0},
                                              {tr("Debug and above"), weft::Debug},
                                              {tr("Info and above"), weft::Info},
                                              {tr("Warning and above"), weft::Warning},
                                              {tr("Error and above"), weft::Error},
                                              {tr("Critical only"), weft::Critical}};
    for (const auto& [label, level] : levels)
        m_level->addItem(label, level);
    m_level->setToolTip(tr("Show lines at this level and above"));
    connect(m_level, &QComboBox::currentIndexChanged, this,
            [this](int i) { m_model->setMinLevel(m_level->itemData(i).toInt()); });
    bar->addWidget(m_level);

    m_loggers = new QToolButton(this);
    m_loggers->setText(tr("All loggers"));
    m_loggers->setToolTip(tr("Show only the lines of some loggers"));
    m_loggers->setPopupMode(QToolButton::InstantPopup);
    m_loggerMenu = new QMenu(m_loggers);
    m_loggers->setMenu(m_loggerMenu);
    connect(m_loggerMenu, &QMenu::aboutToShow, this, [this] {
        if (m_loggerNamesKnown) return populateLoggerMenu(m_loggerNamesOfRun);
        m_loggerMenu->clear();
        m_loggerMenu->addAction(tr("Loading…"))->setEnabled(false);
        m_model->requestLoggerNames();
    });
    bar->addWidget(m_loggers);

    m_taskChip = new QToolButton(this);
    m_taskChip->setToolTip(tr("Showing one task run's lines; click to show every line"));
    m_taskChip->setVisible(false);
    connect(m_taskChip, &QToolButton::clicked, this, &LogView::clearTaskRun);
    bar->addWidget(m_taskChip);

    bar->addSpacing(8);
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search logs (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(180);
    m_search->installEventFilter(this);
    connect(m_search, &QLineEdit::textEdited, this, [this] { m_searchDebounce.start(); });
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        if (text.isEmpty()) applySearch(); // the clear button
    });
    bar->addWidget(m_search, 1);

    m_prev = new QToolButton(this);
    m_prev->setArrowType(Qt::UpArrow);
    m_prev->setAutoRaise(true);
    m_prev->setToolTip(tr("Previous match (Shift+F3)"));
    connect(m_prev, &QToolButton::clicked, this, &LogView::findPrevious);
    m_next = new QToolButton(this);
    m_next->setArrowType(Qt::DownArrow);
    m_next->setAutoRaise(true);
    m_next->setToolTip(tr("Next match (F3)"));
    connect(m_next, &QToolButton::clicked, this, &LogView::findNext);
    bar->addWidget(m_prev);
    bar->addWidget(m_next);
    m_hits = new QLabel(this);
    m_hits->setMinimumWidth(
        QFontMetrics(font()).horizontalAdvance(QStringLiteral("99,999 of 99,999")));
    bar->addWidget(m_hits);

    m_context = new QToolButton(this);
    m_context->setCheckable(true);
    m_context->setPopupMode(QToolButton::MenuButtonPopup);
    m_context->setToolTip(tr("Show only the matching lines and the lines around them"));
    auto* contextMenu = new QMenu(m_context);
    auto* group = new QActionGroup(contextMenu);
    for (int n : {1, 2, 3, 5, 10, 20}) {
        QAction* a = contextMenu->addAction(tr("±%1 lines").arg(n));
        a->setCheckable(true);
        a->setChecked(n == m_contextLines);
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, n] { setContextLines(n); });
    }
    m_context->setMenu(contextMenu);
    m_context->setText(tr("Context ±%1").arg(m_contextLines));
    connect(m_context, &QToolButton::toggled, this,
            [this](bool on) { applyContext(on ? m_contextLines : 0); });
    bar->addWidget(m_context);

    bar->addSpacing(8);
    m_follow = new QToolButton(this);
    m_follow->setText(tr("Follow"));
    m_follow->setCheckable(true);
    m_follow->setChecked(m_followOn);
    m_follow->setToolTip(tr("Keep the newest line in view as lines arrive"));
    connect(m_follow, &QToolButton::toggled, this, &LogView::setFollow);
    bar->addWidget(m_follow);
    m_latest = new QToolButton(this);
    m_latest->setText(tr("Latest"));
    m_latest->setToolTip(tr("Jump to the newest line (End)"));
    connect(m_latest, &QToolButton::clicked, this, &LogView::jumpToLatest);
    bar->addWidget(m_latest);

    m_download = new QToolButton(this);
    m_download->setText(tr("Download"));
    m_download->setPopupMode(QToolButton::InstantPopup);
    auto* downloadMenu = new QMenu(m_download);
    downloadMenu->addAction(tr("Lines in this view…"), this, &LogView::downloadView);
    downloadMenu->addAction(tr("All lines…"), this, &LogView::downloadAll);
    m_download->setMenu(downloadMenu);
    bar->addWidget(m_download);

    m_status = new QLabel(this);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    bar->addWidget(m_status);
}

void LogView::setupTable() {
    m_table->setModel(m_model);
    // Lines that cannot be read say so, instead of loading placeholders forever.
    auto* error = new ErrorPanel(m_table);
    connect(m_model, &LogModel::errorChanged, error, &ErrorPanel::setError);
    connect(error, &ErrorPanel::retryRequested, m_model, &LogModel::retry);
    m_table->setItemDelegate(m_delegate);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setCornerButtonEnabled(false);
    m_table->setTabKeyNavigation(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    // By whole rows: no pixel offsets to overflow at tens of millions of lines.
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setFrameShape(QFrame::NoFrame);
    QHeaderView* rows = m_table->verticalHeader();
    rows->hide();
    // Fixed, equal heights: the header needs no per-row measuring.
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setMinimumSectionSize(1);
    rows->setDefaultSectionSize(LogDelegate::rowHeight(font()));
    QHeaderView* columns = m_table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    columns->setStretchLastSection(true);
    for (int c = 0; c < LogModel::ColumnCount; ++c)
        m_table->setColumnWidth(c, LogDelegate::columnWidth(c, font()));
    columns->setSectionResizeMode(LogModel::TimeColumn, QHeaderView::Fixed);
    columns->setSectionResizeMode(LogModel::LevelColumn, QHeaderView::Fixed);
    m_table->installEventFilter(this);
    m_table->viewport()->installEventFilter(this);
    connect(m_table, &QAbstractItemView::activated, this, &LogView::onActivated);
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        prefetchVisible();
        // The user scrolled away from the end: stop following.
        if (!m_programmaticScroll && m_followOn && value < m_table->verticalScrollBar()->maximum())
            setFollow(false);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &LogView::updateHitLabel);

    m_empty = new QLabel(m_table->viewport());
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_empty->setAttribute(Qt::WA_TransparentForMouseEvents);
}

void LogView::setFlowRun(const QString& flowRunId) {
    const bool newRun = flowRunId != m_flowRunId;
    m_flowRunId = flowRunId;
    if (newRun) {
        m_loggerNamesKnown = false;
        m_loggerNamesOfRun.clear();
    }
    m_model->setFlowRun(flowRunId);
    updateScopeUi();
    if (m_followOn) m_followTimer.start();
}

void LogView::setAllRuns(bool allRuns) {
    if (allRuns)
        m_model->setAllRuns();
    else if (!m_flowRunId.isEmpty())
        m_model->setFlowRun(m_flowRunId);
    m_loggerNamesKnown = false;
    updateScopeUi();
    updateHitLabel();
}

void LogView::showTaskRun(const QString& taskRunId) {
    if (m_model->isAllRuns()) setAllRuns(false);
    setFollow(false);
    m_selectFirstRow = true; // when its first line arrives
    m_model->setTaskRun(taskRunId);
    updateScopeUi();
}

void LogView::clearTaskRun() {
    m_model->setTaskRun({});
    updateScopeUi();
}

void LogView::updateScopeUi() {
    const bool all = m_model->isAllRuns();
    m_delegate->setTintHits(!all); // across runs every row is a hit
    m_scope->setCurrentIndex(all ? 1 : 0);
    m_scope->setItemData(0, m_flowRunId.isEmpty() ? QVariant(0) : QVariant(),
                         Qt::UserRole - 1); // disables "This run" without a run
    m_table->setColumnHidden(LogModel::RunColumn, !all);
    const QString task = m_model->taskRun();
    m_taskChip->setVisible(!task.isEmpty());
    if (!task.isEmpty()) {
        const QString name = m_model->taskRunName(task);
        m_taskChip->setProperty("named", !name.isEmpty());
        m_taskChip->setText(tr("Task: %1  ✕").arg(name.isEmpty() ? task.left(8) : name));
    }
    const QStringList names = m_model->loggerNames();
    m_loggers->setText(names.isEmpty()     ? tr("All loggers")
                       : names.size() == 1 ? names.first()
                                           : tr("%n loggers", nullptr, int(names.size())));
    m_search->setPlaceholderText(all ? tr("Search every run's logs (Ctrl+F)")
                                     : tr("Search logs (Ctrl+F)"));
}

void LogView::populateLoggerMenu(const QStringList& names) {
    m_loggerNamesOfRun = names;
    m_loggerNamesKnown = true;
    m_loggerMenu->clear();
    const QStringList chosen = m_model->loggerNames();
    QAction* all = m_loggerMenu->addAction(tr("All loggers"));
    all->setCheckable(true);
    all->setChecked(chosen.isEmpty());
    connect(all, &QAction::triggered, this, [this] {
        m_model->setLoggerNames({});
        updateScopeUi();
    });
    m_loggerMenu->addSeparator();
    if (names.isEmpty()) m_loggerMenu->addAction(tr("No lines yet"))->setEnabled(false);
    for (const QString& name : names) {
        QAction* a = m_loggerMenu->addAction(name);
        a->setCheckable(true);
        a->setChecked(chosen.contains(name));
        connect(a, &QAction::toggled, this, [this, name](bool on) {
            QStringList list = m_model->loggerNames();
            if (on)
                list << name;
            else
                list.removeAll(name);
            m_model->setLoggerNames(list);
            updateScopeUi();
        });
    }
}

void LogView::updateStatus() {
    const int rows = m_model->rowCount();
    QString text;
    if (m_model->isLoading())
        text = tr("Loading… %1 lines").arg(groupedNumber(rows));
    else
        text = rows == 1 ? tr("1 line") : tr("%1 lines").arg(groupedNumber(rows));
    if (!m_lastMessage.isEmpty()) text += QStringLiteral(" · ") + m_lastMessage;
    m_status->setText(text);
}

QString LogView::statusText() const {
    return m_status->text();
}

void LogView::updateEmptyState() {
    const bool empty = m_model->rowCount() == 0;
    m_empty->setVisible(empty);
    if (!empty) return;
    QString text;
    if (m_model->isLoading() || m_model->isSearching())
        text = tr("Loading…");
    else if (m_model->isAllRuns() && !m_model->hasSearch())
        text = tr("No log lines in this database yet.");
    else if (m_model->hasSearch())
        text = tr("No lines match “%1”.").arg(m_model->search());
    else if (m_model->minLevel() > 0 || !m_model->loggerNames().isEmpty()
             || !m_model->taskRun().isEmpty())
        text = tr("No lines pass the filters.");
    else if (m_flowRunId.isEmpty())
        text = tr("No run selected.");
    else
        text = tr("This run has no log lines yet.");
    m_empty->setText(text);
    m_empty->setGeometry(m_table->viewport()->rect());
}

} // namespace weft::studio

#include "runs/filterbar.h"

#include "common/statepalette.h"

#include <QAbstractItemModel>
#include <QAction>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QRegularExpression>
#include <QSettings>
#include <QToolButton>

namespace weft::studio {

namespace {
QIcon stateDot(weft::StateType t, bool dark) {
    QPixmap pm(12, 12);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(stateColor(t, dark));
    p.drawEllipse(QRectF(1, 1, 10, 10));
    return QIcon(pm);
}

QStringList splitTags(const QString& text) {
    QStringList tags;
    for (const QString& t :
         text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts))
        if (!tags.contains(t)) tags << t;
    return tags;
}

constexpr FlowRunFilter::Range kRanges[] = {
    FlowRunFilter::Range::All,         FlowRunFilter::Range::LastHour,
    FlowRunFilter::Range::Last24Hours, FlowRunFilter::Range::Last7Days,
    FlowRunFilter::Range::Last30Days,  FlowRunFilter::Range::Custom,
};
} // namespace

FilterBar::FilterBar(QWidget* parent)
    : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);

    m_states = new QToolButton(this);
    m_states->setPopupMode(QToolButton::InstantPopup);
    m_states->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_states->setToolTip(tr("Show runs in these states"));
    m_statesMenu = new QMenu(m_states);
    const bool dark = palette().color(QPalette::Window).lightnessF() < 0.5;
    for (weft::StateType t : allStateTypes()) {
        QAction* a = m_statesMenu->addAction(stateDot(t, dark), stateTypeLabel(t));
        a->setCheckable(true);
        a->setData(int(t));
        connect(a, &QAction::toggled, this, [this] { readControls(); });
    }
    m_statesMenu->addSeparator();
    connect(m_statesMenu->addAction(tr("All states")), &QAction::triggered, this, [this] {
        m_updating = true;
        for (QAction* a : m_statesMenu->actions())
            a->setChecked(false);
        m_updating = false;
        readControls();
    });
    m_states->setMenu(m_statesMenu);
    layout->addWidget(m_states);

    m_flow = new QComboBox(this);
    m_flow->setToolTip(tr("Show runs of this flow"));
    m_flow->setMinimumContentsLength(12);
    m_flow->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_flow->addItem(tr("All flows"));
    connect(m_flow, &QComboBox::currentIndexChanged, this, [this] { readControls(); });
    layout->addWidget(m_flow);

    m_tags = new QLineEdit(this);
    m_tags->setObjectName(QStringLiteral("filterTags"));
    m_tags->setPlaceholderText(tr("Tags"));
    m_tags->setToolTip(tr("Runs with all of these tags (separated by commas or spaces)"));
    m_tags->setClearButtonEnabled(true);
    m_tags->setMaximumWidth(160);
    connect(m_tags, &QLineEdit::editingFinished, this, [this] { readControls(); });
    connect(m_tags, &QLineEdit::textChanged, this, [this](const QString& t) {
        if (t.isEmpty()) readControls(); // the clear button
    });
    layout->addWidget(m_tags);

    m_range = new QComboBox(this);
    m_range->setToolTip(tr("Runs expected to start in this time range"));
    for (auto r : kRanges)
        m_range->addItem(FlowRunFilter::rangeLabel(r), int(r));
    connect(m_range, &QComboBox::currentIndexChanged, this, [this] { readControls(); });
    layout->addWidget(m_range);

    m_from = new QDateTimeEdit(QDateTime::currentDateTime().addDays(-1), this);
    m_to = new QDateTimeEdit(QDateTime::currentDateTime(), this);
    for (QDateTimeEdit* e : {m_from, m_to}) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        e->setVisible(false);
        connect(e, &QDateTimeEdit::editingFinished, this, [this] { readControls(); });
        layout->addWidget(e);
    }
    m_from->setToolTip(tr("From"));
    m_to->setToolTip(tr("To"));

    m_text = new QLineEdit(this);
    m_text->setObjectName(QStringLiteral("filterText"));
    m_text->setPlaceholderText(tr("Search runs and flows (Ctrl+F)"));
    m_text->setClearButtonEnabled(true);
    m_text->setMinimumWidth(160);
    layout->addWidget(m_text, 1);
    m_textTimer.setSingleShot(true);
    m_textTimer.setInterval(250);
    connect(&m_textTimer, &QTimer::timeout, this, [this] { readControls(); });
    connect(m_text, &QLineEdit::textChanged, this, [this] {
        if (!m_updating) m_textTimer.start();
    });
    connect(m_text, &QLineEdit::returnPressed, this, [this] {
        m_textTimer.stop();
        readControls();
    });

    m_saved = new QToolButton(this);
    m_saved->setText(tr("Saved"));
    m_saved->setToolTip(tr("Saved filters"));
    m_saved->setPopupMode(QToolButton::InstantPopup);
    m_savedMenu = new QMenu(m_saved);
    connect(m_savedMenu, &QMenu::aboutToShow, this, &FilterBar::rebuildSavedMenu);
    m_saved->setMenu(m_savedMenu);
    layout->addWidget(m_saved);

    m_clear = new QToolButton(this);
    m_clear->setText(tr("Clear"));
    m_clear->setToolTip(tr("Show all runs"));
    connect(m_clear, &QToolButton::clicked, this, &FilterBar::clear);
    layout->addWidget(m_clear);

    updateStatesButton();
}

FilterBar::~FilterBar() = default;

QSettings& FilterBar::settings() const {
    if (m_settings) return *m_settings;
    if (!m_ownSettings) m_ownSettings = std::make_unique<QSettings>();
    return *m_ownSettings;
}

void FilterBar::setSettings(QSettings* settings) {
    m_settings = settings;
}

void FilterBar::setFlowModel(QAbstractItemModel* flows) {
    if (m_flows) disconnect(m_flows, nullptr, this, nullptr);
    m_flows = flows;
    if (flows) {
        connect(flows, &QAbstractItemModel::rowsInserted, this, &FilterBar::rebuildFlows);
        connect(flows, &QAbstractItemModel::rowsRemoved, this, &FilterBar::rebuildFlows);
        connect(flows, &QAbstractItemModel::modelReset, this, &FilterBar::rebuildFlows);
    }
    rebuildFlows();
}

void FilterBar::rebuildFlows() {
    m_updating = true;
    const QString current = m_filter.flowNames.value(0);
    m_flow->clear();
    m_flow->addItem(tr("All flows"));
    QStringList names;
    if (m_flows)
        for (int r = 0; r < m_flows->rowCount(); ++r)
            names << m_flows->index(r, 0).data().toString();
    if (!current.isEmpty() && !names.contains(current)) names << current;
    for (const QString& n : names)
        m_flow->addItem(n, n);
    m_flow->setCurrentIndex(current.isEmpty() ? 0 : std::max(0, m_flow->findData(current)));
    m_updating = false;
}

void FilterBar::updateStatesButton() {
    QStringList names;
    for (QAction* a : m_statesMenu->actions())
        if (a->isCheckable() && a->isChecked()) names << a->text();
    m_states->setText(names.isEmpty()     ? tr("All states")
                      : names.size() <= 2 ? names.join(QStringLiteral(", "))
                                          : tr("%n states", nullptr, int(names.size())));
}

void FilterBar::showFilter() {
    m_updating = true;
    for (QAction* a : m_statesMenu->actions())
        if (a->isCheckable())
            a->setChecked(std::count(m_filter.states.begin(), m_filter.states.end(),
                                     weft::StateType(a->data().toInt()))
                          > 0);
    updateStatesButton();
    const QString flow = m_filter.flowNames.value(0);
    if (!flow.isEmpty() && m_flow->findData(flow) < 0) m_flow->addItem(flow, flow);
    m_flow->setCurrentIndex(flow.isEmpty() ? 0 : m_flow->findData(flow));
    m_tags->setText(m_filter.tags.join(QStringLiteral(", ")));
    m_range->setCurrentIndex(std::max(0, m_range->findData(int(m_filter.range))));
    const bool custom = m_filter.range == FlowRunFilter::Range::Custom;
    m_from->setVisible(custom);
    m_to->setVisible(custom);
    if (custom) {
        if (m_filter.from.isValid()) m_from->setDateTime(m_filter.from.toLocalTime());
        if (m_filter.to.isValid()) m_to->setDateTime(m_filter.to.toLocalTime());
    }
    if (m_text->text() != m_filter.text) m_text->setText(m_filter.text);
    m_textTimer.stop();
    m_updating = false;
}

void FilterBar::readControls() {
    if (m_updating) return;
    FlowRunFilter f;
    for (QAction* a : m_statesMenu->actions())
        if (a->isCheckable() && a->isChecked())
            f.states.push_back(weft::StateType(a->data().toInt()));
    updateStatesButton();
    const QString flow = m_flow->currentData().toString();
    if (!flow.isEmpty()) f.flowNames = {flow};
    f.tags = splitTags(m_tags->text());
    f.range = FlowRunFilter::Range(m_range->currentData().toInt());
    const bool custom = f.range == FlowRunFilter::Range::Custom;
    m_from->setVisible(custom);
    m_to->setVisible(custom);
    if (custom) {
        f.from = m_from->dateTime();
        f.to = m_to->dateTime();
    }
    f.text = m_text->text().trimmed();
    m_textTimer.stop();
    if (f == m_filter) return;
    m_filter = f;
    Q_EMIT filterChanged(m_filter);
}

void FilterBar::setFilter(const FlowRunFilter& filter) {
    const bool changed = filter != m_filter;
    m_filter = filter;
    showFilter();
    if (changed) Q_EMIT filterChanged(m_filter);
}

void FilterBar::clear() {
    setFilter({});
}

void FilterBar::focusSearch() {
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

QStringList FilterBar::savedFilterNames() const {
    return SavedFilters(settings()).names();
}

void FilterBar::saveFilter(const QString& name) {
    if (name.trimmed().isEmpty()) return;
    SavedFilters(settings()).save(name.trimmed(), m_filter);
}

bool FilterBar::loadFilter(const QString& name) {
    SavedFilters saved(settings());
    if (!saved.contains(name)) return false;
    setFilter(saved.load(name));
    return true;
}

void FilterBar::deleteFilter(const QString& name) {
    SavedFilters(settings()).remove(name);
}

void FilterBar::rebuildSavedMenu() {
    m_savedMenu->clear();
    const QStringList names = savedFilterNames();
    for (const QString& name : names)
        connect(m_savedMenu->addAction(name), &QAction::triggered, this,
                [this, name] { loadFilter(name); });
    if (names.isEmpty()) m_savedMenu->addAction(tr("No saved filters"))->setEnabled(false);
    m_savedMenu->addSeparator();
    connect(m_savedMenu->addAction(tr("Save current filter…")), &QAction::triggered, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save filter"), tr("Name:"),
                                                   QLineEdit::Normal, QString(), &ok);
        if (ok) saveFilter(name);
    });
    if (!names.isEmpty()) {
        QMenu* del = m_savedMenu->addMenu(tr("Delete"));
        for (const QString& name : names)
            connect(del->addAction(name), &QAction::triggered, this,
                    [this, name] { deleteFilter(name); });
    }
}

} // namespace weft::studio

#include "graph/rungraphwidget.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace weft::studio {

namespace {
QToolButton* button(const QString& text, const QString& tip, QWidget* parent) {
    auto* b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
}
} // namespace

RunGraphWidget::RunGraphWidget(RunGraphModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_view(new RunGraphView(model, this))
    , m_mode(new QComboBox(this))
    , m_tags(new QComboBox(this))
    , m_tagMode(new QComboBox(this))
    , m_zoom(new QLabel(this)) {
    m_mode->addItem(tr("Layered"), int(DagMode::Layered));
    m_mode->addItem(tr("Temporal"), int(DagMode::TemporalByStart));
    m_mode->addItem(tr("Depth waterfall"), int(DagMode::DepthWaterfall));
    m_mode->addItem(tr("Depth by duration"), int(DagMode::DepthByDuration));
    m_mode->setCurrentIndex(m_mode->findData(int(model->layoutMode())));
    m_mode->setToolTip(tr("How the graph is laid out"));
    m_mode->setObjectName(QStringLiteral("layoutMode")); // tests find the controls by name
    m_tags->setObjectName(QStringLiteral("tagFilter"));
    m_tagMode->setObjectName(QStringLiteral("tagMode"));
    connect(m_mode, &QComboBox::currentIndexChanged, this,
            [this] { m_model->setLayoutMode(DagMode(m_mode->currentData().toInt())); });

    m_tags->setToolTip(tr("Highlight or show only the task runs with a tag"));
    m_tags->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_tagMode->addItem(tr("Highlight"), int(RunGraphTagMode::Highlight));
    m_tagMode->addItem(tr("Only"), int(RunGraphTagMode::Only));
    connect(m_tags, &QComboBox::currentIndexChanged, this, &RunGraphWidget::applyTagFilter);
    connect(m_tagMode, &QComboBox::currentIndexChanged, this, &RunGraphWidget::applyTagFilter);
    connect(model, &RunGraphModel::tagsChanged, this, &RunGraphWidget::refreshTags);
    refreshTags();

    auto* groups = button(tr("Groups"), tr("Expand or collapse every .map group"), this);
    groups->setPopupMode(QToolButton::InstantPopup);
    auto* groupMenu = new QMenu(groups);
    groupMenu->addAction(tr("Expand all groups"), this,
                         [this] { m_model->setAllGroupsExpanded(true); });
    groupMenu->addAction(tr("Collapse all groups"), this,
                         [this] { m_model->setAllGroupsExpanded(false); });
    groups->setMenu(groupMenu);

    auto* out = button(tr("−"), tr("Zoom out (−)"), this);
    auto* in = button(tr("+"), tr("Zoom in (+)"), this);
    auto* fit = button(tr("Fit"), tr("Show the whole graph (F)"), this);
    connect(out, &QToolButton::clicked, m_view, &RunGraphView::zoomOut);
    connect(in, &QToolButton::clicked, m_view, &RunGraphView::zoomIn);
    connect(fit, &QToolButton::clicked, m_view, &RunGraphView::fitToView);
    m_zoom->setMinimumWidth(m_zoom->fontMetrics().horizontalAdvance(QStringLiteral("0000 %")));
    m_zoom->setAlignment(Qt::AlignCenter);
    const auto showZoom = [this](double s) {
        m_zoom->setText(QStringLiteral("%1 %").arg(qRound(s * 100)));
    };
    connect(m_view, &RunGraphView::zoomChanged, this, showZoom);
    showZoom(m_view->zoom());

    auto* exporter = button(tr("Export"), tr("Save the whole graph as an image"), this);
    exporter->setPopupMode(QToolButton::InstantPopup);
    auto* exportMenu = new QMenu(exporter);
    exportMenu->addAction(tr("PNG image…"), this, [this] { exportAs(QStringLiteral("png")); });
    exportMenu->addAction(tr("SVG drawing…"), this, [this] { exportAs(QStringLiteral("svg")); });
    exporter->setMenu(exportMenu);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(6, 4, 6, 4);
    bar->setSpacing(6);
    bar->addWidget(new QLabel(tr("Layout"), this));
    bar->addWidget(m_mode);
    bar->addSpacing(8);
    bar->addWidget(new QLabel(tr("Tag"), this));
    bar->addWidget(m_tags);
    bar->addWidget(m_tagMode);
    bar->addWidget(groups);
    bar->addStretch(1);
    bar->addWidget(out);
    bar->addWidget(m_zoom);
    bar->addWidget(in);
    bar->addWidget(fit);
    bar->addWidget(exporter);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_view, &RunGraphView::taskRunActivated, this, &RunGraphWidget::taskRunActivated);
    connect(m_view, &RunGraphView::contextMenuRequested, this,
            &RunGraphWidget::contextMenuRequested);
    setFocusProxy(m_view);
}

void RunGraphWidget::refreshTags() {
    const QString current = m_tags->currentData().toString();
    QStringList tags = m_model->tags();
    tags.sort(Qt::CaseInsensitive);
    QSignalBlocker block(m_tags);
    m_tags->clear();
    m_tags->addItem(tr("All task runs"), QString());
    for (const QString& t : tags)
        m_tags->addItem(t, t);
    m_tags->setCurrentIndex(std::max(0, m_tags->findData(current)));
    m_tags->setEnabled(!tags.isEmpty());
    applyTagFilter();
}

void RunGraphWidget::applyTagFilter() {
    const QString tag = m_tags->currentData().toString();
    m_tagMode->setEnabled(!tag.isEmpty());
    m_view->setTagFilter(tag, RunGraphTagMode(m_tagMode->currentData().toInt()));
}

void RunGraphWidget::exportAs(const QString& suffix) {
    const QString filter =
        suffix == QLatin1String("svg") ? tr("SVG drawing (*.svg)") : tr("PNG image (*.png)");
    QString path = QFileDialog::getSaveFileName(this, tr("Export graph"),
                                                QStringLiteral("run-graph.") + suffix, filter);
    if (path.isEmpty()) return;
    if (!path.endsWith(QLatin1Char('.') + suffix, Qt::CaseInsensitive))
        path += QLatin1Char('.') + suffix;
    if (!m_view->exportTo(path))
        QMessageBox::warning(this, tr("Export graph"), tr("Could not write %1.").arg(path));
}

} // namespace weft::studio

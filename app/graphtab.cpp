#include "app/graphtab.h"

#include "models/rungraphmodel.h"
#include "widgets/rungraphview.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace weft::studio {

GraphTab::GraphTab(Backend* backend, QWidget* parent)
    : QWidget(parent)
    , m_model(new RunGraphModel(backend, this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto* bar = new QHBoxLayout();
    bar->setContentsMargins(6, 0, 6, 0);
    m_mode = new QComboBox(this);
    m_mode->addItem(tr("Layered"), int(DagMode::Layered));
    m_mode->addItem(tr("Temporal (x = start time)"), int(DagMode::TemporalByStart));
    m_mode->addItem(tr("Depth, waterfall rows"), int(DagMode::DepthWaterfall));
    m_mode->addItem(tr("Depth, rows by duration"), int(DagMode::DepthByDuration));
    m_tags = new QComboBox(this);
    m_tags->setMinimumContentsLength(10);
    m_tagMode = new QComboBox(this);
    m_tagMode->addItem(tr("highlight"), int(RunGraphTagMode::Highlight));
    m_tagMode->addItem(tr("only these"), int(RunGraphTagMode::Only));
    bar->addWidget(new QLabel(tr("Layout:"), this));
    bar->addWidget(m_mode);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Tag:"), this));
    bar->addWidget(m_tags);
    bar->addWidget(m_tagMode);
    bar->addStretch();
    m_view = new RunGraphView(m_model, this);
    auto button = [&](const QString& text, const QString& tip, auto slot) {
        auto* b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        b->setAutoRaise(true);
        connect(b, &QToolButton::clicked, m_view, slot);
        bar->addWidget(b);
    };
    button(QStringLiteral("−"), tr("Zoom out (−)"), &RunGraphView::zoomOut);
    button(QStringLiteral("+"), tr("Zoom in (+)"), &RunGraphView::zoomIn);
    button(tr("Fit"), tr("Show the whole graph (F)"), &RunGraphView::fitToView);
    auto* exportButton = new QToolButton(this);
    exportButton->setText(tr("Export…"));
    exportButton->setAutoRaise(true);
    bar->addWidget(exportButton);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_mode, &QComboBox::currentIndexChanged, this,
            [this] { m_model->setLayoutMode(DagMode(m_mode->currentData().toInt())); });
    auto applyTag = [this] {
        const QString tag = m_tags->currentIndex() > 0 ? m_tags->currentText() : QString();
        m_view->setTagFilter(tag, RunGraphTagMode(m_tagMode->currentData().toInt()));
    };
    connect(m_tags, &QComboBox::currentIndexChanged, this, applyTag);
    connect(m_tagMode, &QComboBox::currentIndexChanged, this, applyTag);
    connect(m_model, &RunGraphModel::layoutChanged, this, &GraphTab::updateTags);
    connect(exportButton, &QToolButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export the graph"), QStringLiteral("graph.svg"),
                                         tr("SVG (*.svg);;PNG (*.png)"));
        if (!path.isEmpty()) exportTo(path);
    });
    connect(m_view, &RunGraphView::taskRunActivated, this, &GraphTab::taskRunActivated);
    connect(m_view, &RunGraphView::contextMenuRequested, this, &GraphTab::contextMenuRequested);
    updateTags();
}

void GraphTab::setFlowRun(const QString& flowRunId) {
    m_model->setFlowRun(flowRunId);
}

bool GraphTab::exportTo(const QString& path) {
    return m_view->exportTo(path);
}

void GraphTab::updateTags() {
    const QString current = m_tags->currentText();
    const QStringList tags = m_model->tags();
    QStringList shown{tr("(none)")};
    shown << tags;
    QStringList had;
    for (int i = 0; i < m_tags->count(); ++i)
        had << m_tags->itemText(i);
    if (had == shown) return;
    QSignalBlocker block(m_tags);
    m_tags->clear();
    m_tags->addItems(shown);
    const int index = m_tags->findText(current);
    m_tags->setCurrentIndex(index < 0 ? 0 : index);
    m_tags->setEnabled(!tags.isEmpty());
    m_tagMode->setEnabled(!tags.isEmpty());
}

} // namespace weft::studio

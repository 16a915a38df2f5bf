#include "timeline/timelinewidget.h"

#include "common/statepalette.h"
#include "runs/errorpanel.h"
#include "timeline/timelinemodel.h"
#include "timeline/timelinepainter.h"
#include "timeline/timelineview.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>
#include <map>

namespace weft::studio {

TimelineWidget::TimelineWidget(Backend* backend, QWidget* parent)
    : QWidget(parent)
    , m_model(new TimelineModel(backend, this))
    , m_view(new TimelineView(this))
    , m_group(new QToolButton(this))
    , m_legend(new QLabel(this)) {
    m_view->setModel(m_model);
    auto button = [this](const QString& text, const QString& tip, auto slot) {
        auto* b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        b->setAutoRaise(true);
        b->setFocusPolicy(Qt::NoFocus); // keys (F, +, -, arrows) go to the view
        connect(b, &QToolButton::clicked, m_view, slot);
        return b;
    };
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(8, 4, 8, 4);
    bar->setSpacing(2);
    bar->addWidget(button(tr("Fit"), tr("Show the whole run (F)"), &TimelineView::fitToRun));
    bar->addWidget(
        button(QStringLiteral("−"), tr("Zoom out (Shift+wheel, -)"), &TimelineView::zoomOut));
    bar->addWidget(
        button(QStringLiteral("+"), tr("Zoom in (Shift+wheel, +)"), &TimelineView::zoomIn));
    m_group->setText(tr("Group by task"));
    m_group->setToolTip(
        tr("One group of rows per task, its runs packed onto as few rows as they need"));
    m_group->setCheckable(true);
    m_group->setAutoRaise(true);
    m_group->setFocusPolicy(Qt::NoFocus);
    connect(m_group, &QToolButton::toggled, m_model, &TimelineModel::setGroupByTaskKey);
    bar->addSpacing(8);
    bar->addWidget(m_group);
    bar->addStretch(1);
    m_legend->setTextFormat(Qt::RichText);
    bar->addWidget(m_legend);
    bar->addSpacing(8);
    auto* exportButton = new QToolButton(this);
    exportButton->setText(tr("Export"));
    exportButton->setAutoRaise(true);
    exportButton->setFocusPolicy(Qt::NoFocus);
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(exportButton);
    menu->addAction(tr("Export as PNG…"), this, [this] { exportAs(QStringLiteral("png")); });
    menu->addAction(tr("Export as SVG…"), this, [this] { exportAs(QStringLiteral("svg")); });
    exportButton->setMenu(menu);
    bar->addWidget(exportButton);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    setFocusProxy(m_view);
    connect(m_view, &TimelineView::taskRunActivated, this, &TimelineWidget::taskRunActivated);
    connect(m_view, &TimelineView::contextMenuRequested, this,
            &TimelineWidget::contextMenuRequested);
    connect(m_model, &TimelineModel::updated, this, &TimelineWidget::updateLegend);
    connect(m_model, &TimelineModel::loadingChanged, this, &TimelineWidget::updateLegend);
    m_error = new ErrorPanel(m_view);
    connect(m_model, &TimelineModel::errorChanged, m_error, &ErrorPanel::setError);
    connect(m_error, &ErrorPanel::retryRequested, this, [this] {
        if (m_model->snapshot()) m_model->snapshot()->refresh();
    });
}

void TimelineWidget::setFlowRun(const QString& flowRunId) {
    m_model->setFlowRun(flowRunId);
}

void TimelineWidget::updateLegend() {
    if (m_model->isLoading()) {
        m_legend->setText(tr("Loading…"));
        return;
    }
    std::map<int, int> counts; // in the legend order of allStateTypes()
    for (const TimelineInterval& iv : m_model->intervals())
        ++counts[int(iv.state)];
    const bool dark = TimelinePainter::isDark(palette());
    QStringList parts;
    for (weft::StateType t : allStateTypes()) {
        const auto it = counts.find(int(t));
        if (it == counts.end()) continue;
        parts << QStringLiteral("<span style='color:%1'>&#9679;</span>&nbsp;%2&nbsp;%3")
                     .arg(stateColor(t, dark).name(), stateTypeLabel(t))
                     .arg(it->second);
    }
    // What the bars leave out, said rather than silently shown as a smaller count.
    if (const int waiting = m_model->notStartedCount(); waiting > 0)
        parts << tr("%1 not started").arg(waiting);
    if (m_model->count() > 0) {
        const double span = double(m_model->rangeEnd() - m_model->rangeStart());
        parts << tr("wall time %1").arg(TimelineMath::formatDuration(span));
    }
    m_legend->setText(parts.join(QStringLiteral("&nbsp;&nbsp;&nbsp;")));
}

void TimelineWidget::exportAs(const QString& suffix) {
    const QString filter =
        suffix == QLatin1String("svg") ? tr("SVG drawing (*.svg)") : tr("PNG image (*.png)");
    const QString name =
        tr("timeline-%1.%2")
            .arg(m_model->runName().isEmpty() ? m_model->flowRunId() : m_model->runName(), suffix);
    QString path = QFileDialog::getSaveFileName(this, tr("Export timeline"), name, filter);
    if (path.isEmpty()) return;
    if (!path.endsWith(QLatin1Char('.') + suffix, Qt::CaseInsensitive))
        path += QLatin1Char('.') + suffix;
    if (!m_view->exportTo(path))
        QMessageBox::warning(this, tr("Export timeline"), tr("Could not write %1.").arg(path));
}

} // namespace weft::studio

#include "dashboard/dashboardwidget.h"

#include "common/statepalette.h"
#include "dashboard/niceaxis.h"
#include "runs/errorpanel.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QEvent>
#include <QGridLayout>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QStackedBarSeries>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>

namespace weft::studio {

namespace {
bool isDark(const QWidget* w) {
    return w->palette().color(QPalette::Window).lightnessF() < 0.5;
}

void styleChart(QChart* chart, const QWidget* owner) {
    const QPalette p = owner->palette();
    chart->setBackgroundBrush(p.color(QPalette::Base));
    chart->setBackgroundRoundness(6);
    chart->setTitleBrush(p.color(QPalette::Text));
    chart->legend()->setLabelColor(p.color(QPalette::Text));
    chart->setMargins(QMargins(6, 6, 6, 6));
    chart->setAnimationOptions(QChart::NoAnimation);
    for (auto* axis : chart->axes()) {
        axis->setLabelsColor(p.color(QPalette::Text));
        axis->setGridLineColor(p.color(QPalette::Mid));
        axis->setLinePenColor(p.color(QPalette::Mid));
    }
}

QChartView* chartView(QWidget* parent) {
    auto* view = new QChartView(new QChart(), parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

// Bars of the runs-by-state chart per range: few enough that each bar's time label is read
// whole under it (24 hourly "16:03" labels were cut to "16:…"), one label a bar.
int bucketsFor(qint64 seconds) {
    if (seconds <= 86400) return 12;     // 5 minutes, or 2 hours
    if (seconds <= 7 * 86400) return 14; // 12 hours
    return 15;                           // 2 days
}

QString labelFormat(qint64 seconds) {
    if (seconds <= 86400) return QStringLiteral("hh:mm");
    if (seconds <= 7 * 86400) return QStringLiteral("ddd hh:mm");
    return QStringLiteral("MMM d");
}

// 0 to a round top in round steps (0/500/1000/…), not the largest value cut in quarters.
void setNiceRange(QValueAxis* axis, double maxValue, bool integers) {
    const NiceAxis nice = niceAxis(maxValue, 5, integers);
    axis->setRange(0, nice.top);
    axis->setTickCount(nice.tickCount);
    axis->setLabelFormat(integers || nice.step >= 1 ? QStringLiteral("%.0f")
                         : nice.step >= 0.1         ? QStringLiteral("%.1f")
                                                    : QStringLiteral("%.2f"));
}
} // namespace

QString DashboardWidget::rateRule() {
    return tr("Success rate = Completed / (Completed + Failed + Crashed); failure rate = (Failed "
              "+ Crashed) / the same. Cancelled runs, and runs not finished yet, are left out of "
              "both.");
}

DashboardWidget::DashboardWidget(DashboardModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout();
    auto* title = new QLabel(tr("<h2>Dashboard</h2>"), this);
    m_range = new QComboBox(this);
    m_range->addItem(tr("Last hour"), 3600);
    m_range->addItem(tr("Last 24 hours"), 24 * 3600);
    m_range->addItem(tr("Last 7 days"), 7 * 24 * 3600);
    m_range->addItem(tr("Last 30 days"), 30 * 24 * 3600);
    m_range->setCurrentIndex(1);
    top->addWidget(title);
    top->addStretch();
    top->addWidget(new QLabel(tr("Range:"), this));
    top->addWidget(m_range);
    layout->addLayout(top);

    auto* tiles = new QHBoxLayout();
    tiles->addWidget(tile(m_total, tr("flow runs")));
    tiles->addWidget(tile(m_failed, tr("failed or crashed")));
    tiles->addWidget(tile(m_rate, tr("success rate")));
    m_rate->setToolTip(rateRule());
    m_rate->parentWidget()->setToolTip(rateRule());
    tiles->addWidget(tile(m_flows, tr("flows")));
    layout->addLayout(tiles);

    auto* grid = new QGridLayout();
    m_historyView = chartView(this);
    m_durationView = chartView(this);
    m_failureView = chartView(this);
    grid->addWidget(m_historyView, 0, 0, 1, 2);
    grid->addWidget(m_durationView, 1, 0);
    grid->addWidget(m_failureView, 1, 1);
    layout->addLayout(grid, 3);

    layout->addWidget(new QLabel(tr("<b>Recent failures</b>"), this));
    m_failures = new QTableView(this);
    m_failures->setModel(m_model);
    m_failures->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_failures->setSelectionMode(QAbstractItemView::SingleSelection);
    m_failures->verticalHeader()->hide();
    m_failures->horizontalHeader()->setStretchLastSection(true);
    m_failures->setAlternatingRowColors(true);
    m_failures->setWordWrap(false);
    layout->addWidget(m_failures, 2);
    // An empty table reads as "not loaded": it says there is nothing to list instead.
    m_noFailures = new QLabel(tr("No failed or crashed runs in this range."), this);
    m_noFailures->setObjectName(QStringLiteral("noFailures"));
    m_noFailures->setAlignment(Qt::AlignCenter);
    m_noFailures->setEnabled(false); // greyed, like a placeholder
    layout->addWidget(m_noFailures, 2);

    auto applyRange = [this] {
        const qint64 seconds = m_range->currentData().toLongLong();
        m_model->setRange(seconds, bucketsFor(seconds));
    };
    connect(m_range, &QComboBox::currentIndexChanged, this, applyRange);
    applyRange(); // the model's own default has other buckets
    connect(m_model, &DashboardModel::refreshed, this, &DashboardWidget::rebuild);
    auto* error = new ErrorPanel(this); // zeros in the tiles would read as "no runs"
    connect(m_model, &DashboardModel::errorChanged, error, &ErrorPanel::setError);
    connect(error, &ErrorPanel::retryRequested, m_model, &DashboardModel::refresh);
    connect(m_failures, &QTableView::activated, this, [this](const QModelIndex& index) {
        Q_EMIT runActivated(index.data(DashboardModel::RunIdRole).toString());
    });
    rebuild();
}

QWidget* DashboardWidget::tile(QLabel*& value, const QString& caption) {
    auto* frame = new QFrame(this);
    frame->setFrameShape(QFrame::StyledPanel);
    auto* l = new QVBoxLayout(frame);
    value = new QLabel(QStringLiteral("–"), frame);
    QFont f = value->font();
    f.setPointSizeF(f.pointSizeF() * 1.9);
    f.setBold(true);
    value->setFont(f);
    l->addWidget(value);
    l->addWidget(new QLabel(caption, frame));
    return frame;
}

void DashboardWidget::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) rebuild();
}

void DashboardWidget::rebuild() {
    const auto& d = m_model->data();
    m_total->setText(QLocale().toString(qlonglong(d.totalRuns)));
    m_failed->setText(QLocale().toString(qlonglong(d.failed)));
    m_rate->setText(d.successRate ? QStringLiteral("%1 %").arg(100.0 * *d.successRate, 0, 'f', 1)
                                  : QStringLiteral("–"));
    m_flows->setText(QString::number(d.flows.size()));
    const bool dark = isDark(this);
    rebuildHistory(dark);
    rebuildFlows(dark);
    m_failures->resizeColumnsToContents();
    const bool none = m_model->isLoaded() && m_model->rowCount() == 0;
    m_failures->setVisible(!none);
    m_noFailures->setVisible(none);
}

void DashboardWidget::rebuildHistory(bool dark) {
    auto* chart = new QChart();
    chart->setTitle(tr("Flow runs by state"));
    const auto& d = m_model->data();
    auto* series = new QStackedBarSeries(chart);
    const qint64 span = m_model->rangeSeconds();
    QStringList categories;
    int tallest = 0; // the highest stack
    for (const auto& b : d.buckets) {
        int stack = 0;
        for (const auto& [type, n] : b.runsByState)
            stack += n;
        tallest = std::max(tallest, stack);
        const QDateTime t = QDateTime::fromMSecsSinceEpoch(b.start / 1000);
        categories << t.toString(labelFormat(span));
    }
    for (auto type : allStateTypes()) {
        bool any = false;
        auto* set = new QBarSet(stateTypeLabel(type));
        for (const auto& b : d.buckets) {
            auto it = b.runsByState.find(type);
            const int n = it == b.runsByState.end() ? 0 : it->second;
            any = any || n > 0;
            *set << n;
        }
        if (!any) {
            delete set;
            continue;
        }
        set->setColor(stateColor(type, dark));
        set->setBorderColor(stateColor(type, dark));
        series->append(set);
    }
    chart->addSeries(series);
    auto* x = new QBarCategoryAxis(chart);
    x->append(categories);
    auto* y = new QValueAxis(chart);
    setNiceRange(y, tallest, true);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    chart->legend()->setAlignment(Qt::AlignRight);
    styleChart(chart, this);
    QChart* old = m_historyView->chart();
    m_historyView->setChart(chart);
    delete old;
}

void DashboardWidget::rebuildFlows(bool dark) {
    const auto& flows = m_model->data().flows;
    QStringList names;
    auto* durations = new QBarSet(tr("mean"));
    auto* maxima = new QBarSet(tr("max"));
    auto* failureRate = new QBarSet(tr("failed %"));
    double longest = 0;
    for (const auto& f : flows) {
        names << QString::fromStdString(f.flowName);
        *durations << f.meanDurationS;
        *maxima << f.maxDurationS;
        longest = std::max(longest, f.maxDurationS);
        // The same rule as the success rate: of finished runs, cancelled ones left out.
        *failureRate << (f.successRate ? 100.0 * (1.0 - *f.successRate) : 0.0);
    }
    durations->setColor(stateColor(weft::StateType::Running, dark));
    maxima->setColor(dark ? QColor(0x6b, 0x72, 0x80) : QColor(0xb0, 0xb7, 0xc3)); // neutral grey
    failureRate->setColor(stateColor(weft::StateType::Failed, dark));

    // Durations get round ticks; the failure rate spans 0–100 % in quarters.
    auto make = [&](const QString& title, std::vector<QBarSet*> sets, double maxValue, bool nice,
                    QChartView* view) {
        auto* chart = new QChart();
        chart->setTitle(title);
        auto* series = new QHorizontalBarSeries(chart);
        for (auto* s : sets)
            series->append(s);
        chart->addSeries(series);
        auto* y = new QBarCategoryAxis(chart);
        y->append(names);
        auto* x = new QValueAxis(chart);
        if (nice) {
            setNiceRange(x, maxValue, false);
        } else {
            x->setRange(0, maxValue);
            x->setTickCount(5);
            x->setLabelFormat(QStringLiteral("%.0f %%"));
        }
        chart->addAxis(y, Qt::AlignLeft);
        chart->addAxis(x, Qt::AlignBottom);
        series->attachAxis(x);
        series->attachAxis(y);
        chart->legend()->setVisible(sets.size() > 1);
        chart->legend()->setAlignment(Qt::AlignRight); // below, it squeezes the flow names out
        styleChart(chart, this);
        QChart* old = view->chart();
        view->setChart(chart);
        delete old;
    };
    make(tr("Run duration per flow (s)"), {durations, maxima}, longest, true, m_durationView);
    make(tr("Failure rate per flow"), {failureRate}, 100, false, m_failureView);
    m_failureView->setToolTip(rateRule());
}

} // namespace weft::studio

// LogView: search and hit navigation, context lines, follow, copy, download, keys.
#include "logs/logdelegate.h"
#include "logs/logexporter.h"
#include "logs/logformat.h"
#include "logs/logmodel.h"
#include "logs/logview.h"

#include <QClipboard>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QStandardPaths>
#include <QTableView>
#include <QToolButton>

namespace weft::studio {

namespace {
constexpr int kMaxCopyLines = 200000; // beyond that, Download is the better tool
}

// ---- search ----------------------------------------------------------------------------------

void LogView::setSearchText(const QString& text) {
    m_search->setText(text);
    applySearch();
}

void LogView::applySearch() {
    m_searchDebounce.stop();
    const QString text = m_search->text().trimmed();
    if (text == m_model->search()) return;
    m_delegate->setHighlightTerms(LogDelegate::termsOf(text, false));
    m_jumpToFirstHit = !text.isEmpty();
    m_model->setSearch(text);
    updateHitLabel();
    updateEmptyState();
    m_table->viewport()->update();
}

int LogView::currentRow() const {
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void LogView::goToHit(int k) {
    const int row = m_model->hitRow(k);
    if (row < 0) return;
    setFollow(false); // reading a hit: new lines must not pull the view away
    const QModelIndex index = m_model->index(row, LogModel::MessageColumn);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect
                                                          | QItemSelectionModel::Rows);
    m_programmaticScroll = true;
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_programmaticScroll = false;
    updateHitLabel();
}

void LogView::findNext() {
    if (m_search->text().trimmed() != m_model->search()) return applySearch(); // goes to the first
    if (m_model->hitCount() == 0) return;
    const int k = m_model->nextHit(currentRow(), true);
    goToHit(k >= 0 ? k : 0); // past the last: wrap to the first
}

void LogView::findPrevious() {
    if (m_search->text().trimmed() != m_model->search()) return applySearch();
    const int n = m_model->hitCount();
    if (n == 0) return;
    const int row = currentRow();
    const int k = m_model->nextHit(row < 0 ? m_model->rowCount() : row, false);
    goToHit(k >= 0 ? k : n - 1);
}

QString LogView::hitText() const {
    if (!m_model->hasSearch()) return {};
    const int n = m_model->hitCount();
    const bool searching = m_model->isSearching() || m_model->isLoading();
    if (n == 0) return searching ? tr("Searching…") : tr("No matches");
    const QString total = groupedNumber(n) + (searching ? QStringLiteral("+") : QString());
    const int k = m_model->hitIndexOfRow(currentRow());
    if (k >= 0) return tr("%1 of %2").arg(groupedNumber(k + 1), total);
    return n == 1 && !searching ? tr("1 match") : tr("%1 matches").arg(total);
}

void LogView::updateHitLabel() {
    m_hits->setText(hitText());
    const bool any = m_model->hitCount() > 0;
    m_prev->setEnabled(any);
    m_next->setEnabled(any);
    m_context->setEnabled(!m_model->isAllRuns());
}

void LogView::setContextLines(int lines) {
    if (lines > 0) {
        m_contextLines = lines;
        m_context->setText(tr("Context ±%1").arg(lines));
    }
    if (lines <= 0)
        m_context->setChecked(false); // toggled() applies it
    else if (!m_context->isChecked())
        m_context->setChecked(true);
    else
        applyContext(lines);
}

void LogView::applyContext(int lines) {
    // Keep the line the user was on (or the first one after it, when it is not context).
    const qint64 id = m_model->idAt(currentRow());
    m_model->setContextLines(lines);
    if (id && m_model->rowCount() > 0) {
        const int row = std::min(m_model->rowAtOrAfterId(id), m_model->rowCount() - 1);
        const QModelIndex index = m_model->index(row, LogModel::MessageColumn);
        m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect
                                                              | QItemSelectionModel::Rows);
        m_programmaticScroll = true;
        m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
        m_programmaticScroll = false;
    }
    updateHitLabel();
    updateEmptyState();
}

// ---- follow ----------------------------------------------------------------------------------

void LogView::setFollow(bool follow) {
    if (follow == m_followOn) return;
    m_followOn = follow;
    {
        const QSignalBlocker block(m_follow);
        m_follow->setChecked(follow);
    }
    if (follow) followNow();
}

void LogView::followNow() {
    if (!m_followOn || m_model->rowCount() == 0) return;
    m_programmaticScroll = true;
    m_table->scrollToBottom();
    m_programmaticScroll = false;
    prefetchVisible();
}

void LogView::jumpToLatest() {
    const int rows = m_model->rowCount();
    if (rows > 0)
        m_table->selectionModel()->setCurrentIndex(
            m_model->index(rows - 1, LogModel::MessageColumn),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    setFollow(true);
    followNow();
}

void LogView::rowsArrived() {
    if (m_followOn) m_followTimer.start();
    if (m_selectFirstRow && m_model->rowCount() > 0) {
        m_selectFirstRow = false;
        m_table->selectionModel()->setCurrentIndex(m_model->index(0, LogModel::MessageColumn),
                                                   QItemSelectionModel::ClearAndSelect
                                                       | QItemSelectionModel::Rows);
        m_table->scrollToTop();
    }
    if (!m_statusTimer.isActive()) { // at once, then at most every 100 ms
        updateStatus();
        m_statusTimer.start();
    }
    if (m_empty->isVisible()) updateEmptyState();
    if (m_model->isAllRuns() && m_model->hasSearch()) updateHitLabel();
}

void LogView::prefetchVisible() {
    const int height = m_table->viewport()->height();
    const int first = std::max(0, m_table->rowAt(0));
    int last = m_table->rowAt(height - 1);
    if (last < 0) last = m_model->rowCount() - 1;
    // A screen's worth either side, so scrolling a page shows text at once.
    const int margin = std::max(50, last - first);
    m_model->prefetch(first - margin, last + margin);
}

// ---- copy and download -----------------------------------------------------------------------

void LogView::copySelection() {
    std::vector<std::pair<int, int>> ranges;
    for (const QItemSelectionRange& r : m_table->selectionModel()->selection())
        ranges.emplace_back(r.top(), r.bottom());
    if (ranges.empty() && currentRow() >= 0) ranges.emplace_back(currentRow(), currentRow());
    std::sort(ranges.begin(), ranges.end());
    std::vector<int> rows;
    for (auto [top, bottom] : ranges)
        for (int r = std::max(top, rows.empty() ? 0 : rows.back() + 1);
             r <= bottom && int(rows.size()) < kMaxCopyLines; ++r)
            rows.push_back(r);
    if (rows.empty()) return;
    // Lines on screen are loaded: copy at once. Otherwise read them away from the GUI thread.
    QString text;
    for (int r : rows) {
        const weft::LogRecord* line = m_model->lineAt(r);
        if (!line) {
            std::vector<std::int64_t> ids;
            ids.reserve(rows.size());
            for (int row : rows)
                ids.push_back(m_model->idAt(row));
            m_copier->collectText(m_model->filterQuery(), std::move(ids), m_model->isAllRuns());
            return;
        }
        text += formatLogLine(*line, m_model->runLabel(*line));
        text += QLatin1Char('\n');
    }
    setCopyText(text, int(rows.size()));
}

void LogView::setCopyText(const QString& text, int lines) {
    QString copy = text;
    if (copy.endsWith(QLatin1Char('\n'))) copy.chop(1);
    QGuiApplication::clipboard()->setText(copy);
    m_lastMessage =
        lines == 1 ? tr("Copied 1 line") : tr("Copied %1 lines").arg(groupedNumber(lines));
    updateStatus();
    Q_EMIT copied(lines);
}

void LogView::downloadView() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    const QString name = m_model->isAllRuns()
                             ? QStringLiteral("weft-logs.log")
                             : QStringLiteral("weft-%1.log").arg(m_flowRunId.left(8));
    const QString path = QFileDialog::getSaveFileName(this, tr("Download the lines in this view"),
                                                      dir + QLatin1Char('/') + name,
                                                      tr("Log files (*.log *.txt);;All files (*)"));
    if (!path.isEmpty()) downloadTo(path, false);
}

void LogView::downloadAll() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    const QString name = m_model->isAllRuns()
                             ? QStringLiteral("weft-all-runs.log")
                             : QStringLiteral("weft-%1-all.log").arg(m_flowRunId.left(8));
    const QString path = QFileDialog::getSaveFileName(
        this,
        m_model->isAllRuns() ? tr("Download every run's lines")
                             : tr("Download all lines of the run"),
        dir + QLatin1Char('/') + name, tr("Log files (*.log *.txt);;All files (*)"));
    if (!path.isEmpty()) downloadTo(path, true);
}

void LogView::downloadTo(const QString& path, bool allLines) {
    if (path.isEmpty()) return;
    weft::LogQuery query;
    std::vector<std::int64_t> ids;
    if (allLines) {
        if (!m_model->isAllRuns()) query.flow_run_id = m_flowRunId.toStdString();
    } else if (m_model->contextMode()) {
        ids = m_model->rowIds();
        if (ids.empty()) ids = {0}; // no line has id 0: an empty file
    } else {
        query = m_model->filterQuery();
    }
    m_lastMessage = tr("Downloading…");
    updateStatus();
    m_exporter->exportToFile(query, std::move(ids), path, m_model->isAllRuns());
}

// ---- keys and activation ---------------------------------------------------------------------

void LogView::onActivated(const QModelIndex& index) {
    if (m_model->isAllRuns()) {
        const QString run = index.data(LogModel::FlowRunIdRole).toString();
        if (!run.isEmpty()) Q_EMIT openRun(run);
        return;
    }
    const QString task = index.data(LogModel::TaskRunIdRole).toString();
    if (!task.isEmpty()) Q_EMIT taskRunActivated(task);
}

bool LogView::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (watched == m_table) {
            if (key->matches(QKeySequence::Copy)) {
                copySelection();
                return true;
            }
            if (key->key() == Qt::Key_End && !(key->modifiers() & Qt::ShiftModifier)) {
                jumpToLatest();
                return true;
            }
        } else if (watched == m_search) {
            if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
                if (key->modifiers() & Qt::ShiftModifier)
                    findPrevious();
                else
                    findNext();
                return true;
            }
            if (key->key() == Qt::Key_Escape) {
                m_search->clear();
                m_table->setFocus(Qt::OtherFocusReason);
                return true;
            }
        }
    } else if (event->type() == QEvent::Resize && watched == m_table->viewport()) {
        m_empty->setGeometry(m_table->viewport()->rect());
        if (m_followOn) m_followTimer.start();
        prefetchVisible();
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace weft::studio

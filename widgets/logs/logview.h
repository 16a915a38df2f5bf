#pragma once
// The Logs tab of a run page: a toolbar (scope, level, loggers, task, search with hit navigation,
// context lines, follow, latest, download) over a table of log lines with fixed row heights,
// painted by LogDelegate only where visible. Works for millions of lines: the model holds ids,
// the text of visible rows is fetched on demand.
//
// Keys: Ctrl+F search, F3 / Shift+F3 (or Enter / Shift+Enter in the search field) next / previous
// hit, End latest line (and follow), Ctrl+C copy the selected lines, Esc in the search field
// clears it.
#include <QPointer>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QTableView;
class QToolButton;
class QHBoxLayout;

namespace weft::studio {

class Backend;
class LogDelegate;
class LogExporter;
class LogModel;

class LogView : public QWidget {
    Q_OBJECT
public:
    explicit LogView(Backend* backend, QWidget* parent = nullptr);
    ~LogView() override;

    LogModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    bool isFollowing() const { return m_followOn; }
    /// "3 of 41", "41 matches", "No matches", "Searching…" or "" without a search.
    QString hitText() const;
    /// The status line: "5,000 lines", "Loading… 1,200,000 lines", "Saved 5,000 lines to …".
    QString statusText() const;

public Q_SLOTS:
    /// Shows this flow run's lines (the scope switches to "This run").
    void setFlowRun(const QString& flowRunId);
    /// Full-text search over every run's lines; activating a line emits openRun().
    void setAllRuns(bool allRuns);
    /// Filters to one task run's lines and makes its first line current; clearTaskRun() undoes it.
    void showTaskRun(const QString& taskRunId);
    void clearTaskRun();
    /// As if typed into the search field, applied at once.
    void setSearchText(const QString& text);
    void findNext();
    void findPrevious();
    /// Only hits with this many lines either side (0 = every line, hits marked).
    void setContextLines(int lines);
    void setFollow(bool follow);
    /// Scrolls to the newest line and follows new ones.
    void jumpToLatest();
    /// Copies the selected lines as text (time | level | logger | message), as the clipboard's
    /// text.
    void copySelection();
    /// Ask for a file, then write the lines on a worker thread.
    void downloadView();
    void downloadAll();
    /// Without a dialog: the current view's lines (allLines false) or every line of the scope.
    void downloadTo(const QString& path, bool allLines);

Q_SIGNALS:
    /// A line of another run was activated (all-runs scope).
    void openRun(const QString& flowRunId);
    /// A task run's line was activated (double-click or Enter).
    void taskRunActivated(const QString& taskRunId);
    void downloadFinished(bool ok, const QString& message);
    void copied(int lines);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void buildToolbar(QHBoxLayout* bar);
    void setupTable();
    void applySearch();
    void applyContext(int lines);
    void goToHit(int k);
    void updateHitLabel();
    void updateStatus();
    void updateScopeUi();
    void updateEmptyState();
    void rowsArrived();
    void followNow();
    void prefetchVisible();
    void populateLoggerMenu(const QStringList& names);
    void onActivated(const QModelIndex& index);
    int currentRow() const;
    void setCopyText(const QString& text, int lines);

    Backend* m_backend;
    LogModel* m_model;
    LogDelegate* m_delegate;
    LogExporter* m_exporter;
    LogExporter* m_copier;
    QTableView* m_table = nullptr;
    QComboBox* m_scope = nullptr;
    QComboBox* m_level = nullptr;
    QToolButton* m_loggers = nullptr;
    QMenu* m_loggerMenu = nullptr;
    QToolButton* m_taskChip = nullptr;
    QLineEdit* m_search = nullptr;
    QToolButton* m_prev = nullptr;
    QToolButton* m_next = nullptr;
    QLabel* m_hits = nullptr;
    QToolButton* m_context = nullptr;
    QToolButton* m_follow = nullptr;
    QToolButton* m_latest = nullptr;
    QToolButton* m_download = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_empty = nullptr;

    QTimer m_searchDebounce;
    QTimer m_followTimer; // coalesces scrolling to the end: once per event-loop pass
    QTimer m_statusTimer;
    QString m_flowRunId;
    QString m_lastMessage; // the last download's or copy's outcome, for the status line
    QStringList m_loggerNamesOfRun;
    bool m_loggerNamesKnown = false;
    bool m_followOn = true;
    bool m_programmaticScroll = false;
    bool m_jumpToFirstHit = false;
    bool m_selectFirstRow = false;
    int m_contextLines = 2;
};

} // namespace weft::studio

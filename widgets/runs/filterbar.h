#pragma once
// The run list's filter bar: states, flow, tags, time range, text (debounced), saved filters.
#include "runs/flowrunfilter.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QAbstractItemModel;
class QComboBox;
class QDateTimeEdit;
class QLineEdit;
class QMenu;
class QSettings;
class QToolButton;

namespace weft::studio {

class FilterBar : public QWidget {
    Q_OBJECT
public:
    explicit FilterBar(QWidget* parent = nullptr);
    ~FilterBar() override;

    FlowRunFilter filter() const { return m_filter; }
    /// Shows `filter` in the controls and emits filterChanged once if it differs.
    void setFilter(const FlowRunFilter& filter);
    /// Flow names for the flow combo: column 0's DisplayRole of each row (a FlowListModel).
    void setFlowModel(QAbstractItemModel* flows);
    /// Where saved filters live; QSettings() (the application's) by default.
    void setSettings(QSettings* settings);
    /// Delay between typing in the text field and filterChanged.
    void setTextDelay(int ms) { m_textTimer.setInterval(ms); }

    QStringList savedFilterNames() const;
    void saveFilter(const QString& name); // the current filter
    bool loadFilter(const QString& name);
    void deleteFilter(const QString& name);

    QLineEdit* textField() const { return m_text; }
    QLineEdit* tagsField() const { return m_tags; }
    QComboBox* flowCombo() const { return m_flow; }
    QComboBox* rangeCombo() const { return m_range; }
    QToolButton* statesButton() const { return m_states; }

public Q_SLOTS:
    void focusSearch();
    void clear();

Q_SIGNALS:
    void filterChanged(const weft::studio::FlowRunFilter& filter);

private:
    void rebuildFlows();
    void rebuildSavedMenu();
    void updateStatesButton();
    void showFilter();   // m_filter → controls, without signals
    void readControls(); // controls → m_filter; emits when it changed
    QSettings& settings() const;

    FlowRunFilter m_filter;
    QToolButton* m_states;
    QMenu* m_statesMenu;
    QComboBox* m_flow;
    QLineEdit* m_tags;
    QComboBox* m_range;
    QDateTimeEdit* m_from;
    QDateTimeEdit* m_to;
    QLineEdit* m_text;
    QToolButton* m_saved;
    QMenu* m_savedMenu;
    QToolButton* m_clear;
    QTimer m_textTimer;
    QPointer<QAbstractItemModel> m_flows;
    QSettings* m_settings = nullptr;
    mutable std::unique_ptr<QSettings> m_ownSettings;
    bool m_updating = false;
};

} // namespace weft::studio

#pragma once
// Ctrl+K: type to jump to any run or flow, or to run any action of the window.
#include "backend/backend.h"

#include <QDialog>
#include <QTimer>

class QAction;
class QLineEdit;
class QListWidget;
class QListWidgetItem;

namespace weft::studio {

class CommandPalette : public QDialog {
    Q_OBJECT
public:
    CommandPalette(Backend* backend, QWidget* parent);

    void setActions(const QList<QAction*>& actions) { m_actions = actions; }
    /// Shows the palette centred on its parent with an empty query.
    void popup();
    QLineEdit* queryField() const { return m_query; }
    QListWidget* results() const { return m_list; }

Q_SIGNALS:
    void runChosen(const QString& flowRunId);
    void flowChosen(const QString& flowName);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void refresh();
    void searchBackend();
    void choose(QListWidgetItem* item);
    void addItem(const QString& text, const QString& detail, int kind, const QVariant& data);

    Backend* m_backend;
    QLineEdit* m_query;
    QListWidget* m_list;
    QList<QAction*> m_actions;
    QTimer m_debounce;
    quint64 m_generation = 0;
    std::vector<weft::FlowRecord> m_flows;
};

} // namespace weft::studio

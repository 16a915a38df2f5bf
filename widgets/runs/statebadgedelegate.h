#pragma once
// Paints a run's state as a rounded pill in Prefect's state colours, with the state's name
// ("Late", "Cached", "TimedOut"…). Reads only roles, so any run model can use it.
#include <QStyledItemDelegate>

namespace weft::studio {

class StateBadgeDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    /// The default roles are the flow-run and task-run models' (they share numbers).
    explicit StateBadgeDelegate(QObject* parent = nullptr);
    void setRoles(int stateTypeRole, int stateNameRole, int placeholderRole = -1);

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    /// The pill's rectangle for `text` inside a cell (left-aligned, vertically centred).
    static QRect badgeRect(const QRect& cell, const QFontMetrics& metrics, const QString& text);

private:
    int m_typeRole;
    int m_nameRole;
    int m_placeholderRole;
};

} // namespace weft::studio

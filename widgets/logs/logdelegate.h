#pragma once
// Paints one cell of a log line: dim time, coloured level badge, run and task/logger names, and
// the message in a monospace font with the search's words marked. Reads only through LogRoles;
// paints only what it is asked to (the visible cells).
#include <QStringList>
#include <QStyledItemDelegate>

namespace weft::studio {

class LogDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit LogDelegate(QObject* parent = nullptr);

    /// Words to mark in messages (case-insensitive).
    void setHighlightTerms(const QStringList& terms) { m_terms = terms; }
    /// Tint whole hit rows (off when every row is a hit, as in a search across all runs).
    void setTintHits(bool tint) { m_tintHits = tint; }
    /// The words of a search as the engine matches them: plain words, or the terms of a raw FTS5
    /// query without its operators and quotes.
    static QStringList termsOf(const QString& search, bool raw);
    /// The monospace font of messages (and times), derived from `base`.
    static QFont monoFont(const QFont& base);
    /// Width a column needs for its usual content.
    static int columnWidth(int column, const QFont& base);
    static int rowHeight(const QFont& base);

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    void paintMessage(QPainter* painter, const QRect& rect, const QString& message,
                      const QColor& text, const QColor& dim, bool dark) const;

    QStringList m_terms;
    bool m_tintHits = true;
};

} // namespace weft::studio

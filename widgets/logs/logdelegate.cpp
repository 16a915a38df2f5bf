#include "logs/logdelegate.h"

#include "logs/logformat.h"
#include "logs/logroles.h"

#include <QFontDatabase>
#include <QPainter>
#include <QRegularExpression>

#include <vector>

namespace weft::studio {

namespace {
constexpr int kPad = 6;

QColor mix(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}
} // namespace

LogDelegate::LogDelegate(QObject* parent)
    : QStyledItemDelegate(parent) {}

QStringList LogDelegate::termsOf(const QString& search, bool raw) {
    QStringList terms;
    static const QRegularExpression separators(QStringLiteral("[\\s\"()*^:+{}]+"));
    for (QString word : search.split(separators, Qt::SkipEmptyParts)) {
        if (raw
            && (word == QLatin1String("AND") || word == QLatin1String("OR")
                || word == QLatin1String("NOT") || word.startsWith(QLatin1String("NEAR"))))
            continue;
        if (!terms.contains(word, Qt::CaseInsensitive)) terms << word;
    }
    // Longer words first, so a word inside another does not cut its mark short.
    std::sort(terms.begin(), terms.end(),
              [](const QString& a, const QString& b) { return a.size() > b.size(); });
    return terms;
}

QFont LogDelegate::monoFont(const QFont& base) {
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(base.pointSizeF() > 0 ? base.pointSizeF() : mono.pointSizeF());
    return mono;
}

int LogDelegate::rowHeight(const QFont& base) {
    return std::max(QFontMetrics(base).height(), QFontMetrics(monoFont(base)).height()) + 6;
}

int LogDelegate::columnWidth(int column, const QFont& base) {
    const QFontMetrics mono(monoFont(base));
    QFont small = base;
    small.setPointSizeF(base.pointSizeF() * 0.85);
    small.setBold(true);
    switch (column) {
    case LogRoles::TimeColumn:
        return mono.horizontalAdvance(QStringLiteral("00:00:00.000")) + 2 * kPad;
    case LogRoles::LevelColumn:
        return QFontMetrics(small).horizontalAdvance(QStringLiteral("CRITICAL")) + 4 * kPad;
    case LogRoles::RunColumn:
        return QFontMetrics(base).averageCharWidth() * 22;
    case LogRoles::SourceColumn:
        return QFontMetrics(base).averageCharWidth() * 20;
    default:
        return QFontMetrics(base).averageCharWidth() * 80;
    }
}

QSize LogDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    return {columnWidth(index.column(), option.font), rowHeight(option.font)};
}

void LogDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                        const QModelIndex& index) const {
    const QPalette& pal = option.palette;
    const bool dark = pal.color(QPalette::Window).lightnessF() < 0.5;
    const bool selected = option.state & QStyle::State_Selected;
    const bool active = option.state & QStyle::State_Active;
    const QPalette::ColorGroup group = active ? QPalette::Active : QPalette::Inactive;
    const QRect rect = option.rect;
    painter->save();
    painter->setClipRect(rect);

    const bool hit = m_tintHits && index.data(LogRoles::IsHitRole).toBool();
    if (selected)
        painter->fillRect(rect, pal.color(group, QPalette::Highlight));
    else if (hit)
        painter->fillRect(rect, dark ? QColor(250, 204, 21, 34) : QColor(254, 240, 138, 110));
    const QColor text =
        selected ? pal.color(group, QPalette::HighlightedText) : pal.color(QPalette::Text);
    const QColor dim = mix(
        text, selected ? pal.color(group, QPalette::Highlight) : pal.color(QPalette::Base), 0.42);

    if (index.data(LogRoles::GapBeforeRole).toBool()) {
        // Context mode skipped lines here, like grep's "--".
        QPen pen(dim, 1, Qt::DashLine);
        painter->setPen(pen);
        painter->drawLine(rect.topLeft(), rect.topRight());
    }
    if (hit && index.column() == LogRoles::TimeColumn) // a marker in the gutter
        painter->fillRect(QRect(rect.left(), rect.top(), 3, rect.height()),
                          dark ? QColor(250, 204, 21) : QColor(202, 138, 4));

    const QRect inner = rect.adjusted(kPad, 0, -kPad, 0);
    if (!index.data(LogRoles::IsLoadedRole).toBool()) {
        // The text is on its way: a faint bar where it will be.
        QColor bar = dim;
        bar.setAlphaF(0.18f);
        const int h = std::max(4, rect.height() / 3);
        const int w = index.column() == LogRoles::MessageColumn ? inner.width() * 2 / 3
                                                                : inner.width() * 3 / 4;
        painter->setPen(Qt::NoPen);
        painter->setBrush(bar);
        painter->setRenderHint(QPainter::Antialiasing);
        painter->drawRoundedRect(QRect(inner.left(), rect.center().y() - h / 2, w, h), h / 2.0,
                                 h / 2.0);
        painter->restore();
        return;
    }

    const QString display = index.data(Qt::DisplayRole).toString();
    switch (index.column()) {
    case LogRoles::TimeColumn: {
        painter->setFont(monoFont(option.font));
        painter->setPen(dim);
        painter->drawText(inner, Qt::AlignLeft | Qt::AlignVCenter, display);
        break;
    }
    case LogRoles::LevelColumn: {
        const int level = index.data(LogRoles::LevelRole).toInt();
        const QColor color = logLevelColor(level, dark);
        QFont font = option.font;
        font.setPointSizeF(option.font.pointSizeF() * 0.85);
        font.setBold(true);
        painter->setFont(font);
        const QFontMetrics fm(font);
        const int w = fm.horizontalAdvance(display) + 2 * kPad;
        const int h = fm.height() + 2;
        const QRect pill(inner.left(), rect.center().y() - h / 2 + 1, std::min(w, inner.width()),
                         h);
        const bool solid = level >= 50;
        // On a selected row the level's hue would fight the highlight: use its text colour.
        const QColor ink = selected ? text : color;
        QColor fill = ink;
        fill.setAlphaF(solid ? 1.0f : (dark || selected ? 0.22f : 0.13f));
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(pill, 4, 4);
        painter->setPen(
            solid ? (selected ? pal.color(group, QPalette::Highlight) : QColor(Qt::white)) : ink);
        painter->drawText(pill, Qt::AlignCenter, display);
        break;
    }
    case LogRoles::RunColumn: {
        painter->setPen(selected ? text : pal.color(QPalette::Link));
        painter->drawText(inner, Qt::AlignLeft | Qt::AlignVCenter,
                          option.fontMetrics.elidedText(display, Qt::ElideRight, inner.width()));
        break;
    }
    case LogRoles::SourceColumn: {
        const bool isTask = !index.data(LogRoles::TaskRunNameRole).toString().isEmpty();
        painter->setPen(isTask ? text : dim);
        painter->drawText(inner, Qt::AlignLeft | Qt::AlignVCenter,
                          option.fontMetrics.elidedText(display, Qt::ElideMiddle, inner.width()));
        break;
    }
    case LogRoles::MessageColumn: {
        painter->setFont(monoFont(option.font));
        paintMessage(painter, inner, display, text, dim, dark);
        break;
    }
    default:
        break;
    }
    painter->restore();
}

void LogDelegate::paintMessage(QPainter* painter, const QRect& rect, const QString& message,
                               const QColor& text, const QColor& dim, bool dark) const {
    const QFontMetrics fm(painter->font());
    // One row a line: the first line of a multi-line message, and how many more there are.
    const qsizetype newline = message.indexOf(QLatin1Char('\n'));
    QString first = newline < 0 ? message : message.left(newline);
    QString more;
    if (newline >= 0) more = QStringLiteral("  ⏎ +%1").arg(message.count(QLatin1Char('\n')));
    const int moreWidth = more.isEmpty() ? 0 : fm.horizontalAdvance(more);
    first = fm.elidedText(first, Qt::ElideRight, std::max(0, rect.width() - moreWidth));

    // Marks behind each occurrence of a search word (FTS matches whole tokens; marking substrings
    // is close enough and cheap); the marked text gets a colour that reads on the mark.
    struct Mark {
        QRect rect;
        QString text;
    };
    std::vector<Mark> marks;
    const int h = fm.height();
    const int y = rect.center().y() - h / 2;
    for (const QString& term : m_terms) {
        for (qsizetype at = first.indexOf(term, 0, Qt::CaseInsensitive); at >= 0;
             at = first.indexOf(term, at + term.size(), Qt::CaseInsensitive)) {
            const int x = rect.left() + fm.horizontalAdvance(first.left(at));
            const QString word = first.mid(at, term.size());
            marks.push_back({QRect(x, y, fm.horizontalAdvance(word), h), word});
        }
    }
    painter->setPen(Qt::NoPen);
    painter->setBrush(dark ? QColor(161, 98, 7) : QColor(253, 224, 71));
    for (const Mark& m : marks)
        painter->drawRoundedRect(m.rect.adjusted(-1, 0, 1, 0), 2, 2);
    painter->setPen(text);
    painter->drawText(rect, Qt::AlignLeft | Qt::AlignVCenter, first);
    painter->setPen(dark ? QColor(255, 251, 235) : QColor(28, 25, 23));
    for (const Mark& m : marks) {
        painter->save();
        painter->setClipRect(m.rect.adjusted(-1, 0, 1, 0));
        painter->drawText(rect, Qt::AlignLeft | Qt::AlignVCenter, first);
        painter->restore();
    }
    if (!more.isEmpty()) {
        painter->setPen(dim);
        const int x = rect.left() + fm.horizontalAdvance(first);
        painter->drawText(QRect(x, rect.top(), rect.right() - x, rect.height()),
                          Qt::AlignLeft | Qt::AlignVCenter, more);
    }
}

} // namespace weft::studio

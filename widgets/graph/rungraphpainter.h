#pragma once
// Paints a RunGraphModel's scene with a QPainter: for the view, only what a scene rectangle shows,
// with a level of detail chosen by zoom; for export, everything in full detail.
#include "graph/rungraphmodel.h"
#include "graph/rungraphraster.h"

#include <QFont>
#include <QHash>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QStaticText>

namespace weft::studio {

enum class RunGraphTagMode {
    Highlight, ///< nodes with the tag get a coloured ring, the others fade
    Only,      ///< nodes without the tag (and their edges) are not drawn
};

struct RunGraphPaintOptions {
    double scale = 1;        ///< device pixels per scene pixel: picks the level of detail
    bool fullDetail = false; ///< export: boxes and text at any scale
    int selectedNode = -1, hoveredNode = -1;
    int tag = -1; ///< a RunGraphModel tag id, or -1
    RunGraphTagMode tagMode = RunGraphTagMode::Highlight;
};

class RunGraphPainter {
public:
    enum class Detail { Full, Boxes, Dots };
    static Detail detailFor(double scale);

    explicit RunGraphPainter(const RunGraphModel* model);
    void setPalette(const QPalette& palette);
    void setFont(const QFont& font);
    /// Drops cached text; call when the layout changed.
    void invalidate();
    void paint(QPainter& p, const QRectF& sceneRect, const RunGraphPaintOptions& o);

    bool isDark() const { return m_dark; }
    /// A node's expand/collapse chevron (scene coordinates), or an empty rectangle.
    QRectF chevronRect(int node) const;
    /// The collapse tab on an expanded group's frame.
    QRectF groupTabRect(int group) const;
    /// A subflow frame's header strip (the part that acts as the subflow's node).
    static QRectF frameHeaderRect(const QRectF& frame);
    static QColor tagColor(const QString& tag, bool dark);
    /// Whether a node is drawn under a tag filter.
    bool isShown(int node, const RunGraphPaintOptions& o) const;
    /// A task or subflow box's name and subtitle as painted at full detail (elided to fit).
    QString shownLabel(int node);
    QString shownSubtitle(int node);

private:
    void paintFrame(QPainter& p, int node, const RunGraphPaintOptions& o, Detail d);
    void paintGroupFrame(QPainter& p, int group, Detail d);
    void paintEdgesFull(QPainter& p, const QRectF& sceneRect, const RunGraphPaintOptions& o);
    void paintFast(QPainter& p, const QRectF& sceneRect, const RunGraphPaintOptions& o, Detail d,
                   bool nodes);
    void paintNodeFull(QPainter& p, int node, const RunGraphPaintOptions& o);
    void paintGroupBody(QPainter& p, int node, const QRectF& r);
    void paintChevron(QPainter& p, const QRectF& box, bool expanded, const QColor& c) const;
    void paintStripe(QPainter& p, const QRectF& r, double radius, const QColor& c);
    struct Label {
        QString text;       // a label elided to `width`; a subtitle's whole text
        QStaticText layout; // a subtitle's state name
        float width = -1;   // a subtitle's state name's width
        QStaticText rest;   // a subtitle's " · 1.2 s"
    };
    const Label& label(int node, double width);
    const Label& subtitle(int node, double width);
    /// " · 1.2 s · subflow": what follows the state's name under a task's label.
    QString subtitleRest(int node) const;
    /// " · subflow" for a subflow call, else empty.
    QString subtitleKind(int node) const;
    /// Room for text in a box: from the text's left to the chevron or the right edge.
    double textWidth(int node) const;
    QColor mix(const QColor& a, const QColor& b, double t) const;

    const RunGraphModel* m_model;
    QPalette m_palette;
    QFont m_font, m_bold, m_small;
    bool m_dark = false;
    double m_boldHalfHeight = 0, m_smallHalfHeight = 0; // centre a line of text on a point
    std::vector<Label> m_labels, m_subtitles;           // per node, laid out when first painted
    QHash<int, QPainterPath> m_stripes; // left stripe of a rounded box, per box height
    std::vector<int> m_nodes, m_edges;  // scratch: what the scene rectangle shows
    RunGraphRaster m_raster;            // the zoomed-out pixel layer
    std::vector<quint64> m_keys;        // scratch: its lines, as packed device end points
};

} // namespace weft::studio

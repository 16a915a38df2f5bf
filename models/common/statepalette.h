#pragma once
// State colours as Prefect's UI shows them, for light and dark themes. Shared by the run list's
// badges, the graph's nodes, the timeline's bars and the charts.
#include <weft/states.hpp>

#include <QColor>
#include <QString>

namespace weft::studio {

/// The fill colour of a state; names refine types where Prefect's UI does (Late, Cached, TimedOut).
QColor stateColor(weft::StateType type, bool dark = false);
/// Text that reads well on stateColor().
QColor stateTextColor(weft::StateType type, bool dark = false);
/// "Completed", "Failed", …: the type's default name.
QString stateTypeLabel(weft::StateType type);
/// All types, in the order lists and legends show them.
const std::vector<weft::StateType>& allStateTypes();

} // namespace weft::studio

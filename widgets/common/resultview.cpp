#include "common/resultview.h"

#include "runs/runformat.h"

namespace weft::studio {

ResultView::ResultView(QWidget* parent)
    : JsonPane(parent) {
    setResult(nullptr, false, weft::StateType::Pending);
}

void ResultView::setResult(const nlohmann::json& result, bool hasResult, weft::StateType type) {
    const bool shown = hasResult && !result.is_null();
    // An empty dict or list that was returned is a result: shown as such, not as "none".
    if (shown)
        showJson(result);
    else
        showPlaceholder(noResultReason(type, false));
}

} // namespace weft::studio

#pragma once
// A run's or task run's result: the JSON tree, or a line saying why there is none ("No result:
// it failed.") instead of an empty tree.
#include "common/jsonpane.h"

#include <weft/records.hpp>

namespace weft::studio {

class ResultView : public JsonPane {
    Q_OBJECT
public:
    explicit ResultView(QWidget* parent = nullptr);
    /// `hasResult` false (or a null value): the reason for `type` is shown instead of the tree.
    void setResult(const nlohmann::json& result, bool hasResult, weft::StateType type);
};

} // namespace weft::studio

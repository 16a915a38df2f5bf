#pragma once
// A run's or task run's result: the JSON tree, or a line saying why there is none ("No result:
// it failed.") instead of an empty tree.
#include <weft/records.hpp>

#include <QStackedWidget>

class QLabel;
class QTreeView;

namespace weft::studio {

class JsonModel;

class ResultView : public QStackedWidget {
    Q_OBJECT
public:
    explicit ResultView(QWidget* parent = nullptr);
    /// `hasResult` false (or a null value): the reason for `type` is shown instead of the tree.
    void setResult(const nlohmann::json& result, bool hasResult, weft::StateType type);
    /// The reason shown, or "" while the tree is.
    QString placeholderText() const;
    QTreeView* tree() const { return m_tree; }

private:
    JsonModel* m_model;
    QTreeView* m_tree;
    QLabel* m_none;
};

} // namespace weft::studio

#pragma once
// A JSON value as a tree (key, value, type), or a greyed line saying why there is none ("This
// run has no parameters.") instead of an empty tree.
#include <nlohmann/json.hpp>

#include <QStackedWidget>

class QLabel;
class QTreeView;

namespace weft::studio {

class JsonModel;

class JsonPane : public QStackedWidget {
    Q_OBJECT
public:
    explicit JsonPane(QWidget* parent = nullptr);
    /// Shows `value` as a tree; a null value, {} or [] shows `whenEmpty` instead.
    void setJson(const nlohmann::json& value, const QString& whenEmpty);
    /// Shows `value` as a tree, whatever it is.
    void showJson(const nlohmann::json& value);
    /// Shows `text` instead of the tree.
    void showPlaceholder(const QString& text);
    /// The line shown, or "" while the tree is.
    QString placeholderText() const;
    QTreeView* tree() const { return m_tree; }

private:
    JsonModel* m_model;
    QTreeView* m_tree;
    QLabel* m_none;
};

} // namespace weft::studio

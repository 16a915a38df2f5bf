#pragma once
// A read-only tree of a JSON value (parameters, results, state details): key, value, type.
#include <QAbstractItemModel>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

namespace weft::studio {

class JsonModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { KeyColumn, ValueColumn, TypeColumn, ColumnCount };

    explicit JsonModel(QObject* parent = nullptr);
    ~JsonModel() override;

    void setJson(const nlohmann::json& value);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    struct Node {
        QString key;
        QString value; // scalars only; containers summarise their size
        QString type;
        Node* parent = nullptr;
        int row = 0;
        std::vector<std::unique_ptr<Node>> children;
    };
    static std::unique_ptr<Node> build(const QString& key, const nlohmann::json& j, Node* parent,
                                       int row);
    Node* nodeOf(const QModelIndex& index) const;

    std::unique_ptr<Node> m_root;
};

} // namespace weft::studio

#include "dashboard/jsonmodel.h"

namespace weft::studio {

JsonModel::JsonModel(QObject* parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>()) {}

JsonModel::~JsonModel() = default;

std::unique_ptr<JsonModel::Node> JsonModel::build(const QString& key, const nlohmann::json& j,
                                                  Node* parent, int row) {
    auto node = std::make_unique<Node>();
    node->key = key;
    node->parent = parent;
    node->row = row;
    switch (j.type()) {
    case nlohmann::json::value_t::object: {
        node->type = QStringLiteral("object");
        node->value = tr("{%n key(s)}", nullptr, int(j.size()));
        int i = 0;
        for (auto it = j.begin(); it != j.end(); ++it, ++i)
            node->children.push_back(build(QString::fromStdString(it.key()), *it, node.get(), i));
        break;
    }
    case nlohmann::json::value_t::array: {
        node->type = QStringLiteral("array");
        node->value = tr("[%n item(s)]", nullptr, int(j.size()));
        for (size_t i = 0; i < j.size(); ++i)
            node->children.push_back(build(QString::number(i), j[i], node.get(), int(i)));
        break;
    }
    case nlohmann::json::value_t::string:
        node->type = QStringLiteral("string");
        node->value = QString::fromStdString(j.get<std::string>());
        break;
    case nlohmann::json::value_t::null:
        node->type = QStringLiteral("null");
        node->value = QStringLiteral("null");
        break;
    case nlohmann::json::value_t::boolean:
        node->type = QStringLiteral("boolean");
        [[fallthrough]];
    default:
        if (node->type.isEmpty()) node->type = QStringLiteral("number");
        node->value = QString::fromStdString(j.dump());
    }
    return node;
}

void JsonModel::setJson(const nlohmann::json& value) {
    beginResetModel();
    m_root = std::make_unique<Node>();
    if (value.is_object() || value.is_array()) {
        auto built = build({}, value, nullptr, 0);
        m_root = std::move(built);
        for (auto& child : m_root->children)
            child->parent = m_root.get();
    } else if (!value.is_null()) {
        m_root->children.push_back(build(tr("value"), value, m_root.get(), 0));
    }
    endResetModel();
}

JsonModel::Node* JsonModel::nodeOf(const QModelIndex& index) const {
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

QModelIndex JsonModel::index(int row, int column, const QModelIndex& parent) const {
    if (!hasIndex(row, column, parent)) return {};
    Node* p = nodeOf(parent);
    return createIndex(row, column, p->children[size_t(row)].get());
}

QModelIndex JsonModel::parent(const QModelIndex& child) const {
    if (!child.isValid()) return {};
    Node* n = nodeOf(child);
    Node* p = n->parent;
    if (!p || p == m_root.get()) return {};
    return createIndex(p->row, 0, p);
}

int JsonModel::rowCount(const QModelIndex& parent) const {
    if (parent.column() > 0) return 0;
    return int(nodeOf(parent)->children.size());
}

int JsonModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QVariant JsonModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::ToolTipRole)) return {};
    const Node* n = nodeOf(index);
    switch (index.column()) {
    case KeyColumn:
        return n->key;
    case ValueColumn:
        return n->value;
    case TypeColumn:
        return n->type;
    }
    return {};
}

QVariant JsonModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case KeyColumn:
        return tr("Key");
    case ValueColumn:
        return tr("Value");
    case TypeColumn:
        return tr("Type");
    }
    return {};
}

} // namespace weft::studio

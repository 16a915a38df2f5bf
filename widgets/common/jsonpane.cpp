#include "common/jsonpane.h"

#include "dashboard/jsonmodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeView>

namespace weft::studio {

JsonPane::JsonPane(QWidget* parent)
    : QStackedWidget(parent)
    , m_model(new JsonModel(this))
    , m_tree(new QTreeView(this))
    , m_none(new QLabel(this)) {
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_none->setAlignment(Qt::AlignCenter);
    m_none->setWordWrap(true);
    m_none->setEnabled(false); // greyed, like a placeholder
    addWidget(m_tree);
    addWidget(m_none);
}

void JsonPane::setJson(const nlohmann::json& value, const QString& whenEmpty) {
    if (value.is_null() || (value.is_structured() && value.empty()))
        showPlaceholder(whenEmpty);
    else
        showJson(value);
}

void JsonPane::showJson(const nlohmann::json& value) {
    m_model->setJson(value);
    setCurrentWidget(m_tree);
}

void JsonPane::showPlaceholder(const QString& text) {
    m_model->setJson(nlohmann::json());
    m_none->setText(text);
    setCurrentWidget(m_none);
}

QString JsonPane::placeholderText() const {
    return currentWidget() == m_none ? m_none->text() : QString();
}

} // namespace weft::studio

#include "common/resultview.h"

#include "dashboard/jsonmodel.h"
#include "runs/runformat.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeView>

namespace weft::studio {

ResultView::ResultView(QWidget* parent)
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
    setResult(nullptr, false, weft::StateType::Pending);
}

void ResultView::setResult(const nlohmann::json& result, bool hasResult, weft::StateType type) {
    const bool shown = hasResult && !result.is_null();
    m_model->setJson(shown ? result : nlohmann::json());
    m_none->setText(noResultReason(type, shown));
    setCurrentWidget(shown ? static_cast<QWidget*>(m_tree) : m_none);
}

QString ResultView::placeholderText() const {
    return currentWidget() == m_none ? m_none->text() : QString();
}

} // namespace weft::studio

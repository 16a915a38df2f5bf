#include "commandpalette.h"

#include "common/statepalette.h"

#include <QAction>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

namespace weft::studio {

namespace {
enum Kind { ActionKind = 1, RunKind, FlowKind };
constexpr int KindRole = Qt::UserRole + 1;
constexpr int DataRole = Qt::UserRole + 2;

// Every character of the needle appears in order in the haystack: "cnl" matches "Cancel".
bool fuzzyMatch(const QString& needle, const QString& haystack) {
    qsizetype at = 0;
    for (QChar c : needle) {
        at = haystack.indexOf(c, at, Qt::CaseInsensitive);
        if (at < 0) return false;
        ++at;
    }
    return true;
}
} // namespace

CommandPalette::CommandPalette(Backend* backend, QWidget* parent)
    : QDialog(parent, Qt::Popup | Qt::FramelessWindowHint)
    , m_backend(backend) {
    setObjectName(QStringLiteral("commandPalette"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_query = new QLineEdit(this);
    m_query->setPlaceholderText(tr("Jump to a run or flow, or run an action…"));
    m_query->setClearButtonEnabled(true);
    m_list = new QListWidget(this);
    m_list->setUniformItemSizes(true);
    layout->addWidget(m_query);
    layout->addWidget(m_list);
    resize(560, 380);
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(120);
    connect(&m_debounce, &QTimer::timeout, this, &CommandPalette::searchBackend);
    connect(m_query, &QLineEdit::textChanged, this, [this] {
        refresh();
        m_debounce.start();
    });
    connect(m_list, &QListWidget::itemActivated, this, &CommandPalette::choose);
    connect(m_list, &QListWidget::itemClicked, this, &CommandPalette::choose);
    m_query->installEventFilter(this);
}

void CommandPalette::popup() {
    m_query->clear();
    if (parentWidget()) {
        const QRect r = parentWidget()->window()->geometry();
        move(r.center().x() - width() / 2, r.top() + r.height() / 6);
    }
    m_backend->fetchFlows(this, [this](Result<std::vector<weft::FlowRecord>> flows) {
        if (!flows) return; // the status bar says the backend is unhealthy; no flows to offer
        m_flows = std::move(*flows);
        refresh();
    });
    refresh();
    searchBackend();
    show();
    m_query->setFocus();
}

void CommandPalette::addItem(const QString& text, const QString& detail, int kind,
                             const QVariant& data) {
    auto* item = new QListWidgetItem(
        detail.isEmpty() ? text : text + QStringLiteral("    ") + detail, m_list);
    item->setData(KindRole, kind);
    item->setData(DataRole, data);
}

void CommandPalette::refresh() {
    // Actions and flows are filtered here; runs come from the backend (searchBackend).
    for (int i = m_list->count() - 1; i >= 0; --i)
        if (m_list->item(i)->data(KindRole).toInt() != RunKind) delete m_list->takeItem(i);
    const QString q = m_query->text().trimmed();
    for (QAction* a : m_actions) {
        if (!a->isEnabled() || a->text().isEmpty()) continue;
        const QString label = QString(a->text()).remove(QLatin1Char('&'));
        if (!q.isEmpty() && !fuzzyMatch(q, label)) continue;
        addItem(label, a->shortcut().toString(QKeySequence::NativeText), ActionKind,
                QVariant::fromValue(static_cast<QObject*>(a)));
    }
    for (const auto& f : m_flows) {
        const QString name = QString::fromStdString(f.name);
        if (!q.isEmpty() && !fuzzyMatch(q, name)) continue;
        addItem(tr("Flow: %1").arg(name), {}, FlowKind, name);
    }
    if (m_list->currentRow() < 0 && m_list->count() > 0) m_list->setCurrentRow(0);
}

void CommandPalette::searchBackend() {
    const quint64 generation = ++m_generation;
    weft::FlowRunQuery q;
    q.name_like = m_query->text().trimmed().toStdString();
    q.limit = 15;
    // An id or id prefix finds that run directly.
    if (!q.name_like.empty()
        && q.name_like.find_first_not_of("0123456789abcdef-") == std::string::npos
        && q.name_like.size() >= 4)
        q.name_like.clear();
    const std::string prefix = m_query->text().trimmed().toStdString();
    m_backend->fetchFlowRuns(
        q, this, [this, generation, prefix](Result<std::vector<weft::FlowRunRecord>> runs) {
            if (generation != m_generation) return;
            for (int i = m_list->count() - 1; i >= 0; --i)
                if (m_list->item(i)->data(KindRole).toInt() == RunKind) delete m_list->takeItem(i);
            if (!runs) {
                addItem(tr("couldn't search flow runs: %1").arg(runs.error()), {}, RunKind, {});
                return;
            }
            for (const auto& r : *runs) {
                const bool idMatch = !prefix.empty() && r.id.rfind(prefix, 0) == 0;
                if (!prefix.empty() && !idMatch
                    && prefix.find_first_not_of("0123456789abcdef-") == std::string::npos
                    && prefix.size() >= 4)
                    continue;
                addItem(
                    tr("Run: %1 · %2")
                        .arg(QString::fromStdString(r.flow_name), QString::fromStdString(r.name)),
                    QString::fromStdString(r.state.name), RunKind, QString::fromStdString(r.id));
            }
            if (m_list->currentRow() < 0 && m_list->count() > 0) m_list->setCurrentRow(0);
        });
}

void CommandPalette::choose(QListWidgetItem* item) {
    if (!item) return;
    const int kind = item->data(KindRole).toInt();
    const QVariant data = item->data(DataRole);
    hide();
    if (kind == ActionKind) {
        if (auto* a = qobject_cast<QAction*>(data.value<QObject*>())) a->trigger();
    } else if (kind == RunKind) {
        Q_EMIT runChosen(data.toString());
    } else if (kind == FlowKind) {
        Q_EMIT flowChosen(data.toString());
    }
}

bool CommandPalette::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_query && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        switch (key->key()) {
        case Qt::Key_Down:
            m_list->setCurrentRow(std::min(m_list->currentRow() + 1, m_list->count() - 1));
            return true;
        case Qt::Key_Up:
            m_list->setCurrentRow(std::max(m_list->currentRow() - 1, 0));
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            choose(m_list->currentItem());
            return true;
        case Qt::Key_Escape:
            hide();
            return true;
        default:
            break;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace weft::studio

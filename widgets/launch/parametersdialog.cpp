#include "launch/parametersdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

namespace weft::studio {

namespace {

bool fitsInt(const nlohmann::json& v) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>() <= std::uint64_t(INT_MAX);
    const auto n = v.get<std::int64_t>();
    return n >= INT_MIN && n <= INT_MAX;
}

// Enough decimals to show the value as JSON writes it (so an untouched field gives it back),
// at least two and at most ten.
int decimalsOf(double value) {
    const std::string text = nlohmann::json(value).dump();
    const auto dot = text.find('.');
    if (dot == std::string::npos || text.find_first_of("eE") != std::string::npos) return 2;
    return std::clamp(int(text.size() - dot - 1), 2, 10);
}

} // namespace

ParametersDialog::ParametersDialog(const nlohmann::json& parameters, const QString& what,
                                   QWidget* parent)
    : QDialog(parent)
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
    setWindowTitle(tr("Run again with parameters"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(what, this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    if (parameters.is_object())
        for (const auto& [key, value] : parameters.items()) {
            Field field{key, Kind::Json, nullptr};
            field.editor = makeEditor(field, value);
            field.editor->setObjectName(QStringLiteral("param-") + QString::fromStdString(key));
            form->addRow(QString::fromStdString(key), field.editor);
            m_fields.push_back(field);
        }
    if (m_fields.empty()) form->addRow(new QLabel(tr("This flow run has no parameters."), this));
    layout->addLayout(form);
    layout->addStretch();
    // Why OK is disabled. Its two lines are kept even when empty, so that typing never makes the
    // dialog jump.
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setStyleSheet(QStringLiteral("color: #c9302c;"));
    m_error->setWordWrap(true);
    m_error->setMinimumHeight(2 * fontMetrics().lineSpacing());
    m_error->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    layout->addWidget(m_error);

    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Start run"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);
    setMinimumWidth(440);
    validate();
}

QWidget* ParametersDialog::makeEditor(Field& field, const nlohmann::json& value) {
    if (value.is_boolean()) {
        field.kind = Kind::Bool;
        auto* box = new QCheckBox(this);
        box->setChecked(value.get<bool>());
        return box;
    }
    if (value.is_number_integer() && fitsInt(value)) {
        field.kind = Kind::Integer;
        auto* spin = new QSpinBox(this);
        spin->setRange(std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
        spin->setValue(value.get<int>());
        return spin;
    }
    if (value.is_number_float()) {
        field.kind = Kind::Number;
        auto* spin = new QDoubleSpinBox(this);
        const double v = value.get<double>();
        spin->setDecimals(decimalsOf(v));
        spin->setRange(-1e15, 1e15);
        spin->setValue(v);
        return spin;
    }
    if (value.is_string()) {
        field.kind = Kind::String;
        return new QLineEdit(QString::fromStdString(value.get<std::string>()), this);
    }
    // Arrays, objects, null and integers too large for a spin box: their JSON text.
    field.kind = Kind::Json;
    auto* edit = new QLineEdit(QString::fromStdString(value.dump()), this);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setToolTip(tr("JSON, e.g. [1, 2] or {\"key\": \"value\"}"));
    connect(edit, &QLineEdit::textChanged, this, &ParametersDialog::validate);
    return edit;
}

void ParametersDialog::validate() {
    QStringList errors;
    for (const Field& f : m_fields) {
        if (f.kind != Kind::Json) continue;
        const auto text = static_cast<QLineEdit*>(f.editor)->text().toStdString();
        QString why;
        try {
            const auto parsed = nlohmann::json::parse(text);
            (void)parsed;
        } catch (const nlohmann::json::parse_error& e) {
            // "[json.exception.parse_error.101] parse error at line 1, column 4: syntax error
            // while parsing value - invalid literal; …": the position and the last part say it.
            const QString message = QString::fromUtf8(e.what());
            const qsizetype dash = message.indexOf(QStringLiteral(" - "));
            why = tr("%1 is not JSON (character %2): %3")
                      .arg(QString::fromStdString(f.key))
                      .arg(e.byte)
                      .arg(dash < 0 ? message.mid(message.lastIndexOf(u':') + 2)
                                    : message.mid(dash + 3));
        }
        f.editor->setStyleSheet(why.isEmpty() ? QString()
                                              : QStringLiteral("QLineEdit { border: 1px solid "
                                                               "#d9534f; }"));
        if (!why.isEmpty()) errors << why;
    }
    m_error->setText(errors.join(u'\n'));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(errors.isEmpty());
}

bool ParametersDialog::isValid() const {
    return m_buttons->button(QDialogButtonBox::Ok)->isEnabled();
}

nlohmann::json ParametersDialog::parameters() const {
    nlohmann::json out = nlohmann::json::object();
    for (const Field& f : m_fields) {
        switch (f.kind) {
        case Kind::Bool:
            out[f.key] = static_cast<QCheckBox*>(f.editor)->isChecked();
            break;
        case Kind::Integer:
            out[f.key] = static_cast<QSpinBox*>(f.editor)->value();
            break;
        case Kind::Number:
            out[f.key] = static_cast<QDoubleSpinBox*>(f.editor)->value();
            break;
        case Kind::String:
            out[f.key] = static_cast<QLineEdit*>(f.editor)->text().toStdString();
            break;
        case Kind::Json:
            out[f.key] = nlohmann::json::parse(
                static_cast<QLineEdit*>(f.editor)->text().toStdString(), nullptr, false);
            if (out[f.key].is_discarded()) out[f.key] = nullptr;
            break;
        }
    }
    return out;
}

QWidget* ParametersDialog::editor(const QString& key) const {
    for (const Field& f : m_fields)
        if (QString::fromStdString(f.key) == key) return f.editor;
    return nullptr;
}

} // namespace weft::studio

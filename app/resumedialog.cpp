#include "resumedialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <limits>

namespace weft::studio {

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

nlohmann::json properties(const nlohmann::json& schema) {
    if (!schema.is_object()) return nlohmann::json::object();
    auto p = schema.value("properties", nlohmann::json::object());
    return p.is_object() ? p : nlohmann::json::object();
}

QWidget* makeEditor(const std::string& type, const nlohmann::json& value, QWidget* parent) {
    if (type == "boolean") {
        auto* box = new QCheckBox(parent);
        box->setChecked(value.is_boolean() && value.get<bool>());
        return box;
    }
    if (type == "integer") {
        auto* spin = new QSpinBox(parent);
        spin->setRange(std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
        if (value.is_number_integer()) spin->setValue(value.get<int>());
        return spin;
    }
    if (type == "number") {
        auto* spin = new QDoubleSpinBox(parent);
        spin->setDecimals(6);
        spin->setRange(-1e12, 1e12);
        if (value.is_number()) spin->setValue(value.get<double>());
        return spin;
    }
    auto* line = new QLineEdit(parent);
    if (type == "string")
        line->setText(value.is_string() ? qs(value.get<std::string>()) : QString());
    else // objects, arrays and types this build does not know: JSON text
        line->setText(value.is_null() ? QString() : qs(value.dump()));
    return line;
}

} // namespace

ResumeDialog::ResumeDialog(const nlohmann::json& schema, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Resume"));
    auto* layout = new QVBoxLayout(this);
    const std::string title = schema.is_object() ? schema.value("title", "") : "";
    auto* heading =
        new QLabel(title.empty() ? tr("The run waits for this input:") : qs(title), this);
    heading->setWordWrap(true);
    layout->addWidget(heading);

    m_form = new QWidget(this);
    auto* form = new QFormLayout(m_form);
    const auto required = schema.is_object() ? schema.value("required", nlohmann::json::array())
                                             : nlohmann::json::array();
    const auto props = properties(schema);
    for (const auto& [name, prop] : props.items()) {
        Field f;
        f.name = name;
        f.type = prop.value("type", "string");
        f.editor = makeEditor(f.type, prop.value("default", nlohmann::json()), m_form);
        f.editor->setObjectName(qs(name)); // tests find the editors by field name
        const std::string description = prop.value("description", "");
        if (!description.empty()) f.editor->setToolTip(qs(description));
        const bool isRequired = std::find(required.begin(), required.end(), name) != required.end();
        form->addRow(qs(name) + (isRequired ? QStringLiteral(" *") : QString()), f.editor);
        m_fields.push_back(f);
    }
    layout->addWidget(m_form);

    m_rawSwitch = new QCheckBox(tr("Edit as JSON"), this);
    m_rawSwitch->setObjectName(QStringLiteral("rawJson"));
    layout->addWidget(m_rawSwitch);
    m_raw = new QPlainTextEdit(this);
    m_raw->setVisible(false);
    layout->addWidget(m_raw);
    connect(m_rawSwitch, &QCheckBox::toggled, this, &ResumeDialog::setRaw);

    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setVisible(false);
    layout->addWidget(m_error);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Resume"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ResumeDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ResumeDialog::reject);
    layout->addWidget(buttons);
    if (m_fields.empty()) setRaw(true); // nothing typed to show: JSON it is
}

QWidget* ResumeDialog::editor(const QString& field) const {
    for (const auto& f : m_fields)
        if (qs(f.name) == field) return f.editor;
    return nullptr;
}

void ResumeDialog::setRaw(bool raw) {
    if (raw && !m_rawMode) {
        // Start the JSON from what the form holds.
        if (auto in = input(); in && !m_fields.empty()) m_raw->setPlainText(qs(in->dump(2)));
    }
    m_rawMode = raw;
    const QSignalBlocker block(m_rawSwitch);
    m_rawSwitch->setChecked(raw);
    m_raw->setVisible(raw);
    m_form->setVisible(!raw);
}

std::optional<nlohmann::json> ResumeDialog::input(QString* error) const {
    auto parse = [&](const QString& text, const QString& what) -> std::optional<nlohmann::json> {
        auto j = nlohmann::json::parse(text.toStdString(), nullptr, false);
        if (j.is_discarded()) {
            if (error) *error = tr("%1 is not JSON.").arg(what);
            return std::nullopt;
        }
        return j;
    };
    if (m_rawMode) {
        if (m_raw->toPlainText().trimmed().isEmpty()) return nlohmann::json();
        return parse(m_raw->toPlainText(), tr("The input"));
    }
    nlohmann::json out = nlohmann::json::object();
    for (const auto& f : m_fields) {
        if (auto* box = qobject_cast<QCheckBox*>(f.editor))
            out[f.name] = box->isChecked();
        else if (auto* spin = qobject_cast<QSpinBox*>(f.editor))
            out[f.name] = spin->value();
        else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(f.editor))
            out[f.name] = dspin->value();
        else if (auto* line = qobject_cast<QLineEdit*>(f.editor)) {
            if (f.type == "string") {
                out[f.name] = line->text().toStdString();
            } else if (!line->text().trimmed().isEmpty()) {
                auto j = parse(line->text(), qs(f.name));
                if (!j) return std::nullopt;
                out[f.name] = *j;
            }
        }
    }
    return out;
}

nlohmann::json ResumeDialog::defaults(const nlohmann::json& schema) {
    nlohmann::json out = nlohmann::json::object();
    const auto props = properties(schema); // items() of a temporary would outlive it
    for (const auto& [name, prop] : props.items())
        if (prop.contains("default")) out[name] = prop["default"];
    return out;
}

void ResumeDialog::accept() {
    QString error;
    if (!input(&error)) {
        m_error->setText(error);
        m_error->setVisible(true);
        return;
    }
    QDialog::accept();
}

} // namespace weft::studio

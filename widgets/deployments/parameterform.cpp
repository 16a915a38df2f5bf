#include "deployments/parameterform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

namespace weft::studio {

using nlohmann::json;

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

// A property with its $ref, single allOf and Optional's anyOf [X, null] followed: what the form
// needs is the type, the enum and the bounds, wherever pydantic put them.
json resolve(const json& schema, json prop, int depth = 0) {
    if (!prop.is_object() || depth > 8) return json::object();
    if (auto ref = prop.find("$ref"); ref != prop.end() && ref->is_string()) {
        const std::string path = ref->get<std::string>();
        const std::string name = path.substr(path.rfind('/') + 1);
        for (const char* defs : {"definitions", "$defs"})
            if (auto d = schema.find(defs);
                d != schema.end() && d->is_object() && d->contains(name)) {
                json target = resolve(schema, (*d)[name], depth + 1);
                prop.erase("$ref");
                target.update(prop); // the property's own title and default win
                return target;
            }
    }
    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
        auto list = prop.find(key);
        if (list == prop.end() || !list->is_array()) continue;
        std::vector<json> options;
        for (const auto& o : *list)
            if (!(o.is_object() && o.value("type", json()) == "null")) options.push_back(o);
        if (options.size() != 1) continue; // a real union: JSON text
        json target = resolve(schema, options.front(), depth + 1);
        prop.erase(key);
        target.update(prop);
        return target;
    }
    if (auto t = prop.find("type"); t != prop.end() && t->is_array()) { // ["integer", "null"]
        for (const auto& one : *t)
            if (one.is_string() && one != "null") {
                prop["type"] = one;
                break;
            }
    }
    return prop;
}

// A bound of the schema's, as a double: minimum, or exclusiveMinimum nudged inwards.
std::optional<double> bound(const json& prop, const char* inclusive, const char* exclusive,
                            double nudge) {
    if (auto it = prop.find(inclusive); it != prop.end() && it->is_number())
        return it->get<double>();
    if (auto it = prop.find(exclusive); it != prop.end() && it->is_number())
        return it->get<double>() + nudge;
    return std::nullopt;
}

// Shows 0.5 as "0.5", not "0.500000"; the six decimals stay for what can be typed.
class CompactDoubleSpinBox : public QDoubleSpinBox {
public:
    using QDoubleSpinBox::QDoubleSpinBox;
    QString textFromValue(double value) const override { return locale().toString(value, 'g', 15); }
};

void markInvalid(QWidget* editor, bool invalid) {
    editor->setStyleSheet(invalid ? QStringLiteral("border: 1px solid #c0392b;") : QString());
}

} // namespace

ParameterForm::ParameterForm(const json& schema, const json& defaults, QWidget* parent)
    : QWidget(parent)
    , m_schema(schema.is_object() ? schema : json::object()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_form = new QWidget(this);
    auto* form = new QFormLayout(m_form);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    layout->addWidget(m_form);

    const json values = defaults.is_object() ? defaults : json::object();
    const json props = m_schema.value("properties", json::object());
    const json required = m_schema.value("required", json::array());
    // Prefect numbers its parameters by their place in the flow's signature.
    std::vector<std::string> names;
    if (props.is_object())
        for (const auto& [name, _] : props.items())
            names.push_back(name);
    auto position = [&](const std::string& n) {
        const json& p = props[n];
        return p.is_object() && p.value("position", json()).is_number()
                   ? p["position"].get<double>()
                   : std::numeric_limits<double>::max();
    };
    std::stable_sort(names.begin(), names.end(),
                     [&](const auto& a, const auto& b) { return position(a) < position(b); });
    for (const auto& name : names) {
        const json prop = resolve(m_schema, props[name]);
        const bool isRequired =
            required.is_array()
            && std::find(required.begin(), required.end(), name) != required.end();
        json value = values.contains(name) ? values[name] : prop.value("default", json());
        addField(name, prop, isRequired, value);
    }
    // Parameters the schema does not name (or no schema at all): typed by their values.
    for (const auto& [name, value] : values.items()) {
        if (props.is_object() && props.contains(name)) continue;
        json prop = json::object();
        if (value.is_boolean())
            prop["type"] = "boolean";
        else if (value.is_number_integer())
            prop["type"] = "integer";
        else if (value.is_number())
            prop["type"] = "number";
        else if (value.is_string())
            prop["type"] = "string";
        addField(name, prop, false, value);
    }
    if (m_fields.empty()) {
        auto* none = new QLabel(tr("This deployment takes no parameters."), m_form);
        form->addRow(none);
    }

    m_rawSwitch = new QCheckBox(tr("Edit as JSON"), this);
    m_rawSwitch->setObjectName(QStringLiteral("rawJson"));
    layout->addWidget(m_rawSwitch);
    m_raw = new QPlainTextEdit(this);
    m_raw->setObjectName(QStringLiteral("rawEditor"));
    m_raw->setVisible(false);
    layout->addWidget(m_raw, 1);
    connect(m_rawSwitch, &QCheckBox::toggled, this, [this](bool raw) {
        if (!setRaw(raw)) {
            const QSignalBlocker block(m_rawSwitch);
            m_rawSwitch->setChecked(!raw);
        }
    });
    connect(m_raw, &QPlainTextEdit::textChanged, this, &ParameterForm::check);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("parameterError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->setVisible(false);
    layout->addWidget(m_error);
    layout->addStretch(1); // spare height below the fields, not between them
    check();
}

void ParameterForm::addField(const std::string& name, const json& prop, bool required,
                             const json& value) {
    Field f;
    f.name = name;
    f.required = required;
    const std::string type =
        prop.value("type", json()).is_string() ? prop["type"].get<std::string>() : std::string();
    if (auto e = prop.find("enum"); e != prop.end() && e->is_array() && !e->empty()) {
        f.kind = Kind::Enum;
        f.choices = *e;
        auto* combo = new QComboBox(m_form);
        if (!required) combo->addItem(tr("(not set)"));
        for (const auto& c : f.choices)
            combo->addItem(c.is_string() ? qs(c.get<std::string>()) : qs(c.dump()));
        f.editor = combo;
        connect(combo, &QComboBox::currentIndexChanged, this, &ParameterForm::check);
    } else if (type == "string") {
        f.kind = Kind::String;
        auto* line = new QLineEdit(m_form);
        f.editor = line;
        connect(line, &QLineEdit::textChanged, this, &ParameterForm::check);
    } else if (type == "integer") {
        f.kind = Kind::Integer;
        auto* spin = new QSpinBox(m_form);
        constexpr double lo = std::numeric_limits<int>::min(), hi = std::numeric_limits<int>::max();
        spin->setRange(
            int(std::clamp(std::ceil(bound(prop, "minimum", "exclusiveMinimum", 1).value_or(lo)),
                           lo, hi)),
            int(std::clamp(std::floor(bound(prop, "maximum", "exclusiveMaximum", -1).value_or(hi)),
                           lo, hi)));
        f.editor = spin;
        connect(spin, &QSpinBox::textChanged, this, &ParameterForm::check);
    } else if (type == "number") {
        f.kind = Kind::Number;
        auto* spin = new CompactDoubleSpinBox(m_form);
        spin->setDecimals(6);
        spin->setRange(bound(prop, "minimum", "exclusiveMinimum", 1e-6).value_or(-1e15),
                       bound(prop, "maximum", "exclusiveMaximum", -1e-6).value_or(1e15));
        f.editor = spin;
        connect(spin, &QDoubleSpinBox::textChanged, this, &ParameterForm::check);
    } else if (type == "boolean") {
        f.kind = Kind::Boolean;
        f.editor = new QCheckBox(m_form);
    } else {
        f.kind = Kind::Json;
        auto* text = new QPlainTextEdit(m_form);
        text->setPlaceholderText(type == "array"    ? QStringLiteral("[ … ]")
                                 : type == "object" ? QStringLiteral("{ … }")
                                                    : tr("any JSON value"));
        text->setFixedHeight(text->fontMetrics().lineSpacing() * 4 + 12);
        f.editor = text;
        connect(text, &QPlainTextEdit::textChanged, this, &ParameterForm::check);
    }
    f.editor->setObjectName(QStringLiteral("param-") + qs(name));
    QString tip =
        qs(prop.value("description", json()).is_string() ? prop["description"].get<std::string>()
                                                         : std::string());
    if (required) tip = tip.isEmpty() ? tr("Required.") : tip + QLatin1Char('\n') + tr("Required.");
    f.editor->setToolTip(tip);
    const std::string title =
        prop.value("title", json()).is_string() ? prop["title"].get<std::string>() : name;
    auto* label = new QLabel(qs(title) + (required ? QStringLiteral(" *") : QString()), m_form);
    label->setToolTip(qs(name));
    label->setBuddy(f.editor);
    static_cast<QFormLayout*>(m_form->layout())->addRow(label, f.editor);
    setValue(f, value);
    m_fields.push_back(std::move(f));
}

void ParameterForm::setValue(const Field& f, const json& value) {
    switch (f.kind) {
    case Kind::String:
        static_cast<QLineEdit*>(f.editor)->setText(value.is_string() ? qs(value.get<std::string>())
                                                                     : QString());
        break;
    // Without a value a spin box is left empty, not 0: "not set" (an optional one is not sent,
    // a required one must be filled in).
    case Kind::Integer:
        if (value.is_number())
            static_cast<QSpinBox*>(f.editor)->setValue(value.get<int>());
        else
            static_cast<QSpinBox*>(f.editor)->clear();
        break;
    case Kind::Number:
        if (value.is_number())
            static_cast<QDoubleSpinBox*>(f.editor)->setValue(value.get<double>());
        else
            static_cast<QDoubleSpinBox*>(f.editor)->clear();
        break;
    case Kind::Boolean:
        static_cast<QCheckBox*>(f.editor)->setChecked(value.is_boolean() && value.get<bool>());
        break;
    case Kind::Enum: {
        auto* combo = static_cast<QComboBox*>(f.editor);
        const int offset = f.required ? 0 : 1;
        const auto it = std::find(f.choices.begin(), f.choices.end(), value);
        combo->setCurrentIndex(
            it == f.choices.end() ? 0 : offset + int(std::distance(f.choices.begin(), it)));
        break;
    }
    case Kind::Json:
        static_cast<QPlainTextEdit*>(f.editor)->setPlainText(value.is_null() ? QString()
                                                                             : qs(value.dump(2)));
        break;
    }
}

// A field's value; nullopt without an error for an optional field left empty (not sent: the
// deployment's own value applies).
std::optional<json> ParameterForm::fieldValue(const Field& f, QString* error) const {
    auto missing = [&]() -> std::optional<json> {
        if (f.required && error) *error = tr("%1 is required.").arg(qs(f.name));
        return std::nullopt;
    };
    switch (f.kind) {
    case Kind::String: {
        const QString text = static_cast<QLineEdit*>(f.editor)->text();
        if (text.isEmpty()) return missing();
        return json(text.toStdString());
    }
    case Kind::Integer: {
        auto* spin = static_cast<QSpinBox*>(f.editor);
        if (spin->cleanText().isEmpty()) return missing();
        return json(spin->value());
    }
    case Kind::Number: {
        auto* spin = static_cast<QDoubleSpinBox*>(f.editor);
        if (spin->cleanText().isEmpty()) return missing();
        return json(spin->value());
    }
    case Kind::Boolean:
        return json(static_cast<QCheckBox*>(f.editor)->isChecked());
    case Kind::Enum: {
        const int index = static_cast<QComboBox*>(f.editor)->currentIndex() - (f.required ? 0 : 1);
        if (index < 0 || index >= int(f.choices.size())) return missing();
        return f.choices[std::size_t(index)];
    }
    case Kind::Json: {
        const QString text = static_cast<QPlainTextEdit*>(f.editor)->toPlainText();
        if (text.trimmed().isEmpty()) return missing();
        auto j = json::parse(text.toStdString(), nullptr, false);
        if (j.is_discarded()) {
            if (error) *error = tr("%1 is not valid JSON.").arg(qs(f.name));
            return std::nullopt;
        }
        return j;
    }
    }
    return std::nullopt;
}

std::optional<json> ParameterForm::values(QString* error) const {
    QString why;
    if (m_rawMode) {
        auto j = json::parse(m_raw->toPlainText().toStdString(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            if (error)
                *error = j.is_discarded() ? tr("The parameters are not valid JSON.")
                                          : tr("The parameters must be a JSON object { … }.");
            return std::nullopt;
        }
        return j;
    }
    json out = json::object();
    for (const auto& f : m_fields) {
        auto v = fieldValue(f, &why);
        if (!why.isEmpty()) {
            if (error) *error = why;
            return std::nullopt;
        }
        if (v) out[f.name] = std::move(*v);
    }
    return out;
}

bool ParameterForm::isValid() const {
    return m_valid;
}

void ParameterForm::check() {
    if (!m_error) return; // still being built: checked once complete
    QString error;
    const bool valid = values(&error).has_value();
    if (!m_rawMode)
        for (const auto& f : m_fields) {
            QString why;
            fieldValue(f, &why);
            markInvalid(f.editor, !why.isEmpty());
        }
    m_error->setText(error);
    m_error->setVisible(!valid);
    if (valid != m_valid) {
        m_valid = valid;
        Q_EMIT validityChanged(valid);
    }
}

bool ParameterForm::setRaw(bool raw) {
    if (raw == m_rawMode) return true;
    if (raw) {
        // Start the text from the form; a form that does not hold valid values yet starts from
        // what it can read.
        json start = json::object();
        for (const auto& f : m_fields) {
            QString ignored;
            if (auto v = fieldValue(f, &ignored)) start[f.name] = *v;
        }
        m_raw->setPlainText(qs(start.dump(2)));
    } else {
        auto j = json::parse(m_raw->toPlainText().toStdString(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            m_error->setText(tr("Fix the JSON before going back to the form: it must be an "
                                "object { … }."));
            m_error->setVisible(true);
            return false;
        }
        for (const auto& f : m_fields)
            if (j.contains(f.name)) setValue(f, j[f.name]);
    }
    m_rawMode = raw;
    {
        const QSignalBlocker block(m_rawSwitch);
        m_rawSwitch->setChecked(raw);
    }
    m_raw->setVisible(raw);
    m_form->setVisible(!raw);
    check();
    return true;
}

QWidget* ParameterForm::editor(const QString& name) const {
    for (const auto& f : m_fields)
        if (qs(f.name) == name) return f.editor;
    return nullptr;
}

int ParameterForm::requiredCount() const {
    return int(
        std::count_if(m_fields.begin(), m_fields.end(), [](const Field& f) { return f.required; }));
}

} // namespace weft::studio

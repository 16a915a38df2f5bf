#pragma once
// A deployment's parameters as a form generated from its JSON schema (Prefect's
// parameter_openapi_schema): string → line edit, integer / number → spin boxes within the
// schema's minimum and maximum, boolean → check box, enum → combo box, array / object / anything
// else → JSON text checked as it is typed. Defaults come from the deployment's parameters (else
// the schema's); required fields are marked "*". Without a schema, each of the deployment's
// parameters gets the editor of its value's type. A raw-JSON switch edits the whole object.
#include <nlohmann/json.hpp>

#include <QWidget>
#include <optional>
#include <vector>

class QCheckBox;
class QLabel;
class QPlainTextEdit;

namespace weft::studio {

class ParameterForm : public QWidget {
    Q_OBJECT
public:
    ParameterForm(const nlohmann::json& schema, const nlohmann::json& defaults,
                  QWidget* parent = nullptr);

    /// The parameters as a JSON object; empty with `error` set while a JSON text does not
    /// parse, a required field is empty, or the raw JSON is not an object.
    std::optional<nlohmann::json> values(QString* error = nullptr) const;
    /// False while values() would fail; validityChanged() tells when that changes.
    bool isValid() const;

    /// Shows the whole object as JSON text (started from the form), or the form again (filled
    /// from the text: refused, and false returned, while the text is not a JSON object).
    bool setRaw(bool raw);
    bool isRaw() const { return m_rawMode; }

    /// For tests: the editor of parameter `name` (objectName "param-NAME"), the raw editor.
    QWidget* editor(const QString& name) const;
    QPlainTextEdit* rawEditor() const { return m_raw; }
    /// How many fields are marked required.
    int requiredCount() const;

Q_SIGNALS:
    void validityChanged(bool valid);

private:
    enum class Kind { String, Integer, Number, Boolean, Enum, Json };
    struct Field {
        std::string name;
        Kind kind = Kind::Json;
        bool required = false;
        nlohmann::json choices; // Enum: the allowed values
        QWidget* editor = nullptr;
    };
    void addField(const std::string& name, const nlohmann::json& property, bool required,
                  const nlohmann::json& value);
    void setValue(const Field& field, const nlohmann::json& value);
    std::optional<nlohmann::json> fieldValue(const Field& field, QString* error) const;
    void check();

    nlohmann::json m_schema;
    std::vector<Field> m_fields;
    QWidget* m_form = nullptr;
    QCheckBox* m_rawSwitch = nullptr;
    QPlainTextEdit* m_raw = nullptr;
    QLabel* m_error = nullptr;
    bool m_rawMode = false;
    bool m_valid = true;
};

} // namespace weft::studio

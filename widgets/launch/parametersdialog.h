#pragma once
// "Run again with parameters…": a form filled from a flow run's parameters, one field per
// parameter typed from its JSON value (bool → check box, integer → spin box, number → decimal
// spin box, string → line edit, anything else → JSON text checked as it is typed). OK is enabled
// only while every field holds valid JSON. The dialog only edits; the caller starts the run.
#include <nlohmann/json.hpp>

#include <QDialog>
#include <vector>

class QDialogButtonBox;
class QLabel;
class QWidget;

namespace weft::studio {

class ParametersDialog : public QDialog {
    Q_OBJECT
public:
    /// `parameters` is a JSON object (anything else shows as no parameters); `what` says what
    /// OK starts, e.g. "A new run of etl by /home/me/flows/etl".
    ParametersDialog(const nlohmann::json& parameters, const QString& what,
                     QWidget* parent = nullptr);

    /// The parameters as edited; meaningful while isValid().
    nlohmann::json parameters() const;
    /// Every JSON field parses.
    bool isValid() const;
    /// The editor of parameter `key` (its objectName is "param-KEY"), for tests.
    QWidget* editor(const QString& key) const;

private:
    enum class Kind { Bool, Integer, Number, String, Json };
    struct Field {
        std::string key;
        Kind kind;
        QWidget* editor;
    };
    QWidget* makeEditor(Field& field, const nlohmann::json& value);
    void validate();

    std::vector<Field> m_fields;
    QLabel* m_error; // why OK is disabled
    QDialogButtonBox* m_buttons;
};

} // namespace weft::studio

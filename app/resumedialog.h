#pragma once
// "Resume…" for a paused run whose pause waits for input: one typed field per declared input field
// (a check box, a number, a line of text; JSON text for objects and arrays), or the whole input as
// raw JSON. The engine validates what is given; a refusal names the field.
#include <nlohmann/json.hpp>

#include <QDialog>
#include <QString>
#include <optional>
#include <vector>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QWidget;

namespace weft::studio {

class ResumeDialog : public QDialog {
    Q_OBJECT
public:
    /// `schema`: the pause's input, as weft::RunInput::schema() makes it.
    explicit ResumeDialog(const nlohmann::json& schema, QWidget* parent = nullptr);

    /// The input as the form holds it (the raw JSON while that is shown); empty with `error` set
    /// when a JSON text does not parse.
    std::optional<nlohmann::json> input(QString* error = nullptr) const;
    /// The input with every field at its default (the form untouched).
    static nlohmann::json defaults(const nlohmann::json& schema);

    /// For tests: a field's editor (found by the field's name) and the raw JSON switch.
    QWidget* editor(const QString& field) const;
    void setRaw(bool raw);
    QPlainTextEdit* rawEditor() const { return m_raw; }

private:
    struct Field {
        std::string name;
        std::string type;
        QWidget* editor = nullptr;
    };
    void accept() override;

    std::vector<Field> m_fields;
    QWidget* m_form = nullptr;
    QCheckBox* m_rawSwitch = nullptr;
    QPlainTextEdit* m_raw = nullptr;
    QLabel* m_error = nullptr;
    bool m_rawMode = false; // not the editor's visibility: that is false until the dialog shows
};

} // namespace weft::studio

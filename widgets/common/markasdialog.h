#pragma once
// "Mark as…": any state type, an optional name (e.g. Cached) and a message. The change goes
// through the engine's rules; a refusal is shown with the rule's reason by RunActions.
#include <weft/states.hpp>

#include <QDialog>

class QComboBox;
class QLineEdit;

namespace weft::studio {

class MarkAsDialog : public QDialog {
    Q_OBJECT
public:
    explicit MarkAsDialog(const QString& title, QWidget* parent = nullptr);
    void setType(weft::StateType type);
    weft::State state() const;

private:
    QComboBox* m_type;
    QLineEdit* m_name;
    QLineEdit* m_message;
};

} // namespace weft::studio

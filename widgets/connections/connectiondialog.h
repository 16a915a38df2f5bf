#pragma once
// Adds or edits one connection profile: name, API URL, authentication (none, basic user name +
// password, bearer API key), a CA certificate file, and "ignore TLS errors" with a red warning
// while it is checked. "Test connection" checks the server as filled in, asynchronously. The
// dialog only edits; ConnectionsDialog saves the profile and its secret.
#include "connections/connectioncheck.h"
#include "connections/connectionprofile.h"

#include <QDialog>
#include <optional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QToolButton;

namespace weft::studio {

class SecretStore;

class ConnectionDialog : public QDialog {
    Q_OBJECT
public:
    /// `secrets` fills the secret field of a profile being edited (asynchronously).
    explicit ConnectionDialog(SecretStore* secrets, QWidget* parent = nullptr);

    /// Fills the fields from `profile` (its id is kept) and asks the store for its secret.
    void setProfile(const ConnectionProfile& profile);
    /// The profile as filled in.
    ConnectionProfile profile() const;
    /// The secret to store: the password (basic) or API key (bearer); empty with no
    /// authentication (the stored one is removed). nullopt: leave the stored secret as it is
    /// (it has not arrived from the keychain and nothing was typed).
    std::optional<QString> secretToSave() const;

    /// Checks the server as filled in; the result shows under the button.
    void testConnection();
    /// Why OK is disabled, empty when it is not.
    QString problem() const;

    // The fields, for tests (also findable by objectName).
    QLineEdit* nameEdit() const { return m_name; }
    QLineEdit* urlEdit() const { return m_url; }
    QComboBox* authCombo() const { return m_auth; }
    QLineEdit* userEdit() const { return m_user; }
    QLineEdit* passwordEdit() const { return m_password; }
    QLineEdit* apiKeyEdit() const { return m_apiKey; }
    QLineEdit* caEdit() const { return m_ca; }
    QCheckBox* ignoreTlsCheck() const { return m_ignoreTls; }
    QLabel* tlsWarning() const { return m_tlsWarning; }
    QPushButton* testButton() const { return m_test; }
    QLabel* testResult() const { return m_testResult; }

Q_SIGNALS:
    /// A "Test connection" finished (its result is also shown).
    void tested(const weft::studio::CheckResult& result);

private:
    AuthKind authKind() const;
    void updateFields();
    void grow();
    void validate();
    void chooseCaFile();
    QString currentSecret() const;

    SecretStore* m_secrets;
    QString m_id;
    bool m_secretArrived = true; // false while an edited profile's secret is being read
    quint64 m_readGeneration = 0;
    ConnectionCheck m_check;

    QFormLayout* m_form;
    QLineEdit* m_name;
    QLineEdit* m_url;
    QComboBox* m_auth;
    QLineEdit* m_user;
    QLineEdit* m_password;
    QLineEdit* m_apiKey;
    QLabel* m_sessionOnly; // no keychain: the secret lasts this session
    QLineEdit* m_ca;
    QToolButton* m_caBrowse;
    QCheckBox* m_ignoreTls;
    QLabel* m_tlsWarning;
    QPushButton* m_test;
    QLabel* m_testResult;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
};

} // namespace weft::studio

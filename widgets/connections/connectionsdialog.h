#pragma once
// "Connections…": the saved profiles with Add, Edit, Remove and Import (from the environment and
// Prefect's profiles.toml). Saving a profile puts its secret in the SecretStore, never in the
// settings; removing one removes its secret.
#include "connections/profileimporter.h"

#include <QDialog>

class QLabel;
class QListView;
class QPushButton;
class QSortFilterProxyModel;

namespace weft::studio {

class ConnectionDialog;
class ConnectionListModel;
class ProfileStore;
class SecretStore;

class ConnectionsDialog : public QDialog {
    Q_OBJECT
public:
    ConnectionsDialog(ProfileStore* store, SecretStore* secrets, ProfileImporter importer,
                      QWidget* parent = nullptr);

    /// Opens the editor (window-modal, not blocking) for profile `id`, or a new profile when
    /// empty; OK saves. Returns the editor, for tests.
    ConnectionDialog* edit(const QString& id = {});
    /// Removes the profile and its secret, without asking (the Remove button asks).
    void removeProfile(const QString& id);
    /// Imports on the query pool and saves on the GUI thread; the summary shows in the dialog.
    void import();

    /// The id of the selected profile, empty when none.
    QString selectedId() const;
    QListView* list() const { return m_list; }
    /// The last import's summary, or a keychain notice.
    QLabel* status() const { return m_status; }

Q_SIGNALS:
    /// An import finished (its summary is in status()).
    void imported();

private:
    void save(ConnectionDialog* editor);
    void updateButtons();

    ProfileStore* m_store;
    SecretStore* m_secrets;
    ProfileImporter m_importer;
    ConnectionListModel* m_model;
    QSortFilterProxyModel* m_profiles; // the model without the local database
    QListView* m_list;
    QPushButton* m_add;
    QPushButton* m_edit;
    QPushButton* m_remove;
    QPushButton* m_import;
    QLabel* m_status;
};

} // namespace weft::studio

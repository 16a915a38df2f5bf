#include "connections/connectionsdialog.h"

#include "backend/backend.h"
#include "connections/connectiondialog.h"
#include "connections/connectionlistmodel.h"
#include "connections/profilestore.h"
#include "connections/secretstore.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QVBoxLayout>

namespace weft::studio {

namespace {
// The profiles of a ConnectionListModel (not the local database), each shown as its name and,
// smaller below, its URL.
class ProfileRows : public QSortFilterProxyModel {
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    QVariant data(const QModelIndex& index, int role) const override {
        if (role == Qt::DisplayRole)
            return QStringLiteral("%1\n%2").arg(
                QSortFilterProxyModel::data(index, ConnectionListModel::NameRole).toString(),
                QSortFilterProxyModel::data(index, ConnectionListModel::UrlRole).toString());
        return QSortFilterProxyModel::data(index, role);
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override {
        return !sourceModel()
                    ->index(row, 0, parent)
                    .data(ConnectionListModel::IsLocalRole)
                    .toBool();
    }
};
} // namespace

ConnectionsDialog::ConnectionsDialog(ProfileStore* store, SecretStore* secrets,
                                     ProfileImporter importer, QWidget* parent)
    : QDialog(parent)
    , m_store(store)
    , m_secrets(secrets)
    , m_importer(std::move(importer))
    , m_model(new ConnectionListModel(store, this))
    , m_profiles(new ProfileRows(this))
    , m_list(new QListView(this))
    , m_add(new QPushButton(tr("&Add…"), this))
    , m_edit(new QPushButton(tr("&Edit…"), this))
    , m_remove(new QPushButton(tr("&Remove"), this))
    , m_import(new QPushButton(tr("&Import"), this))
    , m_status(new QLabel(this)) {
    setWindowTitle(tr("Connections"));
    resize(560, 360);
    m_profiles->setSourceModel(m_model);
    m_list->setModel(m_profiles);
    m_list->setObjectName(QStringLiteral("profiles"));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setSpacing(2);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_import->setToolTip(tr("Adds the servers named by PREFECT_API_URL and WEFT_API_URL in the "
                            "environment and in Prefect's profiles (%1), with their keys.")
                             .arg(m_importer.prefectProfilesPath()));
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QVBoxLayout;
    for (QPushButton* b : {m_add, m_edit, m_remove, m_import})
        buttons->addWidget(b);
    buttons->addStretch(1);
    auto* row = new QHBoxLayout;
    row->addWidget(m_list, 1);
    row->addLayout(buttons);
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row, 1);
    layout->addWidget(m_status);
    layout->addWidget(close);

    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_add, &QPushButton::clicked, this, [this] { edit(); });
    connect(m_edit, &QPushButton::clicked, this, [this] { edit(selectedId()); });
    connect(m_list, &QListView::doubleClicked, this, [this] { edit(selectedId()); });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const QString id = selectedId();
        const auto p = m_store->profile(id);
        if (!p) return;
        const auto answer = QMessageBox::question(
            this, tr("Remove connection"),
            tr("Remove the connection \"%1\" and its stored secret?").arg(p->name));
        if (answer == QMessageBox::Yes) removeProfile(id);
    });
    connect(m_import, &QPushButton::clicked, this, &ConnectionsDialog::import);
    connect(m_list->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ConnectionsDialog::updateButtons);
    connect(m_profiles, &QAbstractItemModel::modelReset, this, &ConnectionsDialog::updateButtons);
    connect(m_secrets, &SecretStore::keychainUnavailable, this, [this](const QString& reason) {
        m_status->setText(tr("No system keychain (%1): secrets are kept until Studio quits, "
                             "never written to disk.")
                              .arg(reason));
    });
    updateButtons();
}

QString ConnectionsDialog::selectedId() const {
    const QModelIndexList rows = m_list->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(ConnectionListModel::IdRole).toString();
}

void ConnectionsDialog::updateButtons() {
    const bool selected = !selectedId().isEmpty();
    m_edit->setEnabled(selected);
    m_remove->setEnabled(selected);
}

ConnectionDialog* ConnectionsDialog::edit(const QString& id) {
    auto* editor = new ConnectionDialog(m_secrets, this);
    editor->setAttribute(Qt::WA_DeleteOnClose);
    ConnectionProfile p;
    if (!id.isEmpty()) {
        if (auto known = m_store->profile(id)) p = *known;
    }
    editor->setProfile(p);
    connect(editor, &QDialog::accepted, this, [this, editor] { save(editor); });
    editor->open();
    return editor;
}

void ConnectionsDialog::save(ConnectionDialog* editor) {
    ConnectionProfile p = editor->profile();
    if (p.id.isEmpty() || !m_store->update(p)) p.id = m_store->add(p); // removed meanwhile: new
    if (const auto secret = editor->secretToSave()) m_secrets->write(p.id, *secret);
    const int row = m_model->rowOf(p.id);
    if (row >= 0) m_list->setCurrentIndex(m_profiles->mapFromSource(m_model->index(row)));
}

void ConnectionsDialog::removeProfile(const QString& id) {
    if (m_store->remove(id)) m_secrets->remove(id);
}

void ConnectionsDialog::import() {
    m_import->setEnabled(false);
    m_status->setText(tr("Importing…"));
    struct Found {
        std::vector<ImportCandidate> candidates;
        QStringList problems;
    };
    // The profiles file is read away from the GUI thread; saving happens back on it.
    runAsync<Found>(
        this,
        [importer = m_importer] {
            Found f;
            f.candidates = importer.candidates(&f.problems);
            return f;
        },
        [this](Result<Found> found) {
            m_import->setEnabled(true);
            if (!found) {
                m_status->setText(found.error());
            } else {
                ImportReport report =
                    ProfileImporter::importInto(found->candidates, *m_store, *m_secrets);
                report.problems = found->problems + report.problems;
                m_status->setText(report.summary());
            }
            Q_EMIT imported();
        });
}

} // namespace weft::studio

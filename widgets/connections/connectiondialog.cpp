#include "connections/connectiondialog.h"

#include "connections/secretstore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace weft::studio {

namespace {
const QString kRed = QStringLiteral("color: #c9302c;");

QLabel* wrappingLabel(const QString& objectName, QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}
} // namespace

ConnectionDialog::ConnectionDialog(SecretStore* secrets, QWidget* parent)
    : QDialog(parent)
    , m_secrets(secrets)
    , m_form(new QFormLayout)
    , m_name(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_auth(new QComboBox(this))
    , m_user(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_apiKey(new QLineEdit(this))
    , m_sessionOnly(wrappingLabel(QStringLiteral("sessionOnly"), this))
    , m_ca(new QLineEdit(this))
    , m_caBrowse(new QToolButton(this))
    , m_ignoreTls(new QCheckBox(tr("Ignore TLS errors (insecure)"), this))
    , m_tlsWarning(wrappingLabel(QStringLiteral("tlsWarning"), this))
    , m_test(new QPushButton(tr("Test connection"), this))
    , m_testResult(wrappingLabel(QStringLiteral("testResult"), this))
    , m_problem(wrappingLabel(QStringLiteral("problem"), this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
    setWindowTitle(tr("Connection"));
    setMinimumWidth(520);
    m_name->setObjectName(QStringLiteral("name"));
    m_name->setPlaceholderText(tr("e.g. Production"));
    m_url->setObjectName(QStringLiteral("url"));
    m_url->setPlaceholderText(QStringLiteral("http://127.0.0.1:4200/api"));
    m_auth->setObjectName(QStringLiteral("auth"));
    m_auth->addItem(tr("None"), QVariant::fromValue(int(AuthKind::None)));
    m_auth->addItem(tr("User name and password (HTTP basic)"),
                    QVariant::fromValue(int(AuthKind::Basic)));
    m_auth->addItem(tr("API key (bearer token)"), QVariant::fromValue(int(AuthKind::Bearer)));
    m_user->setObjectName(QStringLiteral("user"));
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_apiKey->setObjectName(QStringLiteral("apiKey"));
    m_apiKey->setEchoMode(QLineEdit::Password);
    m_apiKey->setPlaceholderText(tr("PREFECT_API_KEY or the server's key"));
    m_sessionOnly->setText(tr("No system keychain: kept until Studio quits, not on disk."));
    m_sessionOnly->setWordWrap(false); // wrapped labels in a form row get a wrong height
    m_ca->setObjectName(QStringLiteral("caCertificate"));
    m_ca->setPlaceholderText(tr("Optional: a PEM file, for a server with its own CA"));
    m_caBrowse->setObjectName(QStringLiteral("caBrowse"));
    m_caBrowse->setText(tr("Browse…"));
    m_ignoreTls->setObjectName(QStringLiteral("ignoreTls"));
    m_tlsWarning->setText(tr("⚠ TLS errors are ignored: anyone on the network path can read "
                             "and change what Studio and the server send, credentials "
                             "included. Use a CA certificate instead where you can."));
    m_tlsWarning->setStyleSheet(kRed);
    m_test->setObjectName(QStringLiteral("test"));
    m_problem->setStyleSheet(kRed);

    auto* caRow = new QHBoxLayout;
    caRow->setContentsMargins(0, 0, 0, 0);
    caRow->addWidget(m_ca, 1);
    caRow->addWidget(m_caBrowse);

    m_form->addRow(tr("&Name:"), m_name);
    m_form->addRow(tr("API &URL:"), m_url);
    m_form->addRow(tr("&Authentication:"), m_auth);
    m_form->addRow(tr("User na&me:"), m_user);
    m_form->addRow(tr("&Password:"), m_password);
    m_form->addRow(tr("API &key:"), m_apiKey);
    m_form->addRow(QString(), m_sessionOnly);
    auto* caLabel = new QLabel(tr("&CA certificate:"), this);
    caLabel->setBuddy(m_ca); // a row holding a layout gets no buddy by itself
    m_form->addRow(caLabel, caRow);
    m_form->addRow(QString(), m_ignoreTls);

    auto* testRow = new QHBoxLayout;
    testRow->addWidget(m_test, 0, Qt::AlignTop);
    testRow->addWidget(m_testResult, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addWidget(m_tlsWarning); // full width: it wraps to two lines
    layout->addLayout(testRow);
    layout->addStretch(1);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_auth, &QComboBox::currentIndexChanged, this, &ConnectionDialog::updateFields);
    connect(m_ignoreTls, &QCheckBox::toggled, this, &ConnectionDialog::updateFields);
    connect(m_caBrowse, &QToolButton::clicked, this, &ConnectionDialog::chooseCaFile);
    connect(m_test, &QPushButton::clicked, this, &ConnectionDialog::testConnection);
    for (QLineEdit* e : {m_name, m_url, m_user, m_password, m_apiKey, m_ca})
        connect(e, &QLineEdit::textChanged, this, &ConnectionDialog::validate);
    if (m_secrets)
        connect(m_secrets, &SecretStore::keychainUnavailable, this,
                &ConnectionDialog::updateFields);
    updateFields();
}

AuthKind ConnectionDialog::authKind() const {
    return AuthKind(m_auth->currentData().toInt());
}

void ConnectionDialog::updateFields() {
    const AuthKind kind = authKind();
    m_form->setRowVisible(m_user, kind == AuthKind::Basic);
    m_form->setRowVisible(m_password, kind == AuthKind::Basic);
    m_form->setRowVisible(m_apiKey, kind == AuthKind::Bearer);
    m_form->setRowVisible(m_sessionOnly,
                          kind != AuthKind::None && m_secrets && m_secrets->isSessionOnly());
    m_tlsWarning->setVisible(m_ignoreTls->isChecked());
    validate();
    grow();
}

void ConnectionDialog::grow() {
    // A window's minimum height ignores its wrapped labels' height for width: without this, a
    // shown warning or a long test result squeezes the form's rows over each other.
    QTimer::singleShot(0, this, [this] {
        layout()->activate();
        const int needed = layout()->totalHeightForWidth(width());
        if (isVisible() && needed > height()) resize(width(), needed);
    });
}

QString ConnectionDialog::problem() const {
    return profileProblem(profile());
}

void ConnectionDialog::validate() {
    // Nothing typed yet is not worth a red sentence; OK stays disabled all the same.
    const bool blank = m_name->text().isEmpty() && m_url->text().isEmpty();
    const QString why = problem();
    if (m_problem->text() != (blank ? QString() : why)) {
        m_problem->setText(blank ? QString() : why);
        grow();
    }
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

void ConnectionDialog::setProfile(const ConnectionProfile& p) {
    m_id = p.id;
    m_name->setText(p.name);
    m_url->setText(p.apiUrl.toString());
    m_auth->setCurrentIndex(m_auth->findData(int(p.auth)));
    m_user->setText(p.userName);
    m_password->clear();
    m_apiKey->clear();
    m_ca->setText(p.caCertificate);
    m_ignoreTls->setChecked(p.ignoreTlsErrors);
    setWindowTitle(p.id.isEmpty() ? tr("New connection") : tr("Edit connection"));
    updateFields();
    if (p.id.isEmpty() || p.auth == AuthKind::None || !m_secrets) return;
    m_secretArrived = false;
    const quint64 generation = ++m_readGeneration;
    m_secrets->read(p.id, this, [this, generation, auth = p.auth](Result<QString> secret) {
        if (generation != m_readGeneration) return;
        m_secretArrived = true;
        QLineEdit* field = auth == AuthKind::Basic ? m_password : m_apiKey;
        if (secret && !field->isModified()) field->setText(*secret); // never over typing
    });
}

ConnectionProfile ConnectionDialog::profile() const {
    ConnectionProfile p;
    p.id = m_id;
    p.name = m_name->text().trimmed();
    p.apiUrl = QUrl(m_url->text().trimmed(), QUrl::StrictMode);
    p.auth = authKind();
    if (p.auth == AuthKind::Basic) p.userName = m_user->text().trimmed();
    p.caCertificate = m_ca->text().trimmed();
    p.ignoreTlsErrors = m_ignoreTls->isChecked();
    return p;
}

QString ConnectionDialog::currentSecret() const {
    switch (authKind()) {
    case AuthKind::None:
        return {};
    case AuthKind::Basic:
        return m_password->text();
    case AuthKind::Bearer:
        return m_apiKey->text();
    }
    return {};
}

std::optional<QString> ConnectionDialog::secretToSave() const {
    if (authKind() == AuthKind::None) return QString();
    const QLineEdit* field = authKind() == AuthKind::Basic ? m_password : m_apiKey;
    if (!m_secretArrived && !field->isModified()) return std::nullopt;
    return currentSecret();
}

void ConnectionDialog::chooseCaFile() {
    const QString file =
        QFileDialog::getOpenFileName(this, tr("CA certificate"), m_ca->text(),
                                     tr("Certificates (*.pem *.crt *.cer *.der);;All files (*)"));
    if (!file.isEmpty()) m_ca->setText(file);
}

void ConnectionDialog::testConnection() {
    if (const QString why = problem(); !why.isEmpty()) {
        m_testResult->setStyleSheet(kRed);
        m_testResult->setText(why);
        return;
    }
    m_testResult->setStyleSheet(QString());
    m_testResult->setText(tr("Testing %1…").arg(m_url->text().trimmed()));
    m_check.start(remoteSettings(profile(), currentSecret()), [this](CheckResult r) {
        // In the sidebar's colour and word for the same health, as a sentence here.
        m_testResult->setStyleSheet(QStringLiteral("color: %1;").arg(healthColor(r.health).name()));
        QString word = healthText(r.health);
        if (!word.isEmpty()) word[0] = word[0].toUpper();
        m_testResult->setText(r.health == ConnectionHealth::Connected
                                  ? QStringLiteral("✔ ") + r.message
                                  : QStringLiteral("✘ %1: %2").arg(word, r.message));
        grow();
        Q_EMIT tested(r);
    });
}

} // namespace weft::studio

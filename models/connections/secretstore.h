#pragma once
// Where the secrets of connection profiles (API keys, passwords) live: the system keychain, or,
// when there is none (no Secret Service on a headless box), this session's memory. Never a
// settings file. Every call answers later on the GUI thread and never blocks it.
#include "backend/result.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <functional>

namespace weft::studio {

class SecretStore : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~SecretStore() override = default;

    /// The secret stored under `key` (empty when none), unless `context` died meanwhile.
    using ReadDone = std::function<void(Result<QString>)>;
    /// Empty: stored (in the keychain, or for this session when there is none).
    using WriteDone = std::function<void(QString error)>;

    void read(const QString& key, QObject* context, ReadDone done);
    /// An empty secret removes the key.
    void write(const QString& key, const QString& secret, QObject* context = nullptr,
               WriteDone done = {});
    void remove(const QString& key, QObject* context = nullptr, WriteDone done = {});

    /// True once the keychain failed: secrets are then kept in memory until Studio quits.
    bool isSessionOnly() const { return m_sessionOnly; }

Q_SIGNALS:
    /// Emitted once, the first time the keychain fails: the user should be told that secrets
    /// are kept for this session only (and never written in plain text).
    void keychainUnavailable(const QString& reason);

protected:
    /// What the keychain answered: the secret (Found), nothing under the key (NotFound), a write
    /// or removal done (Done), or a failure that means no keychain is usable (Failed, `error`).
    struct Answer {
        enum Kind { Found, NotFound, Done, Failed } kind = Failed;
        QString secret;
        QString error;
    };
    using AnswerDone = std::function<void(Answer)>;
    // Each answers exactly once, later, on the GUI thread.
    virtual void keychainRead(const QString& key, AnswerDone done) = 0;
    virtual void keychainWrite(const QString& key, const QString& secret, AnswerDone done) = 0;
    virtual void keychainRemove(const QString& key, AnswerDone done) = 0;

private:
    void fallBack(const QString& reason);

    bool m_sessionOnly = false;
    QHash<QString, QString> m_session; // secrets the keychain did not take
};

} // namespace weft::studio

#pragma once
// A SecretStore whose "keychain" is a map in memory, answering later like the real one: for
// tests, which can also make it fail as a box without a Secret Service does.
#include "connections/secretstore.h"

namespace weft::studio {

class MemorySecretStore : public SecretStore {
    Q_OBJECT
public:
    using SecretStore::SecretStore;

    /// What the fake keychain holds (not the session fallback).
    const QHash<QString, QString>& keychain() const { return m_keychain; }
    /// false: every keychain call fails, as with no Secret Service.
    void setAvailable(bool available) { m_available = available; }
    /// How many calls reached the fake keychain.
    int calls() const { return m_calls; }

protected:
    void keychainRead(const QString& key, AnswerDone done) override;
    void keychainWrite(const QString& key, const QString& secret, AnswerDone done) override;
    void keychainRemove(const QString& key, AnswerDone done) override;

private:
    void answer(AnswerDone done, Answer a);

    QHash<QString, QString> m_keychain;
    bool m_available = true;
    int m_calls = 0;
};

} // namespace weft::studio

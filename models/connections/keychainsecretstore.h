#pragma once
// SecretStore on the system keychain through QtKeychain (Secret Service, KWallet, macOS
// Keychain, Windows Credential Store): service "weft-studio", key = the profile's id. Its jobs
// are asynchronous; nothing is ever written to a plain-text fallback.
#include "connections/secretstore.h"

namespace weft::studio {

class KeychainSecretStore : public SecretStore {
    Q_OBJECT
public:
    static constexpr const char* kService = "weft-studio";
    using SecretStore::SecretStore;

protected:
    void keychainRead(const QString& key, AnswerDone done) override;
    void keychainWrite(const QString& key, const QString& secret, AnswerDone done) override;
    void keychainRemove(const QString& key, AnswerDone done) override;
};

} // namespace weft::studio

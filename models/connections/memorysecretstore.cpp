#include "connections/memorysecretstore.h"

namespace weft::studio {

void MemorySecretStore::answer(AnswerDone done, Answer a) {
    ++m_calls;
    if (!m_available) a = {Answer::Failed, {}, QStringLiteral("no keychain (test)")};
    QMetaObject::invokeMethod(
        this, [done, a] { done(a); }, Qt::QueuedConnection);
}

void MemorySecretStore::keychainRead(const QString& key, AnswerDone done) {
    const auto it = m_keychain.constFind(key);
    answer(std::move(done), it == m_keychain.cend() ? Answer{Answer::NotFound, {}, {}}
                                                    : Answer{Answer::Found, *it, {}});
}

void MemorySecretStore::keychainWrite(const QString& key, const QString& secret, AnswerDone done) {
    if (m_available) m_keychain.insert(key, secret);
    answer(std::move(done), {Answer::Done, {}, {}});
}

void MemorySecretStore::keychainRemove(const QString& key, AnswerDone done) {
    if (m_available) m_keychain.remove(key);
    answer(std::move(done), {Answer::Done, {}, {}});
}

} // namespace weft::studio

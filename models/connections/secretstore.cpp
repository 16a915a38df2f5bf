#include "connections/secretstore.h"

#include <QPointer>

namespace weft::studio {

namespace {
// Hands `value` to `done` on the GUI thread, later, unless `context` (when given) died.
template<class F> void later(QObject* self, QObject* context, F call) {
    const bool hadContext = context != nullptr;
    QPointer<QObject> guard(context);
    QMetaObject::invokeMethod(
        self,
        [hadContext, guard, call = std::move(call)]() mutable {
            if (hadContext && !guard) return;
            call();
        },
        Qt::QueuedConnection);
}
} // namespace

void SecretStore::fallBack(const QString& reason) {
    if (m_sessionOnly) return;
    m_sessionOnly = true;
    Q_EMIT keychainUnavailable(reason);
}

void SecretStore::read(const QString& key, QObject* context, ReadDone done) {
    if (m_sessionOnly || m_session.contains(key)) {
        later(this, context, [done, secret = m_session.value(key)] { done(secret); });
        return;
    }
    const bool hadContext = context != nullptr;
    QPointer<QObject> guard(context);
    keychainRead(key, [self = QPointer<SecretStore>(this), hadContext, guard, key, done](Answer a) {
        if (a.kind == Answer::Failed && self) self->fallBack(a.error);
        if (hadContext && !guard) return;
        // A keychain that cannot answer has nothing stored that we could show: no secret.
        done(a.kind == Answer::Found ? a.secret : QString());
    });
}

void SecretStore::write(const QString& key, const QString& secret, QObject* context,
                        WriteDone done) {
    if (secret.isEmpty()) return remove(key, context, std::move(done));
    if (!done) done = [](const QString&) {};
    if (m_sessionOnly) {
        m_session.insert(key, secret);
        later(this, context, [done] { done({}); });
        return;
    }
    const bool hadContext = context != nullptr;
    QPointer<QObject> guard(context);
    keychainWrite(
        key, secret,
        [self = QPointer<SecretStore>(this), hadContext, guard, key, secret, done](Answer a) {
            if (self) {
                if (a.kind == Answer::Failed) {
                    // Kept in memory, never in plain text on disk; the user is told once.
                    self->m_session.insert(key, secret);
                    self->fallBack(a.error);
                } else {
                    self->m_session.remove(key);
                }
            }
            if (hadContext && !guard) return;
            done({});
        });
}

void SecretStore::remove(const QString& key, QObject* context, WriteDone done) {
    if (!done) done = [](const QString&) {};
    m_session.remove(key);
    if (m_sessionOnly) {
        later(this, context, [done] { done({}); });
        return;
    }
    const bool hadContext = context != nullptr;
    QPointer<QObject> guard(context);
    keychainRemove(key, [self = QPointer<SecretStore>(this), hadContext, guard, done](Answer a) {
        if (a.kind == Answer::Failed && self) self->fallBack(a.error);
        if (hadContext && !guard) return;
        done(a.kind == Answer::Failed ? a.error : QString());
    });
}

} // namespace weft::studio

#include "connections/keychainsecretstore.h"

#include <qt6keychain/keychain.h>

namespace weft::studio {

namespace {
// Starts `job` (deleted when finished) and turns its outcome into an Answer.
template<class Job, class F> void run(Job* job, const QString& key, F onFinished) {
    job->setAutoDelete(true);
    job->setKey(key);
    job->setInsecureFallback(false); // never a plain-text file instead of the keychain
    QObject::connect(job, &QKeychain::Job::finished, job,
                     [onFinished = std::move(onFinished)](QKeychain::Job* j) {
                         onFinished(static_cast<Job*>(j));
                     });
    job->start();
}

QString reason(const QKeychain::Job* job) {
    // Without a Secret Service, QtKeychain says only "Unknown error": say what it means.
    const QString said = job->errorString();
    if (said.isEmpty() || said == u"Unknown error" || job->error() == QKeychain::NoBackendAvailable)
        return QStringLiteral("no keychain service answered (is a Secret Service such as GNOME "
                              "Keyring or KWallet running?)");
    return said;
}
} // namespace

void KeychainSecretStore::keychainRead(const QString& key, AnswerDone done) {
    run(new QKeychain::ReadPasswordJob(QString::fromLatin1(kService), this), key,
        [done](QKeychain::ReadPasswordJob* job) {
            if (job->error() == QKeychain::NoError)
                return done({Answer::Found, job->textData(), {}});
            if (job->error() == QKeychain::EntryNotFound) return done({Answer::NotFound, {}, {}});
            done({Answer::Failed, {}, reason(job)});
        });
}

void KeychainSecretStore::keychainWrite(const QString& key, const QString& secret,
                                        AnswerDone done) {
    auto* job = new QKeychain::WritePasswordJob(QString::fromLatin1(kService), this);
    job->setTextData(secret);
    run(job, key, [done](QKeychain::WritePasswordJob* j) {
        if (j->error() == QKeychain::NoError) return done({Answer::Done, {}, {}});
        done({Answer::Failed, {}, reason(j)});
    });
}

void KeychainSecretStore::keychainRemove(const QString& key, AnswerDone done) {
    run(new QKeychain::DeletePasswordJob(QString::fromLatin1(kService), this), key,
        [done](QKeychain::DeletePasswordJob* job) {
            // Nothing stored under the key is what removing it wanted.
            if (job->error() == QKeychain::NoError || job->error() == QKeychain::EntryNotFound)
                return done({Answer::Done, {}, {}});
            done({Answer::Failed, {}, reason(job)});
        });
}

} // namespace weft::studio

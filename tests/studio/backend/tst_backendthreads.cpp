// The threads Studio owns run below the GUI thread: queries on the pool and the feed follower
// have a higher nice value than the thread that created the backend, so on a busy machine the
// GUI thread gets a core first. (Linux: the per-thread nice value is what the scheduler weighs.)
#include "backend/embeddedbackend.h"
#include "backend/threadpriority.h"
#include "fixtures.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <optional>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace weft::studio;
using namespace Qt::StringLiterals;

namespace {
#ifdef Q_OS_LINUX
int niceOf(pid_t tid) {
    errno = 0;
    const int n = ::getpriority(PRIO_PROCESS, id_t(tid));
    return errno == 0 ? n : -100;
}
int niceOfThisThread() {
    return niceOf(pid_t(::syscall(SYS_gettid)));
}
// The nice value of this process's thread called `name` (its /proc comm), or nullopt.
std::optional<int> niceOfThreadNamed(const QString& name) {
    const QDir tasks(u"/proc/self/task"_s);
    for (const QString& tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks.filePath(tid + u"/comm"_s));
        if (comm.open(QIODevice::ReadOnly) && QString::fromUtf8(comm.readAll()).trimmed() == name)
            return niceOf(pid_t(tid.toInt()));
    }
    return std::nullopt;
}
#endif
} // namespace

class TestBackendThreads : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<EmbeddedBackend> m_backend;

private Q_SLOTS:
    void initTestCase() {
#ifndef Q_OS_LINUX
        QSKIP("thread nice values are Linux's");
#else
        QVERIFY(m_dir.isValid());
        const QString db = m_dir.filePath(u"studio.db"_s);
        {
            auto store = weft::Store::open(db.toStdString());
            fixtures::RunSpec spec;
            spec.flow_name = "etl";
            fixtures::writeRun(*store, spec);
        }
        m_backend = std::make_unique<EmbeddedBackend>(db);
        QCOMPARE(m_backend->openNow(), QString());
#endif
    }

    void queriesRunBelowTheGuiThread() {
#ifdef Q_OS_LINUX
        const int gui = niceOfThisThread();
        std::optional<int> worker;
        runAsync<int>(
            this, [] { return niceOfThisThread(); },
            [&worker](Result<int> r) { worker = r ? *r : -100; });
        QTRY_VERIFY_WITH_TIMEOUT(worker.has_value(), 10000);
        QCOMPARE(*worker, std::min(gui + kBackgroundNice, 19));
        // The GUI thread itself is left alone.
        QCOMPARE(niceOfThisThread(), gui);
#endif
    }

    void feedFollowerRunsBelowTheGuiThread() {
#ifdef Q_OS_LINUX
        const int gui = niceOfThisThread();
        // The follower lowers itself when its thread starts: wait for that.
        QTRY_COMPARE_WITH_TIMEOUT(niceOfThreadNamed(u"weft-feed"_s).value_or(-100),
                                  std::min(gui + kBackgroundNice, 19), 10000);
#endif
    }
};

QTEST_GUILESS_MAIN(TestBackendThreads)
#include "tst_backendthreads.moc"

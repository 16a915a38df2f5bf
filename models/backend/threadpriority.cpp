#include "backend/threadpriority.h"

#include <QThread>
#include <algorithm>
#include <cerrno>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace weft::studio {

// Why: on 2 cores, live ingest keeps both busy with the process's own background work (the feed
// follower, queries on the pool) besides whatever writes the database. A GUI thread that wakes
// with a feed batch or a paint then waits for a core, and a 12 ms event shows as a 50–100 ms stall.
// Niced threads still use every idle cycle, but the scheduler gives a woken GUI thread a core
// first.
//
// QThread::setPriority() cannot do this on Linux: under SCHED_OTHER (the normal policy) the only
// static priority is 0, so Qt's Low/Lowest are ignored. The per-thread nice value is what the
// scheduler weighs there; setpriority() on a thread id sets it for that thread alone. Raising a
// nice value needs no privileges; it cannot be lowered again, which is why this is only for
// threads Studio owns (never Qt's global pool, which paints for the GUI thread).
void lowerThisThreadsPriority() {
    thread_local bool lowered = false;
    if (lowered) return;
    lowered = true;
#ifdef Q_OS_LINUX
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, tid);
    if (errno == 0) ::setpriority(PRIO_PROCESS, tid, std::min(current + kBackgroundNice, 19));
#else
    QThread::currentThread()->setPriority(QThread::LowPriority);
#endif
}

} // namespace weft::studio

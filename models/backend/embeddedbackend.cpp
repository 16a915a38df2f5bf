#include "backend/embeddedbackend.h"

#include "backend/feedfollower.h"

#include <weft/launcher.hpp>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <atomic>

namespace weft::studio {

EmbeddedBackend::EmbeddedBackend(QString databasePath, QObject* parent)
    : EmbeddedBackend(std::move(databasePath), Create::IfMissing, parent) {}

EmbeddedBackend::EmbeddedBackend(QString databasePath, Create create, QObject* parent)
    : Backend(parent)
    , m_path(std::move(databasePath))
    , m_create(create) {
    qRegisterMetaType<weft::studio::EventBatch>();
    m_feedThread.setObjectName(QStringLiteral("weft-feed"));
}

EmbeddedBackend::~EmbeddedBackend() {
    m_feedThread.quit();
    m_feedThread.wait();
}

QString EmbeddedBackend::description() const {
    const QString path = QDir::toNativeSeparators(m_path);
    return isReadOnly() ? tr("Local database %1 (read-only)").arg(path)
                        : tr("Local database %1").arg(path);
}

bool EmbeddedBackend::isReadOnly() const {
    return m_engine && m_engine->store().read_only();
}

void EmbeddedBackend::setPollInterval(int ms) {
    m_pollMs = ms;
    if (m_follower)
        QMetaObject::invokeMethod(
            m_follower, [f = m_follower, ms] { f->setPollInterval(ms); }, Qt::QueuedConnection);
}

namespace {
struct Opened {
    std::shared_ptr<weft::Engine> engine;
    std::int64_t seq = 0;
    QString error;
};

Opened openEngine(const QString& path, bool create) {
    Opened o;
    try {
        weft::StoreOptions options;
        options.create = create;
        options.read_only_if_unwritable = true;
        o.engine = weft::Engine::open(path.toStdString(), options);
        o.seq = o.engine->store().read([](weft::Reader& r) { return r.last_event_seq(); });
    } catch (const std::exception& e) {
        o.engine.reset();
        o.error = QString::fromStdString(e.what());
    }
    return o;
}
} // namespace

void EmbeddedBackend::open() {
    runAsync<Opened>(
        this,
        [path = m_path, create = m_create == Create::IfMissing] {
            return openEngine(path, create);
        },
        [this](Result<Opened> r) {
            Opened o = std::move(r).valueOr(Opened{nullptr, 0, r.error()});
            if (!o.engine) {
                Q_EMIT failed(o.error);
                return;
            }
            started(std::move(o.engine), o.seq);
        });
}

QString EmbeddedBackend::openNow() {
    Opened o = openEngine(m_path, m_create == Create::IfMissing);
    if (!o.engine) return o.error;
    started(std::move(o.engine), o.seq);
    return {};
}

void EmbeddedBackend::started(std::shared_ptr<weft::Engine> engine, std::int64_t seq) {
    m_engine = std::move(engine);
    m_lastSeq = seq;
    m_follower = new FeedFollower(m_engine, seq, m_pollMs);
    m_follower->moveToThread(&m_feedThread);
    connect(&m_feedThread, &QThread::finished, m_follower, &QObject::deleteLater);
    connect(m_follower, &FeedFollower::batchReady, this, &EmbeddedBackend::deliver,
            Qt::QueuedConnection);
    m_feedThread.start();
    QMetaObject::invokeMethod(m_follower, &FeedFollower::start, Qt::QueuedConnection);
    Q_EMIT opened();
}

void EmbeddedBackend::deliver(EventBatch batch) {
    if (batch->empty()) return;
    m_lastSeq = batch->back().seq;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - m_rateWindowStart >= 1000) {
        const double seconds = m_rateWindowStart ? (now - m_rateWindowStart) / 1000.0 : 1.0;
        Q_EMIT eventRateChanged(m_rateCount / seconds);
        m_rateWindowStart = now;
        m_rateCount = 0;
    }
    m_rateCount += int(batch->size());
    Q_EMIT eventsArrived(batch);
}

template<class T>
void EmbeddedBackend::query(QObject* context, std::function<T(weft::Reader&)> work, Done<T> done) {
    auto engine = m_engine;
    if (!engine) {
        QMetaObject::invokeMethod(
            context, [done] { done(QueryError{tr("the database is not open")}); },
            Qt::QueuedConnection);
        return;
    }
    runAsync<T>(
        context, [engine, work = std::move(work)] { return engine->store().read(work); },
        noting(std::move(done)));
}

void EmbeddedBackend::fetchFlows(QObject* context, Done<std::vector<weft::FlowRecord>> done) {
    query<std::vector<weft::FlowRecord>>(
        context, [](weft::Reader& r) { return r.flows(); }, std::move(done));
}

void EmbeddedBackend::fetchFlowRuns(const weft::FlowRunQuery& q, QObject* context,
                                    Done<std::vector<weft::FlowRunRecord>> done) {
    query<std::vector<weft::FlowRunRecord>>(
        context, [q](weft::Reader& r) { return r.flow_runs(q); }, std::move(done));
}

void EmbeddedBackend::countFlowRuns(const weft::FlowRunQuery& q, QObject* context,
                                    Done<std::int64_t> done) {
    query<std::int64_t>(
        context, [q](weft::Reader& r) { return r.count_flow_runs(q); }, std::move(done));
}

void EmbeddedBackend::fetchFlowRun(const std::string& id, QObject* context,
                                   Done<std::optional<weft::FlowRunRecord>> done) {
    query<std::optional<weft::FlowRunRecord>>(
        context, [id](weft::Reader& r) { return r.flow_run(id); }, std::move(done));
}

void EmbeddedBackend::fetchFlowRunIdsWithPrefix(const std::string& prefix, QObject* context,
                                                Done<std::vector<std::string>> done) {
    query<std::vector<std::string>>(
        context, [prefix](weft::Reader& r) { return r.flow_run_ids_with_prefix(prefix, 2); },
        std::move(done));
}

void EmbeddedBackend::fetchTaskRuns(const std::string& flowRunId, QObject* context,
                                    Done<std::vector<weft::TaskRunRecord>> done) {
    query<std::vector<weft::TaskRunRecord>>(
        context, [flowRunId](weft::Reader& r) { return r.task_runs(flowRunId); }, std::move(done));
}

void EmbeddedBackend::fetchStateHistory(const std::string& runId, QObject* context,
                                        Done<std::vector<weft::State>> done) {
    query<std::vector<weft::State>>(
        context, [runId](weft::Reader& r) { return r.state_history(runId); }, std::move(done));
}

void EmbeddedBackend::fetchLogs(const weft::LogQuery& q, QObject* context,
                                Done<std::vector<weft::LogRecord>> done) {
    query<std::vector<weft::LogRecord>>(
        context, [q](weft::Reader& r) { return r.logs(q); }, std::move(done));
}

void EmbeddedBackend::fetchLogIds(const weft::LogQuery& q, QObject* context, IdChunk chunk) {
    auto engine = m_engine;
    QPointer<QObject> guard(context);
    // Each chunk's answer is noted like any query's; the backend outlives no posted chunk that
    // names it, so the note goes through a guard too.
    auto noted = [self = QPointer<EmbeddedBackend>(this),
                  chunk](Result<std::vector<std::int64_t>> ids, bool last) {
        if (self) self->noteAnswer(ids.error());
        chunk(std::move(ids), last);
    };
    // The worker stops early once the context is gone; it learns so from this flag, set on the
    // GUI thread (a QPointer must not be read on another thread).
    auto alive = std::make_shared<std::atomic<bool>>(true);
    if (context) QObject::connect(context, &QObject::destroyed, [alive] { *alive = false; });
    queryPool()->start([engine, q, guard, noted, alive] {
        auto send = [&](Result<std::vector<std::int64_t>> ids, bool last) {
            auto shared = std::make_shared<Result<std::vector<std::int64_t>>>(std::move(ids));
            postToGuard(guard, [noted, shared, last] { noted(std::move(*shared), last); });
        };
        if (!engine) {
            send(QueryError{tr("the database is not open")}, true);
            return;
        }
        try {
            // Growing chunks: the first lines show at once, the rest streams in.
            weft::LogQuery page = q;
            std::size_t chunkSize = 20000;
            for (;;) {
                if (!*alive) return; // the post checks the guard again, on the GUI thread
                auto ids = engine->store().read(
                    [&](weft::Reader& r) { return r.log_ids(page, int(chunkSize)); });
                const bool last = ids.size() < chunkSize;
                if (!ids.empty()) page.after_id = ids.back();
                send(std::move(ids), last);
                if (last) return;
                // Capped: the view inserts each chunk as one block of rows on the GUI thread.
                chunkSize = std::min<std::size_t>(chunkSize * 4, 250'000);
            }
        } catch (const std::exception& e) {
            spdlog::warn("weft-studio: reading log ids failed: {}", e.what());
            send(QueryError{QString::fromUtf8(e.what())}, true);
        }
    });
}

void EmbeddedBackend::fetchLogNames(const std::string& flowRunId, QObject* context,
                                    Done<std::vector<std::string>> done) {
    query<std::vector<std::string>>(
        context, [flowRunId](weft::Reader& r) { return r.log_names(flowRunId); }, std::move(done));
}

void EmbeddedBackend::fetchDashboard(weft::Micros from, weft::Micros to, int buckets,
                                     QObject* context, Done<DashboardData> done) {
    query<DashboardData>(
        context,
        [from, to, buckets](weft::Reader& r) {
            // The store aggregates (a server answers the same query); this only reshapes it.
            auto a = r.dashboard(from, to, buckets);
            DashboardData d;
            for (int i = 0; i < buckets; ++i)
                d.buckets.push_back({from + i * a.interval, {}});
            for (const auto& c : a.history) {
                const auto index = std::size_t((c.interval_start - from) / a.interval);
                if (index < d.buckets.size()) d.buckets[index].runsByState[c.type] += int(c.count);
            }
            for (const auto& s : a.flows)
                d.flows.push_back({s.flow_name, int(s.runs), int(s.completed), int(s.failed),
                                   weft::success_rate(s.completed, s.failed), s.mean_run_s,
                                   s.max_run_s});
            d.totalRuns = a.runs;
            d.completed = a.completed;
            d.failed = a.failed;
            d.successRate = a.success_rate;
            d.recentFailures = std::move(a.recent_failures);
            return d;
        },
        std::move(done));
}

namespace {
CommandResult fromOutcome(const weft::Outcome& o) {
    CommandResult c;
    c.outcome = o;
    c.ok = o.decision == weft::Decision::Accept
           || (o.decision == weft::Decision::Reject && o.state.has_value());
    c.message = QString::fromStdString(o.reason);
    return c;
}

CommandResult failure(const std::exception& e) {
    CommandResult c;
    c.message = QString::fromStdString(e.what());
    return c;
}

// The engine's reasons are written to follow "weft: "; a dialog shows them as sentences.
CommandResult refusal(const std::string& reason) {
    CommandResult c;
    c.message = QString::fromStdString(reason);
    if (!c.message.isEmpty()) c.message[0] = c.message[0].toUpper();
    if (!c.message.endsWith(u'.')) c.message += u'.';
    return c;
}

// A command on the query pool (or, when it starts a program, on launchPool() at normal
// priority): its answer, or what the engine threw as a failed CommandResult.
void runCommand(QObject* context, std::function<CommandResult()> work,
                Backend::Done<CommandResult> done,
                WorkPriority priority = WorkPriority::Background) {
    runAsync<CommandResult>(
        context,
        [work = std::move(work)] {
            try {
                return work();
            } catch (const std::exception& e) {
                return failure(e);
            }
        },
        std::move(done), priority);
}

// Starts `request` detached; `said` takes the pid as its last %-argument.
CommandResult startDetached(weft::LaunchRequest request, const QString& said) {
    request.detach = true;
    const weft::LaunchResult r = weft::launch(request);
    if (!r.ok()) return refusal(r.error);
    return CommandResult{true, said.arg(r.pid), std::nullopt};
}
} // namespace

void EmbeddedBackend::setFlowRunState(const std::string& id, const weft::State& state, bool force,
                                      QObject* context, Done<CommandResult> done) {
    auto engine = m_engine;
    runCommand(
        context,
        [engine, id, state, force] {
            return fromOutcome(
                engine->set_flow_run_state(id, {state, weft::Origin::User, force}).outcome);
        },
        std::move(done));
}

void EmbeddedBackend::setTaskRunState(const std::string& id, const weft::State& state, bool force,
                                      QObject* context, Done<CommandResult> done) {
    auto engine = m_engine;
    runCommand(
        context,
        [engine, id, state, force] {
            return fromOutcome(
                engine->set_task_run_state(id, {state, weft::Origin::User, force}).outcome);
        },
        std::move(done));
}

void EmbeddedBackend::cancelFlowRun(const std::string& id, QObject* context,
                                    Done<CommandResult> done) {
    auto engine = m_engine;
    runCommand(
        context,
        [engine, id] {
            return fromOutcome(engine->cancel_flow_run(id, "Cancelled from Weft Studio."));
        },
        std::move(done));
}

void EmbeddedBackend::deleteFlowRun(const std::string& id, QObject* context,
                                    Done<CommandResult> done) {
    auto engine = m_engine;
    runCommand(
        context,
        [engine, id] {
            engine->delete_flow_run(id);
            return CommandResult{true, {}, std::nullopt};
        },
        std::move(done));
}

// Both go through the engine's check and launcher, as `weft flow-run retry` does; the program
// starts detached (own session, no output here), so it outlives Studio.
void EmbeddedBackend::retryFlowRun(const std::string& id, const std::string& fromTaskRunId,
                                   QObject* context, Done<CommandResult> done) {
    auto engine = m_engine;
    const std::string dbPath = QFileInfo(m_path).absoluteFilePath().toStdString();
    runCommand(
        context,
        [engine, id, fromTaskRunId, dbPath] {
            const weft::RerunCheck check = weft::check_rerun(engine->store(), id, fromTaskRunId);
            if (!check.ok()) return refusal(check.reason);
            auto request = weft::rerun_request(*check.run, fromTaskRunId, dbPath);
            return startDetached(request, tr("Rerunning in process %1."));
        },
        std::move(done), WorkPriority::Normal);
}

void EmbeddedBackend::runFlowAgain(const std::string& flowRunId, const nlohmann::json& parameters,
                                   QObject* context, Done<CommandResult> done) {
    auto engine = m_engine;
    const std::string dbPath = QFileInfo(m_path).absoluteFilePath().toStdString();
    runCommand(
        context,
        [engine, flowRunId, parameters, dbPath] {
            auto run = engine->store().read([&](weft::Reader& r) { return r.flow_run(flowRunId); });
            if (!run) return refusal("no flow run with id " + flowRunId);
            const weft::RerunCheck check = weft::check_launchable(*run);
            if (!check.ok()) return refusal(check.reason);
            auto request = weft::new_run_request(*run, parameters, dbPath);
            return startDetached(request, tr("Started a new run of %1 in process %2.")
                                              .arg(QString::fromStdString(run->flow_name)));
        },
        std::move(done), WorkPriority::Normal);
}

} // namespace weft::studio

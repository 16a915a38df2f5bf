#include "backend/remotebackend.h"

#include "backend/remoteevents.h"
#include "backend/remotelogs.h"
#include "backend/remoteserver.h"

#include <weft/record_json.hpp>
#include <weft/remote_reader.hpp>

#include <QDateTime>

namespace weft::studio {

using nlohmann::json;

namespace {
constexpr int kBatchMs = 100;              // events reach the models at most this often
constexpr int kLogReadMs = 300;            // new lines are read at most this often per run
constexpr int kStatsRuns = 1000;           // runs read for the dashboard's per-flow statistics
constexpr std::size_t kCheckedRuns = 4000; // flow runs checked after a gap (20 requests)
constexpr std::size_t kCheckChunk = 200;   // ids per check request (a server's page)

bool isUuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

// Prefect's sort names for the orders a server offers; the others are refused in words.
std::optional<const char*> sortName(weft::FlowRunSort s) {
    using S = weft::FlowRunSort;
    switch (s) {
    case S::ExpectedStartDesc:
        return "EXPECTED_START_TIME_DESC";
    case S::ExpectedStartAsc:
        return "EXPECTED_START_TIME_ASC";
    case S::StartTimeDesc:
        return "START_TIME_DESC";
    case S::NameAsc:
        return "NAME_ASC";
    case S::NameDesc:
        return "NAME_DESC";
    case S::EndTimeDesc:
        return "END_TIME_DESC";
    default:
        return std::nullopt;
    }
}

// The filter body of a query; a server matches a search on the run's name only (Prefect's UI
// does the same), not on the flow's too.
json runFilter(weft::FlowRunQuery q) {
    if (!q.name_like.empty()) {
        q.run_name_like = q.name_like;
        q.name_like.clear();
    }
    return weft::flow_run_filter_body(q);
}

std::vector<weft::FlowRunRecord> flowRuns(const json& rows) {
    std::vector<weft::FlowRunRecord> out;
    out.reserve(rows.size());
    for (const auto& r : rows)
        out.push_back(weft::flow_run_from_json(r));
    return out;
}

// Per-flow counts and run times, and the newest failures, of `runs` (newest first).
void addFlowStats(DashboardData& d, std::vector<weft::FlowRunRecord> runs) {
    std::map<std::string, DashboardData::FlowStats> flows;
    std::map<std::string, double> totalS;
    for (const auto& r : runs) {
        auto& f = flows[r.flow_name];
        f.flowName = r.flow_name;
        ++f.runs;
        const bool failed =
            r.state.type == weft::StateType::Failed || r.state.type == weft::StateType::Crashed;
        if (r.state.type == weft::StateType::Completed) ++f.completed;
        if (failed) ++f.failed;
        const double s = weft::to_seconds(r.total_run_time);
        totalS[r.flow_name] += s;
        f.maxDurationS = std::max(f.maxDurationS, s);
        if (failed && d.recentFailures.size() < 10) d.recentFailures.push_back(r);
    }
    for (auto& [name, f] : flows) {
        f.meanDurationS = f.runs ? totalS[name] / f.runs : 0;
        f.successRate = weft::success_rate(f.completed, f.failed);
        d.flows.push_back(std::move(f));
    }
}

} // namespace

CommandResult commandResult(const json& result) {
    weft::Outcome o;
    const std::string status = result.value("status", "");
    o.decision = status == "ACCEPT"   ? weft::Decision::Accept
                 : status == "REJECT" ? weft::Decision::Reject
                 : status == "WAIT"   ? weft::Decision::Wait
                                      : weft::Decision::Abort;
    const json details = result.value("details", json::object());
    o.reason = details.is_object() ? details.value("reason", std::string()) : std::string();
    if (auto s = result.find("state"); s != result.end() && s->is_object())
        o.state = weft::state_from_json(*s);
    CommandResult c;
    c.ok = o.decision == weft::Decision::Accept;
    c.message = QString::fromStdString(o.reason);
    if (!c.ok && c.message.isEmpty())
        c.message = QStringLiteral("The server answered %1.")
                        .arg(QString::fromStdString(status.empty() ? "no decision" : status));
    if (!c.message.isEmpty()) c.message[0] = c.message[0].toUpper();
    c.outcome = std::move(o);
    return c;
}

RemoteBackend::RemoteBackend(RemoteSettings settings, QObject* parent)
    : Backend(parent)
    , m_rest(new RestClient(std::move(settings), this)) {
    qRegisterMetaType<weft::studio::EventBatch>();
    m_logs = new RemoteLogs(m_rest, this);
    m_events = new RemoteEvents(
        m_rest, [this](weft::Event e) { onEvents({std::move(e)}); },
        [this](bool answers, const QString& why) { noteAnswer(answers ? QString() : why); }, this);
    connect(m_events, &RemoteEvents::resumed, this, &RemoteBackend::checkRunsStillExist);
    connect(m_events, &RemoteEvents::liveChanged, this,
            [this](bool live) { Q_EMIT linkChanged(live, linkStatus()); });
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(kBatchMs);
    connect(&m_batchTimer, &QTimer::timeout, this, &RemoteBackend::deliver);
    m_logTimer.setSingleShot(true);
    m_logTimer.setInterval(kLogReadMs);
    connect(&m_logTimer, &QTimer::timeout, this, &RemoteBackend::refreshLogs);
}

RemoteBackend::~RemoteBackend() = default;

QString RemoteBackend::description() const {
    return tr("Server %1").arg(m_rest->server());
}

QString RemoteBackend::cannot(Capability c) const {
    switch (c) {
    case Capability::RunAgain:
        return tr("Studio cannot start flow programs on a server: retry the run, and a worker "
                  "picks it up.");
    case Capability::RetryFromTask: // Weft's extension of AwaitingRetry (weft/remote_actions.hpp)
        if (m_weftServer) return {};
        return tr("A Prefect server cannot rerun a flow from one of its tasks: retry the whole "
                  "run.");
    case Capability::Resume: // POST /flow_runs/{id}/resume: Weft's server and Prefect's
    case Capability::Deployments:
    case Capability::RunDeployment:
    case Capability::PauseDeployment:
        return {};
    }
    return {};
}

bool RemoteBackend::sortsFlowRuns(weft::FlowRunSort sort) const {
    return sortName(sort).has_value();
}

bool RemoteBackend::isLive() const {
    return m_events->isLive();
}

QString RemoteBackend::linkStatus() const {
    if (m_events->isLive()) return tr("connected");
    const QString why = m_events->downReason();
    return why.isEmpty() ? tr("connecting") : tr("reconnecting (%1)").arg(why);
}

void RemoteBackend::setPollInterval(int ms) {
    m_events->setPollInterval(ms);
}

void RemoteBackend::setBackoff(int firstMs, int maxMs) {
    m_events->setBackoff(firstMs, maxMs);
}

void RemoteBackend::setHeartbeat(int ms) {
    m_events->setHeartbeat(ms);
}

void RemoteBackend::open() {
    // An authenticated read: /health answers everyone, so it cannot tell a wrong token.
    const json body = {{"limit", 1}};
    m_rest->send<bool>(
        "POST", QStringLiteral("/flows/filter"), &body, this,
        [](RestAnswer a) {
            if (!a.body.is_array()) throw std::runtime_error("expected a list of flows");
            return true;
        },
        [this](Result<bool> r) {
            noteAnswer(r.error());
            if (!r) {
                Q_EMIT failed(r.error());
                return;
            }
            // What the server can do (cannot()) is known before any view is built on it. A
            // server that does not say is taken for Prefect's: Weft's extensions stay off.
            m_rest->send<bool>(
                "GET", QStringLiteral("/admin/version"), nullptr, this,
                [](RestAnswer a) { return a.status == 200 && isWeftServerVersion(a.body); },
                [this](Result<bool> weft) {
                    m_weftServer = weft && *weft;
                    m_open = true;
                    m_events->start();
                    Q_EMIT opened();
                });
        });
}

void RemoteBackend::fetchFlows(QObject* context, Done<std::vector<weft::FlowRecord>> done) {
    QPointer<QObject> guard(context);
    QPointer<RemoteBackend> self(this);
    m_rest->postPaged(QStringLiteral("/flows/filter"), {{"sort", "NAME_ASC"}}, -1, 0, context,
                      [guard, self, done = noting(std::move(done))](Result<json> rows) {
                          if (!rows) return done(QueryError{rows.error()});
                          std::vector<weft::FlowRecord> flows;
                          try {
                              for (const auto& f : *rows)
                                  flows.push_back(weft::flow_from_json(f));
                          } catch (const std::exception& e) {
                              return done(QueryError{QString::fromUtf8(e.what())});
                          }
                          if (self)
                              for (const auto& f : flows)
                                  self->m_flowNames[f.id] = f.name;
                          done(std::move(flows));
                      });
}

void RemoteBackend::sawRuns(const std::vector<weft::FlowRunRecord>& runs) {
    if (m_knownRuns.size() > 500'000) m_knownRuns.clear(); // bounded: at worst "created" again
    for (const auto& r : runs) {
        m_knownRuns.insert(r.id);
        sawFlowRun(r.id);
    }
}

void RemoteBackend::sawFlowRun(const std::string& id) {
    if (!m_recentFlowRunSet.insert(id).second) return;
    m_recentFlowRuns.push_back(id);
    if (m_recentFlowRuns.size() < 2 * kCheckedRuns) return;
    // The older half goes at once, so that trimming costs O(1) per run seen.
    const auto keep = m_recentFlowRuns.end() - std::ptrdiff_t(kCheckedRuns);
    for (auto it = m_recentFlowRuns.begin(); it != keep; ++it)
        m_recentFlowRunSet.erase(*it);
    m_recentFlowRuns.erase(m_recentFlowRuns.begin(), keep);
}

// Deletions send one event, which a stream that was down never delivered, and a poll sees
// only runs that exist: the runs the views may show are asked for by id, and those the server
// no longer has are announced deleted (the list drops them, a run page says so).
void RemoteBackend::checkRunsStillExist() {
    const std::size_t n = std::min(m_recentFlowRuns.size(), kCheckedRuns);
    const std::vector<std::string> ids(m_recentFlowRuns.end() - std::ptrdiff_t(n),
                                       m_recentFlowRuns.end());
    QPointer<RemoteBackend> self(this);
    for (std::size_t at = 0; at < ids.size(); at += kCheckChunk) {
        const std::vector<std::string> chunk(
            ids.begin() + std::ptrdiff_t(at),
            ids.begin() + std::ptrdiff_t(std::min(ids.size(), at + kCheckChunk)));
        const json body = {{"flow_runs", {{"id", {{"any_", chunk}}}}},
                           {"sort", "EXPECTED_START_TIME_DESC"},
                           {"limit", kCheckChunk}};
        m_rest->send<std::unordered_set<std::string>>(
            "POST", QStringLiteral("/flow_runs/filter"), &body, this,
            [](RestAnswer a) {
                std::unordered_set<std::string> found;
                for (const auto& r : a.body)
                    found.insert(r.value("id", ""));
                return found;
            },
            [self, chunk](Result<std::unordered_set<std::string>> found) {
                if (!self || !found) return; // the next gap's check tries again
                std::vector<weft::Event> gone;
                for (const std::string& id : chunk)
                    if (!found->count(id) && self->m_recentFlowRunSet.erase(id)) {
                        std::erase(self->m_recentFlowRuns, id);
                        self->m_knownRuns.erase(id);
                        weft::Event e;
                        e.kind = weft::EventKind::FlowRunDeleted;
                        e.run_id = e.flow_run_id = id;
                        e.ts = weft::now_us();
                        gone.push_back(std::move(e));
                    }
                if (!gone.empty()) self->onEvents(std::move(gone));
            });
    }
}

// Weft's server names each run's flow; Prefect's names only its id: those are looked up once.
void RemoteBackend::fillFlowNames(std::vector<weft::FlowRunRecord> runs, QObject* context,
                                  Done<std::vector<weft::FlowRunRecord>> done) {
    sawRuns(runs);
    std::vector<std::string> missing;
    for (auto& r : runs)
        if (r.flow_name.empty() && !r.flow_id.empty()) {
            if (auto it = m_flowNames.find(r.flow_id); it != m_flowNames.end())
                r.flow_name = it->second;
            else if (std::find(missing.begin(), missing.end(), r.flow_id) == missing.end())
                missing.push_back(r.flow_id);
        }
    if (missing.empty()) return done(std::move(runs));
    const json body = {{"flows", {{"id", {{"any_", missing}}}}}, {"limit", 200}};
    auto shared = std::make_shared<std::vector<weft::FlowRunRecord>>(std::move(runs));
    QPointer<RemoteBackend> self(this);
    m_rest->send<std::vector<weft::FlowRecord>>(
        "POST", QStringLiteral("/flows/filter"), &body, context,
        [](RestAnswer a) {
            std::vector<weft::FlowRecord> out;
            for (const auto& f : a.body)
                out.push_back(weft::flow_from_json(f));
            return out;
        },
        [self, shared, done](Result<std::vector<weft::FlowRecord>> flows) {
            if (!flows) return done(QueryError{flows.error()});
            if (!self) return done(std::move(*shared));
            for (const auto& f : *flows)
                self->m_flowNames[f.id] = f.name;
            for (auto& r : *shared)
                if (r.flow_name.empty())
                    if (auto it = self->m_flowNames.find(r.flow_id); it != self->m_flowNames.end())
                        r.flow_name = it->second;
            done(std::move(*shared));
        });
}

void RemoteBackend::fetchFlowRuns(const weft::FlowRunQuery& q, QObject* context,
                                  Done<std::vector<weft::FlowRunRecord>> done) {
    done = noting(std::move(done));
    const auto sort = sortName(q.sort);
    if (!sort)
        return answerLater<std::vector<weft::FlowRunRecord>>(
            context, done,
            QueryError{tr("A server cannot sort flow runs this way: sort by start, name or end.")});
    json body;
    try {
        body = runFilter(q);
    } catch (const std::exception& e) {
        return answerLater<std::vector<weft::FlowRunRecord>>(
            context, done, QueryError{QString::fromUtf8(e.what())});
    }
    body["sort"] = *sort;
    QPointer<QObject> guard(context);
    QPointer<RemoteBackend> self(this);
    m_rest->postPaged(QStringLiteral("/flow_runs/filter"), std::move(body), q.limit, q.offset,
                      context, [guard, self, done](Result<json> rows) {
                          if (!rows) return done(QueryError{rows.error()});
                          auto shared = std::make_shared<json>(std::move(*rows));
                          runAsync<std::vector<weft::FlowRunRecord>>(
                              guard.data(), [shared] { return flowRuns(*shared); },
                              [guard, self, done](Result<std::vector<weft::FlowRunRecord>> runs) {
                                  if (!runs || !self) return done(std::move(runs));
                                  self->fillFlowNames(std::move(*runs), guard.data(), done);
                              });
                      });
}

void RemoteBackend::countFlowRuns(const weft::FlowRunQuery& q, QObject* context,
                                  Done<std::int64_t> done) {
    done = noting(std::move(done));
    json body;
    try {
        body = runFilter(q);
    } catch (const std::exception& e) {
        return answerLater<std::int64_t>(context, done, QueryError{QString::fromUtf8(e.what())});
    }
    m_rest->send<std::int64_t>(
        "POST", QStringLiteral("/flow_runs/count"), &body, context,
        [](RestAnswer a) { return a.body.get<std::int64_t>(); }, done);
}

void RemoteBackend::fetchFlowRun(const std::string& id, QObject* context,
                                 Done<std::optional<weft::FlowRunRecord>> done) {
    done = noting(std::move(done));
    if (!isUuid(id))
        return answerLater<std::optional<weft::FlowRunRecord>>(
            context, done,
            Result<std::optional<weft::FlowRunRecord>>(std::optional<weft::FlowRunRecord>()));
    QPointer<QObject> guard(context);
    QPointer<RemoteBackend> self(this);
    m_rest->send<std::optional<weft::FlowRunRecord>>(
        "GET", QStringLiteral("/flow_runs/%1").arg(QString::fromStdString(id)), nullptr, context,
        [](RestAnswer a) -> std::optional<weft::FlowRunRecord> {
            if (a.status == 404 || a.status == 422) return std::nullopt;
            return weft::flow_run_from_json(a.body);
        },
        [guard, self, done](Result<std::optional<weft::FlowRunRecord>> run) {
            if (!run || !*run || !self) return done(std::move(run));
            std::vector<weft::FlowRunRecord> one{std::move(**run)};
            self->fillFlowNames(std::move(one), guard.data(),
                                [done](Result<std::vector<weft::FlowRunRecord>> runs) {
                                    if (!runs) return done(QueryError{runs.error()});
                                    done(std::optional(std::move(runs->front())));
                                });
        },
        {404, 422});
}

// The API finds runs by whole ids only: a full id is looked up, a part of one is refused.
void RemoteBackend::fetchFlowRunIdsWithPrefix(const std::string& prefix, QObject* context,
                                              Done<std::vector<std::string>> done) {
    std::string id = prefix;
    std::transform(id.begin(), id.end(), id.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (!isUuid(id))
        return answerLater<std::vector<std::string>>(
            context, done,
            QueryError{tr("a server finds flow runs by their whole id (36 characters)")});
    fetchFlowRun(id, context, [done](Result<std::optional<weft::FlowRunRecord>> run) {
        if (!run) return done(QueryError{run.error()});
        done(*run ? std::vector<std::string>{(*run)->id} : std::vector<std::string>{});
    });
}

void RemoteBackend::fetchTaskRuns(const std::string& flowRunId, QObject* context,
                                  Done<std::vector<weft::TaskRunRecord>> done) {
    done = noting(std::move(done));
    const json body = {{"flow_runs", {{"id", {{"any_", {flowRunId}}}}}},
                       {"sort", "EXPECTED_START_TIME_ASC"}};
    QPointer<QObject> guard(context);
    QPointer<RemoteBackend> self(this);
    m_rest->postPaged(QStringLiteral("/task_runs/filter"), body, -1, 0, context,
                      [guard, self, done](Result<json> rows) {
                          if (!rows) return done(QueryError{rows.error()});
                          auto shared = std::make_shared<json>(std::move(*rows));
                          runAsync<std::vector<weft::TaskRunRecord>>(
                              guard.data(),
                              [shared] {
                                  std::vector<weft::TaskRunRecord> out;
                                  for (const auto& t : *shared)
                                      out.push_back(weft::task_run_from_json(t));
                                  return out;
                              },
                              [self, done](Result<std::vector<weft::TaskRunRecord>> tasks) {
                                  if (tasks && self) {
                                      if (self->m_taskRuns.size() > 500'000)
                                          self->m_taskRuns.clear();
                                      for (const auto& t : *tasks) {
                                          self->m_knownRuns.insert(t.id);
                                          self->m_taskRuns.insert(t.id);
                                      }
                                  }
                                  done(std::move(tasks));
                              });
                      });
}

// A flow run's states, or (none found) a task run's; a task run this backend listed is asked
// for directly.
void RemoteBackend::fetchStateHistory(const std::string& runId, QObject* context,
                                      Done<std::vector<weft::State>> done) {
    done = noting(std::move(done));
    auto states = [](RestAnswer a) {
        std::vector<weft::State> out;
        if (a.status == 404 || a.status == 422) return out;
        for (const auto& s : a.body)
            out.push_back(weft::state_from_json(s));
        return out;
    };
    const QString id = QString::fromStdString(runId);
    if (m_taskRuns.count(runId)) { // known to be a task run: one request, not two
        m_rest->send<std::vector<weft::State>>(
            "GET", QStringLiteral("/task_run_states/?task_run_id=%1").arg(id), nullptr, context,
            states, done, {404, 422});
        return;
    }
    QPointer<QObject> guard(context);
    QPointer<RestClient> rest(m_rest);
    m_rest->send<std::vector<weft::State>>(
        "GET", QStringLiteral("/flow_run_states/?flow_run_id=%1").arg(id), nullptr, context, states,
        [guard, rest, id, states, done](Result<std::vector<weft::State>> flow) {
            if (!flow || !flow->empty() || !rest) return done(std::move(flow));
            rest->send<std::vector<weft::State>>(
                "GET", QStringLiteral("/task_run_states/?task_run_id=%1").arg(id), nullptr,
                guard.data(), states, done, {404, 422});
        },
        {404, 422});
}

void RemoteBackend::fetchLogs(const weft::LogQuery& q, QObject* context,
                              Done<std::vector<weft::LogRecord>> done) {
    m_logs->fetch(q, context, noting(std::move(done)));
}

void RemoteBackend::fetchLogIds(const weft::LogQuery& q, QObject* context, IdChunk chunk) {
    Done<std::vector<std::int64_t>> done = [chunk](Result<std::vector<std::int64_t>> ids) {
        chunk(std::move(ids), true);
    };
    m_logs->fetchIds(q, context, noting(std::move(done)));
}

void RemoteBackend::fetchLogNames(const std::string& flowRunId, QObject* context,
                                  Done<std::vector<std::string>> done) {
    m_logs->fetchNames(flowRunId, context, std::move(done));
}

// From flow_runs/history: runs per bucket and state, and the totals they add up to (exact); the
// per-flow statistics and recent failures from the newest runs of the range.
void RemoteBackend::fetchDashboard(weft::Micros from, weft::Micros to, int buckets,
                                   QObject* context, Done<DashboardData> done) {
    done = noting(std::move(done));
    buckets = std::max(1, buckets);
    const weft::Micros interval =
        std::max<weft::Micros>(1'000'000, (to - from + buckets - 1) / buckets);
    const json history = {{"history_start", weft::to_iso(from)},
                          {"history_end", weft::to_iso(from + interval * buckets)},
                          {"history_interval_seconds", weft::to_seconds(interval)}};
    QPointer<QObject> guard(context);
    QPointer<RemoteBackend> self(this);
    m_rest->send<DashboardData>(
        "POST", QStringLiteral("/flow_runs/history"), &history, context,
        [from, interval, buckets](RestAnswer a) {
            DashboardData d;
            for (int i = 0; i < buckets; ++i)
                d.buckets.push_back({from + i * interval, {}});
            for (const auto& b : a.body) {
                const weft::Micros start =
                    weft::from_iso(b.value("interval_start", "")).value_or(from);
                const auto index = std::size_t(std::max<weft::Micros>(0, start - from) / interval);
                for (const auto& s : b.value("states", json::array())) {
                    const auto type = weft::state_type_from_string(s.value("state_type", ""));
                    const int n = s.value("count_runs", 0);
                    if (!type) continue;
                    if (index < d.buckets.size()) d.buckets[index].runsByState[*type] += n;
                    d.totalRuns += n;
                    if (*type == weft::StateType::Completed) d.completed += n;
                    if (*type == weft::StateType::Failed || *type == weft::StateType::Crashed)
                        d.failed += n;
                }
            }
            d.successRate = weft::success_rate(d.completed, d.failed);
            return d;
        },
        [guard, self, from, to, done](Result<DashboardData> d) {
            if (!d || !self) return done(std::move(d));
            // Per-flow statistics and recent failures from the newest runs of the range: Prefect
            // has no endpoint for them. Past kStatsRuns runs they describe the newest ones.
            weft::FlowRunQuery recent;
            recent.expected_after = from;
            recent.expected_before = to;
            recent.limit = kStatsRuns;
            auto data = std::make_shared<DashboardData>(std::move(*d));
            self->fetchFlowRuns(recent, guard.data(),
                                [data, done](Result<std::vector<weft::FlowRunRecord>> runs) {
                                    if (!runs) return done(QueryError{runs.error()});
                                    addFlowStats(*data, std::move(*runs));
                                    done(std::move(*data));
                                });
        });
}

void RemoteBackend::proposeState(const char* runs, const std::string& id, const weft::State& state,
                                 bool force, QObject* context, Done<CommandResult> done) {
    // Only what Prefect's StateCreate has: the server stamps the id and the time.
    json s = {
        {"type", std::string(weft::to_string(state.type))},
        {"name", state.name.empty() ? std::string(weft::default_name(state.type)) : state.name}};
    if (!state.message.empty()) s["message"] = state.message;
    if (state.details.is_object() && !state.details.empty()) s["state_details"] = state.details;
    json body = {{"state", s}};
    if (force) body["force"] = true;
    m_rest->send<CommandResult>(
        "POST",
        QStringLiteral("/%1/%2/set_state").arg(QLatin1String(runs), QString::fromStdString(id)),
        &body, context, [](RestAnswer a) { return commandResult(a.body); },
        [done](Result<CommandResult> r) {
            if (!r) return done(CommandResult{false, r.error(), std::nullopt});
            done(std::move(*r));
        });
}

void RemoteBackend::setFlowRunState(const std::string& id, const weft::State& state, bool force,
                                    QObject* context, Done<CommandResult> done) {
    proposeState("flow_runs", id, state, force, context, std::move(done));
}

void RemoteBackend::setTaskRunState(const std::string& id, const weft::State& state, bool force,
                                    QObject* context, Done<CommandResult> done) {
    proposeState("task_runs", id, state, force, context, std::move(done));
}

void RemoteBackend::cancelFlowRun(const std::string& id, QObject* context,
                                  Done<CommandResult> done) {
    weft::State s;
    s.type = weft::StateType::Cancelling;
    s.name = "Cancelling";
    s.message = "Cancelled from Weft Studio.";
    proposeState("flow_runs", id, s, false, context, std::move(done));
}

void RemoteBackend::deleteFlowRun(const std::string& id, QObject* context,
                                  Done<CommandResult> done) {
    m_rest->send<CommandResult>(
        "DELETE", QStringLiteral("/flow_runs/%1").arg(QString::fromStdString(id)), nullptr, context,
        [](RestAnswer) {
            return CommandResult{true, {}, std::nullopt};
        },
        [done](Result<CommandResult> r) {
            if (!r) return done(CommandResult{false, r.error(), std::nullopt});
            done(std::move(*r));
        });
}

void RemoteBackend::runFlowAgain(const std::string&, const nlohmann::json&, QObject* context,
                                 Done<CommandResult> done) {
    answerLater<CommandResult>(
        context, done,
        CommandResult{false,
                      tr("Studio cannot start flow programs on a server: run a deployment "
                         "there, or retry this run (a worker picks it up)."),
                      std::nullopt});
}

// ---- live updates ---------------------------------------------------------------------------

void RemoteBackend::onEvents(std::vector<weft::Event> events) {
    for (weft::Event& e : events) {
        // A run new to this backend is announced as created: the models fetch it whole.
        if (e.kind == weft::EventKind::FlowRunState || e.kind == weft::EventKind::TaskRunState) {
            if (m_knownRuns.insert(e.run_id).second)
                e.kind = e.kind == weft::EventKind::FlowRunState ? weft::EventKind::FlowRunCreated
                                                                 : weft::EventKind::TaskRunCreated;
            if (e.kind == weft::EventKind::FlowRunState
                || e.kind == weft::EventKind::FlowRunCreated)
                sawFlowRun(e.run_id);
        }
        if (!e.flow_run_id.empty() && m_logs->watches(e.flow_run_id)) {
            m_logRuns.insert(e.flow_run_id);
            if (!m_logTimer.isActive()) m_logTimer.start();
        }
        e.seq = ++m_seq;
        m_pending.push_back(std::move(e));
    }
    if (!m_pending.empty() && !m_batchTimer.isActive()) m_batchTimer.start();
}

void RemoteBackend::deliver() {
    if (m_pending.empty()) return;
    auto batch = std::make_shared<std::vector<weft::Event>>(std::move(m_pending));
    m_pending.clear();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - m_rateWindowStart >= 1000) {
        const double seconds = m_rateWindowStart ? (now - m_rateWindowStart) / 1000.0 : 1.0;
        Q_EMIT eventRateChanged(m_rateCount / seconds);
        m_rateWindowStart = now;
        m_rateCount = 0;
    }
    m_rateCount += int(batch->size());
    Q_EMIT eventsArrived(EventBatch(std::move(batch)));
}

// A server sends no events for log lines: after a watched run's state events its new lines are
// read, and announced as a Logs event as the local change feed would.
void RemoteBackend::refreshLogs() {
    const auto runs = std::move(m_logRuns);
    m_logRuns.clear();
    for (const std::string& run : runs)
        m_logs->refresh(run, [self = QPointer<RemoteBackend>(this), run](std::int64_t lastId) {
            if (!self || lastId <= 0) return;
            weft::Event e;
            e.kind = weft::EventKind::Logs;
            e.run_id = e.flow_run_id = run;
            e.ts = weft::now_us();
            e.payload = {{"last_id", lastId}};
            self->onEvents({std::move(e)});
        });
}

} // namespace weft::studio

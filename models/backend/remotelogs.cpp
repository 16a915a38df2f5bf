#include "backend/remotelogs.h"

#include <weft/record_json.hpp>

#include <QString>
#include <algorithm>

namespace weft::studio {

using nlohmann::json;

struct RemoteLogs::Store {
    mutable std::mutex mutex;
    std::int64_t nextId = 1;
    std::unordered_map<std::string, std::int64_t> idOf; // server id → ours
    std::unordered_map<std::int64_t, weft::LogRecord> lines;
    struct Run {
        std::vector<std::int64_t> ids; // in the order they were numbered
        weft::Micros newest = 0;       // the latest timestamp seen
    };
    std::unordered_map<std::string, Run> runs; // runs whose lines were loaded

    /// Numbers the rows not seen yet; answers the ids of all of them, in order.
    std::vector<std::int64_t> add(const json& rows) {
        std::vector<weft::LogRecord> parsed;
        std::vector<std::string> keys;
        parsed.reserve(rows.size());
        for (const auto& row : rows) { // parsed before the lock: the slow part
            parsed.push_back(weft::log_from_json(row));
            keys.push_back(row.contains("id") ? row["id"].dump() : std::string());
        }
        std::lock_guard lock(mutex);
        std::vector<std::int64_t> ids;
        ids.reserve(parsed.size());
        for (std::size_t i = 0; i < parsed.size(); ++i) {
            auto [it, fresh] = idOf.try_emplace(keys[i], 0);
            if (fresh || keys[i].empty()) {
                it->second = nextId++;
                weft::LogRecord& r = parsed[i];
                r.id = it->second;
                Run& run = runs[r.flow_run_id];
                run.ids.push_back(r.id);
                run.newest = std::max(run.newest, r.timestamp);
                lines.emplace(r.id, std::move(r));
            }
            ids.push_back(it->second);
        }
        return ids;
    }
};

namespace {

constexpr weft::Micros kOverlap = 60'000'000;
constexpr int kAllRunsLines = 10000;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// What the server cannot filter by, done here: id bounds, logger names and the words of a
// search (all must occur, case ignored).
bool wanted(const weft::LogRecord& r, const weft::LogQuery& q,
            const std::vector<std::string>& words) {
    if (q.after_id && r.id <= q.after_id) return false;
    if (q.before_id && r.id >= q.before_id) return false;
    if (!q.task_run_id.empty() && r.task_run_id != q.task_run_id) return false;
    if (q.min_level && r.level < q.min_level) return false;
    if (!q.names.empty() && std::find(q.names.begin(), q.names.end(), r.name) == q.names.end())
        return false;
    if (words.empty()) return true;
    const std::string text = lower(r.message);
    return std::all_of(words.begin(), words.end(),
                       [&](const std::string& w) { return text.find(w) != std::string::npos; });
}

std::vector<std::string> wordsOf(const std::string& text) {
    std::vector<std::string> out;
    for (const QString& w : QString::fromStdString(text).split(u' ', Qt::SkipEmptyParts))
        out.push_back(lower(w.toStdString()));
    return out;
}

QueryError rawSearchRefused() {
    return QueryError{QStringLiteral("A server has no full-text log search: search for words "
                                     "instead of a raw query.")};
}

} // namespace

RemoteLogs::RemoteLogs(RestClient* rest, QObject* parent)
    : QObject(parent)
    , m_rest(rest)
    , m_store(std::make_shared<Store>()) {}

bool RemoteLogs::watches(const std::string& flowRunId) const {
    std::lock_guard lock(m_store->mutex);
    return m_store->runs.count(flowRunId) > 0;
}

json RemoteLogs::filterBody(const weft::LogQuery& q, bool sinceLast) const {
    json logs = json::object();
    std::vector<std::string> runs = q.flow_run_ids;
    if (!q.flow_run_id.empty()) runs.push_back(q.flow_run_id);
    if (!runs.empty()) logs["flow_run_id"]["any_"] = runs;
    if (!q.task_run_id.empty()) logs["task_run_id"]["any_"] = {q.task_run_id};
    if (q.min_level > 0) logs["level"]["ge_"] = q.min_level;
    if (sinceLast && !q.flow_run_id.empty()) {
        std::lock_guard lock(m_store->mutex);
        auto it = m_store->runs.find(q.flow_run_id);
        // Lines come again from a while before the newest seen (and are recognised by their
        // ids): writers' clocks differ, and a line may be stored after a later one.
        if (it != m_store->runs.end() && it->second.newest)
            logs["timestamp"]["after_"] = weft::to_iso(it->second.newest - kOverlap);
    }
    json body = {{"sort", "TIMESTAMP_ASC"}};
    if (!logs.empty()) body["logs"] = logs;
    return body;
}

void RemoteLogs::fetchIds(const weft::LogQuery& q, QObject* context,
                          std::function<void(Result<std::vector<std::int64_t>>)> done) {
    if (!q.fts_query.empty()) {
        QMetaObject::invokeMethod(
            context, [done] { done(rawSearchRefused()); }, Qt::QueuedConnection);
        return;
    }
    auto store = m_store;
    auto select = [store, q](bool fromStore, const json& rows) {
        const auto words = wordsOf(q.text);
        std::vector<std::int64_t> ids = fromStore ? std::vector<std::int64_t>{} : store->add(rows);
        std::lock_guard lock(store->mutex);
        // A run's loaded lines are followed from now on, even when it has none yet.
        if (!fromStore && !q.flow_run_id.empty()) store->runs.try_emplace(q.flow_run_id);
        if (fromStore) {
            auto it = store->runs.find(q.flow_run_id);
            if (it != store->runs.end()) ids = it->second.ids;
        }
        std::vector<std::int64_t> out;
        for (std::int64_t id : ids)
            if (auto l = store->lines.find(id);
                l != store->lines.end() && wanted(l->second, q, words))
                out.push_back(id);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    };
    if (q.after_id > 0 && !q.flow_run_id.empty() && watches(q.flow_run_id)) {
        runAsync<std::vector<std::int64_t>>(
            context, [select] { return select(true, json::array()); }, std::move(done));
        return;
    }
    QPointer<QObject> guard(context);
    // Every run's lines (no run named): the newest kAllRunsLines of them, not the whole server.
    const bool allRuns = q.flow_run_id.empty() && q.flow_run_ids.empty();
    json body = filterBody(q, false);
    if (allRuns) body["sort"] = "TIMESTAMP_DESC";
    m_rest->postPaged(QStringLiteral("/logs/filter"), std::move(body), allRuns ? kAllRunsLines : -1,
                      0, context, [guard, select, done, allRuns](Result<json> rows) {
                          if (!rows) return done(QueryError{rows.error()});
                          if (allRuns) std::reverse(rows->begin(), rows->end()); // oldest first
                          auto shared = std::make_shared<json>(std::move(*rows));
                          runAsync<std::vector<std::int64_t>>(
                              guard.data(), [select, shared] { return select(false, *shared); },
                              done);
                      });
}

void RemoteLogs::fetch(const weft::LogQuery& q, QObject* context,
                       Backend::Done<std::vector<weft::LogRecord>> done) {
    auto store = m_store;
    if (!q.ids.empty()) { // a window of lines already numbered
        runAsync<std::vector<weft::LogRecord>>(
            context,
            [store, ids = q.ids] {
                std::lock_guard lock(store->mutex);
                std::vector<weft::LogRecord> out;
                for (std::int64_t id : ids)
                    if (auto l = store->lines.find(id); l != store->lines.end())
                        out.push_back(l->second);
                std::sort(out.begin(), out.end(),
                          [](const auto& a, const auto& b) { return a.id < b.id; });
                return out;
            },
            std::move(done));
        return;
    }
    if (!q.fts_query.empty()) {
        QMetaObject::invokeMethod(
            context, [done] { done(rawSearchRefused()); }, Qt::QueuedConnection);
        return;
    }
    QPointer<QObject> guard(context);
    m_rest->postPaged(QStringLiteral("/logs/filter"), filterBody(q, false), -1, 0, context,
                      [guard, store, q, done](Result<json> rows) {
                          if (!rows) return done(QueryError{rows.error()});
                          auto shared = std::make_shared<json>(std::move(*rows));
                          runAsync<std::vector<weft::LogRecord>>(
                              guard.data(),
                              [store, q, shared] {
                                  const auto ids = store->add(*shared);
                                  const auto words = wordsOf(q.text);
                                  std::lock_guard lock(store->mutex);
                                  std::vector<weft::LogRecord> out;
                                  for (std::int64_t id : ids)
                                      if (auto l = store->lines.find(id);
                                          l != store->lines.end() && wanted(l->second, q, words))
                                          out.push_back(l->second);
                                  if (q.newest_first) std::reverse(out.begin(), out.end());
                                  const auto skip =
                                      std::min<std::size_t>(out.size(), std::size_t(q.offset));
                                  out.erase(out.begin(), out.begin() + std::ptrdiff_t(skip));
                                  if (q.limit >= 0 && out.size() > std::size_t(q.limit))
                                      out.resize(q.limit);
                                  return out;
                              },
                              done);
                      });
}

void RemoteLogs::fetchNames(const std::string& flowRunId, QObject* context,
                            Backend::Done<std::vector<std::string>> done) {
    runAsync<std::vector<std::string>>(
        context,
        [store = m_store, flowRunId] {
            std::lock_guard lock(store->mutex);
            std::vector<std::string> names;
            auto add = [&](const std::vector<std::int64_t>& ids) {
                for (std::int64_t id : ids)
                    names.push_back(store->lines.at(id).name);
            };
            if (flowRunId.empty())
                for (const auto& [_, run] : store->runs)
                    add(run.ids);
            else if (auto it = store->runs.find(flowRunId); it != store->runs.end())
                add(it->second.ids);
            std::sort(names.begin(), names.end());
            names.erase(std::unique(names.begin(), names.end()), names.end());
            return names;
        },
        std::move(done));
}

void RemoteLogs::refresh(const std::string& flowRunId, std::function<void(std::int64_t)> done) {
    if (!watches(flowRunId)) return done(0);
    weft::LogQuery q;
    q.flow_run_id = flowRunId;
    auto store = m_store;
    const std::size_t before = [&] {
        std::lock_guard lock(store->mutex);
        return store->runs[flowRunId].ids.size();
    }();
    m_rest->postPaged(QStringLiteral("/logs/filter"), filterBody(q, true), -1, 0, this,
                      [this, store, flowRunId, before, done](Result<json> rows) {
                          if (!rows) return done(0);
                          auto shared = std::make_shared<json>(std::move(*rows));
                          runAsync<std::int64_t>(
                              this,
                              [store, shared, flowRunId, before] {
                                  store->add(*shared);
                                  std::lock_guard lock(store->mutex);
                                  const auto& ids = store->runs[flowRunId].ids;
                                  return ids.size() > before ? ids.back() : std::int64_t(0);
                              },
                              [done](Result<std::int64_t> last) { done(last ? *last : 0); });
                      });
}

} // namespace weft::studio

#pragma once
// Log lines of a remote server for the log views, which address lines by increasing integer ids
// (the local store's). A server names its lines by UUIDs and offers neither ids nor text search,
// so lines are numbered here in the order they are first seen, kept, and searched and filtered
// by logger name on this side.
#include "backend/backend.h"
#include "backend/restclient.h"

#include <mutex>
#include <unordered_map>

namespace weft::studio {

class RemoteLogs : public QObject {
    Q_OBJECT
public:
    explicit RemoteLogs(RestClient* rest, QObject* parent = nullptr);

    /// Base loads (no after_id) read the server; live reads (after_id set) answer from what
    /// refresh() brought.
    void fetchIds(const weft::LogQuery& q, QObject* context,
                  std::function<void(Result<std::vector<std::int64_t>>)> done);
    /// Lines by id (a view's window) from what was seen, or any other query from the server.
    void fetch(const weft::LogQuery& q, QObject* context,
               Backend::Done<std::vector<weft::LogRecord>> done);
    void fetchNames(const std::string& flowRunId, QObject* context,
                    Backend::Done<std::vector<std::string>> done);
    /// Reads the new lines of a flow run whose lines a view has loaded; `done` gets the highest
    /// id so far when lines were added (0 when none, or the run is not watched).
    void refresh(const std::string& flowRunId, std::function<void(std::int64_t lastId)> done);
    bool watches(const std::string& flowRunId) const;

    struct Store; // shared with the worker threads

private:
    nlohmann::json filterBody(const weft::LogQuery& q, bool sinceLast) const;

    RestClient* m_rest;
    std::shared_ptr<Store> m_store;
};

} // namespace weft::studio

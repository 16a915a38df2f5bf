// The flow_run_pauses table: what each pause of a flow run declared and was resumed with.
#include "sqlite/sqlite_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace weft::sqlite {

namespace {

std::string json_text(const nlohmann::json& j) {
    return j.dump();
}

nlohmann::json json_column(const SQLite::Column& c) {
    if (c.isNull()) return nullptr;
    auto j = nlohmann::json::parse(c.getString(), nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
}

} // namespace

std::optional<PauseRecord> SqliteReader::pause(const std::string& flow_run_id,
                                               const std::string& key) {
    auto st = cached("SELECT input_schema, input, created, resumed FROM flow_run_pauses "
                     "WHERE flow_run_id = ? AND pause_key = ?");
    st->bind(1, flow_run_id);
    st->bind(2, key);
    if (!st->executeStep()) return std::nullopt;
    PauseRecord p;
    p.flow_run_id = flow_run_id;
    p.key = key;
    p.schema = json_column(st->getColumn(0));
    p.input = json_column(st->getColumn(1));
    p.created = st->getColumn(2).getInt64();
    if (!st->getColumn(3).isNull()) p.resumed = st->getColumn(3).getInt64();
    return p;
}

void SqliteWriter::put_pause(const PauseRecord& p) {
    auto st = m_reader.cached("INSERT OR REPLACE INTO flow_run_pauses(flow_run_id, pause_key, "
                              "input_schema, input, created, resumed) VALUES (?, ?, ?, ?, ?, ?)");
    st->bind(1, p.flow_run_id);
    st->bind(2, p.key);
    if (p.schema.is_null())
        st->bind(3);
    else
        st->bind(3, json_text(p.schema));
    if (p.input.is_null())
        st->bind(4);
    else
        st->bind(4, json_text(p.input));
    st->bind(5, static_cast<int64_t>(p.created));
    if (p.resumed)
        st->bind(6, static_cast<int64_t>(*p.resumed));
    else
        st->bind(6);
    st->exec();
}

} // namespace weft::sqlite

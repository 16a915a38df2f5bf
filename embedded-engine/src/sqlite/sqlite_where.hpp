#pragma once
// A WHERE clause built up condition by condition, its values bound in order; shared by the
// reader's queries (sqlite_reader.cpp) and Prefect's filter grammar (sqlite_filters.cpp).
#include "weft/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <cstdint>
#include <string>
#include <vector>

namespace weft::sqlite {

// Builds the WHERE clause of a query; values are bound in order.
struct Where {
    std::string sql;
    std::vector<std::string> text_args;
    std::vector<std::int64_t> int_args;
    std::vector<char> order; // 't' or 'i' per placeholder

    void add(const std::string& clause) {
        sql += sql.empty() ? " WHERE " : " AND ";
        sql += clause;
    }
    void text(std::string v) {
        text_args.push_back(std::move(v));
        order.push_back('t');
    }
    void integer(std::int64_t v) {
        int_args.push_back(v);
        order.push_back('i');
    }
    void bind(SQLite::Statement& st) const {
        size_t t = 0, i = 0;
        for (size_t n = 0; n < order.size(); ++n) {
            if (order[n] == 't')
                st.bind(int(n + 1), text_args[t++]);
            else
                st.bind(int(n + 1), static_cast<int64_t>(int_args[i++]));
        }
    }
    std::string placeholders(size_t n) {
        std::string s = "(";
        for (size_t k = 0; k < n; ++k)
            s += k ? ",?" : "?";
        return s + ")";
    }
};

/// Adds FlowRunQuery's filter-grammar fields (flow_ids, not_ids, names, …) to `w`.
void add_flow_run_filters(Where& w, const FlowRunQuery& q);
/// Adds LogQuery's filter-grammar fields (flow_run_ids, max_level, timestamps, no_task_run).
void add_log_filters(Where& w, const LogQuery& q);

} // namespace weft::sqlite

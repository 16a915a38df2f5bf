#include "event_printer.hpp"

#include "format.hpp"
#include "table.hpp"

#include <cstdio>

namespace weft::cli {

namespace {

std::string detail_of(const Event& e) {
    if (e.state) return state_with_message(*e.state);
    if (e.payload.is_null()) return {};
    return e.payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

void EventPrinter::print(const Event& e) {
    const bool color = m_cli.color();
    char seq[24];
    if (e.seq > 0)
        std::snprintf(seq, sizeof seq, "%8lld", static_cast<long long>(e.seq));
    else
        std::snprintf(seq, sizeof seq, "%8s", "-");
    std::string kind(to_string(e.kind));
    kind.resize(18, ' ');
    std::string run = run_label(e);
    m_run_width = std::max(m_run_width, run.size());
    run.resize(m_run_width, ' ');
    const auto color_of_detail = e.state ? state_color(e.state->type) : std::string_view();
    m_cli.out() << seq << "  " << paint(local_time(e.ts), ansi::dim, color) << "  " << kind << "  "
                << run << "  " << paint(truncate_display(detail_of(e), 120), color_of_detail, color)
                << '\n';
}

// Remembered per run: a label may cost a look-up.
const std::string& EventPrinter::run_label(const Event& e) {
    static const std::string none = "-";
    if (e.run_id.empty()) return none;
    auto [it, added] = m_labels.try_emplace(e.run_id);
    if (added) it->second = m_label(e);
    return it->second;
}

void print_json_line(Cli& cli, const nlohmann::json& value) {
    cli.out() << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

} // namespace weft::cli

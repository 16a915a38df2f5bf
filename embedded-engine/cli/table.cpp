#include "table.hpp"

#include "format.hpp"

#include <algorithm>

namespace weft::cli {

namespace {
bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Control characters (a newline in a run name or message) would break the table's lines.
std::string one_line(std::string text) {
    for (auto& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    return text;
}
} // namespace

size_t display_width(std::string_view text) {
    return size_t(
        std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation(c); }));
}

std::string truncate_display(const std::string& text, size_t width) {
    if (width == 0 || display_width(text) <= width) return text;
    size_t chars = 0, pos = 0;
    for (; pos < text.size(); ++pos) {
        if (is_continuation(text[pos])) continue;
        if (chars == width - 1) break;
        ++chars;
    }
    return text.substr(0, pos) + "…";
}

Table::Table(std::vector<std::string> headers)
    : m_headers(std::move(headers))
    , m_max_width(m_headers.size(), 0) {}

void Table::add_row(std::vector<Cell> cells) {
    cells.resize(m_headers.size());
    for (size_t i = 0; i < cells.size(); ++i)
        cells[i].text = truncate_display(one_line(std::move(cells[i].text)), m_max_width[i]);
    m_rows.push_back(std::move(cells));
}

void Table::set_max_width(size_t column, size_t width) {
    if (column < m_max_width.size()) m_max_width[column] = width;
}

void Table::print(std::ostream& out, bool color) const {
    std::vector<size_t> widths(m_headers.size());
    for (size_t i = 0; i < m_headers.size(); ++i)
        widths[i] = display_width(m_headers[i]);
    for (const auto& row : m_rows)
        for (size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], display_width(row[i].text));

    auto print_line = [&](auto&& text_of, auto&& color_of) {
        std::string line;
        for (size_t i = 0; i < widths.size(); ++i) {
            const std::string& text = text_of(i);
            line += paint(text, color_of(i), color);
            if (i + 1 < widths.size()) line.append(widths[i] - display_width(text) + 2, ' ');
        }
        out << line << '\n';
    };
    print_line([&](size_t i) -> const std::string& { return m_headers[i]; },
               [](size_t) { return ansi::bold; });
    for (const auto& row : m_rows)
        print_line([&](size_t i) -> const std::string& { return row[i].text; },
                   [&](size_t i) { return row[i].color; });
}

} // namespace weft::cli

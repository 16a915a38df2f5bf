#pragma once
// Aligned text tables for human output.
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace weft::cli {

struct Cell {
    std::string text;
    std::string_view color = {}; // an ansi:: code; shown only when colours are on
};

class Table {
public:
    explicit Table(std::vector<std::string> headers);

    void add_row(std::vector<Cell> cells);
    /// Longer cells in that column are cut with an ellipsis (for free text such as messages).
    void set_max_width(size_t column, size_t width);
    bool empty() const { return m_rows.empty(); }

    /// Headers, then rows; columns two spaces apart, the last one not padded.
    void print(std::ostream& out, bool color) const;

private:
    std::vector<std::string> m_headers;
    std::vector<std::vector<Cell>> m_rows;
    std::vector<size_t> m_max_width;
};

/// Characters as a terminal shows them (UTF-8 code points, not bytes).
size_t display_width(std::string_view text);
/// Cuts `text` to `width` display characters, the last one an ellipsis when anything was cut.
std::string truncate_display(const std::string& text, size_t width);

} // namespace weft::cli

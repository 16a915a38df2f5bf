#pragma once
// The project template `weft new` writes (templates/project/ in the source tree, compiled in by
// CMake into template_files.cpp). "@NAME@" and "@WEFT_VERSION@" in the texts are placeholders.
#include <cstddef>

namespace weft::cli {

struct TemplateFile {
    const char* path; // relative to the project folder
    const char* text;
};
extern const TemplateFile project_template[];
extern const std::size_t project_template_size;

} // namespace weft::cli

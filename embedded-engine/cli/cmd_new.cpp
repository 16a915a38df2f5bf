// weft new PATH: a minimal flow project (CMakeLists.txt, one flow with a task, a README) that
// builds against an installed Weft.
#include "commands.hpp"
#include "template_files.hpp"

#include <filesystem>
#include <fstream>
#include <regex>

namespace weft::cli {

namespace {

namespace fs = std::filesystem;

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

void new_project(Cli& cli, const std::string& path) {
    const fs::path dir = fs::path(path).lexically_normal();
    const std::string name = (dir.has_filename() ? dir.filename() : dir.parent_path().filename());
    // The name becomes a CMake project, an executable and a flow name.
    if (!std::regex_match(name, std::regex("[A-Za-z][A-Za-z0-9_-]*")))
        throw usage_error("'" + name
                          + "' cannot name a project: use a letter, then letters, digits, '-' or "
                            "'_'");
    std::error_code ec;
    if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec)))
        throw CliError("'" + dir.string() + "' already exists and is not an empty folder");
    // find_package(Weft MAJOR.MINOR): the version of this weft, which the project was made for.
    const std::string full = WEFT_VERSION;
    const std::string version = full.substr(0, full.rfind('.'));
    for (std::size_t i = 0; i < project_template_size; ++i) {
        const fs::path file = dir / project_template[i].path;
        fs::create_directories(file.parent_path(), ec);
        std::ofstream out(file, std::ios::binary);
        out << replace_all(replace_all(project_template[i].text, "@NAME@", name), "@WEFT_VERSION@",
                           version);
        if (!out.flush()) throw CliError("cannot write " + file.string());
    }
    cli.out() << "Created the flow project '" << name << "' in " << dir.string() << ".\n"
              << "Build it and run its flow:\n"
              << "  cd " << dir.string() << " && cmake -B build && cmake --build build && build/"
              << name << "\n";
}

} // namespace

void add_new_command(CLI::App& app, Cli& cli) {
    auto* cmd = app.add_subcommand(
        "new", "Create a flow project (CMakeLists.txt, a flow with a task) in a new folder");
    auto path = std::make_shared<std::string>();
    cmd->add_option("PATH", *path, "The folder to create; its name names the project and flow")
        ->required();
    cmd->callback([&cli, path] { new_project(cli, *path); });
}

} // namespace weft::cli

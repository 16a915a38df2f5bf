// A flow program the worker tests deploy: quick runs that note each execution, a run that waits
// (for a kill -9 or a cancellation) after its first task, and one whose second task fails until
// a file exists; and one with parameters of many types, whose schema `weft deploy` sends.
#include <weft/weft.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace {

auto twice = weft::task("twice", [](int n) { return 2 * n; }).params({"n"});

// Appends `n` to `file` each time its body runs: a run executed twice shows up twice.
auto note = weft::task("note", [](std::string file, int n) {
                std::ofstream(file, std::ios::app) << n << '\n';
                return n;
            }).params({"file", "n"});

auto quick = weft::flow("quick",
                        [](int n, std::string file) {
                            if (!file.empty()) note(file, n);
                            return twice(n);
                        })
                 .params({"n", "file"})
                 .defaults({{"n", 1}, {"file", ""}});

auto first = weft::task("first", [] { return 1; });

// Waits until `go` exists (at most 60 s), stopping when the run is cancelled.
auto wait_for = weft::task("wait_for", [](std::string go) {
                    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
                    while (!std::filesystem::exists(go)) {
                        weft::check_cancelled();
                        if (std::chrono::steady_clock::now() > until)
                            throw std::runtime_error("nobody created " + go);
                        std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    }
                    return 2;
                }).params({"go"});

auto waits =
    weft::flow("waits", [](std::string go) { return first() + wait_for(go); }).params({"go"});

// Fails until `go` exists: a run's second task that fails once, for retries from a task run.
auto check = weft::task("check", [](int x, std::string go) {
                 if (!std::filesystem::exists(go)) throw std::runtime_error("no " + go + " yet");
                 return x + 1;
             }).params({"x", "go"});

auto flaky = weft::flow("flaky", [](std::string go) { return check(first(), go); }).params({"go"});

auto typed =
    weft::flow("typed",
               [](int n, double rate, std::string label, bool dry, std::vector<std::string> names) {
                   return label + ":" + std::to_string(n * rate) + (dry ? " dry" : "") + " x"
                          + std::to_string(names.size());
               })
        .params({"n", "rate", "label", "dry", "names"})
        .defaults({{"dry", false}})
        .description("Parameters of every kind");

} // namespace

int main(int argc, char** argv) {
    return weft::main(argc, argv, {quick, waits, flaky, typed});
}

// A flow program the lifecycle tests drive through files in a folder (--param dir=…), so they
// wait on conditions instead of sleeping: `gate` appends a line to `ran` each time it runs (a
// task that must not run twice), creates `ready`, then waits until `release` exists (or its flow
// run is cancelled) and fails if `fail` exists; while it waits, it logs "tick seen" and creates
// `ticked` once `tick` exists. `retried` fails while `fail-first` exists and retries the flow an
// hour later.
#include <weft/weft.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

bool exists(const std::string& dir, const char* name) {
    return fs::exists(fs::path(dir) / name);
}

auto before = weft::task("before", [](std::string dir) { return dir.size(); }).params({"dir"});

auto gate = weft::task("gate", [](std::string dir) {
                std::ofstream(fs::path(dir) / "ran", std::ios::app) << getpid() << '\n';
                weft::log().info("waiting at the gate");
                std::ofstream(fs::path(dir) / "ready") << getpid() << '\n';
                // The program, not the test, polls: the test only creates files.
                bool ticked = false;
                while (!exists(dir, "release")) {
                    weft::check_cancelled();
                    if (!ticked && exists(dir, "tick")) {
                        weft::log().info("tick seen");
                        std::ofstream(fs::path(dir) / "ticked") << getpid() << '\n';
                        ticked = true;
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
                if (exists(dir, "fail")) throw std::runtime_error("told to fail");
                return 1;
            }).params({"dir"});

auto gated = weft::flow("gated", [](std::string dir) {
                 before(dir);
                 return gate(dir);
             }).params({"dir"});

auto retried = weft::flow("retried",
                          [](std::string dir) {
                              if (exists(dir, "fail-first"))
                                  throw std::runtime_error("fail-first exists");
                              return 1;
                          })
                   .params({"dir"})
                   .retries(1)
                   .retry_delay(3600);

} // namespace

int main(int argc, char** argv) {
    return weft::main(argc, argv, {gated, retried});
}

// A flow program that tst_flow_program starts as a separate process: exit codes, --db, and a run
// whose process dies half-way (CRASHED) and is rerun by a later process.
#include <weft/weft.hpp>

#include <cstdlib>

namespace {

auto step = weft::task("step", [](int x) { return x + 1; }).params({"x"});

auto add = weft::flow("add", [](int a, int b) { return step(a) + b - 1; }).params({"a", "b"});

// Dies with exit code `code` after its first task unless SDK_NO_CRASH is set.
auto crash = weft::flow("crash", [](int code) {
                 const int first = step(code);
                 if (!std::getenv("SDK_NO_CRASH")) {
                     weft::detail::flush(); // the first task run is durable, as after a commit
                     std::_Exit(code);
                 }
                 return step(first);
             }).params({"code"});

} // namespace

int main(int argc, char** argv) {
    return weft::main(argc, argv, {add, crash});
}

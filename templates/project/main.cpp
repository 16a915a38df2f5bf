// @NAME@: a flow program built on Weft. Every run, state, result and log line is recorded in
// Weft's database, where `weft flow-run ls` and Weft Studio show them.
#include <weft/weft.hpp>

#include <string>

// A task: a function whose runs are recorded; a failed attempt is retried twice.
auto greet = weft::task("greet", [](std::string who) { return "Hello, " + who + "!"; })
                 .params({"who"})
                 .retries(2);

// A flow: calls tasks (or other flows) and logs.
auto main_flow = weft::flow("@NAME@",
                            [](std::string who) {
                                auto greeting = greet(who);
                                weft::log().info("{}", greeting);
                            })
                     .params({"who"})
                     .defaults({{"who", "world"}});

// `@NAME@` runs the flow; `@NAME@ run @NAME@ --param who=Ada` passes a parameter; `@NAME@ --help`.
int main(int argc, char** argv) {
    return weft::main(argc, argv, {main_flow});
}

// A flow program tst_sdk_remote_features runs with WEFT_API_URL set: tag concurrency limits,
// pause and resume, and cached results, decided by the server it reports to.
#include <weft/weft.hpp>

#include <chrono>
#include <thread>
#include <vector>

namespace {

// Tagged "io": the server's limit on the tag decides how many run at once.
auto fetch = weft::task("fetch",
                        [](int i) {
                            std::this_thread::sleep_for(std::chrono::milliseconds(150));
                            return i;
                        })
                 .params({"i"})
                 .tags({"io"});

auto limited = weft::flow("remote_limited", [](int n) {
                   std::vector<int> items(static_cast<std::size_t>(n));
                   for (int i = 0; i < n; ++i)
                       items[std::size_t(i)] = i;
                   int sum = 0;
                   for (auto& f : fetch.map(items))
                       sum += f.result();
                   return sum;
               }).params({"n"});

weft::RunInput approval() {
    weft::RunInput in;
    in.title = "Approval";
    in.fields = {{"approved", "boolean", nullptr, "Go ahead?"}, {"copies", "integer", 1, ""}};
    return in;
}

auto prepare = weft::task("prepare", [] { return 40; });

// Pauses for an approval; the result uses the input the resume gave.
auto approved = weft::flow("remote_approval", [](double timeout_s) {
                    const int n = prepare();
                    const nlohmann::json input = weft::pause_flow_run(approval(), timeout_s);
                    if (!input.value("approved", false)) return -1;
                    return n + input.value("copies", 0);
                }).params({"timeout_s"});

// Cached by its inputs: a second run of the flow finds the first run's result on the server.
auto expensive = weft::task("expensive", [](int x) { return x * 7; })
                     .params({"x"})
                     .cache(weft::CachePolicy::inputs());

auto cached = weft::flow("remote_cached", [](int x) { return expensive(x); }).params({"x"});

auto step = weft::task("step", [](int i) {
                weft::log().info("step {} ran", i);
                return i;
            }).params({"i"});

// Log lines, a task run and flow-run states: each must reach the server exactly once.
auto logged = weft::flow("remote_logged", [] {
    for (int i = 1; i <= 3; ++i)
        weft::log().info("line {}", i);
    return step(5);
});

} // namespace

int main(int argc, char** argv) {
    return weft::main(argc, argv, {limited, approved, cached, logged});
}

// A long-running flow: waves of small tasks with steady logging for a configurable time (the live
// Studio demo and the kill -9 test use it). Cancelling the run stops it within a second.
#include <weft/weft.hpp>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

// A step sleeps between max_ms / 9 and max_ms milliseconds.
auto step = weft::task("step", [](int index, int wave, int max_ms) {
                thread_local std::mt19937 rng{std::random_device{}()};
                const int least = std::max(1, max_ms / 9);
                const int ms = least + int(rng() % unsigned(std::max(1, max_ms - least + 1)));
                std::this_thread::sleep_for(std::chrono::milliseconds(ms));
                weft::log().info("wave {} step {} took {} ms", wave, index, ms);
                return wave * 1000 + index;
            }).params({"index", "wave", "max_ms"});

auto tally = weft::task("tally", [](std::vector<int> values) {
                 long sum = 0;
                 for (int v : values)
                     sum += v;
                 return sum;
             }).params({"values"});

auto long_flow =
    weft::flow("long_running",
               [](double seconds, int tasks_per_wave, int step_ms) {
                   const auto until = std::chrono::steady_clock::now()
                                      + std::chrono::milliseconds(std::int64_t(seconds * 1000));
                   int wave = 0;
                   long total = 0;
                   while (std::chrono::steady_clock::now() < until) {
                       weft::check_cancelled();
                       std::vector<int> indices(static_cast<std::size_t>(tasks_per_wave));
                       for (int i = 0; i < tasks_per_wave; ++i)
                           indices[std::size_t(i)] = i;
                       auto futures = step.map(indices, wave, step_ms);
                       std::vector<int> values;
                       for (auto& f : futures)
                           values.push_back(f.result());
                       total += tally(values);
                       weft::log().info("wave {} done", wave);
                       ++wave;
                   }
                   weft::log().info("{} waves, total {}", wave, total);
                   return wave;
               })
        .params({"seconds", "tasks_per_wave", "step_ms"})
        .defaults({{"seconds", 30}, {"tasks_per_wave", 8}, {"step_ms", 45}});

int main(int argc, char** argv) {
    return weft::main(argc, argv, {long_flow});
}

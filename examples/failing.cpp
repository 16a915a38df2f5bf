// A flow that fails until the fault is removed: `load` fails after its retries unless
// WEFT_EXAMPLE_FIX=1. Rerun it with `weft flow-run retry ID` (with WEFT_EXAMPLE_FIX=1): the tasks
// that completed are reused, only `load` and what follows it run again.
#include <weft/weft.hpp>

#include <cstdlib>
#include <numeric>
#include <stdexcept>
#include <vector>

auto extract = weft::task("extract", [](int n) {
                   std::vector<int> rows(std::size_t(n), 0);
                   std::iota(rows.begin(), rows.end(), 1);
                   weft::log().info("extracted {} rows", rows.size());
                   return rows;
               }).params({"n"});

auto transform = weft::task("transform", [](std::vector<int> rows) {
                     for (auto& r : rows)
                         r *= 10;
                     return rows;
                 }).params({"rows"});

auto load = weft::task("load",
                       [](std::vector<int> rows) {
                           const char* fix = std::getenv("WEFT_EXAMPLE_FIX");
                           if (!fix || std::string(fix) != "1")
                               throw std::runtime_error(
                                   "the warehouse refused the connection (set WEFT_EXAMPLE_FIX=1)");
                           const int total = std::accumulate(rows.begin(), rows.end(), 0);
                           weft::log().info("loaded {} rows, total {}", rows.size(), total);
                           return total;
                       })
                .params({"rows"})
                .retries(2)
                .retry_delays({0.1});

auto failing_pipeline = weft::flow("failing_pipeline",
                                   [](int n) {
                                       auto rows = extract.submit(n);
                                       auto shaped = transform.submit(rows);
                                       return load(shaped);
                                   })
                            .params({"n"})
                            .defaults({{"n", 5}});

int main(int argc, char** argv) {
    return weft::main(argc, argv, {failing_pipeline});
}

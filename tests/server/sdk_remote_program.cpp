// A flow program tst_sdk_remote runs with WEFT_API_URL set: it reports to a weft-server.
#include <weft/weft.hpp>

#include <chrono>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

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

auto load = weft::task("load", [](std::vector<int> rows) {
                return std::accumulate(rows.begin(), rows.end(), 0);
            }).params({"rows"});

// extract → transform → load: the dependency edges are the futures passed on.
auto etl = weft::flow("remote_etl", [](int n) {
               auto rows = extract.submit(n);
               auto shaped = transform.submit(rows);
               const int total = load(shaped);
               weft::log().info("loaded total {}", total);
               return total;
           }).params({"n"});

auto refuse = weft::task("refuse",
                         [] {
                             throw std::runtime_error("the warehouse refused the connection");
                             return 0;
                         })
                  .retries(2)
                  .retry_delays({0.05});

auto flaky = weft::flow("remote_flaky", [] { return refuse(); });

// `n` tasks of `ms` milliseconds each, one after the other, each logging a line.
auto nap = weft::task("nap", [](int i, int ms) {
               std::this_thread::sleep_for(std::chrono::milliseconds(ms));
               weft::log().info("nap {} done", i);
               return i;
           }).params({"i", "ms"});

auto slow = weft::flow("remote_slow", [](int n, int ms) {
                int sum = 0;
                for (int i = 0; i < n; ++i)
                    sum += nap(i, ms);
                return sum;
            }).params({"n", "ms"});

auto one = weft::task("one", [](int i) { return i; }).params({"i"});

// `n` quick tasks at once: how fast a program's reports reach the server.
auto many = weft::flow("remote_many", [](int n) {
                std::vector<weft::Future<int>> futures;
                futures.reserve(std::size_t(n));
                for (int i = 0; i < n; ++i)
                    futures.push_back(one.submit(i));
                long sum = 0;
                for (auto& f : futures)
                    sum += f.result();
                return sum;
            }).params({"n"});

// The server refuses this flow's name (Prefect forbids '/' in it): its reports are refused.
auto refused = weft::flow("refused/flow", [] { return one(1); });

} // namespace

int main(int argc, char** argv) {
    return weft::main(argc, argv, {etl, flaky, slow, many, refused});
}

// Futures as Prefect users know them: map over several sequences with a constant passed whole
// (weft::unmapped), order without data (weft::wait_for), a downstream that runs despite a failed
// upstream and sees the failure (weft::allow_failure), and results in the order runs finish
// (weft::as_completed). One of the fetches fails on purpose; the flow run still completes,
// because its code handles that failure instead of letting it through.
#include <weft/weft.hpp>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

auto create_table = weft::task("create_table", [](const std::string& table) {
                        weft::log().info("table {} ready", table);
                    }).params({"table"});

// Pretends to download a station's readings; "mars" has no data.
auto fetch = weft::task("fetch", [](const std::string& station, int days, double scale) {
                 std::this_thread::sleep_for(std::chrono::milliseconds(20 * days));
                 if (station == "mars") throw std::runtime_error("no readings from " + station);
                 return double(station.size() * days) * scale;
             }).params({"station", "days", "scale"});

auto store_reading = weft::task("store_reading", [](const std::string& table, double value) {
                         weft::log().info("stored {} in {}", value, table);
                         return value;
                     }).params({"table", "value"});

// Runs whatever happened upstream: it gets weft::Upstream, the value or the failure.
auto audit = weft::task("audit", [](weft::Upstream<double> reading) {
                 if (!reading.ok()) {
                     weft::log().warn("audit: {}", reading.message());
                     return std::string("missing");
                 }
                 return "ok " + std::to_string(reading.value());
             }).params({"reading"});

auto readings = weft::flow("readings", [] {
    const std::string table = "readings";
    auto table_ready = create_table.submit(table);

    // Zipped: station i with days i; the scale is the same for every run.
    const std::vector<std::string> stations{"oslo", "lima", "mars", "perth"};
    const std::vector<int> days{3, 1, 2, 4};
    auto fetched = fetch.map(stations, days, 1.5);

    // The table must exist before anything is stored, but no data comes from create_table.
    std::vector<weft::Future<double>> stored;
    for (const auto& f : fetched)
        stored.push_back(store_reading.submit(table, f, weft::wait_for(table_ready)));

    // Audits run even for the station that failed.
    std::vector<weft::Future<std::string>> audits;
    for (const auto& f : fetched)
        audits.push_back(audit.submit(weft::allow_failure(f)));

    // Handle the fetches as they finish, not in submission order.
    double total = 0;
    for (const auto& f : weft::as_completed(fetched)) {
        try {
            total += f.result();
        } catch (const weft::TaskRunFailed& e) {
            weft::log().warn("skipped: {}", e.what()); // handled: the flow does not fail
        }
    }
    for (const auto& a : audits)
        std::printf("%s\n", a.result().c_str());
    std::printf("total %.1f\n", total);
    // stored[2] was never started (its fetch failed): it stays NotReady, which is not a failure
    // of the flow run unless the flow calls its result() and lets the exception out.
    stored[2].wait();
    std::printf("store of mars: %s\n", stored[2].state().name.c_str());
    return total;
});

} // namespace

int main(int argc, char** argv) {
    return weft::main(argc, argv, {readings});
}

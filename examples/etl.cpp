// An ETL flow over the weather readings in examples/data/weather.csv: the number of stations is
// found at run time and a task is mapped over them; a flaky upload fails its first attempt and
// succeeds on retry; station metadata is cached; the report is a subflow.
#include <weft/weft.hpp>

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef WEFT_EXAMPLES_DATA
#define WEFT_EXAMPLES_DATA "examples/data"
#endif

struct Reading {
    std::string station;
    std::string date;
    double temp_c = 0;
    double rain_mm = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Reading, station, date, temp_c, rain_mm)

struct StationSummary {
    std::string station;
    int days = 0;
    double mean_temp_c = 0;
    double total_rain_mm = 0;
    std::string region;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StationSummary, station, days, mean_temp_c, total_rain_mm,
                                   region)

auto extract = weft::task("extract", [](std::string path) {
                   std::ifstream in(path);
                   if (!in) throw std::runtime_error("cannot read " + path);
                   std::vector<Reading> rows;
                   std::string line;
                   std::getline(in, line); // header
                   while (std::getline(in, line)) {
                       std::stringstream fields(line);
                       Reading r;
                       std::string temp, rain;
                       std::getline(fields, r.station, ',');
                       std::getline(fields, r.date, ',');
                       std::getline(fields, temp, ',');
                       std::getline(fields, rain, ',');
                       r.temp_c = std::stod(temp);
                       r.rain_mm = std::stod(rain);
                       rows.push_back(r);
                   }
                   weft::log().info("read {} readings from {}", rows.size(), path);
                   return rows;
               }).params({"path"});

// Stations change rarely: their metadata is cached for an hour, by input.
auto station_region =
    weft::task(
        "station_region",
        [](std::string station) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50)); // a slow lookup service
            static const std::map<std::string, std::string> regions{
                {"oslo", "east"},  {"bergen", "west"},  {"stavanger", "west"}, {"trondheim", "mid"},
                {"bodo", "north"}, {"tromso", "north"}, {"alta", "north"}};
            auto it = regions.find(station);
            return it == regions.end() ? std::string("unknown") : it->second;
        })
        .params({"station"})
        .cache(weft::CachePolicy::inputs())
        .cache_expiration(3600);

auto summarize =
    weft::task("summarize", [](std::string station, std::vector<Reading> rows) {
        StationSummary s{station};
        for (const auto& r : rows) {
            if (r.station != station) continue;
            ++s.days;
            s.mean_temp_c += r.temp_c;
            s.total_rain_mm += r.rain_mm;
        }
        if (s.days == 0) throw std::runtime_error("no readings for " + station);
        s.mean_temp_c /= s.days;
        s.region = station_region(station);
        weft::log().debug("{}: {} days, mean {:.1f} °C", station, s.days, s.mean_temp_c);
        if (s.mean_temp_c < 2)
            weft::log().warn("{} is cold this month: {:.1f} °C", station, s.mean_temp_c);
        return s;
    }).params({"station", "rows"});

// The warehouse drops the first connection of each process; the retry gets through.
std::atomic<int> upload_calls{0};
auto upload = weft::task("upload",
                         [](std::vector<StationSummary> summaries) {
                             if (upload_calls++ == 0)
                                 throw std::runtime_error("connection reset by the warehouse");
                             weft::log().info("uploaded {} station summaries", summaries.size());
                             return int(summaries.size());
                         })
                  .params({"summaries"})
                  .retries(2)
                  .retry_delays({0.2})
                  .tags({"warehouse"});

auto report =
    weft::flow("weather_report", [](std::vector<StationSummary> summaries) {
        auto warmest = std::max_element(summaries.begin(), summaries.end(), [](auto& a, auto& b) {
            return a.mean_temp_c < b.mean_temp_c;
        });
        auto wettest = std::max_element(summaries.begin(), summaries.end(), [](auto& a, auto& b) {
            return a.total_rain_mm < b.total_rain_mm;
        });
        weft::log().info("warmest: {} ({:.1f} °C), wettest: {} ({:.0f} mm)", warmest->station,
                         warmest->mean_temp_c, wettest->station, wettest->total_rain_mm);
        return warmest->station;
    }).params({"summaries"});

auto weather_etl =
    weft::flow("weather_etl",
               [](std::string path) {
                   auto rows = extract(path);
                   std::vector<std::string> stations;
                   for (const auto& r : rows)
                       if (std::find(stations.begin(), stations.end(), r.station) == stations.end())
                           stations.push_back(r.station);
                   weft::log().info("{} stations to summarise", stations.size());

                   auto futures =
                       summarize.map(stations, weft::unmapped(rows)); // rows go whole to each
                   std::vector<StationSummary> summaries;
                   for (auto& f : futures)
                       summaries.push_back(f.result());

                   upload(summaries);
                   return report(summaries);
               })
        .params({"path"})
        .defaults({{"path", WEFT_EXAMPLES_DATA "/weather.csv"}})
        .description("Summarise a month of weather readings per station");

int main(int argc, char** argv) {
    return weft::main(argc, argv, {weather_etl, report});
}

#pragma once
// weft-bench-studio --remote: the run list over a weft-server (RemoteBackend) against the same
// list on the embedded backend, and GUI-thread stalls while events stream in. See the .cpp.
#include <functional>
#include <string>
#include <utility>

/// The longest GUI-thread event since the last call: {wall ms, CPU ms} (TimingApp's).
using TakeLongestEvent = std::function<std::pair<double, double>()>;

/// Prints one JSON line on stdout; returns the exit status. Needs a QApplication.
int runRemoteBench(const std::string& dir, long runs, int rate, double seconds,
                   TakeLongestEvent takeLongest);

#pragma once
// weft-bench-studio --remote: the run list over a weft-server (RemoteBackend) against the same
// list on the embedded backend, and GUI-thread stalls while events stream in. See the .cpp.
#include <string>

/// Prints one JSON line on stdout; returns the exit status. Needs the TimingApp
/// (bench_studio_common.h), whose longest event while events stream in is reported.
int runRemoteBench(const std::string& dir, long runs, int rate, double seconds);

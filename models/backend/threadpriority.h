#pragma once
// Background threads that Studio owns (the feed follower, the query pool) run below the GUI
// thread, so the GUI thread gets a core as soon as it has work.

namespace weft::studio {

/// How far below normal the background threads run (a nice increment; 0..19).
constexpr int kBackgroundNice = 10;

/// Lowers the calling thread's scheduling priority by kBackgroundNice, once per thread (later
/// calls do nothing). Only for threads Studio owns, never the GUI thread. Thread-safe.
void lowerThisThreadsPriority();

} // namespace weft::studio

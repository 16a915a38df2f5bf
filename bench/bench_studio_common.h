#pragma once
// What weft-bench-studio's local phases and its --remote run share: progress lines, the GUI
// thread's event timing (TimingApp), running the event loop until a condition holds, and the run
// list's window, shown until its first page of loaded rows is painted.
#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <functional>
#include <vector>

namespace weft::studio {
class RunListWidget;
}

namespace weft::bench {

/// Since the benchmark started (main starts it): progress lines and the total time.
QElapsedTimer& benchClock();
/// One line on stderr, after the seconds since the start.
void progress(const char* format, ...);

/// The calling thread's CPU time (ms).
double threadCpuMs();

// The longest event the GUI thread handled, by wall time (what a user sees, preemption by other
// threads and processes included) and by the GUI thread's CPU time (what the event itself cost).
struct Stall {
    double wallMs = 0, cpuMs = 0;
};

// Times every event the GUI thread handles (the outermost ones: nested events are part of them).
// `afterEvent` sees every event, nested ones too, once it was handled.
class TimingApp : public QApplication {
public:
    using QApplication::QApplication;
    std::function<void(QObject*, QEvent::Type)> afterEvent;

    bool notify(QObject* receiver, QEvent* event) override;
    /// The longest events since the last call (and what they were, on stderr, given a phase).
    Stall take(const char* phase);

private:
    struct Longest {
        double ms = 0;
        const char* what = "";
        int type = 0;
        long waits = 0, preempted = 0; // voluntary and involuntary context switches
    };
    int m_depth = 0;
    std::vector<bool> m_timed; // timed events in progress: did a nested loop run inside?
    Longest m_wall, m_cpu;
};

// The gaps between a 5 ms GUI-thread timer's ticks: the GUI thread busy, or preempted by other
// threads and processes. Ticking from construction until stop().
class GapMeter {
public:
    GapMeter();
    /// The longest gap since the last take() (or the start); the next ones are counted anew.
    double take();
    void stop() { m_tick.stop(); }
    double max() const;
    /// The gap that `p` (0…1) of the gaps since the last take() were no longer than.
    double percentile(double p) const;

private:
    QTimer m_tick;
    QElapsedTimer m_since;
    std::vector<double> m_gaps;
};

/// The application, which main() makes a TimingApp.
TimingApp* timingApp();

/// Runs the event loop until `done` or `ms` passed; returns the elapsed ms. A nested loop that
/// checks every 2 ms and sleeps between events, so the measured threads get the CPU.
double waitFor(const std::function<bool()>& done, int ms = 120000);

/// The rows on screen are loaded (not placeholders).
bool visibleLoaded(studio::RunListWidget& list);

/// The benchmarks' run list window: shows `list` at 1280×800 and runs the event loop until a
/// paint of its viewport with the visible rows loaded has ended (at most 60 s). Returns the ms
/// from `clock`'s start to then, -1 when it never came.
double showUntilFirstPaint(studio::RunListWidget& list, const QElapsedTimer& clock);

} // namespace weft::bench

#pragma once
// --screenshot FILE: after the delay, render the main window as the user sees it to a PNG and
// quit (exit status 0 when written, 1 when not).
#include <QString>

class QWidget;

namespace weft::studio {

void scheduleScreenshot(QWidget* window, const QString& file, int delayMs);
/// Renders `window` to `file` now; returns an error message, or empty on success.
QString saveScreenshot(QWidget* window, const QString& file);

} // namespace weft::studio

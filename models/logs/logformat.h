#pragma once
// How log lines read as text (copy, download) and which colour a level has (the view's delegate).
#include <weft/records.hpp>

#include <QColor>
#include <QString>

namespace weft::studio {

/// "INFO", or the number for a level between the named ones ("LEVEL 25").
QString logLevelName(int level);
/// The level's accent colour for text on the theme's base colour.
QColor logLevelColor(int level, bool dark);

/// "12:03:04.123" in local time.
QString logTimeShort(weft::Micros timestamp);
/// "2024-05-01 12:03:04.123" in local time.
QString logTimeLong(weft::Micros timestamp);

/// 1,234,567 in the user's locale, grouped even where the locale's default omits it (C).
QString groupedNumber(qint64 n);

/// One line of a download or of the clipboard: "2024-05-01 12:03:04.123 | INFO     | logger |
/// message", with the run's label before the message when `run` is not empty (lines of many
/// runs). Continuation lines of a multi-line message follow as they are.
QString formatLogLine(const weft::LogRecord& line, const QString& run = {});

} // namespace weft::studio

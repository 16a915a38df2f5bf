#pragma once
// Deployment schedules in words, for the Deployments page: "every 5 min", "daily at 09:00 (UTC)",
// "cron 0 9 * * 1-5 (Europe/Paris)".
#include <weft/deployment_records.hpp>

#include <QString>
#include <vector>

namespace weft::studio {

/// "every 30 s", "every 5 min", "every 2 h", "every day", "every 1.5 h".
QString intervalInWords(double seconds);
/// Common cron expressions in words ("every minute", "every 15 min", "hourly at :30", "daily at
/// 09:00", "@daily"…); any other as "cron EXPR".
QString cronInWords(const std::string& cron);
/// One schedule: its words, the time zone of a cron (UTC when none), "(inactive)" when off.
QString scheduleInWords(const weft::DeploymentSchedule& schedule);
/// A deployment's schedules joined by "; "; "none" without any.
QString schedulesInWords(const std::vector<weft::DeploymentSchedule>& schedules);

} // namespace weft::studio

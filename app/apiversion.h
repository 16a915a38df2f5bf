#pragma once
// Whether Studio can speak to a server: its GET /api/version answer. Prefect 2 and 3 and Weft's
// server answer "0.8.x" (Prefect's REST API version); anything else is another API.
#include <nlohmann/json.hpp>

#include <QObject>
#include <QString>
#include <functional>
#include <optional>

namespace weft::studio {

class RestClient;

/// Why Studio cannot speak to a server that answered `status` and `body` to GET /api/version;
/// empty when it can. nullopt when the answer says nothing about the API (401, 5xx): no verdict.
std::optional<QString> apiVersionProblem(int status, const nlohmann::json& body);

/// Asks the server for its API version; `done` gets the problem (empty: compatible) on the GUI
/// thread, and is not called when the question got no verdict (down, refused, 5xx).
void checkApiVersion(RestClient& rest, QObject* context, std::function<void(QString)> done);

} // namespace weft::studio

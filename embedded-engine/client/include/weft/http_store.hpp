#pragma once
// The store over a server's REST API: with WEFT_API_URL set, a flow program reports its flows,
// flow runs, task runs and logs to the server instead of a local database. The Store's writer
// thread, queue and group commits stay; each group becomes requests, sent in order when the group
// commits. A server that cannot be reached (or answers 5xx) costs nothing: the group is retried
// with backoff while later writes wait in the Store's queue.
#include "weft/api_client.hpp"

#include <weft/store_backend.hpp>

#include <memory>

namespace weft {

/// A backend that reports to the server `settings` names. Opening does not contact the server.
std::unique_ptr<StoreBackend> open_http_backend(const ApiSettings& settings);

} // namespace weft

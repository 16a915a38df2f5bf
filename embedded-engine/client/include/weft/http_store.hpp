#pragma once
// The store over a server's REST API: with WEFT_API_URL set, a flow program reports its flows,
// flow runs, task runs and logs to the server instead of a local database. The Store's writer
// thread, queue and group commits stay; each group becomes requests, handed at commit to a
// sending thread that delivers them in order. So Store::flush() means "handed over", not
// "delivered": delivery is waited for when the store closes (bounded by
// WEFT_API_FLUSH_TIMEOUT_SECONDS). A server that cannot be reached (or answers 5xx) costs the
// program nothing: reports wait in memory and are retried with backoff.
#include "weft/api_client.hpp"

#include <weft/store_backend.hpp>

#include <memory>

namespace weft {

/// A backend that reports to the server `settings` names. Opening does not contact the server.
std::unique_ptr<StoreBackend> open_http_backend(const ApiSettings& settings);

} // namespace weft

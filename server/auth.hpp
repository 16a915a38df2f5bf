#pragma once
// Who may use the server: HTTP basic auth with WEFT_SERVER_API_AUTH_STRING (user:password, as
// Prefect's PREFECT_SERVER_API_AUTH_STRING) and/or a bearer token (WEFT_SERVER_API_KEY or
// --api-key). With neither set every request is let in. Secrets are compared in constant time.
#include <QByteArray>
#include <string>
#include <string_view>
#include <vector>

namespace weft::server {

struct AuthConfig {
    std::string basic;   // "user:password"; empty: no basic auth
    std::string api_key; // the bearer token; empty: none

    bool enabled() const { return !basic.empty() || !api_key.empty(); }
    /// WEFT_SERVER_API_AUTH_STRING and WEFT_SERVER_API_KEY.
    static AuthConfig from_environment();
};

/// Equal without leaking where two secrets differ (both are hashed, the hashes compared in full).
bool constant_time_equal(std::string_view a, std::string_view b);

class Auth {
public:
    enum class Verdict { Allowed, Missing, Malformed, Wrong };

    Auth() = default;
    explicit Auth(AuthConfig config);

    bool enabled() const { return m_config.enabled(); }

    /// Checks an Authorization header value ("Basic <base64>" or "Bearer <token>"; empty when
    /// the request has none). Always Allowed when auth is off.
    Verdict check(const QByteArray& authorization) const;

    /// A token sent in-band on a WebSocket ({"type":"auth","token":…}): the raw user:password
    /// (what Prefect's clients send to a server with an auth string) or the API key.
    bool accepts_token(std::string_view token) const;

    /// The WWW-Authenticate challenges a 401 carries, one per scheme that is on.
    std::vector<QByteArray> challenges() const;

private:
    AuthConfig m_config;
};

} // namespace weft::server

#include "auth.hpp"

#include <QCryptographicHash>
#include <cstdlib>

namespace weft::server {

namespace {

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

QByteArray sha256(std::string_view text) {
    return QCryptographicHash::hash(QByteArrayView(text.data(), qsizetype(text.size())),
                                    QCryptographicHash::Sha256);
}

// Whether `header` is "<scheme> <rest>", the scheme compared case-insensitively (RFC 7235); if
// so, `rest` gets what follows, trimmed.
bool strip_scheme(QByteArrayView header, QByteArrayView scheme, QByteArrayView* rest) {
    if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return false;
    if (header.first(scheme.size()).compare(scheme, Qt::CaseInsensitive) != 0) return false;
    *rest = header.sliced(scheme.size() + 1).trimmed();
    return true;
}

} // namespace

AuthConfig AuthConfig::from_environment() {
    return {env("WEFT_SERVER_API_AUTH_STRING"), env("WEFT_SERVER_API_KEY")};
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    // Hashing first makes the comparison's time independent of the lengths and of the first
    // differing byte; the loop below never exits early.
    const QByteArray ha = sha256(a), hb = sha256(b);
    unsigned char diff = 0;
    for (qsizetype i = 0; i < ha.size(); ++i)
        diff |= static_cast<unsigned char>(ha[i] ^ hb[i]);
    return diff == 0;
}

Auth::Auth(AuthConfig config)
    : m_config(std::move(config)) {}

Auth::Verdict Auth::check(const QByteArray& authorization) const {
    if (!enabled()) return Verdict::Allowed;
    const QByteArrayView header = QByteArrayView(authorization).trimmed();
    if (header.isEmpty()) return Verdict::Missing;
    QByteArrayView rest;
    if (strip_scheme(header, "Basic", &rest)) {
        if (m_config.basic.empty()) return Verdict::Wrong;
        const auto decoded = QByteArray::fromBase64Encoding(
            rest.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || !decoded.decoded.contains(':')) return Verdict::Malformed;
        const std::string given = decoded.decoded.toStdString();
        return constant_time_equal(given, m_config.basic) ? Verdict::Allowed : Verdict::Wrong;
    }
    if (strip_scheme(header, "Bearer", &rest)) {
        if (rest.isEmpty()) return Verdict::Malformed;
        if (m_config.api_key.empty()) return Verdict::Wrong;
        return constant_time_equal(std::string_view(rest.data(), size_t(rest.size())),
                                   m_config.api_key)
                   ? Verdict::Allowed
                   : Verdict::Wrong;
    }
    return Verdict::Malformed;
}

bool Auth::accepts_token(std::string_view token) const {
    if (!enabled()) return true;
    // Both comparisons always run, so the time does not tell which secret came close.
    const bool basic = !m_config.basic.empty() && constant_time_equal(token, m_config.basic);
    const bool key = !m_config.api_key.empty() && constant_time_equal(token, m_config.api_key);
    return basic || key;
}

std::vector<QByteArray> Auth::challenges() const {
    std::vector<QByteArray> out;
    if (!m_config.basic.empty()) out.push_back(QByteArrayLiteral("Basic realm=\"weft\""));
    if (!m_config.api_key.empty()) out.push_back(QByteArrayLiteral("Bearer realm=\"weft\""));
    return out;
}

} // namespace weft::server

#include "connections/connectionprofile.h"

namespace weft::studio {

QString authKindName(AuthKind kind) {
    switch (kind) {
    case AuthKind::None:
        return QStringLiteral("none");
    case AuthKind::Basic:
        return QStringLiteral("basic");
    case AuthKind::Bearer:
        return QStringLiteral("bearer");
    }
    return QStringLiteral("none");
}

std::optional<AuthKind> authKindFromName(const QString& name) {
    for (AuthKind k : {AuthKind::None, AuthKind::Basic, AuthKind::Bearer})
        if (authKindName(k) == name) return k;
    return std::nullopt;
}

QString profileProblem(const ConnectionProfile& p) {
    if (p.name.trimmed().isEmpty()) return QObject::tr("The connection needs a name.");
    const QString scheme = p.apiUrl.scheme();
    if (!p.apiUrl.isValid() || (scheme != u"http" && scheme != u"https"))
        return QObject::tr("The API URL must start with http:// or https://, e.g. "
                           "http://127.0.0.1:4200/api.");
    if (p.apiUrl.host().isEmpty()) return QObject::tr("The API URL has no host name.");
    if (p.auth == AuthKind::Basic && p.userName.isEmpty())
        return QObject::tr("Basic authentication needs a user name.");
    if (p.auth == AuthKind::Basic && p.userName.contains(u':'))
        return QObject::tr("A user name for basic authentication cannot contain ':'.");
    if (p.ignoreTlsErrors && scheme != u"https")
        return QObject::tr("\"Ignore TLS errors\" only applies to https:// URLs.");
    if (!p.caCertificate.isEmpty() && scheme != u"https")
        return QObject::tr("A CA certificate only applies to https:// URLs.");
    return {};
}

QString sameServerKey(const QUrl& url) {
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    const int port = url.port(url.scheme() == u"https" ? 443 : 80);
    return QStringLiteral("%1://%2:%3%4")
        .arg(url.scheme().toLower(), url.host().toLower())
        .arg(port)
        .arg(path);
}

RemoteSettings remoteSettings(const ConnectionProfile& p, const QString& secret) {
    RemoteSettings s;
    s.apiUrl = p.apiUrl;
    switch (p.auth) {
    case AuthKind::None:
        break;
    case AuthKind::Basic: // RestClient sends "user:password" as HTTP basic
        s.token = p.userName + u':' + secret;
        break;
    case AuthKind::Bearer:
        s.token = secret;
        break;
    }
    s.caCertificateFile = p.caCertificate;
    s.ignoreTlsErrors = p.ignoreTlsErrors;
    return s;
}

} // namespace weft::studio

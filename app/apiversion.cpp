#include "apiversion.h"

#include "backend/restclient.h"

#include <QRegularExpression>

namespace weft::studio {

namespace {
constexpr int kMinMinor = 8; // 0.8.0: the oldest API version Prefect's own clients accept
}

std::optional<QString> apiVersionProblem(int status, const nlohmann::json& body) {
    if (status == 404)
        return QObject::tr("the server has no /api/version: it is not a Prefect or Weft API");
    if (status < 200 || status >= 300) return std::nullopt;
    if (!body.is_string()) return QObject::tr("the server's /api/version is not a version string");
    const QString version = QString::fromStdString(body.get<std::string>());
    static const QRegularExpression semver(QStringLiteral("^(\\d+)\\.(\\d+)(\\.\\d+)?"));
    const auto m = semver.match(version);
    if (!m.hasMatch())
        return QObject::tr("the server's API version \"%1\" is not a version").arg(version);
    if (m.captured(1).toInt() != 0 || m.captured(2).toInt() < kMinMinor)
        return QObject::tr("the server speaks API version %1; Studio speaks 0.%2 and later 0.x")
            .arg(version)
            .arg(kMinMinor);
    return QString();
}

void checkApiVersion(RestClient& rest, QObject* context, std::function<void(QString)> done) {
    rest.send<std::optional<QString>>(
        "GET", QStringLiteral("/version"), nullptr, context,
        [](RestAnswer a) { return apiVersionProblem(a.status, a.body); },
        [done = std::move(done)](Result<std::optional<QString>> r) {
            if (r && *r) done(**r);
        },
        {404});
}

} // namespace weft::studio

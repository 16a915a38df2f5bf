#include "backend/restclient.h"

#include <weft/api_client.hpp>

#include <QFile>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QTimer>

namespace weft::studio {

using nlohmann::json;

namespace {
constexpr int kPage = 200; // the most rows Prefect's API answers in one request

// The first words of a body that is not JSON, for the message ("<!DOCTYPE html>…").
QString glimpse(const QByteArray& body) {
    QString text = QString::fromUtf8(body.left(60)).simplified();
    if (body.size() > 60) text += QStringLiteral("…");
    return text;
}
} // namespace

QString restFailure(const QString& server, int status, const QByteArray& body) {
    const json parsed = json::parse(body.toStdString(), nullptr, false);
    QString reason;
    if (!parsed.is_discarded())
        reason = QString::fromStdString(weft::api_error_reason(status, parsed));
    else if (!body.trimmed().isEmpty())
        reason = glimpse(body);
    return reason.isEmpty()
               ? QStringLiteral("Server %1 answered %2.").arg(server).arg(status)
               : QStringLiteral("Server %1 answered %2: %3").arg(server).arg(status).arg(reason);
}

json parseAnswer(const QString& server, int status, const QByteArray& body) {
    if (body.trimmed().isEmpty()) return json();
    json parsed = json::parse(body.toStdString(), nullptr, false);
    if (parsed.is_discarded())
        throw std::runtime_error(QStringLiteral("Server %1 answered %2 with something that is not "
                                                "JSON (is the URL the API's, ending in /api?): %3")
                                     .arg(server)
                                     .arg(status)
                                     .arg(glimpse(body))
                                     .toStdString());
    return parsed;
}

RestClient::RestClient(RemoteSettings settings, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings)) {
    // No redirect to another host with our credentials; same-origin ones are followed.
    m_network.setRedirectPolicy(QNetworkRequest::SameOriginRedirectPolicy);
    m_tls = QSslConfiguration::defaultConfiguration();
    if (const QString& ca = m_settings.caCertificateFile; !ca.isEmpty()) {
        // A few kilobytes read once, when the connection is made.
        QFile file(ca);
        QList<QSslCertificate> certs;
        if (file.open(QIODevice::ReadOnly)) {
            const QByteArray bytes = file.readAll();
            certs = QSslCertificate::fromData(bytes, QSsl::Pem);
            if (certs.isEmpty()) certs = QSslCertificate::fromData(bytes, QSsl::Der);
        }
        if (certs.isEmpty())
            m_tlsProblem = file.error() != QFileDevice::NoError
                               ? QStringLiteral("The CA certificate %1 cannot be read: %2")
                                     .arg(ca, file.errorString())
                               : QStringLiteral("The CA certificate %1 holds no PEM or DER "
                                                "certificate.")
                                     .arg(ca);
        else
            m_tls.addCaCertificates(certs);
    }
}

QString RestClient::server() const {
    return m_settings.apiUrl.toString(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash);
}

QByteArray RestClient::authorization() const {
    const QString& t = m_settings.token;
    if (t.isEmpty()) return {};
    // "user:password" is HTTP basic (as WEFT_API_AUTH_STRING); API keys have no colon.
    if (t.contains(u':')) return "Basic " + t.toUtf8().toBase64();
    return "Bearer " + t.toUtf8();
}

QNetworkRequest RestClient::request(const QString& path) const {
    QUrl url = m_settings.apiUrl;
    QString base = url.path();
    while (base.endsWith(u'/'))
        base.chop(1);
    const qsizetype query = path.indexOf(u'?');
    url.setPath(base + (query < 0 ? path : path.left(query)));
    if (query >= 0) url.setQuery(path.mid(query + 1));
    QNetworkRequest r(url);
    r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    r.setRawHeader("Accept", "application/json");
    if (const QByteArray auth = authorization(); !auth.isEmpty())
        r.setRawHeader("Authorization", auth);
    r.setTransferTimeout(m_settings.timeoutMs);
    if (url.scheme() == u"https") r.setSslConfiguration(m_tls);
    return r;
}

void RestClient::sendRaw(const QByteArray& method, const QString& path, const json* body,
                         QObject* context, Raw raw) {
    const QNetworkRequest req = request(path);
    if (!m_tlsProblem.isEmpty()) {
        QMetaObject::invokeMethod(
            context, [raw = std::move(raw), why = m_tlsProblem] { raw(0, {}, why); },
            Qt::QueuedConnection);
        return;
    }
    QNetworkReply* reply =
        body ? m_network.sendCustomRequest(req, method, QByteArray::fromStdString(body->dump()))
             : m_network.sendCustomRequest(req, method);
    // The reply is ours to delete whatever happens to the context; the answer goes on only
    // while the context lives (RestClient::send checks it again).
    QPointer<QObject> guard(context);
    const QString server = this->server();
    const int timeoutMs = m_settings.timeoutMs;
    if (m_settings.ignoreTlsErrors)
        connect(reply, &QNetworkReply::sslErrors, reply, [reply] { reply->ignoreSslErrors(); });
    connect(
        reply, &QNetworkReply::finished, this,
        [reply, guard, raw = std::move(raw), server, timeoutMs] {
            reply->deleteLater();
            if (!guard) return;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 0) { // no HTTP answer at all
                const auto e = reply->error();
                const QString why =
                    e == QNetworkReply::OperationCanceledError || e == QNetworkReply::TimeoutError
                        ? QStringLiteral("no answer within %1 s").arg(timeoutMs / 1000.0)
                        : reply->errorString();
                raw(0, {}, QStringLiteral("Server %1 could not be reached: %2").arg(server, why));
                return;
            }
            raw(status, reply->readAll(), {});
        });
}

struct PagedCall {
    QString path;
    json body;
    int limit = -1;
    int offset = 0;
    json rows = json::array();
    QPointer<QObject> context;
    std::function<void(Result<json>)> done;
};

void RestClient::postPaged(const QString& path, json body, int limit, int offset, QObject* context,
                           std::function<void(Result<json>)> done) {
    auto call = std::make_shared<PagedCall>();
    call->path = path;
    call->body = std::move(body);
    call->limit = limit;
    call->offset = offset;
    call->context = context;
    call->done = std::move(done);
    nextPage(std::move(call));
}

void RestClient::nextPage(std::shared_ptr<PagedCall> call) {
    const int have = int(call->rows.size());
    const int want = call->limit < 0 ? kPage : std::min(kPage, call->limit - have);
    if (want <= 0 || !call->context) {
        if (call->context) call->done(std::move(call->rows));
        return;
    }
    call->body["limit"] = want;
    call->body["offset"] = call->offset + have;
    const QString server = this->server();
    send<json>(
        "POST", call->path, &call->body, call->context.data(),
        [server, path = call->path](RestAnswer a) {
            if (!a.body.is_array())
                throw std::runtime_error("expected a list from " + path.toStdString());
            return std::move(a.body);
        },
        [self = QPointer<RestClient>(this), call, want](Result<json> page) {
            if (!page) return call->done(QueryError{page.error()});
            if (!self) return call->done(QueryError{QStringLiteral("the connection was closed")});
            const bool more = int(page->size()) == want;
            for (auto& row : *page)
                call->rows.push_back(std::move(row));
            if (more)
                self->nextPage(call);
            else
                call->done(std::move(call->rows));
        });
}

} // namespace weft::studio

#pragma once
// The REST half of a remote backend: requests to a Weft or Prefect server's API over
// QNetworkAccessManager on the GUI thread (never blocking), answers parsed on the query pool.
// Every failure becomes one sentence naming the server: "Server http://…/api answered 401: …".
#include "backend/result.h"

#include <nlohmann/json.hpp>

#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QUrl>
#include <functional>

namespace weft::studio {

/// Where a server is and how to sign in.
struct RemoteSettings {
    QUrl apiUrl;   // http://127.0.0.1:4200/api
    QString token; // "user:password" → HTTP basic; anything else → bearer API key; empty → none
    int timeoutMs = 15000;  // per request, the whole transfer
    bool liveEvents = true; // false: poll instead of the events WebSocket (a proxy that blocks it)
    QString caCertificateFile;    // PEM (or DER) CA trusted beside the system's; empty: none
    bool ignoreTlsErrors = false; // accept any certificate (the profile dialog warns in red)
};

/// A server's answer, before it is turned into records: the HTTP status and the parsed body.
struct RestAnswer {
    int status = 0;
    nlohmann::json body; // null for an empty body (204)
};

class RestClient : public QObject {
    Q_OBJECT
public:
    explicit RestClient(RemoteSettings settings, QObject* parent = nullptr);

    const RemoteSettings& settings() const { return m_settings; }
    /// "http://127.0.0.1:4200/api", for messages.
    QString server() const;
    /// The value of the Authorization header, empty without credentials.
    QByteArray authorization() const;
    /// A request for `path` below the API URL, with the JSON content type, credentials and the
    /// TLS configuration (the profile's CA certificate).
    QNetworkRequest request(const QString& path) const;
    /// Why the TLS settings cannot be used (an unreadable CA file), else empty: every request
    /// then fails with it rather than trusting less or more than the user asked.
    QString tlsProblem() const { return m_tlsProblem; }

    /// Sends the request and hands `convert` the answer on the query pool; its value (or what it
    /// threw, or the failure) reaches `done` on the GUI thread, unless `context` died. Statuses
    /// in `passed` (e.g. 404 for "none") reach `convert` instead of failing.
    template<class T>
    void send(const QByteArray& method, const QString& path, const nlohmann::json* body,
              QObject* context, std::function<T(RestAnswer)> convert,
              std::function<void(Result<T>)> done, std::vector<int> passed = {});

    /// POSTs `body` page by page (servers answer at most 200 rows a request) until `limit`
    /// rows came (< 0: all); `done` gets the rows as one JSON array.
    void postPaged(const QString& path, nlohmann::json body, int limit, int offset,
                   QObject* context, std::function<void(Result<nlohmann::json>)> done);

private:
    using Raw = std::function<void(int status, QByteArray body, QString error)>;
    void sendRaw(const QByteArray& method, const QString& path, const nlohmann::json* body,
                 QObject* context, Raw raw);
    void nextPage(std::shared_ptr<struct PagedCall> call);

    RemoteSettings m_settings;
    QSslConfiguration m_tls;
    QString m_tlsProblem;
    QNetworkAccessManager m_network;
};

/// The sentence for an answer that is not a success: the server's own reason when it gave one.
QString restFailure(const QString& server, int status, const QByteArray& body);
/// Parses an answer body; throws with a sentence when it is not JSON (an HTML page, garbage).
nlohmann::json parseAnswer(const QString& server, int status, const QByteArray& body);

} // namespace weft::studio

#include "backend/restclient_impl.h"

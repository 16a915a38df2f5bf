#pragma once
// A tiny HTTP server on 127.0.0.1 (a free port) answering each path with a canned status and
// body, for checks of connections without a real server.
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>
#include <optional>

namespace weft::studio::test {

class FakeHttpServer : public QTcpServer {
public:
    struct Canned {
        int status = 200;
        QByteArray body;
        QByteArray type = "application/json";
    };
    QHash<QByteArray, Canned> answers; // "/api/health" → answer; others get `fallback`
    Canned fallback{404, R"({"detail":"Not Found"})"};
    QList<QByteArray> authorizations; // the Authorization header of each request

    /// With `tls` (a certificate and key), answers https:// only.
    explicit FakeHttpServer(const QSslConfiguration* tls = nullptr) {
        if (tls) {
            m_tls.setSslConfiguration(*tls);
            m_tls.listen(QHostAddress::LocalHost, 0);
            m_scheme = QStringLiteral("https");
            connect(&m_tls, &QSslServer::pendingConnectionAvailable, this, [this] { take(m_tls); });
        } else {
            listen(QHostAddress::LocalHost, 0);
            connect(this, &QTcpServer::newConnection, this, [this] { take(*this); });
        }
    }
    QUrl api() const {
        return QUrl(QStringLiteral("%1://127.0.0.1:%2/api")
                        .arg(m_scheme)
                        .arg(m_scheme == u"https" ? m_tls.serverPort() : serverPort()));
    }

private:
    void take(QTcpServer& server) {
        while (QTcpSocket* s = server.nextPendingConnection()) {
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            connect(s, &QTcpSocket::readyRead, s, [this, s] { onRead(s); });
            if (s->bytesAvailable() > 0) onRead(s);
        }
    }
    void onRead(QTcpSocket* s) {
        QByteArray& head = m_pending[s];
        head += s->readAll();
        if (!head.contains("\r\n\r\n")) return; // GET requests only: no body to wait for
        const QByteArray requestLine = head.left(head.indexOf("\r\n"));
        const QByteArray path = requestLine.split(' ').value(1);
        for (const QByteArray& line : head.split('\n'))
            if (line.toLower().startsWith("authorization:"))
                authorizations.append(line.mid(14).trimmed());
        m_pending.remove(s);
        const Canned a = answers.value(path, fallback);
        s->write("HTTP/1.1 " + QByteArray::number(a.status) + " X\r\nContent-Type: " + a.type
                 + "\r\nContent-Length: " + QByteArray::number(a.body.size())
                 + "\r\nConnection: close\r\n\r\n" + a.body);
        s->disconnectFromHost();
    }
    QHash<QTcpSocket*, QByteArray> m_pending;
    QSslServer m_tls;
    QString m_scheme = QStringLiteral("http");
};

/// A self-signed certificate for 127.0.0.1 made by the openssl program in `dir`: the server's
/// TLS configuration, and the certificate's file for clients to trust. nullopt without openssl.
struct SelfSigned {
    QSslConfiguration server;
    QString certificateFile;
};
inline std::optional<SelfSigned> makeSelfSigned(const QString& dir) {
    const QString cert = dir + QStringLiteral("/cert.pem");
    const QString key = dir + QStringLiteral("/key.pem");
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                   QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                   QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                   QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                   QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=IP:127.0.0.1")});
    if (!openssl.waitForFinished(15000) || openssl.exitStatus() != QProcess::NormalExit
        || openssl.exitCode() != 0)
        return std::nullopt;
    QFile certFile(cert);
    QFile keyFile(key);
    if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
        return std::nullopt;
    SelfSigned s;
    s.server = QSslConfiguration::defaultConfiguration();
    s.server.setLocalCertificate(QSslCertificate(certFile.readAll(), QSsl::Pem));
    s.server.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Ec, QSsl::Pem));
    s.server.setPeerVerifyMode(QSslSocket::VerifyNone);
    s.certificateFile = cert;
    return s;
}

} // namespace weft::studio::test

#pragma once
// A front for a weft-server on 127.0.0.1 without /api/events/in, as a server predating the
// event intake: a WebSocket upgrade is answered 404 (so flow programs report over REST) and
// every other request is passed on to the server. A test may have answers lost (`loseAnswer`):
// the server gets and commits the request, then the connection is closed instead of answering,
// as a network failing on the way back. It serves in the test's event loop.
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <functional>
#include <memory>
#include <string>

class EventlessFront : public QObject {
public:
    int refusedUpgrades = 0;
    /// Whether the answer to this request path is to be lost; none is without it.
    std::function<bool(const std::string& path)> loseAnswer;

    /// Listens on a free port of 127.0.0.1 for the server at `target` (http://127.0.0.1:PORT);
    /// returns the port, 0 when it cannot listen.
    quint16 listen(const QString& target) {
        m_target = target;
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = m_server.nextPendingConnection()) {
                auto buffer = std::make_shared<QByteArray>();
                connect(s, &QTcpSocket::readyRead, this, [this, s, buffer] {
                    buffer->append(s->readAll());
                    serve(s, *buffer);
                });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0) ? m_server.serverPort() : 0;
    }
    /// http://127.0.0.1:PORT/api of the front, for WEFT_API_URL.
    QString api() const {
        return QStringLiteral("http://127.0.0.1:%1/api").arg(m_server.serverPort());
    }

private:
    // Each complete request in `buffer`: refused when it asks for a WebSocket, else forwarded.
    void serve(QTcpSocket* s, QByteArray& buffer) {
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0) return;
            const QByteArray head = buffer.left(end);
            qsizetype length = 0;
            for (const QByteArray& line : head.split('\n'))
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            if (buffer.size() < end + 4 + length) return;
            const QByteArray body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            const QList<QByteArray> request = head.left(head.indexOf('\r')).split(' ');
            if (request.size() < 2) return s->abort();
            if (head.toLower().contains("upgrade: websocket")) {
                ++refusedUpgrades;
                s->write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                continue;
            }
            const bool lose = loseAnswer && loseAnswer(request[1].toStdString());
            QNetworkRequest forward(QUrl(m_target + QString::fromUtf8(request[1])));
            forward.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArrayLiteral("application/json"));
            QNetworkReply* reply = m_network.sendCustomRequest(forward, request[0], body);
            QPointer<QTcpSocket> socket(s);
            connect(reply, &QNetworkReply::finished, this, [socket, reply, lose] {
                reply->deleteLater();
                if (!socket) return;
                if (lose) return socket->abort(); // committed, never answered
                const int status =
                    reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                const QByteArray data = reply->readAll();
                socket->write("HTTP/1.1 " + QByteArray::number(status)
                              + " X\r\nContent-Type: application/json\r\nContent-Length: "
                              + QByteArray::number(data.size()) + "\r\n\r\n" + data);
            });
        }
    }

    QTcpServer m_server;
    QString m_target; // http://127.0.0.1:PORT
    QNetworkAccessManager m_network;
};

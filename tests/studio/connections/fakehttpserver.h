#pragma once
// A tiny HTTP server on 127.0.0.1 (a free port) answering each path with a canned status and
// body, for checks of connections without a real server.
#include <QHash>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

namespace weft::studio::test {

class FakeHttpServer : public QTcpServer {
public:
    struct Canned {
        int status = 200;
        QByteArray body;
        QByteArray type = "application/json";
    };
    QHash<QByteArray, Canned> answers; // "/api/health" → answer; others get 404
    QList<QByteArray> authorizations;  // the Authorization header of each request

    FakeHttpServer() {
        listen(QHostAddress::LocalHost, 0);
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = nextPendingConnection()) {
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
                connect(s, &QTcpSocket::readyRead, s, [this, s] { onRead(s); });
            }
        });
    }
    QUrl api() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/api").arg(serverPort())); }

private:
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
        const Canned a = answers.value(path, Canned{404, R"({"detail":"Not Found"})"});
        s->write("HTTP/1.1 " + QByteArray::number(a.status) + " X\r\nContent-Type: " + a.type
                 + "\r\nContent-Length: " + QByteArray::number(a.body.size())
                 + "\r\nConnection: close\r\n\r\n" + a.body);
        s->disconnectFromHost();
    }
    QHash<QTcpSocket*, QByteArray> m_pending;
};

} // namespace weft::studio::test

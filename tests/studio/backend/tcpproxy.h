#pragma once
// A TCP proxy on 127.0.0.1 in front of a server, for fault tests: it can cut every connection
// and refuse new ones (the network is down), change where it forwards to (a restarted server on
// another port) while the client keeps one URL, and misbehave on the event stream's WebSocket
// connections only (those that start with "GET /api/events/out"): drop each one a while after it
// opens, or pass the handshake and then stall (nothing more reaches the client, not even pongs).
#include <QElapsedTimer>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

class TcpProxy : public QTcpServer {
public:
    explicit TcpProxy(quint16 target)
        : m_target(target) {
        m_clock.start();
        listen(QHostAddress::LocalHost, 0);
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* client = nextPendingConnection())
                accept(client);
        });
    }

    QUrl api() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/api").arg(serverPort())); }
    void setTarget(quint16 port) { m_target = port; }
    /// Down: open connections are cut and new ones closed at once.
    void setDown(bool down) {
        m_down = down;
        if (down) dropAll();
    }
    /// Cuts every open connection (the clients see the server go away mid-stream).
    void dropAll() {
        for (const auto& s : std::as_const(m_sockets))
            if (s) s->abort();
        m_sockets.clear();
    }
    /// Each WebSocket connection is cut this long after it opens (< 0: never).
    void setDropWebSocketsAfter(int ms) { m_dropAfterMs = ms; }
    /// WebSocket connections get their handshake answer, then nothing.
    void setStallWebSockets(bool stall) { m_stall = stall; }
    /// When each WebSocket connection was asked for, in ms since the proxy started.
    const QList<qint64>& webSocketAttempts() const { return m_wsAttempts; }

private:
    void accept(QTcpSocket* client) {
        client->setParent(this);
        if (m_down) {
            client->abort();
            client->deleteLater();
            return;
        }
        auto* upstream = new QTcpSocket(client);
        m_sockets << client << upstream;
        connect(client, &QTcpSocket::readyRead, upstream,
                [this, client, upstream] { toUpstream(client, upstream); });
        connect(upstream, &QTcpSocket::connected, client,
                [this, client, upstream] { toUpstream(client, upstream); });
        connect(upstream, &QTcpSocket::readyRead, client,
                [this, client, upstream] { toClient(client, upstream); });
        connect(upstream, &QTcpSocket::disconnected, client,
                [client] { client->disconnectFromHost(); });
        connect(upstream, &QTcpSocket::errorOccurred, client,
                [client](QAbstractSocket::SocketError e) {
                    if (e == QAbstractSocket::ConnectionRefusedError) client->abort();
                });
        connect(client, &QTcpSocket::disconnected, client, [client] { client->deleteLater(); });
        upstream->connectToHost(QHostAddress::LocalHost, m_target);
    }

    // Bytes from the client wait until the upstream connection is open.
    void toUpstream(QTcpSocket* client, QTcpSocket* upstream) {
        if (upstream->state() != QAbstractSocket::ConnectedState) return;
        const QByteArray data = client->readAll();
        if (!client->property("seen").toBool() && !data.isEmpty()) {
            client->setProperty("seen", true);
            if (data.startsWith("GET /api/events/out")) {
                client->setProperty("ws", true);
                m_wsAttempts << m_clock.elapsed();
                if (m_dropAfterMs >= 0)
                    QTimer::singleShot(m_dropAfterMs, client, [client] { client->abort(); });
            }
        }
        upstream->write(data);
    }

    void toClient(QTcpSocket* client, QTcpSocket* upstream) {
        QByteArray data = upstream->readAll();
        if (m_stall && client->property("ws").toBool()) {
            if (client->property("stalled").toBool()) return;
            QByteArray head = client->property("head").toByteArray() + data;
            const qsizetype end = head.indexOf("\r\n\r\n");
            if (end < 0) {
                client->setProperty("head", head);
                return;
            }
            client->setProperty("stalled", true);
            data = head.left(end + 4); // the handshake answer, and nothing after it
        }
        client->write(data);
    }

    quint16 m_target;
    bool m_down = false;
    bool m_stall = false;
    int m_dropAfterMs = -1;
    QElapsedTimer m_clock;
    QList<qint64> m_wsAttempts;
    QList<QPointer<QTcpSocket>> m_sockets;
};

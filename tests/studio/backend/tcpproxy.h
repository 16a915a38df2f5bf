#pragma once
// A TCP proxy on 127.0.0.1 in front of a server, for fault tests: it can cut every connection
// and refuse new ones (the network is down), drop connections at will, and change where it
// forwards to (a restarted server on another port), while the client keeps one URL.
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

class TcpProxy : public QTcpServer {
public:
    explicit TcpProxy(quint16 target)
        : m_target(target) {
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
    int accepted() const { return m_accepted; }

private:
    void accept(QTcpSocket* client) {
        client->setParent(this);
        if (m_down) {
            client->abort();
            client->deleteLater();
            return;
        }
        ++m_accepted;
        auto* upstream = new QTcpSocket(client);
        m_sockets << client << upstream;
        // Bytes from the client wait until the upstream connection is open.
        connect(client, &QTcpSocket::readyRead, upstream, [client, upstream] {
            if (upstream->state() == QAbstractSocket::ConnectedState)
                upstream->write(client->readAll());
        });
        connect(upstream, &QTcpSocket::connected, client,
                [client, upstream] { upstream->write(client->readAll()); });
        connect(upstream, &QTcpSocket::readyRead, client,
                [client, upstream] { client->write(upstream->readAll()); });
        connect(upstream, &QTcpSocket::disconnected, client,
                [client] { client->disconnectFromHost(); });
        connect(upstream, &QTcpSocket::errorOccurred, client,
                [client](QAbstractSocket::SocketError e) {
                    if (e == QAbstractSocket::ConnectionRefusedError) client->abort();
                });
        connect(client, &QTcpSocket::disconnected, client, [client] { client->deleteLater(); });
        upstream->connectToHost(QHostAddress::LocalHost, m_target);
    }

    quint16 m_target;
    bool m_down = false;
    int m_accepted = 0;
    QList<QPointer<QTcpSocket>> m_sockets;
};

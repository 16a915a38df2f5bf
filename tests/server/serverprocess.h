#pragma once
// weft-server as a child process: waiting for the port it listens on, and one-off requests to it.
#include "serverfixture.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>

/// Waits for the server's "listening on http://HOST:PORT/api" line; 0 when it never comes.
/// What the server wrote to stderr meanwhile is appended to `err`.
inline quint16 waitForPort(QProcess& server, QByteArray& err) {
    static const QRegularExpression listening(
        QStringLiteral("listening on http://[^:]+:(\\d+)/api"));
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 20000) {
        if (!server.waitForReadyRead(1000) && server.state() != QProcess::Running) return 0;
        err += server.readAllStandardError();
        const auto m = listening.match(QString::fromUtf8(err));
        if (m.hasMatch()) return quint16(m.captured(1).toUInt());
    }
    return 0;
}

/// One request with a JSON content type (and an Authorization header when given), waited for (at
/// most 10 s; status 0 without an answer).
inline HttpAnswer request(const QByteArray& method, const QUrl& url, const QByteArray& body = {},
                          const QByteArray& authorization = {}) {
    QNetworkAccessManager network;
    QNetworkRequest r(url);
    r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!authorization.isEmpty()) r.setRawHeader("Authorization", authorization);
    QNetworkReply* reply = network.sendCustomRequest(r, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    HttpAnswer a;
    if (!reply->isFinished() && !finished.wait(10000)) return a;
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.raw = reply->readAll();
    a.body = nlohmann::json::parse(a.raw.toStdString(), nullptr, false);
    delete reply;
    return a;
}

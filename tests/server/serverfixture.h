#pragma once
// A server on a temporary database in this process, listening on 127.0.0.1 at a free port, and a
// client that waits for each answer (the event loop runs meanwhile, so the server answers).
#include "http_server.hpp"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <nlohmann/json.hpp>

struct HttpAnswer {
    int status = 0;
    QByteArray raw;
    nlohmann::json body; // discarded when the body is not JSON
    std::vector<std::pair<QByteArray, QByteArray>> headers;

    /// Every value of a header (names compared case-insensitively).
    QList<QByteArray> header(const QByteArray& name) const {
        QList<QByteArray> values;
        for (const auto& [n, v] : headers)
            if (n.compare(name, Qt::CaseInsensitive) == 0) values.append(v);
        return values;
    }

    std::string text() const { return raw.toStdString(); }
};

class ServerFixture {
public:
    explicit ServerFixture(weft::server::Auth auth = {}) {
        m_engine = std::make_shared<weft::Engine>(
            weft::Store::open(m_dir.filePath(QStringLiteral("server.db")).toStdString()));
        m_server = std::make_unique<weft::server::HttpServer>(m_engine, std::move(auth));
        m_port = m_server->listen(QHostAddress::LocalHost, 0);
    }

    quint16 port() const { return m_port; }
    weft::Engine& engine() { return *m_engine; }
    const std::shared_ptr<weft::Engine>& enginePtr() const { return m_engine; }
    weft::server::HttpServer& server() { return *m_server; }

    QUrl url(const QString& path) const {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
    }

    /// Sends `body` as is (it may be any bytes) with the headers set by setHeader; waits at most
    /// 10 s for the answer.
    HttpAnswer send(const QByteArray& method, const QString& path, const QByteArray& body = {}) {
        QNetworkRequest request(url(path));
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        for (const auto& [name, value] : m_headers)
            request.setRawHeader(name, value);
        QNetworkReply* reply = m_network.sendCustomRequest(request, method, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        HttpAnswer answer;
        if (!reply->isFinished() && !finished.wait(10000)) {
            reply->abort();
            reply->deleteLater();
            return answer; // status 0: no answer
        }
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.raw = reply->readAll();
        for (const auto& [name, value] : reply->rawHeaderPairs())
            answer.headers.emplace_back(name, value);
        answer.body = nlohmann::json::parse(answer.raw.toStdString(), nullptr, false);
        reply->deleteLater();
        recordAnswer(method, path, answer);
        return answer;
    }
    HttpAnswer get(const QString& path) { return send("GET", path); }
    /// Sent with every later request (an empty value removes it).
    void setHeader(const QByteArray& name, const QByteArray& value) {
        std::erase_if(m_headers, [&](const auto& h) { return h.first == name; });
        if (!value.isEmpty()) m_headers.emplace_back(name, value);
    }
    HttpAnswer post(const QString& path, const nlohmann::json& body) {
        return send("POST", path, QByteArray::fromStdString(body.dump()));
    }

    // Shorthands for the setup most tests need; each checks its own answer.
    std::string createFlow(const std::string& name) {
        auto a = post(QStringLiteral("/api/flows/"), {{"name", name}});
        if (a.status != 201 && a.status != 200) return {};
        return a.body.value("id", std::string());
    }
    std::string createFlowRun(const std::string& flow_id, nlohmann::json extra = {}) {
        nlohmann::json body = {{"flow_id", flow_id}};
        if (extra.is_object()) body.update(extra);
        auto a = post(QStringLiteral("/api/flow_runs/"), body);
        if (a.status != 201) return {};
        return a.body.value("id", std::string());
    }
    HttpAnswer setState(const QString& kind, const std::string& id, nlohmann::json state,
                        bool force = false) {
        nlohmann::json body = {{"state", std::move(state)}};
        if (force) body["force"] = true;
        return post(QStringLiteral("/api/%1/%2/set_state").arg(kind, QString::fromStdString(id)),
                    body);
    }

private:
    // Every answer is kept for tests/server/check_responses.py, which checks the bodies against
    // Prefect's schemas: one file per test program, started afresh by each run of it.
    static void recordAnswer(const QByteArray& method, const QString& path, const HttpAnswer& a) {
        const QByteArray dir = qgetenv("WEFT_RESPONSE_LOG_DIR");
        if (dir.isEmpty() || a.status == 0) return;
        static bool started = false;
        QFile log(QString::fromLocal8Bit(dir) + QLatin1Char('/')
                  + QCoreApplication::applicationName() + QStringLiteral(".jsonl"));
        if (!log.open(started ? QIODevice::Append : QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(log.fileName()));
        started = true;
        const nlohmann::json entry = {{"method", method.toStdString()},
                                      {"path", path.toStdString()},
                                      {"status", a.status},
                                      {"body", a.raw.toStdString()}};
        log.write(QByteArray::fromStdString(
            entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
    }

    QTemporaryDir m_dir;
    std::shared_ptr<weft::Engine> m_engine;
    std::unique_ptr<weft::server::HttpServer> m_server;
    quint16 m_port = 0;
    QNetworkAccessManager m_network;
    std::vector<std::pair<QByteArray, QByteArray>> m_headers;
};

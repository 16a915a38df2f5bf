#pragma once
// RestClient::send: the request on the GUI thread, the parsing on the query pool.
#include "backend/backend.h"

namespace weft::studio {

template<class T>
void RestClient::send(const QByteArray& method, const QString& path, const nlohmann::json* body,
                      QObject* context, std::function<T(RestAnswer)> convert,
                      std::function<void(Result<T>)> done, std::vector<int> passed) {
    QPointer<QObject> guard(context);
    const QString server = this->server();
    sendRaw(method, path, body, context,
            [guard, server, convert = std::move(convert), done = std::move(done),
             passed = std::move(passed)](int status, QByteArray bytes, QString error) {
                if (!guard) return; // nobody waits: not even worth parsing
                if (!error.isEmpty()) {
                    done(QueryError{error});
                    return;
                }
                const bool pass = std::find(passed.begin(), passed.end(), status) != passed.end();
                runAsync<T>(
                    guard.data(),
                    [server, status, bytes = std::move(bytes), convert, pass] {
                        if (status >= 300 && !pass)
                            throw std::runtime_error(
                                restFailure(server, status, bytes).toStdString());
                        RestAnswer a{status, parseAnswer(server, status, bytes)};
                        try {
                            return convert(std::move(a));
                        } catch (const std::exception& e) { // a shape we cannot read
                            throw std::runtime_error(
                                QStringLiteral("Server %1 answered something unexpected: %2")
                                    .arg(server, QString::fromUtf8(e.what()))
                                    .toStdString());
                        }
                    },
                    done);
            });
}

} // namespace weft::studio

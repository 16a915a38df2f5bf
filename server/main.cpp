// weft-server: `weft server start` runs this program (the `weft` CLI links no Qt).
// Serves Prefect's REST API over a database until SIGINT or SIGTERM, then stops accepting, lets
// the answers given be written, commits what the store holds and exits 0.
#include "http_server.hpp"
#include "scheduler.hpp"
#include "server_config.hpp"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <csignal>
#include <cstdio>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signal_fd[2] = {-1, -1};

void on_signal(int) {
    const char byte = 1;
    [[maybe_unused]] auto n = ::write(g_signal_fd[1], &byte, 1); // async-signal-safe
}

void setup_logging() {
    // Messages go to stderr; stdout stays free for whoever runs the server.
    auto logger = spdlog::stderr_logger_mt("weft-server");
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
}

int fail(const std::string& message) {
    std::fprintf(stderr, "weft: %s\n", message.c_str());
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    setup_logging();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("weft-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(WEFT_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Serves Prefect's REST API (a compatible subset) over a Weft database."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host({QStringLiteral("host")},
                                  QStringLiteral("Address to listen on (default 127.0.0.1)."),
                                  QStringLiteral("HOST"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port({QStringLiteral("port")},
                                  QStringLiteral("Port to listen on; 0 picks a free one."),
                                  QStringLiteral("PORT"), QStringLiteral("4200"));
    const QCommandLineOption db({QStringLiteral("db")},
                                QStringLiteral("Database file (default $WEFT_HOME/server.db)."),
                                QStringLiteral("PATH"));
    const QCommandLineOption api_key(
        {QStringLiteral("api-key")},
        QStringLiteral("Require 'Authorization: Bearer KEY' (default $WEFT_SERVER_API_KEY). "
                       "WEFT_SERVER_API_AUTH_STRING=user:password requires HTTP basic auth."),
        QStringLiteral("KEY"));
    const QCommandLineOption unauthenticated(
        {QStringLiteral("allow-unauthenticated")},
        QStringLiteral("Listen on an address other than loopback without authentication."));
    parser.addOptions({host, port, db, api_key, unauthenticated});
    parser.process(app);

    weft::server::AuthConfig auth = weft::server::AuthConfig::from_environment();
    if (parser.isSet(api_key)) auth.api_key = parser.value(api_key).toStdString();
    if (!auth.basic.empty() && auth.basic.find(':') == std::string::npos)
        return fail("WEFT_SERVER_API_AUTH_STRING must be user:password (it has no ':').");

    const QHostAddress address = weft::server::listen_address(parser.value(host));
    if (address.isNull())
        return fail("--host must be an IP address or localhost, got '"
                    + parser.value(host).toStdString() + "'");
    if (!address.isLoopback() && !auth.enabled() && !parser.isSet(unauthenticated))
        return fail("refusing to listen on " + parser.value(host).toStdString()
                    + " without authentication: anyone who can reach it could change runs. "
                      "Set WEFT_SERVER_API_AUTH_STRING=user:password or --api-key KEY, listen "
                      "on 127.0.0.1, or pass --allow-unauthenticated.");
    bool port_ok = false;
    const uint port_number = parser.value(port).toUInt(&port_ok);
    if (!port_ok || port_number > 65535)
        return fail("--port must be a number from 0 to 65535, got '"
                    + parser.value(port).toStdString() + "'");
    const std::string path =
        parser.isSet(db) ? parser.value(db).toStdString() : weft::server::default_server_db_path();

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signal_fd) != 0)
        return fail("could not set up signal handling");
    struct sigaction action = {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        auto engine = std::make_shared<weft::Engine>(weft::Store::open(path));
        weft::server::HttpServer server(engine, weft::server::Auth(auth));
        const quint16 bound = server.listen(address, quint16(port_number));
        if (bound == 0)
            return fail("could not listen on " + parser.value(host).toStdString() + ":"
                        + std::to_string(port_number)
                        + " (in use, or not an address of this "
                          "machine)");
        spdlog::info("weft: server listening on http://{}:{}/api (database {}, {})",
                     address.toString().toStdString(), bound, path,
                     auth.enabled() ? "authentication required" : "no authentication");
        // Deployments' schedules, late runs and silent workers, on this thread's event loop.
        weft::server::Scheduler scheduler(engine,
                                          weft::server::SchedulerConfig::from_environment());
        scheduler.start();

        QSocketNotifier notifier(g_signal_fd[0], QSocketNotifier::Read);
        QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&] {
            char byte;
            [[maybe_unused]] auto n = ::read(g_signal_fd[0], &byte, 1);
            notifier.setEnabled(false);
            spdlog::info("weft: server stopping");
            scheduler.stop();
            server.shutdown([] { QCoreApplication::exit(0); });
        });
        const int code = app.exec();
        engine->store().close();
        return code;
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}

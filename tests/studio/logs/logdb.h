#pragma once
// A temporary database opened by an EmbeddedBackend that polls the feed every 10 ms, with a
// helper to write a fixture run with logs: the shared set-up of the log model and view tests.
#include "backend/embeddedbackend.h"
#include "fixtures.h"

#include <QTemporaryDir>
#include <QtGlobal>
#include <memory>

namespace weft::studio {

struct LogDb {
    QTemporaryDir dir;
    std::unique_ptr<EmbeddedBackend> backend;
    weft::Store* store = nullptr;

    LogDb() {
        backend = std::make_unique<EmbeddedBackend>(dir.filePath(QStringLiteral("weft.db")));
        const QString error = backend->openNow();
        if (!error.isEmpty()) qFatal("%s", qPrintable(error));
        backend->setPollInterval(10);
        store = &backend->engine()->store();
    }
    /// A finished run of a chain of `tasks` task runs with `lines` fixture log lines.
    fixtures::Written run(int lines, int tasks = 3,
                          weft::StateType state = weft::StateType::Completed) {
        fixtures::RunSpec spec;
        spec.log_lines = lines;
        spec.tasks = fixtures::chain(tasks);
        spec.state = state;
        auto w = fixtures::writeRun(*store, spec);
        store->flush();
        return w;
    }
};

} // namespace weft::studio

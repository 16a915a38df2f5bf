#pragma once
// Writes log lines to a file (a download) or collects them as text (the clipboard), page by page:
// pages are read through the Backend and formatted and written on a worker thread, one after the
// other, so neither the GUI thread nor memory grows with the size of the log.
#include "backend/backend.h"

#include <QObject>
#include <QString>
#include <memory>
#include <vector>

namespace weft::studio {

class LogExporter : public QObject {
    Q_OBJECT
public:
    explicit LogExporter(Backend* backend, QObject* parent = nullptr);
    ~LogExporter() override;

    /// Writes the lines matching `query` (read in pages by id; its limit is ignored) or, when `ids`
    /// is not empty, exactly those lines, to `path` (one formatLogLine() each; with the run's short
    /// id when `withRuns`). One export at a time: a new one cancels the last.
    void exportToFile(const weft::LogQuery& query, std::vector<std::int64_t> ids,
                      const QString& path, bool withRuns = false);
    /// The same, collected as text: textReady() then finished().
    void collectText(const weft::LogQuery& query, std::vector<std::int64_t> ids,
                     bool withRuns = false);
    bool isRunning() const { return m_running; }
    /// Stops after the page in progress; finished(false, …) is not emitted.
    void cancel();

Q_SIGNALS:
    /// Lines written so far, of `total` (-1 when not known ahead).
    void progress(qint64 lines, qint64 total);
    void textReady(const QString& text, qint64 lines);
    /// `message` is the file's path on success, else what went wrong.
    void finished(bool ok, const QString& message, qint64 lines);

private:
    struct Sink;
    void start(const weft::LogQuery& query, std::vector<std::int64_t> ids, const QString& path,
               bool withRuns);
    void fetchNext();
    void write(std::vector<weft::LogRecord> lines, bool lastPage);
    void finish(const QString& error);

    Backend* m_backend;
    std::shared_ptr<Sink> m_sink; // used by one worker task at a time
    weft::LogQuery m_query;
    std::vector<std::int64_t> m_ids;
    std::size_t m_pos = 0;
    std::int64_t m_cursor = 0;
    quint64 m_gen = 0;
    bool m_running = false;
};

} // namespace weft::studio

#include "logs/logexporter.h"

#include "logs/logformat.h"

#include <QFile>

namespace weft::studio {

namespace {
constexpr int kQueryPage = 10000;     // lines read per query when paging by id
constexpr std::size_t kIdPage = 2000; // ids per query (bound as parameters)
} // namespace

struct LogExporter::Sink {
    QString path; // empty: collect text
    QFile file;
    QString text;
    bool withRuns = false;
    qint64 lines = 0;
};

LogExporter::LogExporter(Backend* backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {}

LogExporter::~LogExporter() = default;

void LogExporter::exportToFile(const weft::LogQuery& query, std::vector<std::int64_t> ids,
                               const QString& path, bool withRuns) {
    start(query, std::move(ids), path, withRuns);
}

void LogExporter::collectText(const weft::LogQuery& query, std::vector<std::int64_t> ids,
                              bool withRuns) {
    start(query, std::move(ids), {}, withRuns);
}

void LogExporter::cancel() {
    ++m_gen;
    m_running = false;
    if (auto sink = std::exchange(m_sink, nullptr); sink && !sink->path.isEmpty())
        runAsync<bool>(
            this, [sink] { return sink->file.remove(); }, [](Result<bool>) {});
}

void LogExporter::start(const weft::LogQuery& query, std::vector<std::int64_t> ids,
                        const QString& path, bool withRuns) {
    if (m_running) cancel();
    m_running = true;
    m_sink = std::make_shared<Sink>();
    m_sink->path = path;
    m_sink->withRuns = withRuns;
    m_query = query;
    m_ids = std::move(ids);
    m_pos = 0;
    m_cursor = query.after_id;
    const auto gen = ++m_gen;
    runAsync<QString>(
        this,
        [sink = m_sink]() -> QString {
            if (sink->path.isEmpty()) return {};
            sink->file.setFileName(sink->path);
            if (!sink->file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
                return tr("Cannot write %1: %2").arg(sink->path, sink->file.errorString());
            return {};
        },
        [this, gen](Result<QString> r) {
            if (gen != m_gen) return;
            const QString error = r ? *r : r.error();
            if (!error.isEmpty()) return finish(error);
            fetchNext();
        });
}

void LogExporter::fetchNext() {
    weft::LogQuery q;
    if (!m_ids.empty()) {
        const std::size_t n = std::min(kIdPage, m_ids.size() - m_pos);
        q.ids.assign(m_ids.begin() + std::ptrdiff_t(m_pos),
                     m_ids.begin() + std::ptrdiff_t(m_pos + n));
        q.limit = int(n);
        m_pos += n;
    } else {
        q = m_query;
        q.after_id = m_cursor;
        q.limit = kQueryPage;
    }
    const auto gen = m_gen;
    m_backend->fetchLogs(q, this,
                         [this, gen, limit = q.limit](Result<std::vector<weft::LogRecord>> r) {
                             if (gen != m_gen) return;
                             if (!r)
                                 return finish(tr("couldn't read log lines: %1").arg(r.error()));
                             std::vector<weft::LogRecord> lines = std::move(*r);
                             bool lastPage;
                             if (!m_ids.empty()) {
                                 lastPage = m_pos >= m_ids.size();
                             } else {
                                 lastPage = int(lines.size()) < limit;
                                 if (!lines.empty()) m_cursor = lines.back().id;
                             }
                             write(std::move(lines), lastPage);
                         });
}

void LogExporter::write(std::vector<weft::LogRecord> lines, bool lastPage) {
    const auto gen = m_gen;
    runAsync<QString>(
        this,
        [sink = m_sink, lines = std::move(lines)]() -> QString {
            QString chunk;
            for (const weft::LogRecord& line : lines) {
                chunk += formatLogLine(
                    line, sink->withRuns ? QString::fromStdString(line.flow_run_id.substr(0, 8))
                                         : QString());
                chunk += QLatin1Char('\n');
            }
            sink->lines += qint64(lines.size());
            if (sink->path.isEmpty()) {
                sink->text += chunk;
                return {};
            }
            const QByteArray bytes = chunk.toUtf8();
            if (sink->file.write(bytes) != bytes.size())
                return tr("Cannot write %1: %2").arg(sink->path, sink->file.errorString());
            return {};
        },
        [this, gen, lastPage](Result<QString> r) {
            if (gen != m_gen) return;
            const QString error = r ? *r : r.error();
            if (!error.isEmpty()) return finish(error);
            Q_EMIT progress(m_sink->lines, m_ids.empty() ? -1 : qint64(m_ids.size()));
            if (lastPage)
                finish({});
            else
                fetchNext();
        });
}

void LogExporter::finish(const QString& error) {
    const auto gen = m_gen;
    runAsync<QString>(
        this,
        [sink = m_sink, error]() -> QString {
            if (sink->path.isEmpty()) return error;
            sink->file.close();
            if (error.isEmpty() && sink->file.error() != QFileDevice::NoError)
                return tr("Cannot write %1: %2").arg(sink->path, sink->file.errorString());
            return error;
        },
        [this, gen](Result<QString> r) {
            if (gen != m_gen) return;
            const QString error = r ? *r : r.error();
            m_running = false;
            auto sink = std::exchange(m_sink, nullptr);
            if (error.isEmpty() && sink->path.isEmpty()) Q_EMIT textReady(sink->text, sink->lines);
            Q_EMIT finished(error.isEmpty(), error.isEmpty() ? sink->path : error, sink->lines);
        });
}

} // namespace weft::studio

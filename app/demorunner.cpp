#include "demorunner.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace weft::studio {

DemoRunner::DemoRunner(QObject* parent)
    : QObject(parent)
    , m_dir(QDir::tempPath() + QStringLiteral("/weft-demo-XXXXXX")) {
    m_timer.setInterval(4000);
    connect(&m_timer, &QTimer::timeout, this, &DemoRunner::tick);
}

DemoRunner::~DemoRunner() {
    for (QProcess* p : m_processes) {
        if (p->state() != QProcess::NotRunning) {
            p->kill();
            p->waitForFinished(2000);
        }
    }
}

QString DemoRunner::databasePath() const {
    return m_dir.filePath(QStringLiteral("demo.db"));
}

QString DemoRunner::programDir() {
    const QString env = qEnvironmentVariable("WEFT_BIN_DIR");
    return env.isEmpty() ? QCoreApplication::applicationDirPath() : env;
}

int DemoRunner::runningPrograms() const {
    int n = 0;
    for (const QProcess* p : m_processes)
        n += p->state() != QProcess::NotRunning;
    return n;
}

void DemoRunner::launch(const QString& program, const QStringList& args, bool fixFault) {
    const QString path = QDir(programDir()).filePath(program);
    if (!QFileInfo(path).isExecutable()) {
        Q_EMIT programFailedToStart(path);
        return;
    }
    auto* process = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("WEFT_DB"), databasePath());
    env.insert(QStringLiteral("NO_COLOR"), QStringLiteral("1"));
    if (fixFault) env.insert(QStringLiteral("WEFT_EXAMPLE_FIX"), QStringLiteral("1"));
    process->setProcessEnvironment(env);
    process->setProgram(path);
    process->setArguments(args);
    process->setStandardOutputFile(QProcess::nullDevice());
    process->setStandardErrorFile(QProcess::nullDevice());
    connect(process, &QProcess::finished, this, [this, process] {
        std::erase(m_processes, process);
        process->deleteLater();
    });
    m_processes.push_back(process);
    process->start();
}

void DemoRunner::start() {
    launch(QStringLiteral("example-long"),
           {QStringLiteral("run"), QStringLiteral("long_running"), QStringLiteral("--param"),
            QStringLiteral("seconds=600"), QStringLiteral("--param"),
            QStringLiteral("tasks_per_wave=5"), QStringLiteral("--param"),
            QStringLiteral("step_ms=1500")});
    launch(QStringLiteral("example-hello"), {});
    launch(QStringLiteral("example-etl"), {});
    launch(QStringLiteral("example-failing"), {});
    m_timer.start();
}

void DemoRunner::tick() {
    ++m_tick;
    if (runningPrograms() > 4) return; // keep the machine responsive
    switch (m_tick % 6) {
    case 0:
        launch(QStringLiteral("example-etl"), {});
        break;
    case 1:
        launch(QStringLiteral("example-hello"), {});
        break;
    case 2:
        launch(QStringLiteral("example-failing"), {}, m_tick % 4 == 2);
        break;
    case 3:
        launch(QStringLiteral("example-long"),
               {QStringLiteral("run"), QStringLiteral("long_running"), QStringLiteral("--param"),
                QStringLiteral("seconds=20"), QStringLiteral("--param"),
                QStringLiteral("tasks_per_wave=12"), QStringLiteral("--param"),
                QStringLiteral("step_ms=400")});
        break;
    case 4:
        launch(QStringLiteral("example-etl"), {});
        break;
    default:
        break;
    }
}

} // namespace weft::studio

#pragma once
// --demo: a fresh temporary database with the example flow programs running in the background,
// so the window is alive: a long flow with steady logging, ETL runs, failing runs and their
// retries.
#include <QObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <vector>

namespace weft::studio {

class DemoRunner : public QObject {
    Q_OBJECT
public:
    explicit DemoRunner(QObject* parent = nullptr);
    ~DemoRunner() override;

    bool isValid() const { return m_dir.isValid(); }
    QString databasePath() const;
    /// Where the example programs are (next to weft-studio unless WEFT_BIN_DIR says otherwise).
    static QString programDir();
    /// Starts the first runs at once and keeps new ones coming.
    void start();
    int runningPrograms() const;

Q_SIGNALS:
    void programFailedToStart(const QString& program);

private:
    void launch(const QString& program, const QStringList& args, bool fixFault = false);
    void tick();

    QTemporaryDir m_dir;
    QTimer m_timer;
    int m_tick = 0;
    std::vector<QProcess*> m_processes;
};

} // namespace weft::studio

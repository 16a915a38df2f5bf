#pragma once
// Running a program to completion, for the install and completion tests.
#include <QProcess>
#include <QString>
#include <QStringList>

struct Ran {
    int code = -1;
    QByteArray out;
    QByteArray err;
    QString all() const { return QString::fromUtf8(out + err); }
};

/// Runs `program args…` in `dir` (when given) and waits at most `timeoutMs`.
inline Ran run(const QString& program, const QStringList& args, const QString& dir = {},
               const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
               int timeoutMs = 120000) {
    QProcess p;
    p.setProcessEnvironment(env);
    if (!dir.isEmpty()) p.setWorkingDirectory(dir);
    p.start(program, args);
    Ran r;
    if (!p.waitForStarted(10000) || !p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "did not finish: " + program.toUtf8() + ' ' + args.join(u' ').toUtf8() + '\n'
                + p.readAllStandardError();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

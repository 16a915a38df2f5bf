#pragma once
// A read-only view of a folder, as a read-only mount or another user's files give it. Root
// ignores file permissions, so as root the view is a read-only bind mount; otherwise the folder
// and its files lose their write bits until the view ends.
#include <QDir>
#include <QFile>
#include <QString>

#include <sys/mount.h>
#include <unistd.h>

class ReadOnlyView {
public:
    /// Makes `folder` readable only, at `path()`; `mountPoint` (an empty folder) is used as root.
    ReadOnlyView(const QString& folder, const QString& mountPoint)
        : m_folder(folder) {
        if (geteuid() != 0) {
            m_path = folder;
            setWritable(false);
            m_valid = true;
            return;
        }
        QDir().mkpath(mountPoint);
        const QByteArray src = QFile::encodeName(folder), dst = QFile::encodeName(mountPoint);
        if (mount(src.constData(), dst.constData(), nullptr, MS_BIND, nullptr) != 0) {
            m_why = QStringLiteral("cannot bind-mount %1 (%2)").arg(folder, qt_error_string());
            return;
        }
        m_mounted = dst;
        if (mount(nullptr, dst.constData(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr)
            != 0) {
            m_why =
                QStringLiteral("cannot make %1 read-only (%2)").arg(mountPoint, qt_error_string());
            return;
        }
        m_path = mountPoint;
        m_valid = true;
    }
    ~ReadOnlyView() {
        if (!m_mounted.isEmpty())
            umount2(m_mounted.constData(), MNT_DETACH);
        else if (m_valid)
            setWritable(true);
    }
    ReadOnlyView(const ReadOnlyView&) = delete;
    ReadOnlyView& operator=(const ReadOnlyView&) = delete;

    bool isValid() const { return m_valid; }
    QString why() const { return m_why; }
    QString path() const { return m_path; }
    QString filePath(const QString& name) const { return m_path + u'/' + name; }

private:
    void setWritable(bool writable) {
        const QDir dir(m_folder);
        for (const QString& name : dir.entryList(QDir::Files)) {
            QFile f(dir.filePath(name));
            f.setPermissions(writable ? f.permissions() | QFile::WriteOwner
                                      : f.permissions() & ~(QFile::WriteOwner | QFile::WriteUser));
        }
        QFile d(m_folder);
        d.setPermissions(writable ? d.permissions() | QFile::WriteOwner
                                  : d.permissions() & ~(QFile::WriteOwner | QFile::WriteUser));
    }

    QString m_folder, m_path, m_why;
    QByteArray m_mounted;
    bool m_valid = false;
};

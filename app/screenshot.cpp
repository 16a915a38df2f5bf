#include "screenshot.h"

#include <QApplication>
#include <QFileInfo>
#include <QImage>
#include <QPixmap>
#include <QTimer>
#include <QWidget>
#include <cstdio>

namespace weft::studio {

QString saveScreenshot(QWidget* window, const QString& file) {
    // grab() renders the widget tree itself, so it works offscreen and under Xvfb alike.
    const QPixmap pixmap = window->grab();
    if (pixmap.isNull()) return QStringLiteral("the window could not be rendered");
    if (!pixmap.save(file, "PNG"))
        return QStringLiteral("cannot write %1").arg(QFileInfo(file).absoluteFilePath());
    return {};
}

void scheduleScreenshot(QWidget* window, const QString& file, int delayMs) {
    QTimer::singleShot(delayMs, window, [window, file] {
        const QString error = saveScreenshot(window, file);
        if (error.isEmpty()) {
            std::fprintf(stderr, "weft-studio: saved %s\n",
                         qPrintable(QFileInfo(file).absoluteFilePath()));
            QApplication::exit(0);
        } else {
            std::fprintf(stderr, "weft-studio: screenshot failed: %s\n", qPrintable(error));
            QApplication::exit(1);
        }
    });
}

} // namespace weft::studio

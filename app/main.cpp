// weft-studio: monitor and debug Weft flow runs.
#include "common/theme.h"
#include "studiolauncher.h"
#include "studiooptions.h"

#include <QApplication>
#include <QIcon>
#include <QSettings>
#include <cstdio>

using namespace weft::studio;

namespace {

// The command line is read before the GUI starts, so --help, --version and usage errors work
// without a display.
std::optional<StudioOptions> readCommandLine(int argc, char** argv, int* exitCode) {
    QCoreApplication core(argc, argv);
    QCoreApplication::setApplicationVersion(QStringLiteral(WEFT_VERSION));
    QString error, help;
    auto options = parseStudioOptions(QCoreApplication::arguments(), &error, &help);
    if (options) return options;
    *exitCode = 0;
    if (error == QLatin1String("help")) {
        std::printf("%s", qPrintable(help));
    } else if (error == QLatin1String("version")) {
        std::printf("weft-studio %s\n", qPrintable(QCoreApplication::applicationVersion()));
    } else {
        std::fprintf(stderr, "weft-studio: %s\n", qPrintable(error));
        *exitCode = 2;
    }
    return std::nullopt;
}

} // namespace

int main(int argc, char** argv) {
    int exitCode = 0;
    auto options = readCommandLine(argc, argv, &exitCode);
    if (!options) return exitCode;
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("weft-studio"));
    QApplication::setOrganizationName(QStringLiteral("Weft"));
    QApplication::setApplicationDisplayName(QStringLiteral("Weft Studio"));
    QApplication::setApplicationVersion(QStringLiteral(WEFT_VERSION)); // CMake's project version
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/weft/icons/weft.svg")));
    QApplication::setDesktopFileName(QStringLiteral("weft-studio"));

    ThemeManager theme(app);
    QSettings settings;
    theme.apply(themeFromString(
        options->theme.isEmpty()
            ? settings.value(QStringLiteral("theme"), QStringLiteral("system")).toString()
            : options->theme));

    StudioLauncher launcher(*options, &theme);
    if (!launcher.start()) return 1;
    return QApplication::exec();
}

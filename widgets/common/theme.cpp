#include "common/theme.h"

#include <QApplication>
#include <QStyleFactory>

namespace weft::studio {

Theme themeFromString(const QString& name) {
    if (name.compare(QLatin1String("dark"), Qt::CaseInsensitive) == 0) return Theme::Dark;
    if (name.compare(QLatin1String("light"), Qt::CaseInsensitive) == 0) return Theme::Light;
    return Theme::System;
}

QString themeToString(Theme theme) {
    switch (theme) {
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

ThemeManager::ThemeManager(QApplication& app)
    : m_app(app)
    , m_platform(QApplication::palette()) {
    // Fusion draws both palettes faithfully on every platform.
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
}

bool ThemeManager::systemPrefersDark() const {
    const QString gtk = qEnvironmentVariable("GTK_THEME");
    if (gtk.contains(QLatin1String(":dark"), Qt::CaseInsensitive)
        || gtk.endsWith(QLatin1String("-dark"), Qt::CaseInsensitive))
        return true;
    return m_platform.color(QPalette::Window).lightnessF() < 0.5;
}

bool ThemeManager::isDark() const {
    return m_current == Theme::Dark || (m_current == Theme::System && systemPrefersDark());
}

void ThemeManager::apply(Theme theme) {
    m_current = theme;
    QApplication::setPalette(isDark() ? darkPalette() : lightPalette());
}

QPalette ThemeManager::lightPalette() {
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xf4, 0xf5, 0xf7));
    p.setColor(QPalette::WindowText, QColor(0x1f, 0x23, 0x28));
    p.setColor(QPalette::Base, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::AlternateBase, QColor(0xf6, 0xf8, 0xfa));
    p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xf0));
    p.setColor(QPalette::ToolTipText, QColor(0x1f, 0x23, 0x28));
    p.setColor(QPalette::Text, QColor(0x1f, 0x23, 0x28));
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x93, 0x9e));
    p.setColor(QPalette::Button, QColor(0xf0, 0xf1, 0xf4));
    p.setColor(QPalette::ButtonText, QColor(0x1f, 0x23, 0x28));
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xd6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x1f, 0x5f, 0xc6));
    p.setColor(QPalette::Mid, QColor(0xd0, 0xd4, 0xda));
    p.setColor(QPalette::Dark, QColor(0xa0, 0xa6, 0xae));
    p.setColor(QPalette::Light, Qt::white);
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x9a, 0xa0, 0xa8));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x9a, 0xa0, 0xa8));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x9a, 0xa0, 0xa8));
    return p;
}

QPalette ThemeManager::darkPalette() {
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x1e, 0x22, 0x28));
    p.setColor(QPalette::WindowText, QColor(0xe4, 0xe7, 0xeb));
    p.setColor(QPalette::Base, QColor(0x16, 0x19, 0x1e));
    p.setColor(QPalette::AlternateBase, QColor(0x1c, 0x20, 0x26));
    p.setColor(QPalette::ToolTipBase, QColor(0x2a, 0x2f, 0x36));
    p.setColor(QPalette::ToolTipText, QColor(0xe4, 0xe7, 0xeb));
    p.setColor(QPalette::Text, QColor(0xe4, 0xe7, 0xeb));
    p.setColor(QPalette::PlaceholderText, QColor(0x7c, 0x85, 0x90));
    p.setColor(QPalette::Button, QColor(0x2a, 0x2f, 0x36));
    p.setColor(QPalette::ButtonText, QColor(0xe4, 0xe7, 0xeb));
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7c, 0xe0));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6a, 0xa5, 0xff));
    p.setColor(QPalette::Mid, QColor(0x3a, 0x40, 0x48));
    p.setColor(QPalette::Dark, QColor(0x10, 0x12, 0x16));
    p.setColor(QPalette::Light, QColor(0x3a, 0x40, 0x48));
    p.setColor(QPalette::Shadow, QColor(0x08, 0x09, 0x0b));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x6a, 0x72, 0x7c));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x6a, 0x72, 0x7c));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x6a, 0x72, 0x7c));
    return p;
}

} // namespace weft::studio

#pragma once
// Light and dark palettes. Qt 6.4 cannot tell the desktop's colour scheme, so "system" reads the
// platform palette Qt started with (and GTK_THEME), and the user can choose.
#include <QPalette>
#include <QString>

class QApplication;

namespace weft::studio {

enum class Theme { System, Light, Dark };

Theme themeFromString(const QString& name); // "system", "light", "dark"
QString themeToString(Theme theme);

class ThemeManager {
public:
    /// Remembers the platform's palette; call once, before any apply().
    explicit ThemeManager(QApplication& app);
    void apply(Theme theme);
    Theme current() const { return m_current; }
    bool isDark() const;
    /// Whether the desktop prefers dark, as far as it can be read.
    bool systemPrefersDark() const;

    static QPalette lightPalette();
    static QPalette darkPalette();

private:
    QApplication& m_app;
    QPalette m_platform;
    Theme m_current = Theme::System;
};

} // namespace weft::studio

#include "common/statepalette.h"

namespace weft::studio {

namespace {
struct Swatch {
    QRgb light;
    QRgb dark;
};

Swatch swatch(weft::StateType t) {
    // Prefect's UI palette (light) and lighter shades of the same hues for dark backgrounds.
    switch (t) {
    case weft::StateType::Completed:
        return {0x219D4B, 0x3CC46A};
    case weft::StateType::Failed:
        return {0xDE0529, 0xF4475F};
    case weft::StateType::Running:
        return {0x09439B, 0x4C8BE8};
    case weft::StateType::Cancelled:
        return {0x333333, 0x9A9A9A};
    case weft::StateType::Cancelling:
        return {0x334863, 0x7C93B3};
    case weft::StateType::Crashed:
        return {0xEA580C, 0xF8823F};
    case weft::StateType::Paused:
        return {0x726576, 0xA895AD};
    case weft::StateType::Pending:
        return {0x8E8093, 0xB3A6B8};
    case weft::StateType::Scheduled:
        return {0xE08504, 0xF5A742};
    }
    return {0x8E8093, 0xB3A6B8};
}
} // namespace

QColor stateColor(weft::StateType type, bool dark) {
    const Swatch s = swatch(type);
    return QColor::fromRgb(dark ? s.dark : s.light);
}

QColor stateTextColor(weft::StateType type, bool dark) {
    const QColor fill = stateColor(type, dark);
    return fill.lightnessF() > 0.62 ? QColor(0x1a, 0x1a, 0x1a) : QColor(Qt::white);
}

QString stateTypeLabel(weft::StateType type) {
    return QString::fromLatin1(weft::default_name(type).data(),
                               qsizetype(weft::default_name(type).size()));
}

const std::vector<weft::StateType>& allStateTypes() {
    static const std::vector<weft::StateType> all{
        weft::StateType::Scheduled, weft::StateType::Pending,    weft::StateType::Running,
        weft::StateType::Paused,    weft::StateType::Cancelling, weft::StateType::Completed,
        weft::StateType::Failed,    weft::StateType::Crashed,    weft::StateType::Cancelled,
    };
    return all;
}

} // namespace weft::studio

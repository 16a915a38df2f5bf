#pragma once
// A large state pill for page headers, painted in the state's colour.
#include <weft/states.hpp>

#include <QWidget>

namespace weft::studio {

class StateBadge : public QWidget {
    Q_OBJECT
public:
    explicit StateBadge(QWidget* parent = nullptr);
    void setState(weft::StateType type, const QString& name);
    QString text() const { return m_name; }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    weft::StateType m_type = weft::StateType::Pending;
    QString m_name;
};

} // namespace weft::studio

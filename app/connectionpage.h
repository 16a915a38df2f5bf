#pragma once
// What the window shows for a connection whose backend is not open yet: "Connecting to prod…",
// or why it cannot (auth failed, unreachable, a database that cannot be opened) with a button to
// try again. Replaced by the connection's workspace once it opens.
#include <QWidget>

class QLabel;
class QPushButton;

namespace weft::studio {

class Connection;

class ConnectionPage : public QWidget {
    Q_OBJECT
public:
    ConnectionPage(Connection* connection, QWidget* parent = nullptr);

private:
    void update();

    Connection* m_connection;
    QLabel* m_title;
    QLabel* m_detail;
    QPushButton* m_again;
};

} // namespace weft::studio

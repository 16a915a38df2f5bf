#pragma once
// The sidebar's rows: one per connection ("Local database" first, then servers), each with its
// health as a coloured icon, a tooltip naming where it is and what is wrong, live.
#include <QAbstractListModel>
#include <QList>

namespace weft::studio {

class Connection;

class SidebarModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        HealthRole = Qt::UserRole + 1, // ConnectionHealth
        LocationRole,                  // URL or database path
        IsServerRole,                  // bool
    };
    using QAbstractListModel::QAbstractListModel;

    /// Appends a connection (not owned); its health changes update its row.
    void append(Connection* connection);
    Connection* connection(int row) const { return m_rows.value(row); }
    int rowOf(const Connection* connection) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;

private:
    QList<Connection*> m_rows;
};

} // namespace weft::studio

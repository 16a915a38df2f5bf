#include "sidebarmodel.h"

#include "connection.h"

namespace weft::studio {

void SidebarModel::append(Connection* connection) {
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(connection);
    endInsertRows();
    connect(connection, &Connection::statusChanged, this, [this, connection] {
        const QModelIndex i = index(rowOf(connection));
        if (i.isValid()) Q_EMIT dataChanged(i, i);
    });
    connect(connection, &QObject::destroyed, this, [this, connection] {
        const int row = int(m_rows.indexOf(connection));
        if (row < 0) return;
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    });
}

int SidebarModel::rowOf(const Connection* connection) const {
    return int(m_rows.indexOf(const_cast<Connection*>(connection)));
}

int SidebarModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant SidebarModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Connection* c = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return c->name();
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("<b>%1</b><br>%2<br>%3")
                          .arg(c->name().toHtmlEscaped(), c->location().toHtmlEscaped(),
                               healthText(c->status()));
        if (!c->statusDetail().isEmpty())
            tip += QStringLiteral("<br><i>%1</i>").arg(c->statusDetail().toHtmlEscaped());
        return tip;
    }
    case HealthRole:
        return QVariant::fromValue(c->status());
    case LocationRole:
        return c->location();
    case IsServerRole:
        return c->isServer();
    default:
        return {};
    }
}

} // namespace weft::studio

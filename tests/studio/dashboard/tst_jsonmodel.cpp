// JsonModel: a JSON value as a key / value / type tree, checked by QAbstractItemModelTester.
#include "dashboard/jsonmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace weft::studio;

class TestJsonModel : public QObject {
    Q_OBJECT

    static QModelIndex childByKey(const QAbstractItemModel& m, const QModelIndex& parent,
                                  const QString& key) {
        for (int r = 0; r < m.rowCount(parent); ++r)
            if (m.index(r, JsonModel::KeyColumn, parent).data().toString() == key)
                return m.index(r, JsonModel::KeyColumn, parent);
        return {};
    }

private Q_SLOTS:
    void nestedObjectsAndArrays() {
        JsonModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setJson(nlohmann::json::parse(R"({"path": "weather.csv", "days": 30, "ratio": 0.5,
            "ok": true, "none": null, "stations": ["oslo", "bergen", {"name": "alta", "temp": -3}]})"));
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(model.columnCount(), int(JsonModel::ColumnCount));

        const QModelIndex path = childByKey(model, {}, QStringLiteral("path"));
        QVERIFY(path.isValid());
        QVERIFY(path.siblingAtColumn(JsonModel::ValueColumn)
                    .data()
                    .toString()
                    .contains(QStringLiteral("weather.csv")));
        QCOMPARE(model.rowCount(path), 0);

        const QModelIndex days = childByKey(model, {}, QStringLiteral("days"));
        QCOMPARE(days.siblingAtColumn(JsonModel::ValueColumn).data().toString(),
                 QStringLiteral("30"));
        const QString intType = days.siblingAtColumn(JsonModel::TypeColumn).data().toString();
        const QString boolType = childByKey(model, {}, QStringLiteral("ok"))
                                     .siblingAtColumn(JsonModel::TypeColumn)
                                     .data()
                                     .toString();
        QVERIFY(!intType.isEmpty());
        QVERIFY(intType != boolType);

        const QModelIndex stations = childByKey(model, {}, QStringLiteral("stations"));
        QCOMPARE(model.rowCount(stations), 3);
        const QModelIndex third = model.index(2, 0, stations);
        QCOMPARE(model.parent(third), stations);
        QCOMPARE(model.rowCount(third), 2);
        const QModelIndex temp = childByKey(model, third, QStringLiteral("temp"));
        QCOMPARE(temp.siblingAtColumn(JsonModel::ValueColumn).data().toString(),
                 QStringLiteral("-3"));
        QCOMPARE(model.parent(model.parent(temp)), stations);
    }

    void replacingAndScalars() {
        JsonModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setJson(nlohmann::json::array({1, 2, 3}));
        QCOMPARE(model.rowCount(), 3);
        model.setJson(nlohmann::json(42)); // a bare result value is one row
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, JsonModel::ValueColumn).data().toString(), QStringLiteral("42"));
        model.setJson(nlohmann::json::object());
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestJsonModel)
#include "tst_jsonmodel.moc"

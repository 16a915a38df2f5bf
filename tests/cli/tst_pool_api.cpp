// What `weft deploy`, `weft deployment run` and the worker read from people and from deployments:
// entrypoints (PROGRAM:FLOW), KEY=VALUE parameters, and names made safe for URL paths.
#include <weft/pool_api.hpp>

#include <QTest>

class TestPoolApi : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void entrypoints_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("program"); // empty: refused
        QTest::addColumn<QString>("flow");
        QTest::addRow("plain") << "/opt/bin/etl:weather_etl"
                               << "/opt/bin/etl"
                               << "weather_etl";
        QTest::addRow("colon in path") << "/srv/a:b/etl:main"
                                       << "/srv/a:b/etl"
                                       << "main";
        QTest::addRow("relative") << "build/bin/x:f"
                                  << "build/bin/x"
                                  << "f";
        QTest::addRow("no colon") << "/opt/bin/etl"
                                  << ""
                                  << "";
        QTest::addRow("no flow") << "/opt/bin/etl:"
                                 << ""
                                 << "";
        QTest::addRow("no program") << ":flow"
                                    << ""
                                    << "";
    }
    void entrypoints() {
        QFETCH(QString, text);
        QFETCH(QString, program);
        QFETCH(QString, flow);
        const auto e = weft::parse_entrypoint(text.toStdString());
        QCOMPARE(e.has_value(), !program.isEmpty());
        if (!e) return;
        QCOMPARE(QString::fromStdString(e->program), program);
        QCOMPARE(QString::fromStdString(e->flow), flow);
    }

    void parameters_data() {
        QTest::addColumn<QString>("assignment");
        QTest::addColumn<QString>("json"); // empty: refused
        QTest::addRow("number") << "n=7"
                                << R"({"n":7})";
        QTest::addRow("JSON string stays a string") << R"(n="7")"
                                                    << R"({"n":"7"})";
        QTest::addRow("text") << "name=Ada Lovelace"
                              << R"({"name":"Ada Lovelace"})";
        QTest::addRow("array") << "xs=[1,2]"
                               << R"({"xs":[1,2]})";
        QTest::addRow("equals in value") << "q=a=b"
                                         << R"({"q":"a=b"})";
        QTest::addRow("empty value") << "s="
                                     << R"({"s":""})";
        QTest::addRow("no equals") << "n"
                                   << "";
        QTest::addRow("no key") << "=1"
                                << "";
    }
    void parameters() {
        QFETCH(QString, assignment);
        QFETCH(QString, json);
        nlohmann::json params = nlohmann::json::object();
        if (json.isEmpty()) {
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                     weft::add_parameter(params, assignment.toStdString()));
            return;
        }
        weft::add_parameter(params, assignment.toStdString());
        QCOMPARE(QString::fromStdString(params.dump()), json);
    }

    void urlSegments() {
        QCOMPARE(QString::fromStdString(weft::url_segment("default")), QStringLiteral("default"));
        QCOMPARE(QString::fromStdString(weft::url_segment("my pool?#x")),
                 QStringLiteral("my%20pool%3F%23x"));
        QCOMPARE(QString::fromStdString(weft::url_segment("Ärger")), QStringLiteral("%C3%84rger"));
    }
};

QTEST_GUILESS_MAIN(TestPoolApi)
#include "tst_pool_api.moc"

// The JSON schema of a flow's parameters from their C++ types (weft/parameter_schema.hpp): each
// type's kind, titles and positions, what is required, and defaults.
#include "weft/parameter_schema.hpp"

#include <QTest>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

using nlohmann::json;
using weft::parameter_type_schema;

namespace {

struct Point {
    int x = 0;
};

QString text(const json& j) {
    return QString::fromStdString(j.dump());
}

} // namespace

class TestParameterSchema : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void eachType() {
        // Integers within their type's range.
        QCOMPARE(text(parameter_type_schema<int>()),
                 text({{"type", "integer"}, {"minimum", -2147483648LL}, {"maximum", 2147483647}}));
        QCOMPARE(text(parameter_type_schema<std::int64_t>()),
                 text({{"type", "integer"},
                       {"minimum", std::numeric_limits<std::int64_t>::min()},
                       {"maximum", std::numeric_limits<std::int64_t>::max()}}));
        QCOMPARE(text(parameter_type_schema<unsigned short>()),
                 text({{"type", "integer"}, {"minimum", 0}, {"maximum", 65535}}));
        QCOMPARE(text(parameter_type_schema<std::uint64_t>()),
                 text({{"type", "integer"},
                       {"minimum", 0},
                       {"maximum", std::numeric_limits<std::uint64_t>::max()}}));
        QCOMPARE(text(parameter_type_schema<std::int8_t>()),
                 text({{"type", "integer"}, {"minimum", -128}, {"maximum", 127}}));
        QCOMPARE(text(parameter_type_schema<bool>()), text({{"type", "boolean"}}));
        QCOMPARE(text(parameter_type_schema<double>()), text({{"type", "number"}}));
        QCOMPARE(text(parameter_type_schema<float>()), text({{"type", "number"}}));
        QCOMPARE(text(parameter_type_schema<std::string>()), text({{"type", "string"}}));
        QCOMPARE(text(parameter_type_schema<const std::string&>()), text({{"type", "string"}}));
        QCOMPARE(text(parameter_type_schema<std::vector<bool>>()),
                 text({{"type", "array"}, {"items", {{"type", "boolean"}}}}));
        QCOMPARE(text(parameter_type_schema<std::vector<std::vector<std::string>>>()),
                 text({{"type", "array"},
                       {"items", {{"type", "array"}, {"items", {{"type", "string"}}}}}}));
        QCOMPARE(text(parameter_type_schema<std::vector<json>>()),
                 text({{"type", "array"}, {"items", json::object()}}));
        QCOMPARE(text(parameter_type_schema<std::optional<double>>()), text({{"type", "number"}}));
        QCOMPARE(text(parameter_type_schema<std::optional<std::vector<bool>>>()),
                 text({{"type", "array"}, {"items", {{"type", "boolean"}}}}));
        // No type: any JSON value, and types the schema cannot describe.
        QCOMPARE(text(parameter_type_schema<json>()), text(json::object()));
        QCOMPARE(text(parameter_type_schema<Point>()), text(json::object()));
        QCOMPARE(text(parameter_type_schema<std::map<std::string, int>>()), text(json::object()));
    }

    void required() {
        QVERIFY(weft::parameter_type_required<int>);
        QVERIFY(weft::parameter_type_required<json>);
        QVERIFY(weft::parameter_type_required<std::vector<int>>);
        QVERIFY(!weft::parameter_type_required<std::optional<int>>);
        QVERIFY(!weft::parameter_type_required<const std::optional<std::string>&>);
    }

    void wholeSchema() {
        using Args = std::tuple<int, std::optional<std::string>, std::vector<double>, json, bool>;
        const json schema =
            weft::parameters_schema<Args>({"n", "label", "xs", "extra", "dry"}, {{"dry", false}});
        const json expected = {
            {"title", "Parameters"},
            {"type", "object"},
            {"properties",
             {{"n",
               {{"title", "n"},
                {"position", 0},
                {"type", "integer"},
                {"minimum", -2147483648LL},
                {"maximum", 2147483647}}},
              {"label", {{"title", "label"}, {"position", 1}, {"type", "string"}}},
              {"xs",
               {{"title", "xs"},
                {"position", 2},
                {"type", "array"},
                {"items", {{"type", "number"}}}}},
              {"extra", {{"title", "extra"}, {"position", 3}}},
              {"dry",
               {{"title", "dry"}, {"position", 4}, {"type", "boolean"}, {"default", false}}}}},
            // Not the optional one, not the one with a default.
            {"required", {"n", "xs", "extra"}}};
        QCOMPARE(text(schema), text(expected));
    }

    void noParameters() {
        const json schema = weft::parameters_schema<std::tuple<>>({});
        QCOMPARE(text(schema), text({{"title", "Parameters"},
                                     {"type", "object"},
                                     {"properties", json::object()},
                                     {"required", json::array()}}));
    }
};

QTEST_GUILESS_MAIN(TestParameterSchema)
#include "tst_parameter_schema.moc"

// FlowRunFilter: the engine query it stands for, and saved filters in QSettings.
#include "runs/flowrunfilter.h"
#include "runs/runformat.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace weft::studio;

class TestFlowRunFilter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptyFilterIsAllRuns();
    void toQuery_data();
    void toQuery();
    void roundTripsThroughVariant_data();
    void roundTripsThroughVariant();
    void savedFilters();
    void formatDuration_data();
    void formatDuration();
    void formatRelative_data();
    void formatRelative();
    void parametersSummary_data();
    void parametersSummary();
};

void TestFlowRunFilter::emptyFilterIsAllRuns() {
    FlowRunFilter f;
    QVERIFY(f.isEmpty());
    const auto q = f.toQuery(1'000'000);
    QVERIFY(q.states.empty() && q.flow_names.empty() && q.tags.empty() && q.name_like.empty());
    QVERIFY(!q.expected_after && !q.expected_before);
    f.text = QStringLiteral("  ");
    QVERIFY(f.isEmpty());
    f.tags = {QStringLiteral("x")};
    QVERIFY(!f.isEmpty());
}

void TestFlowRunFilter::toQuery_data() {
    QTest::addColumn<FlowRunFilter>("filter");
    QTest::addColumn<qint64>("afterUs");  // -1: none
    QTest::addColumn<qint64>("beforeUs"); // -1: none
    const qint64 now = 10'000'000'000;    // ms
    FlowRunFilter f;
    f.range = FlowRunFilter::Range::LastHour;
    QTest::addRow("last hour") << f << (now - 3'600'000) * 1000 << qint64(-1);
    f.range = FlowRunFilter::Range::Last24Hours;
    QTest::addRow("last 24 h") << f << (now - 86'400'000) * 1000 << qint64(-1);
    f.range = FlowRunFilter::Range::Last7Days;
    QTest::addRow("last 7 days") << f << (now - 7 * 86'400'000LL) * 1000 << qint64(-1);
    f.range = FlowRunFilter::Range::Last30Days;
    QTest::addRow("last 30 days") << f << (now - 30 * 86'400'000LL) * 1000 << qint64(-1);
    f.range = FlowRunFilter::Range::Custom;
    f.from = QDateTime::fromMSecsSinceEpoch(5'000, Qt::UTC);
    f.to = QDateTime::fromMSecsSinceEpoch(9'000, Qt::UTC);
    QTest::addRow("custom") << f << qint64(5'000'000) << qint64(9'000'000);
    f.from = {};
    QTest::addRow("custom, open start") << f << qint64(-1) << qint64(9'000'000);
    f = {};
    QTest::addRow("all time") << f << qint64(-1) << qint64(-1);
}

void TestFlowRunFilter::toQuery() {
    QFETCH(FlowRunFilter, filter);
    QFETCH(qint64, afterUs);
    QFETCH(qint64, beforeUs);
    filter.states = {weft::StateType::Failed, weft::StateType::Crashed};
    filter.flowNames = {QStringLiteral("etl")};
    filter.tags = {QStringLiteral("prod"), QStringLiteral("eu")};
    filter.text = QStringLiteral(" nightly ");
    const auto q = filter.toQuery(10'000'000'000);
    QCOMPARE(q.states, filter.states);
    QCOMPARE(q.flow_names, std::vector<std::string>{"etl"});
    QCOMPARE(q.tags, (std::vector<std::string>{"prod", "eu"}));
    QCOMPARE(q.name_like, std::string("nightly"));
    QCOMPARE(q.expected_after.value_or(-1), afterUs);
    QCOMPARE(q.expected_before.value_or(-1), beforeUs);
    QVERIFY(filter.dependsOnState());
}

void TestFlowRunFilter::roundTripsThroughVariant_data() {
    QTest::addColumn<FlowRunFilter>("filter");
    QTest::addRow("empty") << FlowRunFilter{};
    FlowRunFilter f;
    f.states = {weft::StateType::Scheduled, weft::StateType::Cancelling};
    f.flowNames = {QStringLiteral("a/b"), QStringLiteral("ü")};
    f.tags = {QStringLiteral("prod")};
    f.text = QStringLiteral("100%");
    f.range = FlowRunFilter::Range::Last7Days;
    QTest::addRow("full") << f;
    f.range = FlowRunFilter::Range::Custom;
    f.from = QDateTime::fromMSecsSinceEpoch(1'700'000'000'123, Qt::UTC);
    f.to = QDateTime::fromMSecsSinceEpoch(1'700'000'900'000, Qt::UTC);
    QTest::addRow("custom range") << f;
}

void TestFlowRunFilter::roundTripsThroughVariant() {
    QFETCH(FlowRunFilter, filter);
    const FlowRunFilter back = FlowRunFilter::fromVariant(filter.toVariant());
    QVERIFY(back == filter);
    QCOMPARE(back.toQuery(1).expected_after, filter.toQuery(1).expected_after);
}

void TestFlowRunFilter::savedFilters() {
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
    SavedFilters saved(settings);
    QVERIFY(saved.names().isEmpty());
    FlowRunFilter failures;
    failures.states = {weft::StateType::Failed};
    FlowRunFilter prod;
    prod.tags = {QStringLiteral("prod")};
    saved.save(QStringLiteral("Prod / EU"), prod);
    saved.save(QStringLiteral("failures"), failures);
    QCOMPARE(saved.names(), (QStringList{QStringLiteral("failures"), QStringLiteral("Prod / EU")}));
    QVERIFY(saved.contains(QStringLiteral("Prod / EU")));
    QVERIFY(saved.load(QStringLiteral("Prod / EU")) == prod);
    saved.save(QStringLiteral("failures"), prod); // overwrite
    QVERIFY(saved.load(QStringLiteral("failures")) == prod);
    saved.remove(QStringLiteral("failures"));
    QCOMPARE(saved.names(), QStringList{QStringLiteral("Prod / EU")});
    settings.sync();
    QSettings again(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
    QVERIFY(SavedFilters(again).load(QStringLiteral("Prod / EU")) == prod);
}

void TestFlowRunFilter::formatDuration_data() {
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("text");
    QTest::addRow("tiny") << 0.04 << QStringLiteral("40 ms");
    QTest::addRow("zero") << 0.0 << QStringLiteral("0 ms");
    QTest::addRow("ran under a millisecond") << 0.000194 << QStringLiteral("<1 ms");
    QTest::addRow("rounds to ms") << 0.2346 << QStringLiteral("235 ms");
    QTest::addRow("one decimal") << 1.23 << QStringLiteral("1.2 s");
    QTest::addRow("seconds") << 42.4 << QStringLiteral("42 s");
    QTest::addRow("minutes") << 184.0 << QStringLiteral("3 min 4 s");
    QTest::addRow("hours") << 7500.0 << QStringLiteral("2 h 5 min");
    QTest::addRow("days") << 3 * 86400.0 + 4 * 3600 << QStringLiteral("3 d 4 h");
    QTest::addRow("never ran") << -1.0 << QString();
}

void TestFlowRunFilter::formatDuration() {
    QFETCH(double, seconds);
    QFETCH(QString, text);
    QCOMPARE(weft::studio::formatDuration(seconds), text);
}

void TestFlowRunFilter::formatRelative_data() {
    QTest::addColumn<qint64>("agoMs");
    QTest::addColumn<QString>("text");
    QTest::addRow("now") << qint64(2000) << QStringLiteral("just now");
    QTest::addRow("seconds") << qint64(30'000) << QStringLiteral("30 s ago");
    QTest::addRow("minutes") << qint64(300'000) << QStringLiteral("5 min ago");
    QTest::addRow("hours") << qint64(7'200'000) << QStringLiteral("2 h ago");
    QTest::addRow("a day") << qint64(90'000'000) << QStringLiteral("1 day ago");
    QTest::addRow("days") << qint64(3 * 86'400'000) << QStringLiteral("3 days ago");
    QTest::addRow("future") << qint64(-600'000) << QStringLiteral("in 10 min");
}

void TestFlowRunFilter::formatRelative() {
    QFETCH(qint64, agoMs);
    QFETCH(QString, text);
    const qint64 now = 1'700'000'000'000;
    QCOMPARE(weft::studio::formatRelative(now - agoMs, now), text);
}

QTEST_GUILESS_MAIN(TestFlowRunFilter)
#include "tst_flowrunfilter.moc"

void TestFlowRunFilter::parametersSummary_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("text");
    QTest::addRow("none") << QStringLiteral("{}") << QString();
    QTest::addRow("null") << QStringLiteral("null") << QString();
    QTest::addRow("scalars") << QStringLiteral(R"({"n": 5, "path": "a.csv", "ok": true})")
                             << QStringLiteral(R"(n=5, ok=true, path="a.csv")");
    QTest::addRow("float noise") << QStringLiteral(R"({"t": 5.590000000000001, "s": 600.0})")
                                 << QStringLiteral("s=600, t=5.59");
    QTest::addRow("nested") << QStringLiteral(R"({"rows": [{"c": 0.1, "k": "x"}, 2]})")
                            << QStringLiteral(R"(rows=[{"c":0.1,"k":"x"},2])");
    QTest::addRow("not an object") << QStringLiteral("[1.25, 2]") << QStringLiteral("[1.25,2]");
    QTest::addRow("long") << QStringLiteral(R"({"a": "%1"})").arg(QString(300, u'x'))
                          << QStringLiteral("a=\"%1…").arg(QString(157, u'x'));
}

void TestFlowRunFilter::parametersSummary() {
    QFETCH(QString, json);
    QFETCH(QString, text);
    QCOMPARE(weft::studio::parametersSummary(nlohmann::json::parse(json.toStdString())), text);
}

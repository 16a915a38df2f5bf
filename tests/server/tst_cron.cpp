// The cron parser as a table: an expression, a time, a zone, and the next time it names (or why
// it is refused). Covers lists, ranges, steps, names, Sunday as 0 and 7, day-of-month OR
// day-of-week, month ends, leap days, macros, and a daylight-saving change.
#include "cron.hpp"

#include <weft/time.hpp>

#include <QtTest>

using weft::server::Cron;

class TestCron : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void nextTime_data() {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("after");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("next"); // "" when there is none
        auto row = [](const char* name, const char* e, const char* after, const char* zone,
                      const char* next) {
            QTest::newRow(name) << QString::fromLatin1(e) << QString::fromLatin1(after)
                                << QString::fromLatin1(zone) << QString::fromLatin1(next);
        };
        row("every minute", "* * * * *", "2026-03-04T10:15:30Z", "", "2026-03-04T10:16:00Z");
        row("strictly after", "* * * * *", "2026-03-04T10:15:00Z", "", "2026-03-04T10:16:00Z");
        row("every 15 minutes", "*/15 * * * *", "2026-03-04T10:15:00Z", "", "2026-03-04T10:30:00Z");
        row("step from a value", "5/20 * * * *", "2026-03-04T10:26:00Z", "",
            "2026-03-04T10:45:00Z");
        row("list", "0 9,17 * * *", "2026-03-04T09:00:00Z", "", "2026-03-04T17:00:00Z");
        row("range with step", "0 8-18/4 * * *", "2026-03-04T12:30:00Z", "",
            "2026-03-04T16:00:00Z");
        row("next day", "30 2 * * *", "2026-03-04T03:00:00Z", "", "2026-03-05T02:30:00Z");
        row("weekday names", "0 9 * * mon-fri", "2026-03-06T10:00:00Z", "", // a Friday
            "2026-03-09T09:00:00Z");
        row("Sunday as 7", "0 0 * * 7", "2026-03-04T00:00:00Z", "", "2026-03-08T00:00:00Z");
        row("Sunday as 0", "0 0 * * 0", "2026-03-04T00:00:00Z", "", "2026-03-08T00:00:00Z");
        row("month names", "0 0 1 jan,jul *", "2026-03-04T00:00:00Z", "", "2026-07-01T00:00:00Z");
        row("year wraps", "0 0 1 1 *", "2026-03-04T00:00:00Z", "", "2027-01-01T00:00:00Z");
        row("day 31 skips short months", "0 12 31 * *", "2026-04-01T00:00:00Z", "",
            "2026-05-31T12:00:00Z");
        row("leap day", "0 0 29 2 *", "2026-03-01T00:00:00Z", "", "2028-02-29T00:00:00Z");
        row("day of month OR day of week", "0 0 13 * fri", "2026-03-04T00:00:00Z", "",
            "2026-03-06T00:00:00Z");
        row("never", "0 0 30 2 *", "2026-03-04T00:00:00Z", "", "");
        row("@hourly", "@hourly", "2026-03-04T10:15:00Z", "", "2026-03-04T11:00:00Z");
        row("@daily", "@daily", "2026-03-04T10:15:00Z", "", "2026-03-05T00:00:00Z");
        row("@weekly", "@weekly", "2026-03-04T10:15:00Z", "", "2026-03-08T00:00:00Z");
        row("in a zone", "0 9 * * *", "2026-03-04T10:00:00Z", "Europe/Paris",
            "2026-03-05T08:00:00Z");
        // Paris moves to summer time on 2026-03-29: 09:00 there is 07:00 UTC from then on.
        row("across a DST change", "0 9 * * *", "2026-03-28T09:00:00Z", "Europe/Paris",
            "2026-03-29T07:00:00Z");
        row("unknown zone", "0 9 * * *", "2026-03-04T10:00:00Z", "Mars/Olympus", "");
    }
    void nextTime() {
        QFETCH(QString, expression);
        QFETCH(QString, after);
        QFETCH(QString, zone);
        QFETCH(QString, next);
        std::string error;
        auto cron = Cron::parse(expression.toStdString(), &error);
        QVERIFY2(cron, error.c_str());
        auto got = cron->next_after(*weft::from_iso(after.toStdString()), zone.toStdString());
        if (next.isEmpty()) {
            QVERIFY(!got);
        } else {
            QVERIFY(got);
            QCOMPARE(QString::fromStdString(weft::to_iso(*got)).left(19), next.left(19));
        }
    }

    void refused_data() {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("says"); // a word of the error
        QTest::newRow("four fields") << QStringLiteral("* * * *") << QStringLiteral("5 fields");
        QTest::newRow("six fields") << QStringLiteral("* * * * * *") << QStringLiteral("5 fields");
        QTest::newRow("minute 60") << QStringLiteral("60 * * * *") << QStringLiteral("minute");
        QTest::newRow("hour 24") << QStringLiteral("0 24 * * *") << QStringLiteral("hour");
        QTest::newRow("day 0") << QStringLiteral("0 0 0 * *") << QStringLiteral("day of month");
        QTest::newRow("month 13") << QStringLiteral("0 0 * 13 *") << QStringLiteral("month");
        QTest::newRow("weekday 8") << QStringLiteral("0 0 * * 8") << QStringLiteral("week");
        QTest::newRow("step 0") << QStringLiteral("*/0 * * * *") << QStringLiteral("step");
        QTest::newRow("reversed range") << QStringLiteral("0 5-1 * * *") << QStringLiteral("range");
        QTest::newRow("unknown name") << QStringLiteral("0 0 * * funday") << QStringLiteral("week");
        QTest::newRow("empty item") << QStringLiteral("1,,2 * * * *") << QStringLiteral("minute");
        QTest::newRow("empty") << QString() << QStringLiteral("5 fields");
    }
    void refused() {
        QFETCH(QString, expression);
        QFETCH(QString, says);
        std::string error;
        QVERIFY(!Cron::parse(expression.toStdString(), &error));
        QVERIFY2(QString::fromStdString(error).contains(says), error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestCron)
#include "tst_cron.moc"

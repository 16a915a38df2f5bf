// How Studio words states: a crash's times (kept as UTC data in the state's details) appear in
// local time, like every other time Studio shows.
#include "runs/runformat.h"

#include <weft/states.hpp>
#include <weft/time.hpp>

#include <QTest>

using namespace weft::studio;

class TestRunFormat : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void crashTimesAreLocal() {
        const weft::Micros seen = 1'780'000'000'000'000, found = seen + 90'000'000;
        weft::State crashed = weft::states::crashed("The process (pid 7 on box) is gone.");
        crashed.details = {{"last_seen_time", weft::to_iso(seen)},
                           {"detected_time", weft::to_iso(found)}};
        const QString text = stateMessage(crashed);
        QCOMPARE(text, QStringLiteral("The process (pid 7 on box) is gone. Last seen alive %1; "
                                      "found gone %2.")
                           .arg(formatTimestamp(seen / 1000), formatTimestamp(found / 1000)));
        QVERIFY(!text.contains(QString::fromStdString(weft::to_iso(seen))));
    }

    void otherStatesKeepTheirMessage() {
        weft::State failed = weft::make_state(weft::StateType::Failed, {}, "division by zero");
        QCOMPARE(stateMessage(failed), QStringLiteral("division by zero"));
        weft::State crashed = weft::states::crashed("Its flow run crashed.");
        QCOMPARE(stateMessage(crashed), QStringLiteral("Its flow run crashed."));
    }
};

QTEST_GUILESS_MAIN(TestRunFormat)
#include "tst_runformat.moc"

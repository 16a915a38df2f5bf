// Ids and run names: what people read, type and pass back.
#include "weft/ids.hpp"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

class TestIds : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // 3,612 runs once had 989 distinct names. Ten thousand names repeat at most a handful of
    // times (about one pair is expected), so a name usually names one run.
    void runNamesRarelyRepeat() {
        constexpr int kNames = 10'000;
        QSet<QString> names;
        for (int i = 0; i < kNames; ++i)
            names.insert(QString::fromStdString(weft::random_run_name()));
        QVERIFY2(names.size() >= kNames - 10, qPrintable(QString::number(names.size())));
    }

    // Readable words, and never only hex digits and hyphens: an argument that looks like an id
    // is looked up as an id first.
    void runNamesAreWordsNotIds() {
        const QRegularExpression shape(QStringLiteral("^[a-z]+-[a-z]+-[0-9]{4}$"));
        const QRegularExpression idLike(QStringLiteral("^[0-9a-f-]+$"));
        for (int i = 0; i < 2'000; ++i) {
            const QString name = QString::fromStdString(weft::random_run_name());
            QVERIFY2(shape.match(name).hasMatch(), qPrintable(name));
            QVERIFY2(!idLike.match(name).hasMatch(), qPrintable(name));
            QVERIFY2(name.size() <= 24, qPrintable(name));
        }
    }

    // Ids made one after the other share their time prefix but not their random tail.
    void idsDifferInTheirTail() {
        const std::string a = weft::new_id(), b = weft::new_id();
        QVERIFY(weft::is_uuid(a) && weft::is_uuid(b));
        QVERIFY(a.substr(24) != b.substr(24));
    }
};

QTEST_GUILESS_MAIN(TestIds)
#include "tst_ids.moc"

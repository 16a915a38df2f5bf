// The "Run again with parameters" dialog: one field per parameter typed from its JSON, edits
// come back as typed JSON, and text that is not JSON disables OK until it is fixed.
#include "launch/parametersdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>

using namespace weft::studio;
using namespace Qt::StringLiterals;

namespace {
const char* const kParams = R"({"limit": 10, "ratio": 0.25, "dry_run": false, "region": "eu-1",
    "code": "007", "tables": ["a", "b"], "options": {"retries": 2}, "nothing": null,
    "huge": 12345678901234})";

QPushButton* okButton(const ParametersDialog& d) {
    return d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
}
} // namespace

class TestParametersDialog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fieldsAreTypedFromJson_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("editor");
        QTest::addRow("bool") << u"dry_run"_s << u"QCheckBox"_s;
        QTest::addRow("integer") << u"limit"_s << u"QSpinBox"_s;
        QTest::addRow("number") << u"ratio"_s << u"QDoubleSpinBox"_s;
        QTest::addRow("string") << u"region"_s << u"QLineEdit"_s;
        QTest::addRow("array") << u"tables"_s << u"QLineEdit"_s;
        QTest::addRow("object") << u"options"_s << u"QLineEdit"_s;
        QTest::addRow("null") << u"nothing"_s << u"QLineEdit"_s;
        QTest::addRow("integer beyond a spin box") << u"huge"_s << u"QLineEdit"_s;
    }
    void fieldsAreTypedFromJson() {
        QFETCH(QString, key);
        QFETCH(QString, editor);
        ParametersDialog d(nlohmann::json::parse(kParams), u"A new run of etl"_s);
        QWidget* w = d.editor(key);
        QVERIFY(w);
        QCOMPARE(QString::fromLatin1(w->metaObject()->className()), editor);
        QCOMPARE(w->objectName(), u"param-"_s + key);
    }

    void untouchedGivesTheParametersBack() {
        const auto params = nlohmann::json::parse(kParams);
        ParametersDialog d(params, u"A new run of etl"_s);
        QVERIFY(d.isValid());
        QCOMPARE(QString::fromStdString(d.parameters().dump()),
                 QString::fromStdString(params.dump()));
    }

    void editsComeBackTyped() {
        ParametersDialog d(nlohmann::json::parse(kParams), u"A new run of etl"_s);
        qobject_cast<QSpinBox*>(d.editor(u"limit"_s))->setValue(42);
        qobject_cast<QDoubleSpinBox*>(d.editor(u"ratio"_s))->setValue(0.5);
        qobject_cast<QCheckBox*>(d.editor(u"dry_run"_s))->click();
        auto* region = qobject_cast<QLineEdit*>(d.editor(u"region"_s));
        region->clear();
        QTest::keyClicks(region, u"123"_s); // digits typed in a text field stay a string
        auto* tables = qobject_cast<QLineEdit*>(d.editor(u"tables"_s));
        tables->selectAll();
        QTest::keyClicks(tables, u"[\"c\", 3]"_s);
        const auto got = d.parameters();
        QVERIFY2(got["limit"] == nlohmann::json(42), (got["limit"]).dump().c_str());
        QVERIFY(got["limit"].is_number_integer());
        QVERIFY2(got["ratio"] == nlohmann::json(0.5), (got["ratio"]).dump().c_str());
        QVERIFY2(got["dry_run"] == nlohmann::json(true), (got["dry_run"]).dump().c_str());
        QVERIFY2(got["region"] == nlohmann::json("123"), (got["region"]).dump().c_str());
        QVERIFY2(got["code"] == nlohmann::json("007"), (got["code"]).dump().c_str());
        QVERIFY2(got["tables"] == nlohmann::json::parse(R"(["c", 3])"),
                 (got["tables"]).dump().c_str());
        QVERIFY2(got["options"] == nlohmann::json::parse(R"({"retries": 2})"),
                 (got["options"]).dump().c_str());
        QVERIFY2(got["huge"] == nlohmann::json(12345678901234), (got["huge"]).dump().c_str());
    }

    void invalidJsonDisablesOkUntilFixed() {
        ParametersDialog d(nlohmann::json::parse(kParams), u"A new run of etl"_s);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QVERIFY(okButton(d)->isEnabled());
        auto* options = qobject_cast<QLineEdit*>(d.editor(u"options"_s));
        auto* error = d.findChild<QLabel*>(u"error"_s);
        QVERIFY(error);
        QVERIFY(error->text().isEmpty());
        options->setFocus();
        options->end(false);
        QTest::keyClick(options, Qt::Key_Backspace); // {"retries": 2  — unclosed
        QVERIFY(!okButton(d)->isEnabled());
        QVERIFY(!d.isValid());
        QVERIFY2(error->text().startsWith(u"options is not JSON (character "_s),
                 qPrintable(error->text()));
        if (!qEnvironmentVariableIsEmpty("WEFT_DIALOG_SHOT"))
            d.grab().save(qEnvironmentVariable("WEFT_DIALOG_SHOT"));
        QTest::keyClick(options, Qt::Key_BraceRight);
        QVERIFY(okButton(d)->isEnabled());
        QVERIFY(error->text().isEmpty());
        QVERIFY2(d.parameters()["options"] == nlohmann::json::parse(R"({"retries": 2})"),
                 (d.parameters()["options"]).dump().c_str());
    }

    void noParameters() {
        ParametersDialog d(nlohmann::json::object(), u"A new run of hello"_s);
        QVERIFY(d.isValid());
        QVERIFY2(d.parameters() == nlohmann::json::object(), (d.parameters()).dump().c_str());
        bool said = false;
        for (auto* l : d.findChildren<QLabel*>())
            said = said || l->text().contains(u"no parameters"_s);
        QVERIFY(said);
    }
};

QTEST_MAIN(TestParametersDialog)
#include "tst_parametersdialog.moc"

// The parameters form of "Run deployment…": a schema with each kind of field gets the right
// editors, their values come back as exactly the JSON typed, and invalid JSON is refused.
#include "deployments/parameterform.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

using namespace weft::studio;
using nlohmann::json;

namespace {

// Every kind, as pydantic writes it for a Prefect flow's signature (positions, $defs enums,
// Optional as anyOf with null).
const json kSchema = json::parse(R"({
  "title": "Parameters", "type": "object",
  "properties": {
    "name": {"title": "Name", "type": "string", "position": 0, "description": "Who"},
    "count": {"title": "Count", "type": "integer", "minimum": 1, "maximum": 10, "position": 1},
    "ratio": {"title": "Ratio", "type": "number", "maximum": 2.5, "position": 2},
    "dry_run": {"title": "Dry run", "type": "boolean", "default": true, "position": 3},
    "mode": {"$ref": "#/definitions/Mode", "position": 4},
    "items": {"title": "Items", "type": "array", "items": {"type": "integer"}, "position": 5},
    "options": {"title": "Options", "type": "object", "position": 6},
    "anything": {"title": "Anything", "position": 7},
    "limit": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null, "position": 8}
  },
  "required": ["name", "count"],
  "definitions": {"Mode": {"title": "Mode", "enum": ["fast", "safe"], "type": "string"}}
})");

template<class W> W* editorOf(ParameterForm& form, const char* name) {
    return qobject_cast<W*>(form.editor(QString::fromLatin1(name)));
}

} // namespace

class TestParameterForm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void editorsFollowTheSchema();
    void valuesAreTheJsonTyped();
    void invalidJsonIsRefused();
    void requiredFieldsMustBeFilled();
    void emptyNumbersAreNotSent();
    void rawJsonToggle();
    void withoutSchemaTheDefaultsDecide();
};

void TestParameterForm::editorsFollowTheSchema() {
    ParameterForm form(kSchema, json{{"name", "ada"}, {"count", 3}, {"mode", "safe"}});
    QVERIFY(editorOf<QLineEdit>(form, "name"));
    auto* count = editorOf<QSpinBox>(form, "count");
    QVERIFY(count);
    QCOMPARE(count->minimum(), 1);
    QCOMPARE(count->maximum(), 10);
    auto* ratio = editorOf<QDoubleSpinBox>(form, "ratio");
    QVERIFY(ratio);
    QCOMPARE(ratio->maximum(), 2.5);
    QVERIFY(editorOf<QCheckBox>(form, "dry_run"));
    auto* mode = editorOf<QComboBox>(form, "mode");
    QVERIFY(mode);
    QCOMPARE(mode->currentText(), u"safe"_qs); // the deployment's value, not the first
    QVERIFY(editorOf<QPlainTextEdit>(form, "items"));
    QVERIFY(editorOf<QPlainTextEdit>(form, "options"));
    QVERIFY(editorOf<QPlainTextEdit>(form, "anything"));
    QVERIFY(editorOf<QSpinBox>(form, "limit")); // Optional[int] is an int
    QCOMPARE(form.requiredCount(), 2);
    // Required fields are marked on their labels.
    int starred = 0;
    for (auto* label : form.findChildren<QLabel*>())
        if (label->text().endsWith(u" *")) ++starred;
    QCOMPARE(starred, 2);
    QVERIFY(editorOf<QLineEdit>(form, "name")->toolTip().contains(u"Who"));
}

void TestParameterForm::valuesAreTheJsonTyped() {
    ParameterForm form(kSchema, json{{"name", "ada"}, {"count", 3}});
    editorOf<QSpinBox>(form, "count")->setValue(7);
    editorOf<QDoubleSpinBox>(form, "ratio")->setValue(1.25);
    editorOf<QCheckBox>(form, "dry_run")->setChecked(false);
    editorOf<QComboBox>(form, "mode")->setCurrentText(QStringLiteral("fast"));
    editorOf<QPlainTextEdit>(form, "items")->setPlainText(QStringLiteral("[1, 2, 3]"));
    editorOf<QPlainTextEdit>(form, "options")
        ->setPlainText(QStringLiteral(R"({"a": {"b": null}})"));
    editorOf<QSpinBox>(form, "limit")->setValue(5);
    QString error;
    const auto values = form.values(&error);
    QVERIFY2(values, qPrintable(error));
    // "anything" was left empty and is optional: not sent, so the deployment's value applies.
    QCOMPARE(*values, json::parse(R"({"name": "ada", "count": 7, "ratio": 1.25, "dry_run": false,
        "mode": "fast", "items": [1, 2, 3], "options": {"a": {"b": null}}, "limit": 5})"));
    QVERIFY((*values)["count"].is_number_integer());
    QVERIFY(form.isValid());
}

void TestParameterForm::invalidJsonIsRefused() {
    ParameterForm form(kSchema, json{{"name", "ada"}, {"count", 3}});
    QSignalSpy validity(&form, &ParameterForm::validityChanged);
    editorOf<QPlainTextEdit>(form, "items")->setPlainText(QStringLiteral("[1, 2,"));
    QVERIFY(!form.isValid());
    QCOMPARE(validity.count(), 1);
    QString error;
    QVERIFY(!form.values(&error));
    QVERIFY2(error.contains(u"items"), qPrintable(error));
    auto* label = form.findChild<QLabel*>(QStringLiteral("parameterError"));
    QVERIFY(label && !label->isHidden() && label->text() == error);
    editorOf<QPlainTextEdit>(form, "items")->setPlainText(QStringLiteral("[1, 2]"));
    QVERIFY(form.isValid());
    QVERIFY(label->isHidden());
}

void TestParameterForm::requiredFieldsMustBeFilled() {
    ParameterForm form(kSchema, json::object());
    QVERIFY(!form.isValid()); // "name" is required and empty
    QString error;
    QVERIFY(!form.values(&error));
    QVERIFY2(error.contains(u"name"), qPrintable(error));
    editorOf<QLineEdit>(form, "name")->setText(QStringLiteral("x"));
    // "count" is required and has no default: its spin box is empty, not 0.
    QVERIFY(!form.isValid());
    QVERIFY(!form.values(&error));
    QVERIFY2(error.contains(u"count"), qPrintable(error));
    QVERIFY(editorOf<QSpinBox>(form, "count")->text().isEmpty());
    QTest::keyClicks(editorOf<QSpinBox>(form, "count"), QStringLiteral("4"));
    QVERIFY(form.isValid());
    QCOMPARE(form.values()->value("count", 0), 4);
}

// Numbers without a value are not set: an optional one is not sent (not as 0).
void TestParameterForm::emptyNumbersAreNotSent() {
    ParameterForm form(kSchema, json{{"name", "ada"}, {"count", 3}});
    QVERIFY(editorOf<QDoubleSpinBox>(form, "ratio")->text().isEmpty());
    QString error;
    const auto values = form.values(&error);
    QVERIFY2(values, qPrintable(error));
    QCOMPARE(*values, json::parse(R"({"name": "ada", "count": 3, "dry_run": true})"));
}

void TestParameterForm::rawJsonToggle() {
    ParameterForm form(kSchema, json{{"name", "ada"}, {"count", 3}});
    QVERIFY(form.setRaw(true));
    const json shown = json::parse(form.rawEditor()->toPlainText().toStdString());
    QCOMPARE(shown["name"], json("ada"));
    QCOMPARE(shown["count"], json(3));
    form.rawEditor()->setPlainText(QStringLiteral(R"({"name": "bob", "count": 4, "extra": [1]})"));
    QCOMPARE(*form.values(), json::parse(R"({"name": "bob", "count": 4, "extra": [1]})"));
    form.rawEditor()->setPlainText(QStringLiteral("[1]")); // not an object
    QVERIFY(!form.isValid());
    QVERIFY(!form.setRaw(false)); // the form cannot take it back: stays raw
    QVERIFY(form.isRaw());
    form.rawEditor()->setPlainText(QStringLiteral(R"({"name": "cy", "count": 9})"));
    QVERIFY(form.setRaw(false));
    QCOMPARE(editorOf<QLineEdit>(form, "name")->text(), u"cy"_qs);
    QCOMPARE(editorOf<QSpinBox>(form, "count")->value(), 9);
}

void TestParameterForm::withoutSchemaTheDefaultsDecide() {
    ParameterForm form(json(), json{{"n", 2}, {"x", 0.5}, {"s", "hi"}, {"b", true}, {"l", {1}}});
    QVERIFY(editorOf<QSpinBox>(form, "n"));
    QVERIFY(editorOf<QDoubleSpinBox>(form, "x"));
    QVERIFY(editorOf<QLineEdit>(form, "s"));
    QVERIFY(editorOf<QCheckBox>(form, "b"));
    QVERIFY(editorOf<QPlainTextEdit>(form, "l"));
    QCOMPARE(*form.values(), json({{"n", 2}, {"x", 0.5}, {"s", "hi"}, {"b", true}, {"l", {1}}}));
}

QTEST_MAIN(TestParameterForm)
#include "tst_parameterform.moc"

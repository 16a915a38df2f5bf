// The Result tab and the task-run details' result: a JSON tree, or why there is none — never a
// blank tree.
#include "common/resultview.h"

#include <QTest>
#include <QTreeView>

using namespace weft::studio;
using weft::StateType;

class TestResultView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void reason_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("json");
        QTest::addColumn<bool>("hasResult");
        QTest::addColumn<QString>("placeholder");
        QTest::addRow("completed with a value")
            << int(StateType::Completed) << u"{\"n\": 3}"_qs << true << QString();
        QTest::addRow("failed") << int(StateType::Failed) << u"null"_qs << false
                                << u"No result: it failed."_qs;
        QTest::addRow("crashed") << int(StateType::Crashed) << u"null"_qs << false
                                 << u"No result: it crashed."_qs;
        QTest::addRow("cancelled") << int(StateType::Cancelled) << u"null"_qs << false
                                   << u"No result: it was cancelled."_qs;
        QTest::addRow("completed, not persisted") << int(StateType::Completed) << u"null"_qs
                                                  << false << u"No result: none was persisted."_qs;
        QTest::addRow("completed, null value") << int(StateType::Completed) << u"null"_qs << true
                                               << u"No result: none was persisted."_qs;
        QTest::addRow("running") << int(StateType::Running) << u"null"_qs << false
                                 << u"No result yet: it has not finished."_qs;
    }
    void reason() {
        QFETCH(int, type);
        QFETCH(QString, json);
        QFETCH(bool, hasResult);
        QFETCH(QString, placeholder);
        ResultView view;
        view.setResult(nlohmann::json::parse(json.toStdString()), hasResult, StateType(type));
        QCOMPARE(view.placeholderText(), placeholder);
        QCOMPARE(view.currentWidget() == view.tree(), placeholder.isEmpty());
        if (placeholder.isEmpty()) QCOMPARE(view.tree()->model()->rowCount(), 1);
    }

    void aResultAfterNoneShowsTheTree() {
        ResultView view;
        view.setResult(nullptr, false, StateType::Failed);
        QVERIFY(!view.placeholderText().isEmpty());
        view.setResult(nlohmann::json{{"rows", 12}}, true, StateType::Completed);
        QCOMPARE(view.placeholderText(), QString());
        QCOMPARE(view.currentWidget(), view.tree());
    }
};

QTEST_MAIN(TestResultView)
#include "tst_resultview.moc"

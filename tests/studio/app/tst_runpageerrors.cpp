// A run page on a database whose reads fail: every tab shows the error in place with Retry,
// the header says what failed instead of "0 task runs", the main window's status bar says the
// backend is unhealthy; Retry recovers all of it.
#include "common/theme.h"
#include "fixtures.h"
#include "flakybackend.h"
#include "graph/rungraphview.h"
#include "graph/rungraphwidget.h"
#include "logs/logview.h"
#include "mainwindow.h"
#include "runactions.h"
#include "runpage.h"
#include "runs/errorpanel.h"
#include "runs/taskruntable.h"
#include "timeline/timelinewidget.h"

#include <QApplication>
#include <QLabel>
#include <QPushButton>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace weft::studio;

namespace {
// The error panel covering a tab's view, or nullptr.
ErrorPanel* panelIn(QWidget* tab) {
    return tab->findChild<ErrorPanel*>();
}
bool showsError(QWidget* tab) {
    ErrorPanel* p = panelIn(tab);
    return p && !p->isHidden() && p->error().contains(QLatin1String(FlakyBackend::kError));
}
bool clear(QWidget* tab) {
    ErrorPanel* p = panelIn(tab);
    return p && p->isHidden();
}
} // namespace

class TestRunPageErrors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyTabShowsTheErrorAndRetryRecovers();
    void statusBarSaysTheBackendIsUnhealthy();
};

void TestRunPageErrors::everyTabShowsTheErrorAndRetryRecovers() {
    QTemporaryDir dir;
    FlakyBackend backend(dir.filePath(QStringLiteral("t.db")));
    backend.setPollInterval(10);
    QCOMPARE(backend.openNow(), QString());
    fixtures::RunSpec spec;
    spec.tasks = fixtures::chain(5);
    spec.log_lines = 50;
    const auto written = fixtures::writeRun(backend.engine()->store(), spec);
    backend.engine()->store().flush();
    auto record = backend.engine()->store().read(
        [&](weft::Reader& r) { return r.flow_run(written.flow_run_id); });
    QVERIFY(record);

    backend.setFailing(true);
    QWidget host;
    RunActions actions(&backend, &host);
    RunPage page(&backend, &actions, *record);
    page.resize(1100, 700);
    page.show();
    QTRY_VERIFY_WITH_TIMEOUT(showsError(page.taskRuns()), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(showsError(page.timeline()), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(showsError(page.graph()), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(showsError(page.logs()), 5000);
    QVERIFY2(page.countsText().contains(QStringLiteral("couldn't load task runs")),
             qPrintable(page.countsText()));
    QVERIFY(!page.countsText().contains(QStringLiteral("0 task run")));
    // Never "no data" under the error.
    QVERIFY(panelIn(page.taskRuns())->error().startsWith(QStringLiteral("couldn't load")));

    backend.setFailing(false);
    QPushButton* retry = panelIn(page.taskRuns())->findChild<QPushButton*>();
    QVERIFY(retry);
    QTest::mouseClick(retry, Qt::LeftButton);
    // One snapshot behind the table, the graph and the timeline: one Retry brings all three.
    QTRY_VERIFY_WITH_TIMEOUT(clear(page.taskRuns()), 5000);
    QTRY_VERIFY(clear(page.timeline()));
    QTRY_VERIFY(clear(page.graph()));
    QTRY_VERIFY(page.countsText().contains(QStringLiteral("5 task run(s)")));
    QTest::mouseClick(panelIn(page.logs())->findChild<QPushButton*>(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(clear(page.logs()), 5000);
}

void TestRunPageErrors::statusBarSaysTheBackendIsUnhealthy() {
    QTemporaryDir dir;
    FlakyBackend backend(dir.filePath(QStringLiteral("t.db")));
    backend.setPollInterval(10);
    QCOMPARE(backend.openNow(), QString());
    fixtures::writeRun(backend.engine()->store(), fixtures::RunSpec{});
    backend.engine()->store().flush();
    backend.setFailing(true);
    ThemeManager theme(*qApp);
    MainWindow window(&backend, &theme);
    window.show();
    auto* label = window.findChild<QLabel*>(QStringLiteral("backendLabel"));
    QVERIFY(label);
    QTRY_VERIFY_WITH_TIMEOUT(label->text().contains(QStringLiteral("unhealthy")), 5000);
    QCOMPARE(label->toolTip(), QString::fromLatin1(FlakyBackend::kError));
    backend.setFailing(false);
    // The run list's Retry: the next answer makes the backend healthy again.
    auto panels = window.findChildren<ErrorPanel*>();
    ErrorPanel* shown = nullptr;
    for (ErrorPanel* p : panels)
        if (!p->isHidden()) shown = p;
    QVERIFY(shown);
    QTest::mouseClick(shown->findChild<QPushButton*>(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!label->text().contains(QStringLiteral("unhealthy")), 5000);
    QCOMPARE(label->text(), backend.description());
}

QTEST_MAIN(TestRunPageErrors)
#include "tst_runpageerrors.moc"

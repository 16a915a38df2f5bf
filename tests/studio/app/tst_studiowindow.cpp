// The main window on a real database: open a run from the list, see its graph nodes and
// timeline bars, filter the list, search the logs, retry a failed run and watch it complete.
#include "backend/embeddedbackend.h"
#include "commandpalette.h"
#include "common/jsonpane.h"
#include "fixtures.h"
#include "flowspage.h"
#include "graph/rungraphmodel.h"
#include "graph/rungraphwidget.h"
#include "logs/logmodel.h"
#include "logs/logview.h"
#include "mainwindow.h"
#include "readonlyview.h"
#include "resumedialog.h"
#include "runactions.h"
#include "runpage.h"
#include "runs/filterbar.h"
#include "runs/flowlistmodel.h"
#include "runs/flowrunlistmodel.h"
#include "runs/flowrunroles.h"
#include "runs/runlistwidget.h"
#include "runs/taskrundetails.h"
#include "runs/taskrunroles.h"
#include "runs/taskruntable.h"
#include "timeline/timelinemodel.h"
#include "timeline/timelinewidget.h"
#include <weft/pause.hpp>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

using namespace weft::studio;
using namespace weft::studio::flowruns;

class TestStudioWindow : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;
    std::unique_ptr<EmbeddedBackend> m_backend;
    std::unique_ptr<ThemeManager> m_theme;
    std::unique_ptr<MainWindow> m_window;
    fixtures::Written m_etl;

    int rowOf(const QString& runId) {
        auto* model = m_window->runList()->model();
        for (int row = 0; row < model->rowCount(); ++row)
            if (model->index(row, 0).data(IdRole).toString() == runId) return row;
        return -1;
    }

    // The id of a run of `flow` in state `stateName` shown in the run list, or "" when none is.
    QString runInList(const QString& stateName, const QString& flow) {
        auto* model = m_window->runList()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            const QModelIndex i = model->index(row, 0);
            if (i.data(StateNameRole).toString() == stateName
                && i.sibling(row, 1).data().toString() == flow)
                return i.data(IdRole).toString();
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("WeftTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_studiowindow"));
        m_db = m_dir.filePath(QStringLiteral("studio.db"));
        {
            auto store = weft::Store::open(m_db.toStdString());
            fixtures::RunSpec spec;
            spec.flow_name = "etl";
            spec.name = "steady-heron";
            spec.tasks = fixtures::fanOut(12);
            spec.log_lines = 300;
            m_etl = fixtures::writeRun(*store, spec);
            for (int i = 0; i < 20; ++i) {
                fixtures::RunSpec other;
                other.flow_name = i % 2 ? "reports" : "sync";
                other.state = i % 3 ? weft::StateType::Completed : weft::StateType::Failed;
                fixtures::writeRun(*store, other);
            }
            store->flush();
        }
        m_backend = std::make_unique<EmbeddedBackend>(m_db);
        m_backend->setPollInterval(10);
        QCOMPARE(m_backend->openNow(), QString());
        m_theme = std::make_unique<ThemeManager>(*qApp);
        m_window = std::make_unique<MainWindow>(m_backend.get(), m_theme.get());
        m_window->setConfirmActions(false);
        m_window->resize(1300, 850);
        m_window->show();
        QTRY_COMPARE(m_window->runList()->model()->rowCount(), 21);
    }

    void openRunFromTheListShowsGraphAndTimeline() {
        const QString id = QString::fromStdString(m_etl.flow_run_id);
        QTRY_VERIFY(rowOf(id) >= 0);
        QTableView* table = m_window->runList()->tableView();
        const QModelIndex index = table->model()->index(rowOf(id), 1);
        QTRY_VERIFY(!index.data(IsPlaceholderRole).toBool());
        QSignalSpy activated(m_window->runList(), &RunListWidget::runActivated);
        table->scrollTo(index);
        // A widget double click is a press and release, then the double-click event.
        const QPoint at = table->visualRect(index).center();
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, at);
        QTRY_COMPARE(activated.count(), 1);
        QTRY_VERIFY(m_window->runPage(id) != nullptr);
        RunPage* page = m_window->runPage(id);
        QCOMPARE(m_window->tabs()->currentWidget(), page);
        // 14 task runs: extract, a map of 12 (one node until expanded), load.
        QTRY_VERIFY(page->graph()->model()->nodeCount() >= 3);
        QVERIFY(page->graph()->model()->edgeCount() >= 2);
        // The Graph tab is the shipped RunGraphWidget: its layout box drives the page's model.
        auto* layoutBox = page->graph()->findChild<QComboBox*>(QStringLiteral("layoutMode"));
        QVERIFY(layoutBox);
        layoutBox->setCurrentIndex(layoutBox->findData(int(DagMode::TemporalByStart)));
        QCOMPARE(page->graph()->model()->layoutMode(), DagMode::TemporalByStart);
        layoutBox->setCurrentIndex(layoutBox->findData(int(DagMode::Layered)));
        page->showTab(RunPage::Tab::Timeline);
        QTRY_COMPARE(page->timeline()->model()->rowCount(), int(m_etl.task_run_ids.size()));
        // The task-run details take room only once a task run is chosen.
        QVERIFY(!page->details()->isVisible());
        page->selectTaskRun(QString::fromStdString(m_etl.task_run_ids.front()));
        QVERIFY(page->details()->isVisible());
    }

    // A run without parameters says so on its Parameters tab rather than showing an empty tree;
    // with parameters, the tree is shown.
    void parametersTabSaysWhenThereAreNone() {
        const QString id = QString::fromStdString(m_etl.flow_run_id);
        m_window->openRun(id);
        QTRY_VERIFY(m_window->runPage(id) != nullptr);
        RunPage* page = m_window->runPage(id);
        page->showTab(RunPage::Tab::Parameters);
        QTRY_COMPARE(page->parameters()->placeholderText(), u"This run has no parameters."_qs);
        QVERIFY(page->parameters()->isVisible());
        page->parameters()->setJson(nlohmann::json{{"n", 1}}, u"none"_qs);
        QCOMPARE(page->parameters()->placeholderText(), QString());
        QCOMPARE(page->parameters()->currentWidget(), page->parameters()->tree());
        QCOMPARE(page->parameters()->tree()->model()->rowCount(), 1);
    }

    // A run whose task names are long: the Task runs table widens its name column to them
    // (up to a limit) instead of cutting every name.
    void longTaskNamesAreShownWhole() {
        const QString db = m_dir.filePath(QStringLiteral("long-names.db"));
        fixtures::Written run;
        {
            auto store = weft::Store::open(db.toStdString());
            fixtures::RunSpec spec;
            spec.tasks = {{"station_region_summarize"}, {"station_region_summarize"}};
            run = fixtures::writeRun(*store, spec);
            store->flush();
        }
        EmbeddedBackend backend(db);
        QCOMPARE(backend.openNow(), QString());
        TaskRunTable table(&backend);
        table.resize(1200, 400);
        table.show();
        QVERIFY(QTest::qWaitForWindowExposed(&table));
        table.setFlowRun(QString::fromStdString(run.flow_run_id));
        QTRY_COMPARE(table.model()->rowCount(), 2);
        const QString name = table.model()->index(0, taskruns::NameColumn).data().toString();
        QVERIFY2(name.startsWith(u"station_region_summarize"), qPrintable(name));
        const int needed = table.fontMetrics().horizontalAdvance(name);
        QTRY_VERIFY2(table.horizontalHeader()->sectionSize(taskruns::NameColumn) > needed,
                     qPrintable(QString::number(
                         table.horizontalHeader()->sectionSize(taskruns::NameColumn))));
    }

    void readOnlyDatabaseIsShownAndNotChanged() {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("data"));
        QVERIFY(QDir().mkpath(folder));
        std::string failedRun;
        {
            auto store = weft::Store::open((folder + QStringLiteral("/ro.db")).toStdString());
            fixtures::RunSpec spec;
            spec.state = weft::StateType::Failed;
            failedRun = fixtures::writeRun(*store, spec).flow_run_id;
            store->flush();
        }
        const ReadOnlyView view(folder, dir.filePath(QStringLiteral("view")));
        if (!view.isValid()) QSKIP(qPrintable(view.why()));
        EmbeddedBackend backend(view.filePath(QStringLiteral("ro.db")),
                                EmbeddedBackend::Create::Never);
        QCOMPARE(backend.openNow(), QString());
        QVERIFY(backend.isReadOnly());
        MainWindow window(&backend, m_theme.get());
        window.setConfirmActions(false);
        window.show();
        auto* label = window.findChild<QLabel*>(QStringLiteral("backendLabel"));
        QVERIFY(label);
        QVERIFY2(label->text().contains(u"read-only"), qPrintable(label->text()));
        QTRY_COMPARE(window.runList()->model()->rowCount(), 1);
        QSignalSpy said(window.actions(), &RunActions::message);
        window.actions()->retry({QString::fromStdString(failedRun)});
        QCOMPARE(said.count(), 1);
        QVERIFY(said.front().front().toString().contains(u"read-only"));
        window.openRun(QString::fromStdString(failedRun));
        QTRY_VERIFY(window.runPage(QString::fromStdString(failedRun)) != nullptr);
        auto* retry = window.runPage(QString::fromStdString(failedRun))
                          ->findChild<QToolButton*>(QStringLiteral("retry"));
        QVERIFY(retry);
        QTRY_VERIFY(!retry->isEnabled());
    }

    void flowsPageUsesTheWholeWidth() {
        m_window->showPage(MainWindow::Page::Flows);
        QTableView* table = m_window->flowsPage()->table();
        QTRY_VERIFY(table->isVisible());
        // Figures that arrive while the page is shown (as when Studio opens on it).
        QSignalSpy refreshed(m_window->flowsPage()->model(), &FlowListModel::refreshed);
        m_window->flowsPage()->model()->refresh();
        QVERIFY(refreshed.wait(10000));
        QVERIFY(table->model()->rowCount() > 0);
        // The columns fill the table, not a quarter of it.
        QTRY_COMPARE(table->horizontalHeader()->length(), table->viewport()->width());
        QVERIFY(!table->model()
                     ->headerData(FlowListModel::SuccessRateColumn, Qt::Horizontal)
                     .toString()
                     .isEmpty());
        m_window->showPage(MainWindow::Page::Runs);
    }

    void filteringTheListNarrowsIt() {
        m_window->showPage(MainWindow::Page::Runs);
        auto* text =
            m_window->runList()->filterBar()->findChild<QLineEdit*>(QStringLiteral("filterText"));
        QVERIFY(text);
        text->setFocus();
        QTest::keyClicks(text, QStringLiteral("reports"));
        QTRY_COMPARE(m_window->runList()->model()->rowCount(), 10);
        text->clear();
        QTRY_COMPARE(m_window->runList()->model()->rowCount(), 21);
    }

    void searchingTheLogsFindsTheLines() {
        RunPage* page = m_window->runPage(QString::fromStdString(m_etl.flow_run_id));
        QVERIFY(page);
        page->showTab(RunPage::Tab::Logs);
        QTRY_COMPARE(page->logs()->model()->rowCount(), 300);
        page->logs()->setSearchText(QStringLiteral("needle"));
        // Every 97th fixture line carries the word: 0, 97, 194, 291.
        QTRY_COMPARE(page->logs()->model()->hitCount(), 4);
    }

    void commandPaletteJumpsToARun() {
        m_window->showCommandPalette();
        CommandPalette* palette = m_window->commandPalette();
        QTRY_VERIFY(palette->isVisible());
        QTest::keyClicks(palette->queryField(), QStringLiteral("steady"));
        // Actions match at once; runs arrive from the store by name.
        auto shows = [palette](const QString& text) {
            for (int i = 0; i < palette->results()->count(); ++i)
                if (palette->results()->item(i)->text().contains(text)) return true;
            return false;
        };
        QTRY_VERIFY(shows(QStringLiteral("steady-heron")));
    }

    void retryingAFailedRunCompletesIt() {
        // A real failed run of example-failing, written by the program itself.
        QProcess program;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("WEFT_DB"), m_db);
        env.remove(QStringLiteral("WEFT_EXAMPLE_FIX"));
        program.setProcessEnvironment(env);
        program.start(qEnvironmentVariable("WEFT_BIN_DIR") + QStringLiteral("/example-failing"),
                      {});
        QVERIFY(program.waitForFinished(60000));
        QCOMPARE(program.exitCode(), 1);
        // It shows up live as FAILED.
        QString failedId;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(failedId = runInList(QStringLiteral("Failed"), QStringLiteral("failing_pipeline")))
                 .isEmpty(),
            20000);
        m_window->openRun(failedId);
        QTRY_VERIFY(m_window->runPage(failedId));
        RunPage* page = m_window->runPage(failedId);
        QTRY_COMPARE(page->run().state.type, weft::StateType::Failed);
        // Retry resumes the run in its program; with the fault removed it completes.
        qputenv("WEFT_EXAMPLE_FIX", "1");
        QSignalSpy finished(m_window->actions(), &RunActions::finished);
        m_window->actions()->retry({failedId});
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(1).toInt(), 1); // accepted
        QTRY_COMPARE_WITH_TIMEOUT(page->run().state.type, weft::StateType::Completed, 60000);
        QCOMPARE(page->run().run_count, 2);
        qunsetenv("WEFT_EXAMPLE_FIX");
    }

    // "Run again with parameters…" on a run page reaches the backend's launcher, whose refusal
    // (the fixture's runs record no program) is reported like any other action's.
    void runAgainReportsTheLaunchersAnswer() {
        const QString id = QString::fromStdString(m_etl.flow_run_id);
        m_window->openRun(id);
        QTRY_VERIFY(m_window->runPage(id));
        auto* again = m_window->runPage(id)->findChild<QToolButton*>(QStringLiteral("runAgain"));
        QVERIFY(again);
        QVERIFY(again->isEnabled());
        QSignalSpy finished(m_window->actions(), &RunActions::finished);
        QSignalSpy said(m_window->actions(), &RunActions::message);
        again->click();
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toString(), QStringLiteral("Run again"));
        QCOMPARE(finished.first().at(2).toInt(), 1); // refused
        QVERIFY2(said.last().first().toString().contains(u"does not record the program"),
                 qPrintable(said.last().first().toString()));
    }

    void pausedRunIsResumedFromItsPage() {
        // example-approval pauses for input: approved (required), reviewer, note.
        QProcess program;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("WEFT_DB"), m_db);
        program.setProcessEnvironment(env);
        program.start(qEnvironmentVariable("WEFT_BIN_DIR") + QStringLiteral("/example-approval"),
                      {});
        QVERIFY(program.waitForStarted());
        // It shows up live in the run list as Paused.
        QString pausedId;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(pausedId = runInList(QStringLiteral("Paused"), QStringLiteral("approve_and_publish")))
                 .isEmpty(),
            30000);
        m_window->openRun(pausedId);
        QTRY_VERIFY(m_window->runPage(pausedId));
        RunPage* page = m_window->runPage(pausedId);
        QTRY_COMPARE(page->run().state.type, weft::StateType::Paused);
        auto* resume = page->findChild<QToolButton*>(QStringLiteral("resume"));
        QVERIFY(resume);
        QTRY_VERIFY(!resume->isHidden());

        // Without confirmation the form's defaults are sent: `approved` has none, so the engine
        // refuses and names it; the run stays paused.
        QSignalSpy finished(m_window->actions(), &RunActions::finished);
        QSignalSpy said(m_window->actions(), &RunActions::message);
        resume->click();
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.last().at(2).toInt(), 1); // refused
        QVERIFY2(said.last().at(0).toString().contains(QStringLiteral("approved: field required")),
                 qPrintable(said.last().at(0).toString()));
        QCOMPARE(page->run().state.type, weft::StateType::Paused);

        m_window->actions()->resumeWithInput(pausedId, nlohmann::json{{"approved", true}});
        QTRY_COMPARE(finished.count(), 2);
        QCOMPARE(finished.last().at(1).toInt(), 1); // accepted
        QTRY_COMPARE_WITH_TIMEOUT(page->run().state.type, weft::StateType::Completed, 60000);
        QTRY_VERIFY(resume->isHidden());
        // The event loop above may have seen it end already (waitForFinished would say false).
        QTRY_COMPARE_WITH_TIMEOUT(program.state(), QProcess::NotRunning, 30000);
        QCOMPARE(program.exitCode(), 0);
    }

    void resumeFormTypesTheFields() {
        weft::RunInput form;
        form.fields = {{"approved", "boolean", nullptr, "Go ahead?"},
                       {"copies", "integer", 2, ""},
                       {"ratio", "number", 0.5, ""},
                       {"note", "string", "hi", ""},
                       {"tags", "array", nlohmann::json::array({"a"}), ""}};
        ResumeDialog dialog(form.schema());
        auto* approved = qobject_cast<QCheckBox*>(dialog.editor(QStringLiteral("approved")));
        QVERIFY(approved);
        QVERIFY(!approved->isChecked());
        approved->setChecked(true);
        auto got = dialog.input();
        QVERIFY(got);
        QCOMPARE(
            QString::fromStdString(got->dump()),
            QStringLiteral(R"({"approved":true,"copies":2,"note":"hi","ratio":0.5,"tags":["a"]})"));
        QCOMPARE(QString::fromStdString(ResumeDialog::defaults(form.schema()).dump()),
                 QStringLiteral(R"({"copies":2,"note":"hi","ratio":0.5,"tags":["a"]})"));
        // Raw JSON starts from the form and is parsed as a whole.
        dialog.setRaw(true);
        QVERIFY(dialog.rawEditor()->toPlainText().contains(QStringLiteral("\"approved\": true")));
        dialog.rawEditor()->setPlainText(QStringLiteral("{\"approved\": false"));
        QString error;
        QVERIFY(!dialog.input(&error));
        QVERIFY(!error.isEmpty());
        dialog.rawEditor()->setPlainText(QStringLiteral(R"({"approved": false})"));
        QCOMPARE(QString::fromStdString(dialog.input()->dump()),
                 QStringLiteral(R"({"approved":false})"));
    }

    void recentDatabasesNewestFirstWithoutDuplicates() {
        QTemporaryDir dir;
        QStringList made;
        for (int i = 0; i < 10; ++i) {
            made << dir.filePath(QStringLiteral("r%1.db").arg(i));
            QFile f(made.back());
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        for (const QString& p : made)
            MainWindow::rememberDatabase(p);
        MainWindow::rememberDatabase(made[3]); // again: moves to the front
        const QStringList recent = MainWindow::recentDatabases();
        QCOMPARE(recent.size(), 8);
        QCOMPARE(recent[0], made[3]);
        QCOMPARE(recent[1], made[9]);
        QCOMPARE(recent.count(made[3]), 1);
        QFile::remove(made[9]); // gone files are not offered
        QVERIFY(!MainWindow::recentDatabases().contains(made[9]));
    }

    void cleanupTestCase() { m_window.reset(); }
};

QTEST_MAIN(TestStudioWindow)
#include "tst_studiowindow.moc"

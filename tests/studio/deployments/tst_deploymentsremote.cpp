// The Deployments and Work pools pages against a real weft-server (a child process on
// 127.0.0.1, port 0): a pool with a worker and a deployment with a parameter schema made over
// REST fill the pages; "Run deployment…" makes a SCHEDULED run of the deployment that the run
// list shows; a refusal stays in the dialog with the server's reason; pausing shows.
#include "backend/remotebackend.h"
#include "common/theme.h"
#include "deployments/deploymentlistmodel.h"
#include "deployments/deploymentspage.h"
#include "deployments/parameterform.h"
#include "deployments/rundeploymentdialog.h"
#include "deployments/workerlistmodel.h"
#include "deployments/workpoollistmodel.h"
#include "deployments/workpoolspage.h"
#include "mainwindow.h"
#include "runpage.h"
#include "runs/flowrunlistmodel.h"
#include "runs/flowrunroles.h"
#include "testprocess.h"

#include <weft/store.hpp>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QtTest>

#include <limits>

using namespace weft::studio;
using nlohmann::json;

namespace {

const json kSchema = json::parse(R"({
  "title": "Parameters", "type": "object",
  "properties": {
    "n": {"title": "n", "type": "integer", "minimum": 0, "maximum": 100, "position": 0},
    "label": {"title": "label", "type": "string", "position": 1}
  },
  "required": ["n"]
})");

// Whether `table`'s columns span its viewport exactly, each at least as wide as its cells and
// header need.
// (QTableView hides sizeHintForColumn; QAbstractItemView has it public.)
bool fillsItsWidth(QTableView* table) {
    QHeaderView* header = table->horizontalHeader();
    int total = 0;
    for (int c = 0; c < header->count(); ++c) {
        const int needed = std::max(static_cast<QAbstractItemView*>(table)->sizeHintForColumn(c),
                                    header->sectionSizeHint(c));
        if (header->sectionSize(c) < needed) {
            qWarning("column %d is %d px wide, its text needs %d", c, header->sectionSize(c),
                     needed);
            return false;
        }
        total += header->sectionSize(c);
    }
    if (total != table->viewport()->width())
        qWarning("the columns span %d px of %d", total, table->viewport()->width());
    return total == table->viewport()->width();
}

} // namespace

class TestDeploymentsRemote : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<RemoteBackend> m_backend;
    std::string m_deploymentId;

private Q_SLOTS:
    void initTestCase() {
        const QString db = m_dir.filePath(QStringLiteral("server.db"));
        weft::Store::open(db.toStdString()); // a new database for the server
        m_server = std::make_unique<ServerProcess>();
        QVERIFY2(m_server->start(db), m_server->error().constData());
        auto flow = m_server->api("POST", QStringLiteral("/flows/"), {{"name", "etl"}});
        QVERIFY2(flow.status == 200 || flow.status == 201, flow.raw.constData());
        QCOMPARE(m_server
                     ->api("POST", QStringLiteral("/work_pools/"),
                           {{"name", "local"}, {"type", "process"}, {"concurrency_limit", 2}})
                     .status,
                 201);
        QCOMPARE(m_server
                     ->api("POST", QStringLiteral("/work_pools/local/workers/heartbeat"),
                           {{"name", "w1"}, {"heartbeat_interval_seconds", 30}})
                     .status,
                 204);
        auto d = m_server->api("POST", QStringLiteral("/deployments/"),
                               {{"name", "nightly"},
                                {"flow_id", flow.body.at("id")},
                                {"work_pool_name", "local"},
                                {"description", "Loads the day's data."},
                                {"parameters", {{"n", 1}, {"label", "x"}}},
                                {"parameter_openapi_schema", kSchema},
                                {"tags", {"prod"}},
                                {"schedules", {{{"schedule", {{"interval", 3600}}}}}}});
        QVERIFY2(d.status == 201, d.raw.constData());
        m_deploymentId = d.body.at("id").get<std::string>();
        m_backend = std::make_unique<RemoteBackend>(RemoteSettings{m_server->url()});
        QSignalSpy opened(m_backend.get(), &Backend::opened);
        m_backend->open();
        QVERIFY(opened.wait(15000));
    }

    void pagesFill() {
        DeploymentsPage page(m_backend.get());
        QAbstractItemModelTester tester(page.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 1, 15000);
        auto cell = [&](int c) { return page.model()->index(0, c).data().toString(); };
        QCOMPARE(cell(DeploymentListModel::NameColumn), u"nightly"_qs);
        QCOMPARE(cell(DeploymentListModel::FlowColumn), u"etl"_qs);
        QCOMPARE(cell(DeploymentListModel::ScheduleColumn), u"every hour"_qs);
        QCOMPARE(cell(DeploymentListModel::PoolColumn), u"local"_qs);
        QCOMPARE(cell(DeploymentListModel::TagsColumn), u"prod"_qs);
        QTRY_VERIFY(page.details()->toPlainText().contains(u"Loads the day's data."));
        QVERIFY(page.runButton()->isEnabled());

        WorkPoolsPage pools(m_backend.get());
        QTRY_COMPARE_WITH_TIMEOUT(pools.pools()->rowCount(), 1, 15000);
        auto poolCell = [&](int c) { return pools.pools()->index(0, c).data().toString(); };
        QCOMPARE(poolCell(WorkPoolListModel::StatusColumn), u"Ready"_qs);
        QCOMPARE(poolCell(WorkPoolListModel::WorkersColumn), u"1 of 1 online"_qs);
        QCOMPARE(poolCell(WorkPoolListModel::ConcurrencyColumn), u"0 of 2 running"_qs);
        QTRY_COMPARE_WITH_TIMEOUT(pools.workers()->rowCount(), 1, 15000);
        QCOMPARE(pools.workers()->index(0, WorkerListModel::NameColumn).data().toString(),
                 u"w1"_qs);
        QCOMPARE(pools.workers()->index(0, WorkerListModel::StatusColumn).data().toString(),
                 u"Online"_qs);
    }

    void runDeploymentMakesAScheduledRun() {
        DeploymentsPage page(m_backend.get());
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 1, 15000);
        QSignalSpy opened(&page, &DeploymentsPage::openRun);
        RunDeploymentDialog* dialog = page.runSelected();
        QVERIFY(dialog);
        auto* n = qobject_cast<QSpinBox*>(dialog->form()->editor(QStringLiteral("n")));
        QVERIFY(n);
        QCOMPARE(n->value(), 1); // the deployment's default
        n->setValue(5);
        dialog->accept();
        QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 15000);
        const QString runId = opened.front().front().toString();
        QVERIFY(!runId.isEmpty());

        // The run list shows it, SCHEDULED, made from the deployment, with the form's values
        // over the deployment's.
        FlowRunListModel runs(m_backend.get());
        QTRY_VERIFY_WITH_TIMEOUT(runs.rowCount() > 0, 15000);
        int row = -1;
        for (int r = 0; r < runs.rowCount(); ++r)
            if (runs.index(r, 0).data(flowruns::IdRole).toString() == runId) row = r;
        QVERIFY(row >= 0);
        QCOMPARE(runs.index(row, 0).data(flowruns::StateTypeRole).toInt(),
                 int(weft::StateType::Scheduled));
        std::optional<weft::FlowRunRecord> run;
        QObject context;
        m_backend->fetchFlowRun(runId.toStdString(), &context,
                                [&](Result<std::optional<weft::FlowRunRecord>> r) {
                                    if (r) run = *r;
                                });
        QTRY_VERIFY_WITH_TIMEOUT(run.has_value(), 15000);
        QCOMPARE(run->placement.deployment_id, m_deploymentId);
        QCOMPARE(run->parameters, json({{"n", 5}, {"label", "x"}}));
    }

    void refusalIsShownWithItsReason() {
        DeploymentInfo gone;
        gone.deployment.id = "00000000-0000-0000-0000-000000000000";
        gone.deployment.name = "gone";
        RunDeploymentDialog dialog(m_backend.get(), gone);
        dialog.accept();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.errorText().isEmpty(), 15000);
        QVERIFY2(dialog.errorText().contains(u"not found", Qt::CaseInsensitive),
                 qPrintable(dialog.errorText()));
        QVERIFY(dialog.result() != QDialog::Accepted);
    }

    // The main window has both pages as tabs, and Run ▸ Run deployment… opens the form; the run
    // it makes opens in a run page.
    void mainWindowRunsADeployment() {
        ThemeManager theme(*qApp);
        MainWindow window(m_backend.get(), &theme);
        QTabWidget* tabs = window.tabs();
        QStringList titles;
        for (int i = 0; i < tabs->count(); ++i)
            titles << tabs->tabText(i);
        QVERIFY2(titles.contains(u"Deployments"_qs) && titles.contains(u"Work pools"_qs),
                 qPrintable(titles.join(u", ")));
        QTRY_COMPARE_WITH_TIMEOUT(window.deploymentsPage()->model()->rowCount(), 1, 15000);
        QAction* action = nullptr;
        for (QAction* a : window.findChildren<QAction*>())
            if (a->text().remove(QLatin1Char('&')) == u"Run deployment…"_qs) action = a;
        QVERIFY(action && action->isEnabled());
        QSignalSpy pageOpened(&window, &MainWindow::runPageOpened);
        action->trigger();
        QCOMPARE(tabs->currentWidget(), window.deploymentsPage());
        auto* dialog = window.deploymentsPage()->findChild<RunDeploymentDialog*>();
        QVERIFY(dialog && dialog->isVisible());
        dialog->accept();
        QTRY_COMPARE_WITH_TIMEOUT(pageOpened.count(), 1, 15000);
    }

    // The tables fill their width, the last column taking what is left, and no column is
    // narrower than its text: after the rows arrive and after a refresh that changes them.
    void tablesFillTheirWidth() {
        DeploymentsPage deployments(m_backend.get());
        deployments.resize(1100, 640);
        deployments.show();
        QVERIFY(QTest::qWaitForWindowExposed(&deployments));
        QTRY_COMPARE_WITH_TIMEOUT(deployments.model()->rowCount(), 1, 15000);
        QTRY_VERIFY(fillsItsWidth(deployments.table()));
        QSignalSpy refreshed(deployments.model(), &DeploymentListModel::refreshed);
        deployments.model()->refresh();
        QVERIFY(refreshed.wait(15000));
        QVERIFY(fillsItsWidth(deployments.table()));

        WorkPoolsPage pools(m_backend.get());
        pools.resize(1100, 500);
        pools.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pools));
        QTRY_COMPARE_WITH_TIMEOUT(pools.workers()->rowCount(), 1, 15000);
        QTRY_VERIFY(fillsItsWidth(pools.poolTable()));
        QTRY_VERIFY(fillsItsWidth(pools.workerTable()));
    }

    // Pictures of the pages and the dialog to look at, when WEFT_SCREENSHOT_DIR names a folder.
    void screenshots() {
        const QString dir = qEnvironmentVariable("WEFT_SCREENSHOT_DIR");
        if (dir.isEmpty()) QSKIP("WEFT_SCREENSHOT_DIR is not set");
        DeploymentsPage deployments(m_backend.get());
        deployments.resize(1100, 640);
        deployments.show();
        QTRY_COMPARE_WITH_TIMEOUT(deployments.model()->rowCount(), 1, 15000);
        QTRY_VERIFY(!deployments.details()->toPlainText().isEmpty());
        QVERIFY(deployments.grab().save(dir + QStringLiteral("/deployments.png")));
        WorkPoolsPage pools(m_backend.get());
        pools.resize(1100, 500);
        pools.show();
        QTRY_COMPARE_WITH_TIMEOUT(pools.workers()->rowCount(), 1, 15000);
        QVERIFY(pools.grab().save(dir + QStringLiteral("/work-pools.png")));
        DeploymentInfo info = *deployments.model()->deployment(0);
        info.deployment.parameter_openapi_schema =
            json::parse(R"({"type": "object", "required": ["n"],
          "properties": {"n": {"type": "integer", "minimum": 0, "position": 0},
            "label": {"type": "string", "position": 1, "description": "A name for the run"},
            "ratio": {"type": "number", "position": 2}, "dry_run": {"type": "boolean", "position": 3},
            "mode": {"enum": ["fast", "safe"], "position": 4},
            "items": {"type": "array", "position": 5}}})");
        RunDeploymentDialog dialog(m_backend.get(), info);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        qobject_cast<QPlainTextEdit*>(dialog.form()->editor(QStringLiteral("items")))
            ->setPlainText(QStringLiteral("[1, 2,"));
        QVERIFY(dialog.grab().save(dir + QStringLiteral("/run-deployment.png")));
    }

    void pauseShows() {
        DeploymentsPage page(m_backend.get());
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 1, 15000);
        QTRY_VERIFY(page.pauseButton()->isEnabled());
        QCOMPARE(page.pauseButton()->text(), u"Pause schedules"_qs);
        page.togglePaused();
        QTRY_COMPARE_WITH_TIMEOUT(
            page.model()->index(0, DeploymentListModel::PausedColumn).data().toString(),
            u"Paused"_qs, 15000);
        QTRY_COMPARE(page.pauseButton()->text(), u"Resume schedules"_qs);
    }

    // The schema `weft deploy` sends for a flow `typed(int n, double rate, std::string label, bool
    // dry = false, std::vector<std::string> names)` deployed with --param n=5 comes back from the
    // server as sent, and the Run deployment form built from the fetched deployment has a field
    // of the right kind for each parameter, in the flow's order: an integer spin box within int's
    // range holding 5, a number spin box, a required line edit, a check box, JSON text for the
    // list. A picture of the dialog goes to WEFT_SCREENSHOT_DIR when set.
    void runFormFollowsTheDeployedSchema() {
        const json schema = json::parse(R"({
          "title": "Parameters", "type": "object",
          "properties": {
            "n": {"title": "n", "position": 0, "type": "integer", "minimum": -2147483648,
                  "maximum": 2147483647, "default": 5},
            "rate": {"title": "rate", "position": 1, "type": "number"},
            "label": {"title": "label", "position": 2, "type": "string"},
            "dry": {"title": "dry", "position": 3, "type": "boolean", "default": false},
            "names": {"title": "names", "position": 4, "type": "array",
                      "items": {"type": "string"}}
          },
          "required": ["n", "rate", "label", "names"]
        })");
        auto flow = m_server->api("POST", QStringLiteral("/flows/"), {{"name", "typed"}});
        QVERIFY2(flow.status == 200 || flow.status == 201, flow.raw.constData());
        auto made = m_server->api("POST", QStringLiteral("/deployments/"),
                                  {{"name", "typed"},
                                   {"flow_id", flow.body.at("id")},
                                   {"parameters", {{"n", 5}}},
                                   {"parameter_openapi_schema", schema}});
        QVERIFY2(made.status == 201, made.raw.constData());
        const QUrl at =
            m_server->url(QStringLiteral("/deployments/")
                          + QString::fromStdString(made.body.at("id").get<std::string>()));
        // The other tests see one deployment: this one goes when the test ends.
        const auto removed = qScopeGuard([&] { request("DELETE", at); });

        std::optional<std::vector<DeploymentInfo>> listed;
        QObject context;
        m_backend->fetchDeployments(&context, [&](Result<std::vector<DeploymentInfo>> r) {
            if (r) listed = std::move(*r);
        });
        QTRY_VERIFY_WITH_TIMEOUT(listed.has_value(), 15000);
        const auto typed = std::find_if(listed->begin(), listed->end(),
                                        [](const auto& d) { return d.deployment.name == "typed"; });
        QVERIFY(typed != listed->end());
        QCOMPARE(QString::fromStdString(typed->deployment.parameter_openapi_schema.dump()),
                 QString::fromStdString(schema.dump()));

        RunDeploymentDialog dialog(m_backend.get(), *typed);
        ParameterForm* form = dialog.form();
        auto* n = qobject_cast<QSpinBox*>(form->editor(QStringLiteral("n")));
        QVERIFY(n);
        QCOMPARE(n->value(), 5);
        QCOMPARE(n->minimum(), std::numeric_limits<int>::min());
        QCOMPARE(n->maximum(), std::numeric_limits<int>::max());
        QVERIFY(qobject_cast<QDoubleSpinBox*>(form->editor(QStringLiteral("rate"))));
        auto* label = qobject_cast<QLineEdit*>(form->editor(QStringLiteral("label")));
        QVERIFY(label);
        auto* dry = qobject_cast<QCheckBox*>(form->editor(QStringLiteral("dry")));
        QVERIFY(dry && !dry->isChecked());
        auto* names = qobject_cast<QPlainTextEdit*>(form->editor(QStringLiteral("names")));
        QVERIFY(names);
        QCOMPARE(form->requiredCount(), 4);
        // In the flow's order.
        auto* layout = qobject_cast<QFormLayout*>(n->parentWidget()->layout());
        QVERIFY(layout);
        QStringList order;
        for (int row = 0; row < layout->rowCount(); ++row)
            if (auto* item = layout->itemAt(row, QFormLayout::FieldRole))
                order << item->widget()->objectName();
        QCOMPARE(order, QStringList({u"param-n"_qs, u"param-rate"_qs, u"param-label"_qs,
                                     u"param-dry"_qs, u"param-names"_qs}));

        // The required number (no default: left empty, not 0), text and list must be filled
        // before the form gives its values.
        QString why;
        QVERIFY(!form->values(&why));
        QVERIFY2(why.contains(u"rate"_qs), qPrintable(why));
        auto* rate = qobject_cast<QDoubleSpinBox*>(form->editor(QStringLiteral("rate")));
        QVERIFY(rate && rate->text().isEmpty());
        rate->setValue(0.5);
        QVERIFY(!form->values(&why));
        QVERIFY2(why.contains(u"label"_qs), qPrintable(why));
        label->setText(u"night"_qs);
        names->setPlainText(u"[\"a\", \"b\"]"_qs);
        QTRY_VERIFY(form->isValid());
        const auto values = form->values();
        QVERIFY(values);
        QCOMPARE(QString::fromStdString(values->dump()),
                 QString::fromStdString(json({{"n", 5},
                                              {"rate", 0.5},
                                              {"label", "night"},
                                              {"dry", false},
                                              {"names", {"a", "b"}}})
                                            .dump()));

        const QString dir = qEnvironmentVariable("WEFT_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            QVERIFY(dialog.grab().save(dir + QStringLiteral("/run-deployment-typed.png")));
        }
    }
};

QTEST_MAIN(TestDeploymentsRemote)
#include "tst_deploymentsremote.moc"

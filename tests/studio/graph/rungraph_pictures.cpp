// Not a test: renders the run graph of fixture runs to PNG files for people to look at, and
// (with --frames N) paints a 10,000-node graph N times at one zoom, for profiling.
//
//   rungraph-pictures OUTDIR
//   rungraph-pictures --frames 200 --zoom 1 --shape layers|fan
#include "backend/embeddedbackend.h"
#include "common/theme.h"
#include "graph/rungraphwidget.h"
#include "graphfixtures.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStyle>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <ctime>

using namespace weft::studio;

namespace {

bool waitLayout(RunGraphModel& model) {
    QSignalSpy spy(&model, &RunGraphModel::layoutChanged);
    return spy.wait(30000);
}

bool load(RunGraphModel& model, const std::string& id) {
    model.setFlowRun(QString::fromStdString(id));
    QSignalSpy done(&model, &RunGraphModel::loadingChanged);
    return done.wait(30000);
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QCommandLineParser cli;
    cli.addPositionalArgument(QStringLiteral("outdir"), QStringLiteral("where the pictures go"));
    cli.addOption({QStringLiteral("frames"), QStringLiteral("paint N frames and time them"),
                   QStringLiteral("N")});
    cli.addOption({QStringLiteral("zoom"), QStringLiteral("zoom for --frames"), QStringLiteral("Z"),
                   QStringLiteral("1")});
    cli.addOption({QStringLiteral("shape"), QStringLiteral("layers or fan"), QStringLiteral("S"),
                   QStringLiteral("layers")});
    cli.process(app);

    QTemporaryDir dir;
    EmbeddedBackend backend(dir.filePath(QStringLiteral("pictures.db")));
    if (const QString error = backend.openNow(); !error.isEmpty()) qFatal("%s", qPrintable(error));
    weft::Store& store = backend.engine()->store();

    if (cli.isSet(QStringLiteral("frames"))) {
        const bool fan = cli.value(QStringLiteral("shape")) == QLatin1String("fan");
        const auto run = fixtures::writeRun(
            store, {.tasks = fan ? fixtures::fanOut(10000) : fixtures::layers(100, 100)});
        store.flush();
        RunGraphModel model(&backend);
        RunGraphView view(&model);
        view.resize(1280, 800);
        view.show();
        if (!load(model, run.flow_run_id)) return 1;
        model.setAllGroupsExpanded(true);
        if (!waitLayout(model)) return 1;
        view.setZoom(cli.value(QStringLiteral("zoom")).toDouble());
        const int frames = cli.value(QStringLiteral("frames")).toInt();
        // Wall time suffers from other processes on a shared machine; thread CPU time does not.
        const auto cpuMs = [] {
            timespec t;
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
            return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
        };
        QElapsedTimer timer;
        timer.start();
        const double cpu0 = cpuMs();
        for (int i = 0; i < frames; ++i)
            view.viewport()->repaint();
        std::vector<int> visible;
        model.nodesIn(view.visibleSceneRect(), visible);
        qInfo("%d frames at zoom %.3f (%zu nodes visible): %.2f ms a frame wall, %.2f ms CPU",
              frames, view.zoom(), visible.size(), double(timer.elapsed()) / frames,
              (cpuMs() - cpu0) / frames);
        return 0;
    }

    const QString out = cli.positionalArguments().value(0, QStringLiteral("/tmp/rungraph"));
    QDir().mkpath(out);
    const auto etl = graphfixtures::writeEtlRun(store);
    const auto fan =
        fixtures::writeRun(store, {.flow_name = "fan", .tasks = fixtures::fanOut(200)});
    store.flush();

    for (const bool dark : {false, true}) {
        const QPalette palette = dark ? ThemeManager::darkPalette() : ThemeManager::lightPalette();
        const QString theme = dark ? QStringLiteral("dark") : QStringLiteral("light");
        struct Shot {
            QString name;
            std::string run;
            bool expand;
            QSize size;
        };
        const Shot shots[] = {
            {QStringLiteral("etl-collapsed"), etl.parent.flow_run_id, false, QSize(1280, 520)},
            {QStringLiteral("etl-expanded"), etl.parent.flow_run_id, true, QSize(1280, 900)},
            {QStringLiteral("fan200-collapsed"), fan.flow_run_id, false, QSize(1000, 420)},
            {QStringLiteral("fan200-expanded"), fan.flow_run_id, true, QSize(1000, 700)},
        };
        for (const Shot& shot : shots) {
            RunGraphModel model(&backend);
            RunGraphWidget widget(&model);
            widget.setPalette(palette);
            widget.resize(shot.size);
            widget.show();
            if (!load(model, shot.run)) return 1;
            if (shot.expand) {
                model.setAllGroupsExpanded(true);
                if (!waitLayout(model)) return 1;
                for (int n = 0; n < model.nodeCount(); ++n)
                    if (model.nodeKind(n) == RunGraphNodeKind::Subflow) {
                        model.setExpanded(n, true);
                        if (!waitLayout(model)) return 1;
                        break;
                    }
            }
            if (shot.name == QLatin1String("etl-collapsed"))
                widget.view()->selectTaskRun(QString::fromStdString(etl.parent.task_run_ids[0]));
            const QString file = out + QStringLiteral("/%1-%2.png").arg(shot.name, theme);
            widget.grab().save(file);
            qInfo("%s", qPrintable(file));
            if (shot.name == QLatin1String("etl-expanded")) {
                widget.view()->exportTo(out + QStringLiteral("/export-etl-%1.png").arg(theme));
                widget.view()->exportTo(out + QStringLiteral("/export-etl-%1.svg").arg(theme));
                widget.view()->setZoom(0.3);
                widget.grab().save(out + QStringLiteral("/etl-boxes-%1.png").arg(theme));
                widget.view()->setTagFilter(QStringLiteral("io"));
                widget.view()->fitToView();
                widget.grab().save(out + QStringLiteral("/etl-tag-io-%1.png").arg(theme));
            }
        }
    }
    return 0;
}

#include "runs/runsnapshots.h"

#include <QHash>

namespace weft::studio {

namespace {
// Lives as a child of its backend, so it goes with it; holds no snapshot alive.
class Registry : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    QHash<QString, std::weak_ptr<RunSnapshot>> snapshots;
};

Registry* registryOf(Backend* backend) {
    static const QString name = QStringLiteral("weft-run-snapshots");
    if (auto* r = backend->findChild<Registry*>(name, Qt::FindDirectChildrenOnly)) return r;
    auto* r = new Registry(backend);
    r->setObjectName(name);
    return r;
}
} // namespace

std::shared_ptr<RunSnapshot> RunSnapshots::of(Backend* backend, const QString& flowRunId) {
    Registry* registry = registryOf(backend);
    if (auto held = registry->snapshots.value(flowRunId).lock()) return held;
    // Deleted later, not now: the last holder may let go from inside one of its signals.
    registry->snapshots.removeIf([](const auto& entry) { return entry.value().expired(); });
    std::shared_ptr<RunSnapshot> snapshot(new RunSnapshot(backend),
                                          [](RunSnapshot* s) { s->deleteLater(); });
    registry->snapshots.insert(flowRunId, snapshot);
    snapshot->setFlowRun(flowRunId);
    return snapshot;
}

} // namespace weft::studio

#include "runsnapshots.moc"

#include "graphfixtures.h"

#include <weft/engine.hpp>
#include <weft/ids.hpp>

namespace weft::studio::graphfixtures {

using weft::StateType;

EtlRun writeEtlRun(weft::Store& store) {
    EtlRun out;
    const weft::Micros start = weft::now_us() - weft::from_seconds(30);
    fixtures::RunSpec parent;
    parent.flow_name = "weather-etl";
    parent.name = "nightly-etl";
    parent.state = StateType::Running;
    parent.start = start;
    parent.tasks.push_back({"extract", StateType::Completed, {}, 0, 2, {"io"}});
    parent.tasks.push_back({"validate", StateType::Completed, {0}, 2.1, 0.8, {}});
    std::vector<int> transforms;
    for (int i = 0; i < 12; ++i) {
        transforms.push_back(int(parent.tasks.size()));
        parent.tasks.push_back({"transform",
                                i == 7 ? StateType::Failed : StateType::Completed,
                                {0},
                                2.1 + 0.25 * i,
                                1.2 + 0.1 * (i % 4),
                                {"cpu"}});
    }
    parent.tasks.push_back({"aggregate", StateType::Completed, transforms, 6.2, 1.1, {}});
    parent.tasks.push_back(
        {"load", StateType::Completed, {int(parent.tasks.size()) - 1, 1}, 7.5, 1.6, {"io"}});
    parent.tasks.push_back(
        {"report", StateType::Running, {int(parent.tasks.size()) - 1}, 9.3, 0, {}});
    out.parent = fixtures::writeRun(store, parent);
    out.reportTaskRunId = out.parent.task_run_ids.back();
    for (int t : transforms)
        out.transformIds.push_back(out.parent.task_run_ids[size_t(t)]);

    fixtures::RunSpec child;
    child.flow_name = "weather-report";
    child.name = "report-of-nightly-etl";
    child.state = StateType::Running;
    child.start = start + weft::from_seconds(9.4);
    child.tasks.push_back({"render", StateType::Completed, {}, 0, 1.5, {}});
    child.tasks.push_back({"upload", StateType::Running, {0}, 1.6, 0, {"io"}});
    child.tasks.push_back({"notify", StateType::Pending, {0}, 1.6, 0, {}});
    out.child = fixtures::writeRun(store, child);
    linkSubflow(store, out.reportTaskRunId, out.child.flow_run_id);
    store.flush();
    return out;
}

void linkSubflow(weft::Store& store, const std::string& taskRunId,
                 const std::string& childFlowRunId) {
    store
        .transact<void>([&](weft::Txn& txn) {
            auto task = txn.read().task_run(taskRunId);
            auto child = txn.read().flow_run(childFlowRunId);
            if (!task || !child) throw std::runtime_error("linkSubflow: unknown run");
            task->child_flow_run_id = childFlowRunId;
            txn.put_task_run(*task, weft::EventKind::TaskRunState);
            child->parent_task_run_id = taskRunId;
            txn.put_flow_run(*child, weft::EventKind::FlowRunUpdated);
        })
        .get();
}

std::string addTaskRun(weft::Store& store, const std::string& flowRunId, const std::string& taskKey,
                       const std::vector<std::string>& upstream,
                       const std::vector<std::string>& waitFor) {
    weft::TaskRunRecord task;
    task.id = weft::new_id();
    task.flow_run_id = flowRunId;
    task.task_key = taskKey;
    task.dynamic_key = task.id.substr(0, 6);
    task.name = taskKey + "-" + task.dynamic_key;
    task.created = task.updated = task.expected_start_time = weft::now_us();
    task.state = weft::make_state(StateType::Pending);
    task.task_inputs = nlohmann::json::object();
    for (size_t i = 0; i < upstream.size(); ++i)
        task.task_inputs["x" + std::to_string(i)] =
            nlohmann::json::array({{{"input_type", "task_run"}, {"id", upstream[i]}}});
    for (const std::string& id : waitFor) {
        if (!task.task_inputs.contains("wait_for"))
            task.task_inputs["wait_for"] = nlohmann::json::array();
        task.task_inputs["wait_for"].push_back({{"input_type", "task_run"}, {"id", id}});
    }
    store.put_task_run(task, weft::EventKind::TaskRunCreated);
    store.flush();
    return task.id;
}

void setTaskRunState(weft::Store& store, const std::string& taskRunId, weft::StateType type) {
    store.flush();
    auto task = store.read([&](weft::Reader& r) { return r.task_run(taskRunId); });
    if (!task) throw std::runtime_error("setTaskRunState: unknown task run");
    weft::enter_state(*task, weft::make_state(type, {}, type == StateType::Failed ? "boom" : ""));
    store.update_task_run(weft::TaskRunUpdate::of(*task));
    store.flush();
}

} // namespace weft::studio::graphfixtures

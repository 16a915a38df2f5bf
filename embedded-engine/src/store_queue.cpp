// Task-run writes in the store's queue: texts appended to one buffer, numbers inline.
#include "store_queue.hpp"

namespace weft::detail {

namespace {

using Text = QueuedWrite::Text;

// Appends the texts of one write and records their sizes.
class Texts {
public:
    Texts(QueuedWrite& write, std::string& out)
        : m_write(write)
        , m_out(out) {}

    void add(Text t, std::string_view s) {
        m_out.append(s);
        m_write.size[t] = std::uint32_t(s.size());
    }
    // JSON as dump() writes it, straight into the buffer; null is "" (no value).
    void add_json(Text t, const nlohmann::json& j) {
        if (j.is_null()) return add(t, {});
        const auto before = m_out.size();
        nlohmann::detail::serializer<nlohmann::json> s(
            nlohmann::detail::output_adapter<char, std::string>(m_out), ' ');
        s.dump(j, false, false, 0);
        m_write.size[t] = std::uint32_t(m_out.size() - before);
    }
    // An object column: "{}" when empty or null.
    void add_object(Text t, const nlohmann::json& j) {
        if (j.empty()) return add(t, "{}");
        add_json(t, j);
    }

private:
    QueuedWrite& m_write;
    std::string& m_out;
};

// The fields a state change sets, the same in a TaskRunRecord and a TaskRunUpdate.
template<class R> void encode_state_change(const R& r, QueuedWrite& w, Texts& texts) {
    texts.add(Text::Id, r.id);
    texts.add(Text::FlowRunId, r.flow_run_id);
    w.state_type = r.state.type;
    texts.add(Text::StateId, r.state.id);
    texts.add(Text::StateName, r.state.name);
    texts.add(Text::StateMessage, r.state.message);
    texts.add_json(Text::StateDetails, r.state.details);
    w.state_timestamp = r.state.timestamp;
    w.run_count = r.run_count;
    w.has_start = r.start_time.has_value();
    w.start_time = r.start_time.value_or(0);
    w.has_end = r.end_time.has_value();
    w.end_time = r.end_time.value_or(0);
    w.total_run_time = r.total_run_time;
    w.updated = r.updated;
    texts.add(Text::CacheKey, r.cache_key);
    w.has_expiration = r.cache_expiration.has_value();
    w.cache_expiration = r.cache_expiration.value_or(0);
    texts.add(Text::InputsHash, r.inputs_hash);
    w.has_result = r.has_result;
    if (r.has_result)
        texts.add_json(Text::Result, r.result);
    else
        texts.add(Text::Result, {});
}

} // namespace

void encode_task_run(const TaskRunRecord& run, EventKind kind, const nlohmann::json* parameters,
                     QueuedWrite& w, std::string& out) {
    w.type = QueuedWrite::Type::PutTaskRun;
    w.kind = kind;
    Texts texts(w, out);
    encode_state_change(run, w, texts);
    w.has_parameters = w.has_task_inputs = true;
    texts.add_object(Text::Parameters, parameters ? *parameters : run.parameters);
    texts.add_object(Text::TaskInputs, run.task_inputs);
    texts.add(Text::TaskKey, run.task_key);
    texts.add(Text::DynamicKey, run.dynamic_key);
    texts.add(Text::Name, run.name);
    texts.add(Text::Tags, tags_text(run.tags));
    texts.add(Text::ChildFlowRunId, run.child_flow_run_id);
    w.max_retries = run.max_retries;
    w.expected_start_time = run.expected_start_time;
    w.created = run.created;
}

namespace {
template<class R>
void encode_change(const R& r, const nlohmann::json* parameters, const nlohmann::json* task_inputs,
                   QueuedWrite& w, std::string& out) {
    w.type = QueuedWrite::Type::UpdateTaskRun;
    w.kind = EventKind::TaskRunState;
    Texts texts(w, out);
    encode_state_change(r, w, texts);
    w.has_parameters = parameters != nullptr;
    if (parameters)
        texts.add_object(Text::Parameters, *parameters);
    else
        texts.add(Text::Parameters, {});
    w.has_task_inputs = task_inputs != nullptr;
    if (task_inputs)
        texts.add_object(Text::TaskInputs, *task_inputs);
    else
        texts.add(Text::TaskInputs, {});
}
} // namespace

void encode_update(const TaskRunRecord& run, const nlohmann::json* parameters,
                   const nlohmann::json* task_inputs, QueuedWrite& w, std::string& out) {
    encode_change(run, parameters, task_inputs, w, out);
}

void encode_update(const TaskRunUpdate& u, QueuedWrite& w, std::string& out) {
    encode_change(u, u.parameters ? &*u.parameters : nullptr,
                  u.task_inputs ? &*u.task_inputs : nullptr, w, out);
}

TaskRunColumns columns(const QueuedWrite& w, const char* texts) {
    std::string_view t[QueuedWrite::kTexts];
    const char* at = texts + w.at;
    for (int i = 0; i < QueuedWrite::kTexts; ++i) {
        t[i] = std::string_view(at, w.size[i]);
        at += w.size[i];
    }
    TaskRunColumns c;
    c.id = t[Text::Id];
    c.flow_run_id = t[Text::FlowRunId];
    c.state_type = w.state_type;
    c.state_id = t[Text::StateId];
    c.state_name = t[Text::StateName];
    c.state_message = t[Text::StateMessage];
    c.state_details = t[Text::StateDetails];
    c.state_timestamp = w.state_timestamp;
    c.run_count = w.run_count;
    if (w.has_start) c.start_time = w.start_time;
    if (w.has_end) c.end_time = w.end_time;
    c.total_run_time = w.total_run_time;
    c.updated = w.updated;
    c.cache_key = t[Text::CacheKey];
    if (w.has_expiration) c.cache_expiration = w.cache_expiration;
    c.inputs_hash = t[Text::InputsHash];
    c.result = t[Text::Result];
    c.has_result = w.has_result;
    if (w.has_parameters) c.parameters = t[Text::Parameters];
    if (w.has_task_inputs) c.task_inputs = t[Text::TaskInputs];
    c.full_row = w.type == QueuedWrite::Type::PutTaskRun;
    c.task_key = t[Text::TaskKey];
    c.dynamic_key = t[Text::DynamicKey];
    c.name = t[Text::Name];
    c.tags = t[Text::Tags];
    c.child_flow_run_id = t[Text::ChildFlowRunId];
    c.max_retries = w.max_retries;
    c.expected_start_time = w.expected_start_time;
    c.created = w.created;
    return c;
}

} // namespace weft::detail

namespace weft {

void TaskRunColumns::apply(const TaskRunColumns& c) {
    state_type = c.state_type;
    state_id = c.state_id;
    state_name = c.state_name;
    state_message = c.state_message;
    state_details = c.state_details;
    state_timestamp = c.state_timestamp;
    run_count = c.run_count;
    start_time = c.start_time;
    end_time = c.end_time;
    total_run_time = c.total_run_time;
    updated = c.updated;
    cache_key = c.cache_key;
    cache_expiration = c.cache_expiration;
    inputs_hash = c.inputs_hash;
    result = c.result;
    has_result = c.has_result;
    if (c.parameters) parameters = c.parameters;
    if (c.task_inputs) task_inputs = c.task_inputs;
}

} // namespace weft

#include "fakeprefectserver.h"

#include <QDir>
#include <QFile>
#include <QTcpSocket>
#include <QUrlQuery>
#include <algorithm>
#include <stdexcept>

using nlohmann::json;

namespace {

// The sort names Prefect 3's FlowRunSort accepts; anything else is a 422.
const char* const kFlowRunSorts[] = {"ID_DESC",
                                     "START_TIME_ASC",
                                     "START_TIME_DESC",
                                     "EXPECTED_START_TIME_ASC",
                                     "EXPECTED_START_TIME_DESC",
                                     "NAME_ASC",
                                     "NAME_DESC",
                                     "NEXT_SCHEDULED_START_TIME_ASC",
                                     "END_TIME_DESC"};

// body[a][b]["any_"] as a list of strings, empty when absent.
std::vector<std::string> anyOf(const json& body, const char* a, const char* b) {
    std::vector<std::string> out;
    const json* f = &body;
    for (const char* key : {a, b, "any_"}) {
        if (!f->is_object() || !f->contains(key)) return out;
        f = &(*f)[key];
    }
    if (f->is_array())
        for (const auto& v : *f)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

bool among(const std::vector<std::string>& ids, const json& value) {
    return ids.empty()
           || (value.is_string()
               && std::find(ids.begin(), ids.end(), value.get<std::string>()) != ids.end());
}

// Prefect's offset and limit over a whole list.
json page(const json& rows, const json& body) {
    const std::size_t offset = body.value("offset", 0);
    const std::size_t limit = body.value("limit", 200);
    json out = json::array();
    for (std::size_t i = offset; i < rows.size() && out.size() < limit; ++i)
        out.push_back(rows[i]);
    return out;
}

json notFound(const char* what) {
    return {{"detail", what}};
}

} // namespace

FakePrefectServer::FakePrefectServer(const QString& folder) {
    const QDir dir(folder);
    for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files)) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly))
            throw std::runtime_error("cannot read " + name.toStdString());
        m_recorded[name] = json::parse(f.readAll().toStdString());
    }
    m_runs = recorded(QStringLiteral("flow_runs_filter.json"));
    listen(QHostAddress::LocalHost, 0);
    connect(this, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket* s = nextPendingConnection())
            connect(s, &QTcpSocket::readyRead, s, [this, s] { onReadyRead(s); });
    });
}

QUrl FakePrefectServer::api() const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1/api").arg(serverPort()));
}

const json& FakePrefectServer::recorded(const QString& file) const {
    auto it = m_recorded.find(file);
    if (it == m_recorded.end()) throw std::runtime_error("no recorded " + file.toStdString());
    return it->second;
}

int FakePrefectServer::count(const QByteArray& method, const QString& path) const {
    return int(std::count_if(requests.begin(), requests.end(), [&](const Request& r) {
        return r.method == method && r.path == path;
    }));
}

void FakePrefectServer::setRunState(const std::string& runId, const std::string& type,
                                    const std::string& name) {
    static int serial = 0;
    for (auto& run : m_runs)
        if (run["id"] == runId) {
            char id[40];
            std::snprintf(id, sizeof id, "5e000000-0000-4000-8000-%012d", 900 + ++serial);
            json state = run["state"];
            state["id"] = id;
            state["type"] = type;
            state["name"] = name;
            run["state"] = state;
            run["state_id"] = id;
            run["state_type"] = type;
            run["state_name"] = name;
        }
}

void FakePrefectServer::deleteRun(const std::string& runId) {
    json kept = json::array();
    for (auto& run : m_runs)
        if (run["id"] != runId) kept.push_back(run);
    m_runs = kept;
}

// One request per connection (the answer closes it), as the fake needs no keep-alive.
void FakePrefectServer::onReadyRead(QTcpSocket* s) {
    QByteArray data = s->property("buffer").toByteArray() + s->readAll();
    s->setProperty("buffer", data);
    const qsizetype headEnd = data.indexOf("\r\n\r\n");
    if (headEnd < 0) return;
    const QByteArray head = data.left(headEnd);
    qsizetype length = 0;
    for (const QByteArray& line : head.split('\n'))
        if (line.toLower().startsWith("content-length:"))
            length = line.mid(15).trimmed().toLongLong();
    if (data.size() < headEnd + 4 + length) return; // the body is still coming
    const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
    if (requestLine.size() < 2) return s->disconnectFromHost();
    Request r;
    r.method = requestLine[0];
    const QUrl url(QString::fromUtf8(requestLine[1]));
    r.path = url.path();
    if (r.path.startsWith(QLatin1String("/api"))) r.path = r.path.mid(4);
    r.query = url.query();
    r.body = json::parse(data.mid(headEnd + 4, length).toStdString(), nullptr, false);
    if (r.body.is_discarded()) r.body = json();
    requests.append(r);
    const auto [status, body] = answer(r);
    const QByteArray text = QByteArray::fromStdString(body.dump());
    const QByteArray reason = status == 200   ? "OK"
                              : status == 404 ? "Not Found"
                                              : "Unprocessable Entity";
    s->write("HTTP/1.1 " + QByteArray::number(status) + " " + reason
             + "\r\nContent-Type: application/json\r\nContent-Length: "
             + QByteArray::number(text.size()) + "\r\nConnection: close\r\n\r\n" + text);
    s->disconnectFromHost();
}

json FakePrefectServer::flowRuns(const json& body, bool* badSort) const {
    const std::string sort = body.value("sort", "ID_DESC");
    *badSort = std::none_of(std::begin(kFlowRunSorts), std::end(kFlowRunSorts),
                            [&](const char* s) { return sort == s; });
    const auto ids = anyOf(body, "flow_runs", "id");
    const auto flows = anyOf(body, "flows", "id");
    std::vector<json> rows;
    for (const auto& run : m_runs)
        if (among(ids, run["id"]) && among(flows, run["flow_id"])) rows.push_back(run);
    auto by = [](const char* key, bool desc) {
        return [key, desc](const json& a, const json& b) {
            const std::string x = a.value(key, ""), y = b.value(key, "");
            return desc ? y < x : x < y; // ISO times in UTC order as text
        };
    };
    if (sort == "NAME_ASC" || sort == "NAME_DESC")
        std::stable_sort(rows.begin(), rows.end(), by("name", sort == "NAME_DESC"));
    else if (sort.starts_with("EXPECTED_START_TIME"))
        std::stable_sort(rows.begin(), rows.end(),
                         by("expected_start_time", sort.ends_with("DESC")));
    return json(rows);
}

std::pair<int, json> FakePrefectServer::answer(const Request& r) const {
    const QStringList parts = r.path.split(u'/', Qt::SkipEmptyParts);
    const QString route = QString::fromLatin1(r.method) + QLatin1Char(' ') + r.path;
    if (route == QLatin1String("GET /health"))
        return {200, recorded(QStringLiteral("health.json"))};
    if (route == QLatin1String("GET /version"))
        return {200, recorded(QStringLiteral("version.json"))};
    if (route == QLatin1String("GET /admin/version"))
        return {200, recorded(QStringLiteral("admin_version.json"))};
    if (route == QLatin1String("POST /flows/filter")) {
        const auto ids = anyOf(r.body, "flows", "id");
        json rows = json::array();
        for (const auto& f : recorded(QStringLiteral("flows_filter.json")))
            if (among(ids, f["id"])) rows.push_back(f);
        return {200, page(rows, r.body)};
    }
    if (route == QLatin1String("POST /flow_runs/filter")
        || route == QLatin1String("POST /flow_runs/count")) {
        bool badSort = false;
        const json rows = flowRuns(r.body, &badSort);
        if (r.path.endsWith(QLatin1String("count"))) return {200, rows.size()};
        if (badSort)
            return {422,
                    {{"exception_message", "Invalid request received."},
                     {"exception_detail",
                      {{{"type", "enum"},
                        {"loc", {"body", "sort"}},
                        {"msg", "Input should be a FlowRunSort"}}}},
                     {"request_body", r.body}}};
        return {200, page(rows, r.body)};
    }
    if (r.method == "GET" && parts.size() >= 2 && parts[0] == QLatin1String("flow_runs")) {
        const std::string id = parts[1].toStdString();
        for (const auto& run : m_runs)
            if (run["id"] == id) {
                if (parts.size() == 2) return {200, run};
                if (parts.size() == 3 && parts[2] == QLatin1String("graph-v2")
                    && id == recorded(QStringLiteral("flow_runs_filter.json")).back()["id"])
                    return {200, recorded(QStringLiteral("flow_run_graph_v2.json"))};
            }
        return {404, notFound("Flow run not found")};
    }
    if (route == QLatin1String("POST /task_runs/filter")) {
        const auto runs = anyOf(r.body, "flow_runs", "id");
        json rows = json::array();
        for (const auto& t : recorded(QStringLiteral("task_runs_filter.json")))
            if (among(runs, t["flow_run_id"])) rows.push_back(t);
        return {200, page(rows, r.body)};
    }
    if (route == QLatin1String("GET /flow_run_states/")) {
        const std::string run =
            QUrlQuery(r.query).queryItemValue(QStringLiteral("flow_run_id")).toStdString();
        json rows = json::array();
        for (const auto& s : recorded(QStringLiteral("flow_run_states.json")))
            if (s["state_details"]["flow_run_id"] == run) rows.push_back(s);
        return {200, rows};
    }
    if (route == QLatin1String("GET /task_run_states/")) return {200, json::array()};
    if (route == QLatin1String("POST /logs/filter")) {
        const auto runs = anyOf(r.body, "logs", "flow_run_id");
        json rows = json::array();
        for (const auto& l : recorded(QStringLiteral("logs_filter.json")))
            if (among(runs, l["flow_run_id"])) rows.push_back(l);
        if (r.body.value("sort", "") == "TIMESTAMP_DESC") std::reverse(rows.begin(), rows.end());
        return {200, page(rows, r.body)};
    }
    if (route == QLatin1String("POST /flow_runs/history"))
        return {200, recorded(QStringLiteral("flow_runs_history.json"))};
    if (route == QLatin1String("POST /deployments/filter"))
        return {200, page(recorded(QStringLiteral("deployments_filter.json")), r.body)};
    if (route == QLatin1String("POST /work_pools/filter"))
        return {200, page(recorded(QStringLiteral("work_pools_filter.json")), r.body)};
    // Among the rest: GET /api/events/out, so the WebSocket never opens.
    return {404, notFound("Not Found")};
}

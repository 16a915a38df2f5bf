// Opening a store: fresh files, migrations, reopening, and the files Weft must refuse (and leave
// exactly as they were).
#include "enginetest.hpp"
#include "weft/store.hpp"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <filesystem>
#include <functional>

using namespace weft;
using namespace enginetest;

namespace {

// Runs SQL on the file with a plain SQLite connection (not Weft's); returns the first column of
// the last row, if any.
QString sql(const std::string& path, const char* statement) {
    sqlite3* db = nullptr;
    QString out;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        return QStringLiteral("<cannot open>");
    }
    auto cb = [](void* p, int n, char** values, char**) {
        if (n > 0) *static_cast<QString*>(p) = QString::fromUtf8(values[0] ? values[0] : "");
        return 0;
    };
    char* err = nullptr;
    if (sqlite3_exec(db, statement, cb, &out, &err) != SQLITE_OK) {
        out = QStringLiteral("<error: %1>").arg(QString::fromUtf8(err));
        sqlite3_free(err);
    }
    sqlite3_close(db);
    return out;
}

QByteArray contents(const std::string& path) {
    QFile f(qs(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool write_file(const std::string& path, const QByteArray& bytes) {
    QFile f(qs(path));
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

using Setup = std::function<void(const std::string& path)>;

} // namespace

Q_DECLARE_METATYPE(Setup)

class TestStoreOpen : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }
    void freshFile();
    void emptyFileIsInitialised();
    void createsFolders();
    void reopenIsIdempotent();
    void firstSchemaGainsPauses();
    void refused_data();
    void refused();

private:
    std::string path(const char* name) { return (m_dir.path() + u'/' + qs(name)).toStdString(); }
    QTemporaryDir m_dir;
};

void TestStoreOpen::freshFile() {
    const std::string p = path("fresh.db");
    QVERIFY(store_schema_version() >= 1);
    {
        auto store = Store::open(p);
        QCOMPARE(qs(store->path()), qs(p));
        QCOMPARE(sql(p, "PRAGMA user_version"), QString::number(store_schema_version()));
        QCOMPARE(sql(p, "PRAGMA journal_mode"), QStringLiteral("wal"));
        // The tables every part of Weft relies on.
        for (const char* table : {"flows", "flow_runs", "task_runs", "events", "logs", "logs_fts",
                                  "concurrency_limits", "concurrency_slots", "flow_run_pauses"}) {
            const std::string q =
                std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") + table + "'";
            QCOMPARE(sql(p, q.c_str()), QStringLiteral("1"));
        }
    }
}

void TestStoreOpen::firstSchemaGainsPauses() {
    // A database written by the first schema (no flow_run_pauses table, user_version 1) opens,
    // keeps its runs and can record pauses.
    const std::string p = path("v1.db");
    const FlowRunRecord run = make_flow_run("flow", "kept", states::completed());
    {
        auto store = Store::open(p);
        store->put_flow_run(run, EventKind::FlowRunCreated);
    }
    // Back to the first schema: what later steps added goes (the launch columns, the pauses, the
    // deployments and work pools).
    QCOMPARE(sql(p, "DROP TABLE flow_run_pauses; ALTER TABLE flow_runs DROP COLUMN launch_args; "
                    "ALTER TABLE flow_runs DROP COLUMN launch_env; DROP TABLE work_pools; "
                    "DROP TABLE workers; DROP TABLE deployments; DROP TABLE flow_run_placements; "
                    "PRAGMA user_version = 1; PRAGMA user_version"),
             QStringLiteral("1"));
    auto store = Store::open(p);
    QCOMPARE(sql(p, "PRAGMA user_version"), QString::number(store_schema_version()));
    QVERIFY(store->read([&](Reader& r) { return r.flow_run(run.id); }));
    PauseRecord pause{run.id, "0", nlohmann::json{{"type", "object"}}, nullptr, 1, std::nullopt};
    store->transact<void>([&](Txn& txn) { txn.put_pause(pause); }).get();
    const auto got = store->read([&](Reader& r) { return r.pause(run.id, "0"); });
    QVERIFY(got);
    QCOMPARE(qs(got->schema.dump()), QStringLiteral(R"({"type":"object"})"));
    QVERIFY(got->input.is_null() && !got->resumed);
}

void TestStoreOpen::emptyFileIsInitialised() {
    // `touch weft.db` then use it: an empty file is a new database, not a foreign one.
    const std::string p = path("empty.db");
    QVERIFY(write_file(p, {}));
    auto store = Store::open(p);
    QCOMPARE(sql(p, "PRAGMA user_version"), QString::number(store_schema_version()));
}

void TestStoreOpen::createsFolders() {
    const std::string p = path("a/b/c/weft.db");
    auto store = Store::open(p);
    QVERIFY(std::filesystem::exists(p));
}

void TestStoreOpen::reopenIsIdempotent() {
    const std::string p = path("reopen.db");
    const FlowRunRecord run = make_flow_run("flow", "kept", states::completed());
    {
        auto store = Store::open(p);
        store->put_flow_run(run, EventKind::FlowRunCreated);
    } // the destructor commits what was queued
    for (int i = 0; i < 3; ++i) {
        auto store = Store::open(p);
        QCOMPARE(sql(p, "PRAGMA user_version"), QString::number(store_schema_version()));
        const auto got = store->read([&](Reader& r) { return r.flow_run(run.id); });
        QVERIFY(got);
        QCOMPARE(qs(got->name), QStringLiteral("kept"));
        QCOMPARE(store->read([](Reader& r) { return r.last_event_seq(); }), std::int64_t(1));
    }
    // Two stores on one file at once (two processes do this all the time).
    auto a = Store::open(p);
    auto b = Store::open(p);
    b->put_flow_run(make_flow_run("flow", "second", states::pending()), EventKind::FlowRunCreated);
    b->flush();
    QCOMPARE(a->read([](Reader& r) { return r.count_flow_runs({}); }), std::int64_t(2));
}

void TestStoreOpen::refused_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<Setup>("setup");
    QTest::addColumn<bool>("create");
    QTest::addColumn<QString>("says");

    QTest::addRow("newer schema") << "newer.db" << Setup([](const std::string& p) {
        Store::open(p).reset();
        const std::string set =
            "PRAGMA user_version = " + std::to_string(store_schema_version() + 1);
        sql(p, set.c_str());
    }) << true << "newer";
    QTest::addRow("random bytes") << "random.db" << Setup([](const std::string& p) {
        QByteArray bytes(8192, Qt::Uninitialized);
        QRandomGenerator gen(42);
        for (auto& c : bytes)
            c = char(gen.generate() & 0xff);
        write_file(p, bytes);
    }) << true << "not a Weft database";
    QTest::addRow("a text file") << "notes.db" << Setup([](const std::string& p) {
        write_file(p, QByteArrayLiteral("shopping list: eggs, milk\n"));
    }) << true << "not a Weft database";
    QTest::addRow("foreign SQLite tables") << "foreign.db" << Setup([](const std::string& p) {
        sql(p, "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT);"
               "INSERT INTO customers(name) VALUES ('Ada');");
    }) << true << "not a Weft database";
    QTest::addRow("a folder") << "folder.db" << Setup([](const std::string& p) {
        std::filesystem::create_directory(p);
    }) << true << "folder";
    QTest::addRow("missing, create=false")
        << "missing.db" << Setup([](const std::string&) {}) << false << "does not exist";
}

void TestStoreOpen::refused() {
    QFETCH(QString, name);
    QFETCH(Setup, setup);
    QFETCH(bool, create);
    QFETCH(QString, says);
    const std::string p = path(name.toUtf8().constData());
    setup(p);
    const bool existed = std::filesystem::exists(p);
    const bool is_file = std::filesystem::is_regular_file(p);
    const QByteArray before = is_file ? contents(p) : QByteArray();
    try {
        auto store = Store::open(p, StoreOptions{.create = create});
        QFAIL("the store opened");
    } catch (const StoreError& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.contains(qs(p)), e.what()); // names the file
        QVERIFY2(what.contains(says), e.what());
    }
    // Refusing a file never changes it (nor creates one).
    QCOMPARE(std::filesystem::exists(p), existed);
    if (is_file) {
        QVERIFY2(contents(p) == before, "the refused file was modified");
        QVERIFY(!std::filesystem::exists(p + "-wal")
                || std::filesystem::file_size(p + "-wal") == 0);
    }
}

QTEST_GUILESS_MAIN(TestStoreOpen)
#include "tst_storeopen.moc"

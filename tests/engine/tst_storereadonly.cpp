// A database this process may only read (another user's file, a read-only mount) opens for
// reading: runs are listed, writes are refused with a message that says why, and nothing is
// written next to the file.
#include "enginetest.hpp"
#include "readonlyview.h"
#include "weft/engine.hpp"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace weft;
using namespace enginetest;

class TestStoreReadOnly : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void readOnlyOptionReadsAndRefusesWrites();
    void unwritableFileFallsBackToReadOnly();
    void unwritableFileIsRefusedWithoutFallback();
    void olderSchemaIsRefusedReadOnly();

private:
    std::unique_ptr<QTemporaryDir> m_dir; // a fresh folder for each test
    std::string m_runId;
    QString folder() const { return m_dir->filePath(QStringLiteral("data")); }
    std::string dbIn(const QString& dir) const {
        return (dir + QStringLiteral("/weft.db")).toStdString();
    }
};

void TestStoreReadOnly::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(QDir().mkpath(folder()));
    auto store = Store::open(dbIn(folder()));
    const FlowRecord flow = make_flow("etl");
    store->transact<void>([&](Txn& t) { t.put_flow(flow); }).get();
    const FlowRunRecord run = make_flow_run(flow.id, "calm-heron", make_state(StateType::Failed));
    m_runId = run.id;
    store->put_flow_run(run, EventKind::FlowRunCreated);
    store->flush();
}

void TestStoreReadOnly::readOnlyOptionReadsAndRefusesWrites() {
    StoreOptions options;
    options.read_only = true;
    auto engine = Engine::open(dbIn(folder()), options);
    QVERIFY(engine->store().read_only());
    const auto run = engine->store().read([&](Reader& r) { return r.flow_run(m_runId); });
    QVERIFY(run);
    QCOMPARE(qs(run->name), QStringLiteral("calm-heron"));
    try {
        engine->cancel_flow_run(m_runId, "no");
        QFAIL("a read-only store accepted a state change");
    } catch (const StoreError& e) {
        QVERIFY2(QByteArray(e.what()).contains("read-only"), e.what());
    }
    engine->store().flush(); // returns: nothing to wait for
    QCOMPARE(engine->detect_crashes(), 0);
}

void TestStoreReadOnly::unwritableFileFallsBackToReadOnly() {
    const ReadOnlyView view(folder(), m_dir->filePath(QStringLiteral("view")));
    if (!view.isValid()) QSKIP(qPrintable(view.why()));
    StoreOptions options;
    options.create = false;
    options.read_only_if_unwritable = true;
    auto store = Store::open(dbIn(view.path()), options);
    QVERIFY(store->read_only());
    const auto runs = store->read([](Reader& r) { return r.flow_runs({}); });
    QCOMPARE(runs.size(), std::size_t(1));
    QCOMPARE(qs(runs.front().id), qs(m_runId));
    try {
        store->transact<void>([](Txn&) {}).get();
        QFAIL("a write reached a read-only database");
    } catch (const StoreError& e) {
        QVERIFY2(QByteArray(e.what()).contains(QFile::encodeName(view.path())), e.what());
    }
}

void TestStoreReadOnly::unwritableFileIsRefusedWithoutFallback() {
    const ReadOnlyView view(folder(), m_dir->filePath(QStringLiteral("view")));
    if (!view.isValid()) QSKIP(qPrintable(view.why()));
    StoreOptions options;
    options.create = false;
    try {
        Store::open(dbIn(view.path()), options);
        QFAIL("an unwritable database opened for writing");
    } catch (const StoreError& e) {
        QVERIFY2(QByteArray(e.what()).contains("may only be read"), e.what());
    }
}

void TestStoreReadOnly::olderSchemaIsRefusedReadOnly() {
    if (store_schema_version() < 2) QSKIP("there is no older schema yet");
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(dbIn(folder()).c_str(), &db), SQLITE_OK);
    const std::string older = "PRAGMA user_version=" + std::to_string(store_schema_version() - 1);
    QCOMPARE(sqlite3_exec(db, older.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    StoreOptions options;
    options.read_only = true;
    try {
        Store::open(dbIn(folder()), options);
        QFAIL("a read-only store opened a schema it cannot read");
    } catch (const StoreError& e) {
        QVERIFY2(QByteArray(e.what()).contains("older Weft"), e.what());
    }
}

QTEST_GUILESS_MAIN(TestStoreReadOnly)
#include "tst_storereadonly.moc"

// The change feed as the models get it: a big commit (a writer's backlog) arrives in bounded
// batches, one per event-loop turn, so what is queued meanwhile (a paint, a click) runs between
// them instead of after all of them.
#include "backend/embeddedbackend.h"
#include "fixtures.h"

#include <weft/engine.hpp>

#include <QTemporaryDir>
#include <QtTest>

using namespace weft::studio;

class TestFeedDelivery : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bigCommitComesInBatchesOnePerTurn();
};

void TestFeedDelivery::bigCommitComesInBatchesOnePerTurn() {
    QTemporaryDir dir;
    EmbeddedBackend backend(dir.filePath(QStringLiteral("t.db")));
    backend.setPollInterval(10);
    QCOMPARE(backend.openNow(), QString());
    auto& store = backend.engine()->store();
    const std::int64_t seq0 = store.read([](weft::Reader& r) { return r.last_event_seq(); });

    // 'B': a batch came; 'q': what the first slot of each batch queued has run.
    QString order;
    std::size_t largest = 0;
    std::int64_t expected = seq0 + 1;
    bool inOrder = true;
    connect(&backend, &Backend::eventsArrived, this, [&](const EventBatch& batch) {
        order += u'B';
        largest = std::max(largest, batch->size());
        for (const weft::Event& e : *batch)
            inOrder = inOrder && e.seq == expected++;
        QMetaObject::invokeMethod(
            this, [&order] { order += u'q'; }, Qt::QueuedConnection);
    });

    fixtures::RunSpec spec;
    spec.tasks = fixtures::fanOut(3000);
    fixtures::writeRun(store, spec);
    store.flush();
    const std::int64_t last = store.read([](weft::Reader& r) { return r.last_event_seq(); });
    QVERIFY(last - seq0 > 6000);
    QTRY_COMPARE_WITH_TIMEOUT(backend.lastSeq(), last, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(order.endsWith(u'q'), 5000);
    QVERIFY(inOrder);
    QVERIFY2(largest <= 2000, qPrintable(QString::number(largest)));
    QVERIFY(order.count(u'B') >= 4);
    QVERIFY2(!order.contains(QStringLiteral("BB")), qPrintable(order)); // a turn between batches
}

QTEST_GUILESS_MAIN(TestFeedDelivery)
#include "tst_feeddelivery.moc"

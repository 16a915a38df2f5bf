#pragma once
// Follows the change feed on its own thread: polls PRAGMA data_version, reads new events in order
// and hands them over in batches. Also sweeps for crashed runs now and then.
#include "backend/backend.h"

#include <QObject>
#include <QTimer>
#include <memory>

namespace weft::studio {

class FeedFollower : public QObject {
    Q_OBJECT
public:
    FeedFollower(std::shared_ptr<weft::Engine> engine, std::int64_t fromSeq, int pollMs);
    ~FeedFollower() override;

public Q_SLOTS:
    void start(); // in the follower's thread
    void setPollInterval(int ms);

Q_SIGNALS:
    void batchReady(const weft::studio::EventBatch& batch);

private:
    void poll();

    std::shared_ptr<weft::Engine> m_engine;
    std::unique_ptr<weft::Reader> m_reader;
    std::int64_t m_seq;
    std::int64_t m_dataVersion = -1;
    int m_pollMs;
    QTimer* m_timer = nullptr;
    qint64 m_lastCrashSweep = 0;
};

} // namespace weft::studio

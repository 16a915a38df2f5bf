#pragma once
// Where a LogModel finds the names of one flow run's task runs. On a run page that is the run's
// RunSnapshot (logs/snapshottasknames.h), so the log names what the other views show; without a
// source (tests, a log on its own) the model fetches the names itself. GUI thread only.
#include <QObject>
#include <QString>
#include <string>

namespace weft::studio {

class TaskNames : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    /// The flow run whose task runs these are (empty: none).
    virtual QString flowRunId() const = 0;
    /// A task run's name, "" until known.
    virtual QString name(const std::string& taskRunId) const = 0;

Q_SIGNALS:
    /// Names became known or changed (a new task run, a fetched record, another run).
    void changed();
};

} // namespace weft::studio

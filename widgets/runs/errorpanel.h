#pragma once
// A failed query shown where its data would be: the message and a Retry button, covering the
// view it belongs to so that nothing stale or empty ("No task runs yet") reads as the answer.
#include <QFrame>

class QLabel;
class QPushButton;

namespace weft::studio {

class ErrorPanel : public QFrame {
    Q_OBJECT
public:
    /// Covers `host` (and follows its size) while an error is set.
    explicit ErrorPanel(QWidget* host);

    /// Shows `error` ("couldn't load task runs: …"); an empty one hides the panel.
    void setError(const QString& error);
    QString error() const { return m_error; }

Q_SIGNALS:
    void retryRequested();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QString m_error;
    QLabel* m_text;
    QPushButton* m_retry;
};

} // namespace weft::studio

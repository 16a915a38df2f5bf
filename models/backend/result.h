#pragma once
// A query's answer: a value, or the reason there is none. Views must tell the two apart: an
// error shown as an empty list reads as "no data", which is wrong and hides the failure.
#include <QString>
#include <optional>
#include <utility>

namespace weft::studio {

/// Why a query has no value ("database disk image is malformed").
struct QueryError {
    QString message;
};

template<class T> class Result {
public:
    Result(T value)
        : m_value(std::move(value)) {}
    Result(QueryError error)
        : m_error(std::move(error.message)) {
        if (m_error.isEmpty()) m_error = QStringLiteral("unknown error");
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    /// Empty when ok().
    const QString& error() const { return m_error; }
    /// Precondition: ok().
    T& value() & { return *m_value; }
    const T& value() const& { return *m_value; }
    T&& value() && { return std::move(*m_value); }
    T* operator->() { return &*m_value; }
    const T* operator->() const { return &*m_value; }
    T& operator*() & { return *m_value; }
    const T& operator*() const& { return *m_value; }
    /// The value, or `fallback` on an error: only where an error is reported some other way.
    T valueOr(T fallback) && { return m_value ? std::move(*m_value) : std::move(fallback); }

private:
    std::optional<T> m_value;
    QString m_error;
};

} // namespace weft::studio

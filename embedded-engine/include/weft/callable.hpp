#pragma once
// Compile-time facts about callables: result type and parameter types of lambdas and functions.
#include <tuple>
#include <type_traits>

namespace weft::detail {

template<class F>
struct callable_traits : callable_traits<decltype(&std::decay_t<F>::operator())> {};

template<class R, class... A> struct callable_traits<R (*)(A...)> {
    using result = R;
    using args = std::tuple<std::decay_t<A>...>;
    static constexpr std::size_t arity = sizeof...(A);
};
template<class R, class... A>
struct callable_traits<R (*)(A...) noexcept> : callable_traits<R (*)(A...)> {};
template<class R, class... A> struct callable_traits<R(A...)> : callable_traits<R (*)(A...)> {};
template<class C, class R, class... A>
struct callable_traits<R (C::*)(A...)> : callable_traits<R (*)(A...)> {};
template<class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const> : callable_traits<R (*)(A...)> {};
template<class C, class R, class... A>
struct callable_traits<R (C::*)(A...) noexcept> : callable_traits<R (*)(A...)> {};
template<class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const noexcept> : callable_traits<R (*)(A...)> {};

} // namespace weft::detail

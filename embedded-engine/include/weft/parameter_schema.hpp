#pragma once
// The JSON schema of a flow's parameters, from their C++ types at compile time: what
// `PROGRAM list --json` prints and `weft deploy` sends as the deployment's
// parameter_openapi_schema, so that a form (Studio's "Run deployment…") knows each field's kind.
// The shape is Prefect's: {"title": "Parameters", "type": "object", "properties": {NAME: {"title":
// NAME, "position": I, "type": …}}, "required": [NAME…]}.
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace weft {

namespace detail {
template<class T> struct is_std_optional : std::false_type {};
template<class T> struct is_std_optional<std::optional<T>> : std::true_type {};
template<class T> struct is_std_vector : std::false_type {};
template<class T, class A> struct is_std_vector<std::vector<T, A>> : std::true_type {};
} // namespace detail

/// The schema of one value of type T: bool → boolean, other integral types → integer within the
/// type's range (the program refuses a value outside it, so a form can too), floating point →
/// number, std::string → string, std::vector<T> → array of T's, std::optional<T> → T's.
/// nlohmann::json and every other type → {} (any value: the program reads it as it can).
template<class T> nlohmann::json parameter_type_schema() {
    using V = std::remove_cvref_t<T>;
    if constexpr (detail::is_std_optional<V>::value)
        return parameter_type_schema<typename V::value_type>();
    else if constexpr (std::is_same_v<V, bool>)
        return {{"type", "boolean"}};
    else if constexpr (std::is_integral_v<V>)
        return {{"type", "integer"},
                {"minimum", std::numeric_limits<V>::min()},
                {"maximum", std::numeric_limits<V>::max()}};
    else if constexpr (std::is_floating_point_v<V>)
        return {{"type", "number"}};
    else if constexpr (std::is_same_v<V, std::string>)
        return {{"type", "string"}};
    else if constexpr (detail::is_std_vector<V>::value)
        return {{"type", "array"}, {"items", parameter_type_schema<typename V::value_type>()}};
    else
        return nlohmann::json::object();
}

/// Whether a parameter of type T must be given: all but std::optional ones.
template<class T>
inline constexpr bool parameter_type_required =
    !detail::is_std_optional<std::remove_cvref_t<T>>::value;

/// The schema of parameters typed as the tuple Args, named `names` (one per element, in order).
/// A name in `defaults` carries its value as "default" and is not required, as in Prefect, where
/// a parameter with a default need not be given.
template<class Args>
nlohmann::json parameters_schema(const std::vector<std::string>& names,
                                 const nlohmann::json& defaults = nlohmann::json::object()) {
    nlohmann::json properties = nlohmann::json::object();
    nlohmann::json required = nlohmann::json::array();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using T = std::tuple_element_t<I, Args>;
                const std::string& name = names.at(I);
                nlohmann::json property = {{"title", name}, {"position", I}};
                property.update(parameter_type_schema<T>());
                const bool has_default = defaults.is_object() && defaults.contains(name);
                if (has_default) property["default"] = defaults.at(name);
                if (parameter_type_required<T> && !has_default) required.push_back(name);
                properties[name] = std::move(property);
            }(),
            ...);
    }
    (std::make_index_sequence<std::tuple_size_v<Args>>{});
    return {{"title", "Parameters"},
            {"type", "object"},
            {"properties", std::move(properties)},
            {"required", std::move(required)}};
}

} // namespace weft

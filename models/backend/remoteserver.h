#pragma once
// Which kind of server a remote backend speaks to. Weft's own says so in GET /api/admin/version:
// the Prefect release it follows with "+weft.VERSION" as build metadata ("3.0.0+weft.0.9.0");
// Prefect answers its release alone. Prefect clients read only the major, so both stay valid.
#include <nlohmann/json.hpp>

#include <string>

namespace weft::studio {

/// True when `adminVersion`, a server's answer to GET /api/admin/version, is Weft's server's.
inline bool isWeftServerVersion(const nlohmann::json& adminVersion) {
    return adminVersion.is_string()
           && adminVersion.get_ref<const std::string&>().find("+weft.") != std::string::npos;
}

} // namespace weft::studio

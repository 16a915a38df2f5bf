#include "api.hpp"

namespace weft::server {

Api::Api(std::shared_ptr<Engine> engine)
    : m_engine(std::move(engine)) {}

Reply Api::health() {
    return Reply::json(true);
}

Reply Api::version() {
    return Reply::json(kPrefectApiVersion);
}

Reply Api::admin_version() {
    return Reply::json(std::string(kPrefectCompatibleRelease) + "+weft." + WEFT_VERSION);
}

} // namespace weft::server

#include "weft/record_json.hpp"

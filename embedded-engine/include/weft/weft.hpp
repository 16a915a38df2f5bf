#pragma once
// The Weft SDK: tasks, flows, futures, logging and the flow program's command line.
#include "weft/context.hpp"
#include "weft/future.hpp"
#include "weft/log.hpp"
#include "weft/main.hpp"
#include "weft/options.hpp"
#include "weft/pause.hpp"
#include "weft/sdk.hpp"

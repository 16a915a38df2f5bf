#!/usr/bin/env bash
# Configures (once) and builds Weft with the `default` preset into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f build/build.ninja ]] || cmake --preset default
cmake --build --preset default -j "$(nproc)"

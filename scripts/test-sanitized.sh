#!/usr/bin/env bash
# Builds the engine, SDK and Studio model tests with sanitizers and runs them through ctest.
#   scripts/test-sanitized.sh [asan|tsan] [ctest args...]   (default asan: AddressSanitizer + UBSan)
# CI runs the asan flavour after scripts/test.sh. Widget and integration tests, and everything
# else, build with `cmake --preset asan && cmake --build --preset asan` for a full sanitized run.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-asan}
[[ $# -gt 0 ]] && shift
scripts/deps.sh
[[ -f build-$flavour/build.ninja ]] || cmake --preset "$flavour"
cmake --build --preset "$flavour" --target weft_sanitizer_tests -j "$(nproc)"
ctest --preset "$flavour" -L 'engine|sdk|studio-models' -j "$(nproc)" "$@"

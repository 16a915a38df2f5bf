#!/usr/bin/env bash
# ctest package_debs: CPack's Debian packages of this build tree, checked like scripts/package.sh
# checks dist/ (Depends, files, programs run from the unpacked packages, a `weft new` project).
set -euo pipefail
build=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cpack --config "$build/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1 || {
  cat "$out/cpack.log"
  exit 1
}
"$(dirname "$0")/../../scripts/check-packages.sh" "$out"

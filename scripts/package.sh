#!/usr/bin/env bash
# Builds the Debian packages weft (the CLI), weft-studio and libweft-dev into dist/ with CPack, then
# checks them (scripts/check-packages.sh): their Depends, their files, and that the programs run
# from the unpacked packages. Uses its own build tree, build-deb/, configured for /usr.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

if [[ ! -f build-deb/build.ninja ]]; then
  cmake --preset default -B build-deb -DCMAKE_INSTALL_PREFIX=/usr \
    -DWEFT_BUILD_TESTS=OFF -DWEFT_BUILD_EXAMPLES=OFF -DWEFT_BUILD_BENCH=OFF
fi
cmake --build build-deb -j "$(nproc)"

rm -rf dist
mkdir -p dist
cpack --config build-deb/CPackConfig.cmake -B "$PWD/build-deb/cpack"
mv build-deb/cpack/*.deb dist/
scripts/check-packages.sh dist
ls -l dist

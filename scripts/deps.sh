#!/usr/bin/env bash
# Installs the Debian 12 packages Weft needs, when some are missing. Uses sudo only when not root.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config lld
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev qt6-httpserver-dev qt6-websockets-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libsqlite3-dev libsqlitecpp-dev libcli11-dev
  libxxhash-dev libthread-pool-dev libcurl4-openssl-dev
  qtkeychain-qt6-dev libtomlplusplus-dev # Studio: secrets in the system keychain, Prefect's profiles.toml
  qt6-qpa-plugins fonts-dejavu-core xvfb xauth
  python3-jsonschema # tests: the server's answers are checked against Prefect's schemas
  dpkg-dev file # CPack's Debian packages: dpkg-shlibdeps computes their Depends
)
if [[ "${WEFT_BENCH_DEPS:-0}" == 1 ]]; then
  packages+=(python3-dask python3-distributed)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "weft: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Checks the Debian packages in DIR (default dist/): each one's name, version, Depends and files;
# then unpacks them all into a fresh root, runs weft and weft-studio from there, and builds and runs
# a `weft new` project against the unpacked libweft-dev. Run by scripts/package.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-dist}
version=$(sed -n 's/^project(Weft VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)

fail() {
  echo "check-packages: $*" >&2
  exit 1
}
deb() { # the .deb of package $1
  local f=("$dir/$1"_*.deb)
  [[ -f ${f[0]} ]] || fail "no $1 package in $dir"
  echo "${f[0]}"
}
has_file() { # DEB REGEX: the package holds a file whose path matches
  dpkg-deb --contents "$1" | awk '{ print $6 }' | grep -Eqx "\./$2" || fail "$(basename "$1") has no /$2"
}
depends_on() { # DEB PACKAGE: Depends names it
  dpkg-deb --field "$1" Depends | tr ',' '\n' | grep -Eq "^ *$2( |$)" \
    || fail "$(basename "$1") does not depend on $2: $(dpkg-deb --field "$1" Depends)"
}

weft=$(deb weft)
studio=$(deb weft-studio)
dev=$(deb libweft-dev)
# weft-server is built where Qt HttpServer is installed (WEFT_BUILD_SERVER).
server=
if compgen -G "$dir/weft-server_*.deb" >/dev/null; then server=$(deb weft-server); fi
for p in "$weft" "$studio" "$dev" $server; do
  dpkg-deb --info "$p" >/dev/null
  [[ $(dpkg-deb --field "$p" Version) == "$version-1" ]] || fail "$(basename "$p"): not version $version-1"
  # Every dependency (first of alternatives) is one of ours or a real Debian package: this machine
  # has them all.
  dpkg-deb --field "$p" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/ //g' | while read -r d; do
    [[ -z $d || $d == weft ]] || dpkg-query -W "$d" >/dev/null 2>&1 || fail "$(basename "$p") depends on unknown $d"
  done
done

[[ $(dpkg-deb --field "$weft" Package) == weft ]] || fail "weft is misnamed"
# Each has its own one-line summary (the first line of Description).
packages=("$weft" "$studio" "$dev" $server)
[[ $(for p in "${packages[@]}"; do dpkg-deb --field "$p" Description | head -n 1; done | sort -u | wc -l) == "${#packages[@]}" ]] \
  || fail "the packages share a summary line"
depends_on "$weft" libc6       # computed by dpkg-shlibdeps from what bin/weft links
depends_on "$weft" libsqlite3-0
has_file "$weft" usr/bin/weft
has_file "$weft" usr/share/bash-completion/completions/weft
has_file "$weft" usr/share/doc/weft/copyright

if [[ -n $server ]]; then
  depends_on "$server" weft
  depends_on "$server" libqt6httpserver6
  depends_on "$server" libqt6websockets6
  has_file "$server" usr/bin/weft-server
  has_file "$server" usr/share/doc/weft-server/copyright
fi

depends_on "$studio" libqt6widgets6
depends_on "$studio" libqt6keychain1 # connection secrets in the system keychain
has_file "$studio" usr/bin/weft-studio
has_file "$studio" usr/share/applications/weft-studio.desktop
has_file "$studio" usr/share/icons/hicolor/scalable/apps/weft-studio.svg
has_file "$studio" usr/share/doc/weft-studio/copyright

depends_on "$dev" libsqlitecpp-dev
depends_on "$dev" nlohmann-json3-dev
has_file "$dev" usr/include/weft/weft.hpp
has_file "$dev" 'usr/lib/([a-z0-9_]+-linux-gnu[a-z]*/)?libweft\.a'
has_file "$dev" 'usr/lib/([a-z0-9_]+-linux-gnu[a-z]*/)?cmake/Weft/WeftConfig\.cmake'
has_file "$dev" 'usr/lib/([a-z0-9_]+-linux-gnu[a-z]*/)?pkgconfig/weft\.pc'
has_file "$dev" usr/share/doc/libweft-dev/copyright

# A fresh root with the three packages unpacked, as dpkg would lay them out.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
for p in "$weft" "$studio" "$dev" $server; do dpkg-deb --extract "$p" "$root"; done
"$root/usr/bin/weft" --help >/dev/null || fail "weft --help failed"
[[ $("$root/usr/bin/weft" --version) == "weft $version" ]] || fail "weft --version is not $version"
[[ $(QT_QPA_PLATFORM=offscreen "$root/usr/bin/weft-studio" --version 2>/dev/null) == "weft-studio $version" ]] \
  || fail "weft-studio --version is not $version"

if [[ -n $server ]]; then
  [[ $("$root/usr/bin/weft-server" --version 2>/dev/null) == "weft-server $version" ]] \
    || fail "weft-server --version is not $version"
fi

# The project template, built against the unpacked libweft-dev, runs its flow to COMPLETED.
(
  cd "$root"
  "$root/usr/bin/weft" new first-flow >/dev/null
  launcher=()
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S first-flow -B first-flow/build -DCMAKE_PREFIX_PATH="$root/usr" "${launcher[@]}" >/dev/null
  cmake --build first-flow/build >/dev/null
  first-flow/build/first-flow --db "$root/runs.db" 2>/dev/null
  "$root/usr/bin/weft" --db "$root/runs.db" flow-run ls --json | grep -q '"state_type": "COMPLETED"'
) || fail "the weft new project did not build and run against libweft-dev"
echo "check-packages: weft, weft-studio, libweft-dev${server:+ and weft-server} $version-1 are fine"

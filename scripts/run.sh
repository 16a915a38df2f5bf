#!/usr/bin/env bash
# Installs what is missing, builds, and starts Weft Studio on the embedded engine with the example
# flows running live on a fresh demo database. Arguments go to weft-studio, e.g.
#   scripts/run.sh --screenshot studio.png --screenshot-delay 5000
# Without a display (no $DISPLAY or $WAYLAND_DISPLAY) Studio runs inside xvfb-run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh

studio=(build/bin/weft-studio --demo "$@")
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
  echo "weft: no display found; running Weft Studio inside xvfb-run"
  exec xvfb-run -a -s "-screen 0 1600x1000x24" "${studio[@]}"
fi
exec "${studio[@]}"

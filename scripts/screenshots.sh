#!/usr/bin/env bash
# Regenerates the pictures in docs/images/: runs the example flows into a fresh database (with
# example-long still running, so there are live bars), then lets weft-studio render each view.
# Needs a build (scripts/build.sh) and xvfb-run.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/bin
out=$PWD/docs/images
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export WEFT_DB=$work/weft.db XDG_CONFIG_HOME=$work/config NO_COLOR=1
mkdir -p "$out"

quiet() { "$@" >/dev/null 2>&1 || true; }
newest() { # newest run id of a flow
  "$bin/weft" flow-run ls --flow "$1" --limit 1 --json | sed -n 's/^    "id": "\(.*\)",$/\1/p'
}

for i in 1 2 3; do
  quiet "$bin/example-hello"
  quiet "$bin/example-etl"
  quiet "$bin/example-failing"
done
WEFT_EXAMPLE_FIX=1 quiet "$bin/weft" flow-run retry "$(newest failing_pipeline)"
quiet "$bin/example-failing"
"$bin/example-long" run long_running --param seconds=60 --param tasks_per_wave=5 --param step_ms=1500 >/dev/null 2>&1 &
sleep 12 # let the long run get some waves done; it keeps running during the pictures

etl=$(newest weather_etl)
long=$(newest long_running)
shot() { # FILE ARGS…
  local file=$1
  shift
  xvfb-run -a -s "-screen 0 1600x1000x24" "$bin/weft-studio" --db "$WEFT_DB" \
    --screenshot "$out/$file" --screenshot-delay 2500 "$@" 2>/dev/null
}
shot runs.png --theme light
shot runs-dark.png --theme dark
shot graph.png --theme light --open-run "$etl" --run-tab graph
shot timeline.png --theme light --open-run "$long" --run-tab timeline
shot logs.png --theme light --open-run "$etl" --run-tab logs
shot task-runs.png --theme light --open-run "$etl" --run-tab task-runs
shot dashboard.png --theme light --page dashboard
shot dashboard-dark.png --theme dark --page dashboard
shot graph-dark.png --theme dark --open-run "$etl" --run-tab graph

# Two connections: a weft server (its own database, runs sent over its API) beside the local
# database; the server is saved as the profile "prod" so the sidebar shows its name, and a saved
# "staging" waits unselected.
"$bin/weft-server" --port 0 --db "$work/server.db" 2>"$work/server.log" &
api=
for _ in $(seq 50); do
  api=$(sed -n 's|.*listening on \(http://[^ ]*/api\).*|\1|p' "$work/server.log")
  [ -n "$api" ] && break
  sleep 0.2
done
WEFT_API_URL=$api quiet "$bin/example-etl"
WEFT_API_URL=$api quiet "$bin/example-failing"
WEFT_API_URL=$api quiet "$bin/example-etl"
mkdir -p "$XDG_CONFIG_HOME/Weft"
cat >>"$XDG_CONFIG_HOME/Weft/weft-studio.conf" <<EOF
[connections]
1\\name=prod
1\\url=$api
1\\auth=none
2\\name=staging
2\\url=http://staging.example.com:4200/api
2\\auth=none
EOF
shot studio-two-connections.png --theme light --connect "$api"
ls -l "$out"

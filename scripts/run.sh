#!/usr/bin/env bash
# Installs what is missing, builds, and runs the example flows into a fresh local database, then
# lists what happened. (Once Weft Studio exists this starts it with live demo flows.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh

export WEFT_DB="${WEFT_DB:-$PWD/build/demo/weft.db}"
mkdir -p "$(dirname "$WEFT_DB")"
echo "== database: $WEFT_DB"
build/bin/example-hello
build/bin/example-etl
build/bin/example-failing || echo "== example-failing failed, as it should; retrying with the fault removed"
failed=$(build/bin/weft flow-run ls --state FAILED --flow failing_pipeline --limit 1 --json |
         sed -n 's/.*"id": *"\([0-9a-f-]*\)".*/\1/p' | head -n 1)
[[ -n "$failed" ]] && WEFT_EXAMPLE_FIX=1 build/bin/weft flow-run retry "$failed"
build/bin/weft flow-run ls

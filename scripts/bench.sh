#!/usr/bin/env bash
# The engine benchmark next to the same workload on Dask's threaded scheduler, in one session so
# the figures compare. Not a test, and not run by CI: only this command installs Dask (Debian's
# python3-dask, through deps.sh) for /usr/bin/python3.
# Usage: scripts/bench.sh [TASKS]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
WEFT_BENCH_DEPS=1 scripts/deps.sh
[[ -f build/build.ninja ]] || cmake --preset default
cmake --build --preset default --target weft-bench-engine -j "$(nproc)"
tasks="${1:-100000}"
weft=$(build/bin/weft-bench-engine --tasks "$tasks" 2>/dev/null | tail -n 1)
dask=$(/usr/bin/python3 bench/peer_dask.py --tasks "$tasks" --cluster-tasks "$(( tasks < 20000 ? tasks : 20000 ))" 2>/dev/null | tail -n 1)
echo "weft: $weft"
echo "dask: $dask"
/usr/bin/python3 - "$weft" "$dask" <<'PY'
import json, sys
w, d = json.loads(sys.argv[1]), json.loads(sys.argv[2])
dask_us = d["dask_threaded_us_per_task"]
print(json.dumps({
    "us_per_task": w["us_per_task"],
    "ratio_to_raw": w["ratio_to_raw"],
    "raw_sqlite_us_per_task": w["raw_sqlite_us_per_task"],
    "raw_sqlite_v1_us_per_task": w["raw_sqlite_v1_us_per_task"],
    "weft_mb_per_100k": w["weft_mb_per_100k"],
    "raw_sqlite_v1_mb_per_100k": w["raw_sqlite_v1_mb_per_100k"],
    "chain_overhead_pct": w["chain_overhead_pct"],
    "dask_us_per_task": dask_us,
    # Design §7's target: at least 3 (Weft persists every state durably; Dask keeps nothing).
    "dask_us_per_task / us_per_task": dask_us / w["us_per_task"],
    "dask_cluster_us_per_task": d.get("dask_cluster_us_per_task"),
}))
PY

#!/usr/bin/env bash
# The engine benchmark next to the same workload on Dask (Debian's python3-dask). Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
WEFT_BENCH_DEPS=1 scripts/deps.sh
scripts/build.sh
tasks="${1:-100000}"
weft=$(build/bin/weft-bench-engine --tasks "$tasks" 2>/dev/null | tail -n 1)
dask=$(/usr/bin/python3 bench/peer_dask.py --tasks "$tasks" --cluster-tasks "$(( tasks < 20000 ? tasks : 20000 ))" 2>/dev/null | tail -n 1)
echo "weft: $weft"
echo "dask: $dask"
/usr/bin/python3 - "$weft" "$dask" <<'PY'
import json, sys
w, d = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({
    "weft_us_per_task": w["us_per_task"],
    "dask_threaded_us_per_task": d["dask_threaded_us_per_task"],
    "weft_speedup_vs_dask_threaded": d["dask_threaded_us_per_task"] / w["us_per_task"],
    "dask_cluster_us_per_task": d.get("dask_cluster_us_per_task"),
    "note": "Weft persists every state durably; Dask keeps nothing",
}))
PY

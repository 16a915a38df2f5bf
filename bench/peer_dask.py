#!/usr/bin/python3
"""The engine benchmark's workload on Dask: N no-op tasks, on the threaded scheduler and on a
LocalCluster. Prints one JSON line. Needs Debian's python3-dask and python3-distributed."""
import argparse
import json
import time


def noop(i):
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--cluster-tasks", type=int, default=None,
                        help="tasks for the LocalCluster run (default: same as --tasks)")
    args = parser.parse_args()

    import dask
    from dask import delayed

    t0 = time.perf_counter()
    dask.compute(*[delayed(noop)(i) for i in range(args.tasks)], scheduler="threads")
    threaded = time.perf_counter() - t0

    out = {"tasks": args.tasks, "dask_threaded_s": threaded,
           "dask_threaded_us_per_task": threaded * 1e6 / args.tasks}
    try:
        from dask.distributed import Client, LocalCluster
        n = args.cluster_tasks or args.tasks
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            t0 = time.perf_counter()
            futures = client.map(noop, range(n), pure=False)
            client.gather(futures)
            elapsed = time.perf_counter() - t0
        out.update({"cluster_tasks": n, "dask_cluster_s": elapsed,
                    "dask_cluster_us_per_task": elapsed * 1e6 / n})
    except Exception as e:  # the threaded figure still stands
        out["dask_cluster_error"] = str(e)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

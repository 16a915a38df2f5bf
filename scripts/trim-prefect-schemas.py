#!/usr/bin/env python3
"""Writes the part of Prefect's server OpenAPI document that Weft's server implements.

Usage: scripts/trim-prefect-schemas.py PREFECT_OPENAPI_JSON > tests/data/prefect/openapi-subset.json

Keeps the listed paths and methods, their request and response schemas and every component schema
they reach; drops descriptions, titles and examples (the tests need the shapes, not the prose).
"""
import json
import sys

# (path, method) pairs Weft's server answers or is meant to answer (design §6).
PATHS = {
    "/health": ["get"],
    "/admin/version": ["get"],
    "/version": ["get"],
    "/flows/": ["post"],
    "/flows/{id}": ["get", "delete"],
    "/flows/filter": ["post"],
    "/flows/count": ["post"],
    "/flow_runs/": ["post"],
    "/flow_runs/{id}": ["get", "delete"],
    "/flow_runs/filter": ["post"],
    "/flow_runs/count": ["post"],
    "/flow_runs/paginate": ["post"],
    "/flow_runs/history": ["post"],
    "/flow_runs/{id}/set_state": ["post"],
    "/flow_runs/{id}/graph-v2": ["get"],
    "/flow_runs/{id}/resume": ["post"],
    "/flow_runs/{id}/input": ["post"],
    "/flow_runs/{id}/input/{key}": ["get"],
    "/flow_run_states/": ["get"],
    "/task_runs/": ["post"],
    "/task_runs/{id}": ["get", "delete"],
    "/task_runs/filter": ["post"],
    "/task_runs/count": ["post"],
    "/task_runs/{id}/set_state": ["post"],
    "/task_run_states/": ["get"],
    "/logs/": ["post"],
    "/logs/filter": ["post"],
    "/deployments/": ["post"],
    "/deployments/{id}": ["get", "delete", "patch"],
    "/deployments/filter": ["post"],
    "/deployments/{id}/create_flow_run": ["post"],
    "/deployments/count": ["post"],
    "/deployments/name/{flow_name}/{deployment_name}": ["get"],
    "/deployments/{id}/pause_deployment": ["post"],
    "/deployments/{id}/resume_deployment": ["post"],
    "/work_pools/": ["post"],
    "/work_pools/filter": ["post"],
    "/work_pools/{name}": ["get", "delete", "patch"],
    "/work_pools/{work_pool_name}/workers/filter": ["post"],
    "/work_pools/{name}/get_scheduled_flow_runs": ["post"],
    "/work_pools/{name}/workers/heartbeat": ["post"],
    "/work_pools/{work_pool_name}/get_scheduled_flow_runs": ["post"],
    "/work_pools/{work_pool_name}/workers/heartbeat": ["post"],
    "/concurrency_limits/": ["post"],
    "/concurrency_limits/filter": ["post"],
    "/concurrency_limits/tag/{tag}": ["get", "delete"],
    "/events/filter": ["post"],
}
PROSE = {"description", "title", "examples", "example", "summary", "operationId", "tags"}


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in PROSE or not isinstance(v, (str, list))}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def refs(node, found):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for v in node.values():
            refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def main():
    spec = json.load(open(sys.argv[1]))
    paths = {}
    for path, methods in PATHS.items():
        item = spec["paths"].get(path)
        if not item:
            continue
        kept = {m: strip(item[m]) for m in methods if m in item}
        if kept:
            paths[path] = kept
    schemas = spec["components"]["schemas"]
    wanted, todo = set(), set()
    refs(paths, todo)
    while todo:
        name = todo.pop()
        if name in wanted or name not in schemas:
            continue
        wanted.add(name)
        refs(schemas[name], todo)
    out = {
        "openapi": spec["openapi"],
        "info": {"title": "Prefect server API, trimmed to what Weft's server implements",
                 "version": spec.get("info", {}).get("version", "")},
        "paths": paths,
        "components": {"schemas": {n: strip(schemas[n]) for n in sorted(wanted)}},
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

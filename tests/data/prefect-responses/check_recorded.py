#!/usr/bin/env python3
"""Checks the recorded Prefect 3 answers in this folder against Prefect's schemas.

routes.json names each file's route; a file marked "each" is a list whose every element is one
answer of the route (GET /flow_runs/{id} answers one element of flow_runs/filter's list). The
schema lookup and validation are tests/server/check_responses.py's, so both checks agree.

Usage: check_recorded.py SPEC_JSON RESPONSES_DIR
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "server"))
from check_responses import compile_routes, find_operation, make_validator, response_schema  # noqa: E402


def main():
    spec_path, folder = sys.argv[1], sys.argv[2]
    spec = json.load(open(spec_path))
    routes = compile_routes(spec)
    manifest = json.load(open(os.path.join(folder, "routes.json")))
    failures, checked = [], 0
    for entry in manifest["answers"]:
        where = f"{entry['file']} as {entry['method']} {entry['path']}"
        template, operation = find_operation(routes, entry["method"], entry["path"].replace("{id}", "x"))
        if operation is None:
            failures.append(f"{where}: no such route in Prefect's contract")
            continue
        schema, listed = response_schema(operation, entry["status"])
        if not listed:
            failures.append(f"{where}: status {entry['status']} is not one Prefect answers")
            continue
        body = json.load(open(os.path.join(folder, entry["file"])))
        bodies = body if entry.get("each") else [body]
        if not bodies:
            failures.append(f"{where}: no answer recorded")
        validator = make_validator(spec, schema)
        for number, one in enumerate(bodies):
            for error in sorted(validator.iter_errors(one), key=lambda e: list(e.path))[:3]:
                at = "/".join(str(p) for p in error.absolute_path) or "(body)"
                failures.append(f"{where} [{number}]: at {at}: {error.message[:300]}")
            checked += 1
    for failure in failures:
        print("MISMATCH " + failure, file=sys.stderr)
    print(f"{checked} recorded answers checked against Prefect's schemas, {len(failures)} mismatches")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())

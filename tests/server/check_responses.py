#!/usr/bin/env python3
"""Checks the answers the server tests received against Prefect's schemas.

The server tests record every answer (method, path, status, body) as JSON lines in a folder; this
script checks each recorded body against the response schema Prefect's OpenAPI document gives for
that path, method and status (tests/data/prefect/openapi-subset.json). A 2xx status Prefect's
contract does not list for the route is an error too. Exit status 1 names every mismatch.

Usage: check_responses.py SPEC_JSON LOG_DIR
"""
import glob
import json
import os
import re
import sys
from collections import Counter

import jsonschema


def compile_routes(spec):
    routes = []
    for path, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^/}]+\}", "[^/]+", re.escape(path).replace(r"\{", "{").replace(r"\}", "}")) + "$"
        # Literal paths first, so that /flow_runs/filter is not taken for /flow_runs/{id}.
        routes.append((path.count("{"), path, re.compile(pattern), item))
    routes.sort(key=lambda r: (r[0], r[1]))
    return routes


def find_operation(routes, method, path):
    for _, template, pattern, item in routes:
        if pattern.match(path) and method.lower() in item:
            return template, item[method.lower()]
    return None, None


# Prefect's server answers a few ways its OpenAPI document does not list (the routes set them at
# run time): 201 instead of 200 when a create or set_state wrote something new, and 422 with
# {"detail": "..."} when a handler's own check (limit, interval) refuses a body that parsed.
HANDLER_CHECK_422 = {"type": "object", "required": ["detail"],
                     "properties": {"detail": {"type": "string"}}}


def response_schema(operation, status):
    responses = operation.get("responses", {})
    response = responses.get(str(status))
    if response is None and status == 201 and "200" in responses:
        response = responses["200"]
    if response is None:
        return None, False
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    if status == 422:
        schema = {"anyOf": [schema, HANDLER_CHECK_422]}
    return schema, True


def make_validator(spec, schema):
    try:  # jsonschema >= 4.18 resolves references through the referencing library
        from referencing import Registry, Resource

        resource = Resource.from_contents(spec, default_specification=__import__(
            "referencing.jsonschema", fromlist=["DRAFT202012"]).DRAFT202012)
        registry = Registry().with_resource("", resource)
        return jsonschema.Draft202012Validator(schema, registry=registry)
    except ImportError:
        resolver = jsonschema.RefResolver.from_schema(spec)
        return jsonschema.Draft202012Validator(schema, resolver=resolver)


def main():
    spec_path, log_dir = sys.argv[1], sys.argv[2]
    spec = json.load(open(spec_path))
    routes = compile_routes(spec)
    checked, skipped, failures = Counter(), Counter(), []
    files = sorted(glob.glob(os.path.join(log_dir, "*.jsonl")))
    for log in files:
        source = os.path.basename(log)
        for number, line in enumerate(open(log), 1):
            entry = json.loads(line)
            method, status = entry["method"], entry["status"]
            path = entry["path"].split("?", 1)[0]
            path = path[len("/api"):] if path.startswith("/api/") else path
            where = f"{source}:{number} {method} {entry['path']} -> {status}"
            template, operation = find_operation(routes, method, path)
            if operation is None:
                skipped["outside Prefect's contract"] += 1
                continue
            schema, listed = response_schema(operation, status)
            if not listed:
                if 200 <= status < 300:
                    failures.append(f"{where}: status {status} is not one Prefect answers on {template}")
                else:
                    skipped[f"status {status} not in the contract"] += 1
                continue
            if status == 204:
                if entry["body"]:
                    failures.append(f"{where}: 204 carries a body: {entry['body'][:120]!r}")
                checked[f"{method} {template} {status}"] += 1
                continue
            try:
                body = json.loads(entry["body"])
            except ValueError:
                failures.append(f"{where}: the body is not JSON: {entry['body'][:120]!r}")
                continue
            errors = sorted(make_validator(spec, schema).iter_errors(body), key=lambda e: list(e.path))
            for error in errors[:3]:
                at = "/".join(str(p) for p in error.absolute_path) or "(body)"
                failures.append(f"{where}: at {at}: {error.message[:300]}")
            checked[f"{method} {template} {status}"] += 1
    total = sum(checked.values())
    for route, count in sorted(checked.items()):
        print(f"checked {count:5d}  {route}")
    for reason, count in sorted(skipped.items()):
        print(f"skipped {count:5d}  {reason}")
    if total == 0:
        print(f"no recorded answer to check in {log_dir} ({len(files)} files)", file=sys.stderr)
        return 1
    for failure in failures:
        print("MISMATCH " + failure, file=sys.stderr)
    print(f"{total} answers checked against Prefect's schemas, {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

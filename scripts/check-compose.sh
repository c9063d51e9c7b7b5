#!/usr/bin/env bash
# Checks compose.yaml against the Compose Specification's JSON Schema, without a Docker engine.
#   scripts/check-compose.sh            validate compose.yaml
#   scripts/check-compose.sh --stack    validate, then print the stack file for `docker stack deploy`
# The stack file is compose.yaml without what the docker CLI's stack loader rejects or must not use: services
# with profiles (docker/cli#4721) and `build`; each service's `x-stack` overrides are applied (null removes).
# Needs Debian's python3-jsonschema and python3-yaml (scripts/install-deps.sh test).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
readonly repo
# CI lays shared/ beside the clone; COMPOSE_SCHEMA points elsewhere.
readonly schema=${COMPOSE_SCHEMA:-$repo/../shared/schemas/compose-spec.json}

readonly program='
import json
import sys

import jsonschema
import yaml

compose_path, schema_path, mode = sys.argv[1:]


def validate(document, label):
    with open(schema_path) as schema_file:
        schema = json.load(schema_file)
    # The schema says draft-07 in a spelling ("…/draft-07/schema", no "#") that jsonschema does not look up.
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    for error in errors:
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        print(f"{label}: {where}: {error.message}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f"{label}: valid against {schema_path}", file=sys.stderr)


def overlay(target, overrides):
    for key, value in overrides.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            overlay(target[key], value)
        else:
            target[key] = value


def stack(compose):
    services = {}
    for name, service in compose["services"].items():
        if "profiles" in service:
            continue
        service.pop("build", None)
        overlay(service, service.pop("x-stack", {}))
        services[name] = service
    kept = {key: value for key, value in compose.items() if not key.startswith("x-")}
    kept["services"] = services
    used = {volume.split(":")[0] if isinstance(volume, str) else volume.get("source")
            for service in services.values() for volume in service.get("volumes", [])}
    kept["volumes"] = {name: value for name, value in compose.get("volumes", {}).items() if name in used}
    if not kept["volumes"]:
        del kept["volumes"]
    return kept


with open(compose_path) as compose_file:
    compose = yaml.safe_load(compose_file)
validate(compose, compose_path)
if mode == "--stack":
    rendered = stack(compose)
    validate(rendered, "stack file")
    print(f"# Rendered from {compose_path} by scripts/check-compose.sh --stack: edit that file, not this one.")
    yaml.safe_dump(rendered, sys.stdout, sort_keys=False, default_flow_style=False)
'

usage() {
    echo "usage: scripts/check-compose.sh [--stack]" >&2
    exit 64
}

main() {
    [ $# -le 1 ] || usage
    local mode=${1:-}
    case "$mode" in "" | --stack) ;; *) usage ;; esac
    [ -f "$schema" ] || { echo "check-compose: no schema at $schema (set COMPOSE_SCHEMA)" >&2; exit 66; }
    # Debian's interpreter, where python3-jsonschema and python3-yaml live, whatever python3 is first on PATH.
    /usr/bin/python3 -c "$program" "$repo/compose.yaml" "$schema" "$mode"
}

main "$@"

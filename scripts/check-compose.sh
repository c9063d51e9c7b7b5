#!/usr/bin/env bash
# Checks compose.yaml with the tools that will read it, without a Docker engine.
#   scripts/check-compose.sh            validate compose.yaml
#   scripts/check-compose.sh --stack    validate, then print the stack file for `docker stack deploy`
# The stack file is compose.yaml without what the docker CLI's stack loader rejects or must not use: services
# with profiles (docker/cli#4721) and `build`; each service's `x-stack` overrides are applied (null removes). It
# says `version: "3.8"`: Docker 20.10's `docker stack deploy` refuses a file without one ("unsupported Compose
# file version: 1.0"), and 3.8 has every key used (rollback_config, secrets' uid/gid/mode).
# Validators, each where available: docker-compose (`config`), the docker CLI's `docker stack config` (23.0+), and
# the Compose Specification's JSON Schema when COMPOSE_SCHEMA or ../shared/schemas/compose-spec.json exists.
# Needs Debian's python3-yaml (and python3-jsonschema for the schema; scripts/install-deps.sh test).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
readonly repo
# Optional: CI lays shared/ beside the clone; COMPOSE_SCHEMA points elsewhere.
readonly schema=${COMPOSE_SCHEMA:-$repo/../shared/schemas/compose-spec.json}

readonly program='
import json
import sys

import yaml

compose_path, schema_path, mode = sys.argv[1:]


def validate(document, label):
    if not schema_path:
        return
    import jsonschema
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
    kept = {"version": "3.8"}
    kept.update((key, value) for key, value in compose.items() if not key.startswith("x-"))
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

# The real readers of the files, where installed; each prints its complaint. Runs in a directory of its own:
# docker-compose would read a .env beside the file.
check_with_tools() {
    local compose_file=$1 stack_file=$2 checked=0
    if command -v docker-compose >/dev/null; then
        docker-compose --file "$compose_file" --profile tools --profile local-db config --quiet || return 1
        echo "check-compose: $compose_file: valid for $(docker-compose version --short)" >&2
        checked=1
    fi
    # `docker stack config --help` succeeds on clients without it too (20.10 prints `docker stack`'s help). grep reads
    # all of the help (no -q): a client killed by SIGPIPE would fail the pipeline (pipefail) and skip the check.
    if [ -n "$stack_file" ] && command -v docker >/dev/null &&
        docker stack --help 2>/dev/null | grep -E '^ +config ' >/dev/null; then
        docker stack config --compose-file "$stack_file" >/dev/null || return 1
        echo "check-compose: stack file: valid for docker $(docker version --format '{{.Client.Version}}' 2>/dev/null)" >&2
        checked=1
    fi
    [ "$checked" -eq 1 ] || [ -f "$schema" ] || {
        echo "check-compose: nothing to validate with: install docker-compose (scripts/install-deps.sh docker)" \
            "or set COMPOSE_SCHEMA" >&2
        return 69
    }
}

main() {
    [ $# -le 1 ] || usage
    local mode=${1:-}
    case "$mode" in "" | --stack) ;; *) usage ;; esac
    local schema_used=""
    [ ! -f "$schema" ] || schema_used=$schema
    local work
    work=$(mktemp -d)
    # shellcheck disable=SC2064  # expand now: work is local
    trap "rm -rf '$work'" EXIT
    # Debian's interpreter, where python3-jsonschema and python3-yaml live, whatever python3 is first on PATH.
    /usr/bin/python3 -c "$program" "$repo/compose.yaml" "$schema_used" "$mode" >"$work/stack.yaml"
    local stack_file=""
    [ -z "$mode" ] || stack_file=$work/stack.yaml
    (cd "$work" && check_with_tools "$repo/compose.yaml" "$stack_file")
    [ -z "$mode" ] || cat "$work/stack.yaml"
}

main "$@"

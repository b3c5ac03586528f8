#!/usr/bin/env bash
# The whole test suite: static checks first (fast failures), then every vitest test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
step() { printf '\n== %s\n' "$*" >&2; }
step "typecheck"; npx tsc --noEmit -p tsconfig.json
step "lint"; npx eslint .
step "format"; npx prettier --check . >/dev/null
step "build app"; npx tsc -p app/tsconfig.json
step "tests"; npx vitest run "$@"

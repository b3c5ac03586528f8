#!/usr/bin/env bash
# The whole test suite: static checks first (fast failures), then every vitest test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
step() { printf '\n== %s\n' "$*" >&2; }
step "typecheck"; npx tsc --noEmit -p tsconfig.json
step "lint"; npx eslint .
step "format"; npx prettier --check .
step "build app"; npx tsc -p app/tsconfig.json
step "tests"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-report.json "$@" || status=$?
# The closing line CI reads: "vitest: N passed, N failed".
node -e '
  const r = require("./.tmp/vitest-report.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit "$status"

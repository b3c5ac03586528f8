#!/usr/bin/env bash
# One-time machine set-up after `npm ci`: the Debian packages the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
echo "setup: done" >&2

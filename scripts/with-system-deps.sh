#!/usr/bin/env bash
# Runs a command after making sure the Debian packages it needs are installed.
set -euo pipefail
bash "$(dirname "$0")/system-deps.sh"
exec "$@"

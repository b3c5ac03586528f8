#!/usr/bin/env bash
# Installs the pre-commit secret check (scripts/pre-commit.sh) as this clone's git pre-commit hook.
# The hook calls the script in the work tree, so it always runs the version of the branch at hand.
# An existing, different pre-commit hook is kept unless --force is given.
set -euo pipefail

force=false
case "${1:-}" in
  "") ;;
  --force) force=true ;;
  *)
    echo "usage: $0 [--force]" >&2
    exit 2
    ;;
esac

cd "$(git rev-parse --show-toplevel)"
hooks_dir="$(git rev-parse --git-path hooks)"
hook="$hooks_dir/pre-commit"

read -r -d '' hook_body <<'HOOK' || true
#!/usr/bin/env bash
# Installed by scripts/install-hooks.sh: refuses commits that add secrets.
exec bash "$(git rev-parse --show-toplevel)/scripts/pre-commit.sh"
HOOK

if [ -e "$hook" ] && [ "$(cat "$hook")" != "$hook_body" ] && [ "$force" = false ]; then
  echo "install-hooks: $hook exists and is not ours; rerun with --force to replace it" >&2
  exit 1
fi

mkdir -p "$hooks_dir"
printf '%s\n' "$hook_body" >"$hook"
chmod +x "$hook"
echo "install-hooks: pre-commit secret check installed in $hook" >&2

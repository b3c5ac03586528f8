#!/usr/bin/env bash
# Secret check: refuses private keys and Azure (and GitHub) credentials.
#
#   scripts/pre-commit.sh          what is staged for the next commit (the git pre-commit hook)
#   scripts/pre-commit.sh --all    every tracked file in the work tree (CI, ci.yml secret-scan)
#
# Findings name the file, the line and the rule, never the matched text. A line that has to hold
# such a string on purpose (a test fixture, documentation) carries the marker "secret-scan: allow".
# Exit codes: 0 clean, 1 findings, 2 usage error or not inside a git work tree.
set -euo pipefail

readonly ALLOW_MARKER='secret-scan: allow'

# name|extended regular expression (POSIX ERE, as git grep -E reads it)
readonly RULES=(
  'private-key|-----BEGIN[ A-Z0-9]*PRIVATE KEY( BLOCK)?-----'
  'azure-storage-account-key|AccountKey=[A-Za-z0-9+/]{86}=='
  'azure-shared-access-key|SharedAccessKey=[A-Za-z0-9+/]{42,43}='
  'azure-sas-signature|[?&;]sig=[A-Za-z0-9%+/]{40,}'
  'azure-ad-client-secret|[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}'
  'azure-credentials-json|"clientSecret"[[:space:]]*:[[:space:]]*"[^"$]+'
  'azure-client-secret-value|AZURE_CLIENT_SECRET["'\'']?[[:space:]]*[:=][[:space:]]*["'\'']?[A-Za-z0-9_~.+/=-]{16,}'
  'azure-redis-access-key|\.redis\.cache\.windows\.net(:[0-9]+)?,password=[A-Za-z0-9+/=]{40,}'
  'github-token|(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{80,}'
)

usage() {
  echo "usage: $0 [--all]" >&2
  exit 2
}

mode=staged
case "${1:-}" in
  "") ;;
  --all) mode=all ;;
  *) usage ;;
esac

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "secret-scan: not inside a git work tree" >&2
  exit 2
fi
cd "$(git rev-parse --show-toplevel)"

# Staged mode reads the index (what the commit will hold), not the work tree.
grep_scope=()
pathspecs=()
if [ "$mode" = staged ]; then
  grep_scope=(--cached)
  while IFS= read -r -d '' path; do
    pathspecs+=("$path")
  done < <(git diff --cached --name-only --diff-filter=ACMR -z)
  if [ ${#pathspecs[@]} -eq 0 ]; then
    exit 0
  fi
fi

# Prints "path:line<TAB>rule" for every line a rule matches, leaving out allowed lines.
scan_rule() {
  local name="$1" pattern="$2"
  # git grep exits 1 when nothing matches; -I skips binary files.
  { git grep "${grep_scope[@]}" -I -n -E -e "$pattern" -- "${pathspecs[@]}" || true; } |
    { grep -v -F "$ALLOW_MARKER" || true; } |
    awk -F: -v rule="$name" '{ print $1 ":" $2 "\t" rule }'
}

findings=""
for rule in "${RULES[@]}"; do
  findings+="$(scan_rule "${rule%%|*}" "${rule#*|}")"$'\n'
done
findings="$(printf '%s' "$findings" | sed '/^$/d' | sort -u)"

if [ -n "$findings" ]; then
  {
    echo "secret-scan: possible secrets ($mode):"
    printf '%s\n' "$findings" | sed 's/^/  /'
    echo "Remove them (and rotate anything real). A deliberate fake on a line marked"
    echo "'$ALLOW_MARKER' is let through."
  } >&2
  exit 1
fi

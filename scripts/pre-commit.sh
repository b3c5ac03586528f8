#!/usr/bin/env bash
# Secret check: refuses private keys and cloud, registry and CI credentials.
#
#   scripts/pre-commit.sh                  what is staged for the next commit (the git pre-commit hook)
#   scripts/pre-commit.sh --all            every tracked file in the work tree
#   scripts/pre-commit.sh --commits A..B   every file each commit in A..B adds or changes, as that
#                                          commit holds it (CI: every commit of a pull request, so a
#                                          secret added and removed again inside the PR is found)
#
# Findings name the file (and commit), the line and the rule, never the matched text. A line that
# has to hold such a string on purpose (a test fixture, documentation) carries the marker
# "secret-scan: allow".
# Fails closed: any git error (a bad revision, a path git cannot read) is exit 2, never "clean".
# File names are literal pathspecs (git --literal-pathspecs): a file named ':(bogus)x' is a file.
# Exit codes: 0 clean, 1 findings, 2 usage error, not inside a git work tree, or git failed.
set -euo pipefail

readonly ALLOW_MARKER='secret-scan: allow'

# name|extended regular expression (POSIX ERE, as git grep -E reads it). Formats:
#   Pulumi access tokens: "pul-" and 40 hex digits (Pulumi Cloud docs, access tokens).
#   Storage account keys: 64 random bytes in base64, 86 characters and "==" (also bare, outside a
#     connection string; not after '-', so npm's "sha512-...==" integrity hashes stay out).
#   npm tokens: "npm_" and 36 base62 characters (npm's granular and classic token format).
#   JWTs: three base64url parts, the first two JSON objects ("eyJ" is base64 of '{"').
readonly RULES=(
  'private-key|-----BEGIN[ A-Z0-9]*PRIVATE KEY( BLOCK)?-----'
  'azure-storage-account-key|AccountKey=[A-Za-z0-9+/]{86}=='
  'azure-storage-key-bare|(^|[^A-Za-z0-9+/=-])[A-Za-z0-9+/]{86}==([^A-Za-z0-9+/=]|$)'
  'azure-shared-access-key|SharedAccessKey=[A-Za-z0-9+/]{42,43}='
  'azure-sas-signature|[?&;]sig=[A-Za-z0-9%+/]{40,}'
  'azure-ad-client-secret|[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}'
  'azure-credentials-json|"clientSecret"[[:space:]]*:[[:space:]]*"[^"$]+'
  'azure-client-secret-value|AZURE_CLIENT_SECRET["'\'']?[[:space:]]*[:=][[:space:]]*["'\'']?[A-Za-z0-9_~.+/=-]{16,}'
  'azure-redis-access-key|\.redis\.cache\.windows\.net(:[0-9]+)?,password=[A-Za-z0-9+/=]{40,}'
  'connection-string-password|(^|[;"'\''[:space:]])([Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]|[Pp][Ww][Dd])=[^;"'\''[:space:]$<{}][^;"'\''[:space:]]{5,}'
  'url-credentials|[A-Za-z][A-Za-z0-9+.-]*://[^/?#@[:space:]:"'\''$<{}]*:[^/?#@[:space:]"'\''$<{}]{3,}@'
  'github-token|(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{80,}'
  'pulumi-access-token|pul-[0-9a-f]{40}'
  'npm-token|npm_[A-Za-z0-9]{36}'
  'jwt|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}'
)

usage() {
  echo "usage: $0 [--all | --commits <range>]" >&2
  exit 2
}

fail() {
  echo "secret-scan: $*" >&2
  exit 2
}

mode=staged
range=""
case "${1:-}" in
  "") [ $# -eq 0 ] || usage ;;
  --all) [ $# -eq 1 ] || usage; mode=all ;;
  --commits) [ $# -eq 2 ] && [ -n "$2" ] || usage; mode=commits; range="$2" ;;
  *) usage ;;
esac

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  fail "not inside a git work tree"
fi
cd "$(git rev-parse --show-toplevel)"

# git grep exits 0 on a match, 1 on none, anything else is an error: the scan fails.
# Prints "<where>:<line><TAB><rule>" for every line a rule matches, allowed lines left out
# (git grep's own --and --not, so nothing is filtered after the fact). Anything git grep writes to
# stderr is a failure too. -z separates the path from
# the line number with NUL, so a path holding ':' is reported whole. -I skips binary files.
# $1: prefix to strip from each path (the "<commit>:" git grep puts before a tree's paths),
# $2: what to print instead, then git grep's scope (--cached, a commit) and pathspecs after "--".
grep_rules() {
  local strip="$1" label="$2"
  shift 2
  local rule name pattern status
  for rule in "${RULES[@]}"; do
    name="${rule%%|*}"
    pattern="${rule#*|}"
    status=0
    git --literal-pathspecs grep -I -n -z -E -e "$pattern" --and --not -e "$ALLOW_MARKER" "$@" \
      >"$matches" 2>"$errors" || status=$?
    # git grep reports an unreadable object on stderr and still exits 1 ("no match").
    if [ "$status" -gt 1 ] || [ -s "$errors" ]; then
      sed 's/^/  /' "$errors" >&2
      fail "git grep failed (exit $status) for rule $name"
    fi
    LC_ALL=C sed -E "s/\x00([0-9]+)\x00.*\$/:\1/" "$matches" |
      awk -v strip="$strip" -v label="$label" -v rule="$name" '{
        path = $0
        if (strip != "" && index(path, strip) == 1) path = substr(path, length(strip) + 1)
        print label path "\t" rule
      }'
  done
}

# NUL-separated path lists go through a file: a failing git command inside a process
# substitution would go unnoticed.
list="$(mktemp)"
matches="$(mktemp)"
errors="$(mktemp)"
trap 'rm -f "$list" "$matches" "$errors"' EXIT
# Reads the NUL-separated paths in $list into the array paths.
read_paths() {
  paths=()
  while IFS= read -r -d '' path; do
    paths+=("$path")
  done <"$list"
}

findings=""
case "$mode" in
  staged)
    # The index (what the commit will hold), not the work tree; only what this commit changes.
    git diff --cached --name-only --diff-filter=ACMR -z >"$list" || fail "git diff --cached failed"
    read_paths
    if [ ${#paths[@]} -gt 0 ]; then
      findings="$(grep_rules "" "" --cached -- "${paths[@]}")"
    fi
    ;;
  all)
    findings="$(grep_rules "" "")"
    ;;
  commits)
    commits="$(git rev-list --reverse "$range" --)" || fail "not a revision range: $range"
    for commit in $commits; do
      git diff-tree --root --no-commit-id --name-only -r -z --diff-filter=ACMR "$commit" >"$list" ||
        fail "git diff-tree failed for $commit"
      read_paths
      [ ${#paths[@]} -gt 0 ] || continue
      findings+="$(grep_rules "$commit:" "${commit:0:12}:" "$commit" -- "${paths[@]}")"$'\n'
    done
    ;;
esac
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

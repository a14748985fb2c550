#!/usr/bin/env bash
# Fails when a relative link in a tracked Markdown file points at nothing: every [text](path)
# that is not a URL or an anchor must name a file or folder that exists, relative to the file.
#   scripts/check-links.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
broken=0
checked=0
while IFS= read -r file; do
  dir=$(dirname "$file")
  # Inline links only; code spans and fenced blocks are skipped.
  while IFS= read -r target; do
    target=${target%%#*}
    [[ -z $target || $target =~ ^[a-z]+: ]] && continue
    checked=$((checked + 1))
    if [[ ! -e $dir/$target ]]; then
      echo "$file: broken link to $target" >&2
      broken=$((broken + 1))
    fi
  done < <(awk '/^```/ { fenced = !fenced; next } !fenced { gsub(/`[^`]*`/, ""); print }' "$file" |
           grep -oE '\]\([^) ]+\)' | sed -E 's/^\]\((.*)\)$/\1/')
done < <(git ls-files '*.md' | grep -v '^third_party/')
if ((broken > 0)); then
  echo "links: $broken broken of $checked" >&2
  exit 1
fi
echo "links: all $checked relative links resolve"

#!/usr/bin/env bash
# Fails on any function longer than 100 lines, from its name to its closing brace (comments and
# blank lines count), in the product's rooms and the simulator. clang-tidy's
# readability-function-size reads the code as the compiler does, so lambdas, raw strings and C++20 syntax are measured right; it needs the
# build's compile_commands.json.
#   scripts/check-function-length.sh BUILD_DIR [LIMIT]
#   LIMIT=40 lists every function over 40 lines, longest first, and does not fail.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
limit=${2:-100}
command -v clang-tidy >/dev/null || { echo "clang-tidy is missing (package clang-tidy)" >&2; exit 1; }
[[ -f $build/compile_commands.json ]] || { echo "$build/compile_commands.json is missing; run cmake first" >&2; exit 1; }

dirs=(base db isc sync automation triggers daemon tests/isc_sim)
cd "$root"
sources=$(git ls-files "${dirs[@]/%//*.cpp}")
filter="^$root/($(IFS='|'; echo "${dirs[*]}"))/"

# One line per function: LINES FILE:LINE NAME. A header's functions are seen from every source
# that includes it, hence sort -u. clang-tidy counts from the body's opening brace; the count
# here starts at the function's name, so that a long signature counts too: the lines up to
# the first line ending in "{" are added. clang-tidy reports from a lower threshold so that
# those are not missed.
config="{CheckOptions: [{key: readability-function-size.LineThreshold, value: $((limit > 30 ? limit - 30 : 0))}]}"
report=$(xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet --checks='-*,readability-function-size' \
           --header-filter="$filter" --config="$config" <<<"$sources" 2>/dev/null |
         awk -v root="$root/" '
           /warning: function .* exceeds/ { split($0, a, ": warning: "); where = a[1]; sub(root, "", where)
                                            match($0, /function \x27[^\x27]+\x27/); name = substr($0, RSTART + 10, RLENGTH - 11) }
           /note: [0-9]+ lines including/ { match($0, /note: [0-9]+/); print substr($0, RSTART + 6, RLENGTH - 6), where, name }' |
         sort -u |
         while read -r lines where name; do
           file=${where%%:*}
           rest=${where#*:}
           line=${rest%%:*}
           brace=$(awk -v from="$line" 'NR >= from && /\{[[:space:]]*$/ { print NR; exit }' "$file")
           echo "$((lines + ${brace:-$line} - line + 1)) $where $name"
         done |
         awk -v limit="$limit" '$1 > limit' | sort -k1,1nr)

if [[ -z $report ]]; then
  echo "function length: none over $limit lines in ${dirs[*]}"
  exit 0
fi
echo "$report"
if [[ $limit -eq 100 ]]; then
  echo "function length: $(wc -l <<<"$report") function(s) over 100 lines; split them (CONTRIBUTING.md)" >&2
  exit 1
fi

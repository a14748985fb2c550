#!/usr/bin/env bash
# Checks the rooms of the code: each source sits in its room's namespace, and includes only its
# own room and the rooms below it (daemon -> triggers -> automation -> sync -> isc -> db -> base). Any
# breach is printed with the file and line and fails the check.
#   scripts/check-layout.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Lowest first: a room may include the rooms before it, never one after.
rooms=(base db isc sync automation triggers daemon)

failures=0
for ((i = 0; i < ${#rooms[@]}; i++)); do
  room=${rooms[i]}
  higher=("${rooms[@]:i+1}")
  files=$(git ls-files "$room/*.cpp" "$room/*.hpp" "$room/*.in")
  [[ -n $files ]] || { echo "$room/: the room is empty or missing" >&2; failures=$((failures + 1)); continue; }
  if ((${#higher[@]} > 0)); then
    pattern="^#include \"($(IFS='|'; echo "${higher[*]}"))/"
    if breaches=$(grep -nE "$pattern" $files); then
      while IFS= read -r breach; do
        echo "$breach: $room/ may not include a higher room (${higher[*]})" >&2
      done <<<"$breaches"
      failures=$((failures + $(wc -l <<<"$breaches")))
    fi
  fi
  for file in $files; do
    [[ $file == *.in || $file == daemon/main.cpp || $file == daemon/render_main.cpp ]] && continue  # programs: only main()
    if ! grep -qE "^namespace isc_mirror::$room( |::)" "$file"; then
      echo "$file: declares nothing in namespace isc_mirror::$room" >&2
      failures=$((failures + 1))
    fi
    if grep -nE "^namespace isc_mirror::" "$file" | grep -vE "namespace isc_mirror::$room( |::)" >&2; then
      echo "$file: opens a namespace other than isc_mirror::$room" >&2
      failures=$((failures + 1))
    fi
  done
done

if ((failures > 0)); then
  echo "layout: $failures breach(es); see the rooms in CONTRIBUTING.md" >&2
  exit 1
fi
echo "layout: ${rooms[*]} -- every include points down, every namespace matches its room"

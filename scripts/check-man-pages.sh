#!/usr/bin/env bash
# Renders each manual page the build made with man --warnings and fails on any warning.
#   scripts/check-man-pages.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
command -v man >/dev/null || { echo "man is missing (package man-db)" >&2; exit 1; }
status=0
for page in "$build"/man/isc-mirror.1 "$build"/man/isc-mirror.yaml.5; do
  [[ -s $page ]] || { echo "$page is missing or empty" >&2; status=1; continue; }
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
  if [[ -n $warnings ]]; then
    echo "$page:" >&2
    echo "$warnings" >&2
    status=1
  fi
done
[[ $status -eq 0 ]] && echo "man pages: $(ls "$build"/man | tr '\n' ' ')render without warnings"
exit $status

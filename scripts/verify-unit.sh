#!/usr/bin/env bash
# Checks systemd/isc-mirror.service with systemd-analyze verify, pointing it at BINARY instead
# of /usr/bin/isc-mirror. Any finding (systemd-analyze only warns about most) fails the check.
#   scripts/verify-unit.sh BINARY
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=$1
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is missing (package systemd)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/bin/isc-mirror|$binary|g" "$root/systemd/isc-mirror.service" >"$work/isc-mirror.service"
findings=$(cd "$work" && systemd-analyze verify --man=no ./isc-mirror.service 2>&1) || {
  echo "$findings" >&2
  exit 1
}
if [[ -n $findings ]]; then
  echo "$findings" >&2
  exit 1
fi
echo "systemd-analyze verify: no findings"

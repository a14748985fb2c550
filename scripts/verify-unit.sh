#!/usr/bin/env bash
# Checks systemd/isc-mirror.service with systemd-analyze verify, pointing it at BINARY instead
# of /usr/bin/isc-mirror. Any finding (systemd-analyze only warns about most) fails the check,
# and so does an exposure score (systemd-analyze security) above 1.2.
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
# The exposure score (0 best, 10 worst; "OK" up to 4.9) must not creep back up: at most 1.2.
(cd "$work" && systemd-analyze security --offline=true --threshold=12 ./isc-mirror.service) |
  tail -1

#!/usr/bin/env bash
# The fault-injection suite at size: trials of real changes (leavers whose rule acts on the
# tenant, accounts changed and deleted) mirrored through SIGKILLs during syncs and actions,
# PostgreSQL restarts, API fault storms and shifting pages; each judged against isc-sim.
# ctest runs the same program with 300 identities and 10 trials.
#   bench/fault_suite.sh [IDENTITIES] [ACCOUNTS_PER_IDENTITY] [TRIALS] [SEED]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ISC_MIRROR_BUILD_DIR:-$root/build}
identities=${1:-20000}
per=${2:-5}
trials=${3:-10}
args=(--identities "$identities" --accounts-per-identity "$per" --trials "$trials")
[[ -n ${4:-} ]] && args+=(--seed "$4")
cmake --build "$build" -j"$(nproc)" --target fault_suite isc-mirror isc-sim >/dev/null
exec "$build/tests/fault_suite" "${args[@]}"

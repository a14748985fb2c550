#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, integration, demo).
#   scripts/test.sh          RelWithDebInfo build in build/
#   scripts/test.sh --asan   AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

build=${ISC_MIRROR_BUILD_DIR:-$root/build}
cmake_args=()
if [[ ${1:-} == --asan ]]; then
  build=$root/build-asan
  cmake_args+=(-DISC_MIRROR_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" "${cmake_args[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)"

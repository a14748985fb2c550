#!/usr/bin/env bash
# Builds the Debian package with CPack and prints its path.
#   scripts/package.sh [BUILD_DIR]   a release build in BUILD_DIR (default build/; made if missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

"$root/scripts/install-deps.sh"
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DISC_MIRROR_TESTS=OFF >/dev/null
fi
if grep -q '^ISC_MIRROR_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "error: $build is a sanitizer build; package a release build (scripts/package.sh DIR)" >&2
  exit 1
fi
# Only what the package holds, not the tests. The ctest entry packs the build it tests as it is
# (ISC_MIRROR_SKIP_BUILD=1): a build while other tests run their binaries could relink them.
if [[ ${ISC_MIRROR_SKIP_BUILD:-0} != 1 ]]; then
  cmake --build "$build" -j"$(nproc)" --target isc-mirror isc_migrations isc_rendered isc_changelog
fi
cd "$build"
cpack -G DEB --config CPackConfig.cmake >cpack.log 2>&1 || { cat cpack.log >&2; exit 1; }
ls "$build"/package/isc-mirror_*.deb

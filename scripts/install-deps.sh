#!/usr/bin/env bash
# Installs the Debian 12 packages isc-mirror builds, tests and demos with, if any are missing.
set -euo pipefail

packages=(
  g++ cmake make pkg-config git
  libcurl4-openssl-dev libsimdjson-dev libpqxx-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libcpp-httplib-dev libsystemd-dev libssl-dev openssl
  postgresql-15 postgresql-client-15 systemd clang-tidy clang-format nginx-light man-db groff-base
  dpkg-dev file binutils fakeroot lintian prometheus jq
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "error: missing packages ${missing[*]} and no sudo; install them as root" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Runs the bash completion the build rendered against lines an operator types, with this
# build's isc-mirror answering for a config's tenant and resource names; any unexpected answer
# fails the check.
#   scripts/check-completion.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
export PATH="$build:$PATH"
# shellcheck source=/dev/null
source "$build/completion/isc-mirror"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/config.yaml" <<'YAML'
tenants:
  - { name: acme, base_url: "https://acme.api.identitynow.com", client_id: "${UNSET_ID}" }
  - name: beta
    base_url: https://beta.api.identitynow.com
resources:
  accounts: { enabled: false }
YAML

failures=0
# offered WORD...: what the completion offers for the line WORD... (the last word is being typed).
offered() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _isc_mirror || true
  echo "${COMPREPLY[*]}"
}
# expect WANT WORD...: the line completes to exactly WANT.
expect() {
  local want=$1 got
  shift
  got=$(offered "$@")
  [[ $got == "$want" ]] && return
  echo "completion of '$*': got '$got', want '$want'" >&2
  failures=$((failures + 1))
}
# expect_has WORD LINE...: the completion offers WORD among others.
expect_has() {
  local want=$1 got
  shift
  got=$(offered "$@")
  [[ " $got " == *" $want "* ]] && return
  echo "completion of '$*': '$got' lacks '$want'" >&2
  failures=$((failures + 1))
}

expect "sync sync-now" isc-mirror sy
expect "check-config" isc-mirror help ch
expect "--full" isc-mirror sync --fu
expect "--online" isc-mirror check-config --on
expect "--json" isc-mirror status --js
expect "debug" isc-mirror --log-level deb
expect "approve" isc-mirror actions app
expect "" isc-mirror actions approve ""
expect "subscribe" isc-mirror triggers sub
expect "acme beta" isc-mirror -c "$work/config.yaml" triggers subscribe ""
expect "acme beta" isc-mirror --config = "$work/config.yaml" triggers list ""
expect "identities identity_profiles identity_access" isc-mirror -c "$work/config.yaml" sync identit
expect "" isc-mirror -c "$work/config.yaml" sync accoun
expect "beta/identities beta/identity_profiles beta/identity_access" isc-mirror -c "$work/config.yaml" sync-now beta/identit
expect "" isc-mirror -c "$work/config.yaml" sync-now identities ""
expect_has das_tasks isc-mirror -c "$work/config.yaml" sync ""
expect_has --config isc-mirror ""
expect_has run isc-mirror ""
# A config that cannot be read names no tenant and disables no resource.
expect "" isc-mirror -c "$work/missing.yaml" triggers list ""
expect "accounts" isc-mirror -c "$work/missing.yaml" sync accoun

if ((failures > 0)); then
  echo "completion: $failures line(s) completed wrongly" >&2
  exit 1
fi
echo "completion: commands, options, verbs, tenants and resources complete as expected"

#!/usr/bin/env bash
# Builds the Debian package, checks it with lintian, and installs, upgrades, removes and purges
# it in a throwaway root (dpkg --root, maintainer scripts run chrootless with DPKG_ROOT), running
# isc-mirror --version and check-config from it. Any difference from what docs/install.md
# promises fails the check.
#   scripts/check-package.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)

# dpkg installs as root; without root, the same steps run under fakeroot.
if [[ $(id -u) -ne 0 ]]; then
  exec fakeroot -- bash "$0" "$@"
fi

deb=$("$root/scripts/package.sh" "$build" | tail -n 1)
lintian --fail-on error,warning "$deb" 2> >(grep -v 'running with root privileges' >&2)
echo "lintian: $(basename "$deb"): no errors, no warnings"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target=$work/root

fail() {
  echo "package: $*" >&2
  exit 1
}

# A root whose dpkg database is this machine's (so the dependencies are met) with no file
# triggers (the man-db of the root does not exist), and a passwd with only root in it.
mkdir -p "$target"/var/lib/dpkg/{info,updates} "$target"/etc "$work"/bin
cp /var/lib/dpkg/status "$target/var/lib/dpkg/status"
touch "$target/var/lib/dpkg/available"
echo 'root:x:0:0:root:/root:/bin/sh' >"$target/etc/passwd"
echo 'root:x:0:' >"$target/etc/group"

# The scripts must never start, stop or restart the service here: these record any attempt.
for tool in systemctl deb-systemd-invoke; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/service-calls"\n' "$tool" "$work" >"$work/bin/$tool"
  chmod +x "$work/bin/$tool"
done
export PATH="$work/bin:$PATH"

dpkg_root() {
  dpkg --root="$target" --force-script-chrootless --log=/dev/null "$@" >"$work/dpkg.log" 2>&1 ||
    { cat "$work/dpkg.log" >&2; fail "dpkg $* failed"; }
}

mode_owner() {
  stat -c '%a %u:%g' "$1"
}

# --- install
dpkg_root -i "$deb"
mirror=$target/usr/bin/isc-mirror
config=$target/etc/isc-mirror/config.yaml
version=$("$mirror" --version)
[[ $version == "isc-mirror $(dpkg-deb -f "$deb" Version)"* ]] || fail "--version printed '$version'"
user=$(grep '^isc-mirror:' "$target/etc/passwd") || fail "no isc-mirror user in the root's passwd"
gid=$(awk -F: '$1 == "isc-mirror" { print $3 }' "$target/etc/group")
[[ -n $gid ]] || fail "no isc-mirror group"
[[ $user == *:/usr/sbin/nologin ]] || fail "the isc-mirror user has a login shell: $user"
[[ $(mode_owner "$target/etc/isc-mirror") == "750 0:$gid" ]] ||
  fail "/etc/isc-mirror is $(mode_owner "$target/etc/isc-mirror"), want 750 0:$gid"
[[ $(mode_owner "$config") == "640 0:$gid" ]] || fail "the config is $(mode_owner "$config"), want 640 0:$gid"
for file in usr/share/isc-mirror/migrations/0001_init.sql usr/share/isc-mirror/roles.sql \
  usr/lib/systemd/system/isc-mirror.service usr/share/man/man1/isc-mirror.1.gz \
  usr/share/man/man5/isc-mirror.yaml.5.gz usr/share/bash-completion/completions/isc-mirror \
  usr/share/isc-mirror/grafana/isc-mirror.json usr/share/isc-mirror/prometheus/isc-mirror-alerts.yml; do
  [[ -s $target/$file ]] || fail "/$file is missing"
done
[[ ! -e $work/service-calls ]] || fail "the install touched the service: $(cat "$work/service-calls")"
echo "install: $version; user isc-mirror; /etc/isc-mirror 0750 and its config 0640, group isc-mirror; service not started"

# The example config names what the operator must fill in, and refuses to start (exit 78).
status=0
env -u CREDENTIALS_DIRECTORY -u SAIL_CLIENT_ID "$mirror" -c "$config" check-config >"$work/check.out" 2>&1 || status=$?
[[ $status -eq 78 ]] || fail "check-config of the example config exited $status, want 78"
grep -q 'client_id' "$work/check.out" || fail "check-config did not name client_id: $(cat "$work/check.out")"

# The operator fills it in; check-config accepts it.
echo 'a-client-secret-for-the-package-test' >"$target/etc/isc-mirror/client_secret"
sed -i "s|client_id: \${SAIL_CLIENT_ID}|client_id: package-test-client|" "$config"
cp "$config" "$work/config.operator"
# As docs/install.md runs it from a shell: the secret where the unit's LoadCredential= reads it.
CREDENTIALS_DIRECTORY=$target/etc/isc-mirror "$mirror" -c "$config" check-config >"$work/check.out" 2>&1 ||
  fail "check-config refused the filled-in config: $(cat "$work/check.out")"
echo "check-config: the example refused naming client_id (78); the filled-in config accepted"

# --- upgrade to a later version keeps the operator's config, its mode and its owner.
mkdir "$work/next"
dpkg-deb -R "$deb" "$work/next/tree"
sed -i 's/^Version: .*/&+next1/' "$work/next/tree/DEBIAN/control"
dpkg-deb -b "$work/next/tree" "$work/next/isc-mirror-next.deb" >/dev/null
dpkg_root -i "$work/next/isc-mirror-next.deb"
cmp -s "$config" "$work/config.operator" || fail "the upgrade changed the operator's config"
[[ $(mode_owner "$config") == "640 0:$gid" ]] || fail "the upgrade changed the config to $(mode_owner "$config")"
[[ $(grep -c '^isc-mirror:' "$target/etc/passwd") -eq 1 ]] || fail "the upgrade added a second user"
[[ ! -e $work/service-calls ]] || fail "the upgrade touched the service: $(cat "$work/service-calls")"
echo "upgrade: the operator's config kept as it was"

# --- remove keeps the config, the secret and the user; purge removes what the package wrote.
dpkg_root -r isc-mirror
[[ ! -e $mirror ]] || fail "remove left the binary"
cmp -s "$config" "$work/config.operator" || fail "remove did not keep the config"
grep -q '^isc-mirror:' "$target/etc/passwd" || fail "remove deleted the user"
dpkg_root -P isc-mirror
[[ ! -e $config ]] || fail "purge left the config the package wrote"
[[ -e $target/etc/isc-mirror/client_secret ]] || fail "purge deleted the operator's own file"
echo "remove: config, secret and user kept; purge: the config removed, the operator's files kept"

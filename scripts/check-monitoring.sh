#!/usr/bin/env bash
# Checks the shipped monitoring files with Prometheus's own tool: the alert rules
# (promtool check rules), their unit tests (promtool test rules), and every query of the
# Grafana dashboard, which must parse as PromQL once Grafana's variables are filled in.
#   scripts/check-monitoring.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
for tool in promtool jq; do
  command -v $tool >/dev/null || { echo "$tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
cd "$root/monitoring"

promtool check rules prometheus/isc-mirror-alerts.yml
(cd prometheus && promtool test rules isc-mirror-alerts.test.yml)

dashboard=grafana/isc-mirror.json
fail() {
  echo "$dashboard: $*" >&2
  exit 1
}
jq -e . "$dashboard" >/dev/null || fail "not JSON"
[[ $(jq -r '.uid' "$dashboard") == isc-mirror ]] || fail "uid is not isc-mirror"
[[ $(jq '[.panels[].id] | length == (unique | length)' "$dashboard") == true ]] || fail "panel ids repeat"
# Importable anywhere: every query goes to the data source chosen at import.
bad=$(jq -r '.panels[] | select(.type != "row") | select(.datasource.uid != "${DS_PROMETHEUS}" or (.targets | length) == 0) | .title' "$dashboard")
[[ -z $bad ]] || fail "panels without a query or not on \${DS_PROMETHEUS}: $bad"

# Each query as a recording rule, so that promtool parses it.
rules=$(mktemp)
trap 'rm -f "$rules"' EXIT
{
  echo "groups:"
  echo "  - name: dashboard"
  echo "    rules:"
  jq -r '.panels[] | select(.type != "row") | .targets[].expr' "$dashboard" |
    sed -e 's/\$__rate_interval/5m/g' -e 's/\$tenant/.*/g' -e 's/\$resource/.*/g' |
    awk '{ gsub(/\x27/, "\x27\x27"); printf "      - record: dashboard:query%d\n        expr: \x27%s\x27\n", NR, $0 }'
} >"$rules"
queries=$(grep -c 'record:' "$rules")
promtool check rules "$rules" >/dev/null || { promtool check rules "$rules" >&2; fail "a query does not parse"; }
echo "dashboard: $queries queries parse as PromQL on \${DS_PROMETHEUS}"

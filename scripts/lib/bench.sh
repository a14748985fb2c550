# Sourced by bench/* after setting root: start_bench_tenant REQUESTS PER SIM_ARGS... makes
# $work, starts a throwaway PostgreSQL set up for bulk loads and isc-sim with SIM_ARGS, stops
# both on exit, writes $work/config.yaml (tenant "bench", rate limit REQUESTS per PER) and
# migrates; BENCH_PG_PRELOAD=pg_stat_statements loads that extension's library. sql runs one
# statement and prints the bare result; median prints the median of the numbers on its
# input, one a line.
source "$root/scripts/lib/throwaway_pg.sh"
source "$root/scripts/lib/sim.sh"
build=${ISC_MIRROR_BUILD_DIR:-$root/build}

start_bench_tenant() {
  local requests=$1 per=$2
  shift 2
  work=$(mktemp -d /tmp/isc-mirror-bench-XXXXXX)
  PG_EXTRA_OPTIONS="-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min"
  if [[ -n ${BENCH_PG_PRELOAD:-} ]]; then
    PG_EXTRA_OPTIONS+=" -c shared_preload_libraries=$BENCH_PG_PRELOAD -c pg_stat_statements.track=all"
  fi
  start_throwaway_pg "$work"
  trap 'kill ${SIM_PID:-} 2>/dev/null; stop_throwaway_pg' EXIT
  start_sim "$build/isc-sim" "$work/sim.log" "$@"
  write_bench_config "$work/config.yaml" "$SIM_URL" "$PG_URL" "$requests" "$per"
  "$build/isc-mirror" -c "$work/config.yaml" migrate 2>/dev/null
}

sql() { psql "$PG_URL" -XAtc "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# After start_bench_tenant: the tenant takes Event Trigger deliveries (bearer token in
# $work/trigger_token, $trigger_token) on a free port ($port); `isc-mirror run` is started with
# the lines on stdin appended to the config ($daemon; stopped on exit; its log at
# BENCH_LOG_LEVEL, default warn, in BENCH_DAEMON_LOG, default $work/daemon.log, which goes
# with $work), and this returns once every resource has its baseline.
start_trigger_daemon() {
  trigger_token=$(openssl rand -hex 32)
  (umask 077 && echo "$trigger_token" >"$work/trigger_token")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  sed -i "/rate_limit:/a\\    triggers: { token_file: $work/trigger_token }" "$work/config.yaml"
  printf 'triggers: { listen: 127.0.0.1:%s }\nhttp: { listen: "" }\n' "$port" >>"$work/config.yaml"
  cat >>"$work/config.yaml"
  "$build/isc-mirror" -c "$work/config.yaml" --log-level "${BENCH_LOG_LEVEL:-warn}" run 2>"${BENCH_DAEMON_LOG:-$work/daemon.log}" &
  daemon=$!
  local resources
  resources=$("$build/isc-mirror" -c "$work/config.yaml" __names resources | wc -l)
  trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null; kill ${SIM_PID:-} 2>/dev/null; stop_throwaway_pg' EXIT
  for _ in $(seq 1 3000); do
    [[ $(sql "SELECT count(*) FROM mirror.stream_state WHERE baseline_done") -ge $resources ]] && return 0
    sleep 0.2
  done
  echo "the daemon did not finish its baselines" >&2
  return 1
}

# Sourced: start_sim BINARY LOG ARGS... starts isc-sim (BINARY) on a free port with ARGS, its
# output in LOG, waits until it listens, and sets SIM_PID and SIM_URL.
# write_bench_config FILE URL DB_URL REQUESTS PER writes an isc-mirror config for tenant
# "bench" on that simulator with that rate limit.
start_sim() {
  local binary=$1 log=$2
  shift 2
  "$binary" "$@" --port 0 >"$log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 200); do grep -q listening "$log" && break; sleep 0.05; done
  SIM_URL="http://127.0.0.1:$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")"
}

# The config holds the simulator's client secret: readable by its owner only, as the daemon
# asks of a real one.
write_bench_config() {
  (umask 077 && : >"$1")
  cat >"$1" <<YAML
tenants:
  - name: bench
    base_url: $2
    allow_insecure_http: true
    client_id: sim-client
    client_secret: sim-secret
    rate_limit: { requests: $4, per: $5 }
database:
  url: "$3"
YAML
}

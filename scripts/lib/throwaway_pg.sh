# Sourced: start_throwaway_pg DIR starts a PostgreSQL cluster listening only on a socket in
# DIR (as the postgres user when run as root) and sets PG_URL; stop_throwaway_pg stops it and
# removes DIR.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_postgres=()
[[ $(id -u) -eq 0 ]] && as_postgres=(runuser -u postgres --)

start_throwaway_pg() {
  PG_DIR=$1
  [[ $(id -u) -eq 0 ]] && chown postgres: "$PG_DIR"
  "${as_postgres[@]}" "$pg_bin/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C \
    --no-sync >/dev/null
  "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-k $PG_DIR -c listen_addresses='' ${PG_EXTRA_OPTIONS:-}" start >/dev/null
  "${as_postgres[@]}" "$pg_bin/createdb" -h "$PG_DIR" -U postgres isc_mirror
  PG_URL="postgresql://postgres@/isc_mirror?host=$PG_DIR"
}

stop_throwaway_pg() {
  [[ -n ${PG_DIR:-} ]] || return 0
  "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}

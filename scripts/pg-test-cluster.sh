#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks (never for data you keep).
#
#   scripts/pg-test-cluster.sh start   → prints PGURL=postgresql://… and PGDATA=<dir>
#   scripts/pg-test-cluster.sh stop DIR
#
# Uses Debian's binaries in /usr/lib/postgresql/<version>/bin (scripts/system-deps.sh installs
# them). PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres`
# user. It listens on a free loopback port only, with trust auth for local test use.
set -euo pipefail
cmd="${1:-start}"
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$bindir/initdb" ] || { echo "pg-test-cluster: no PostgreSQL binaries; run scripts/system-deps.sh" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

case "$cmd" in
  start)
    dir="$(mktemp -d /tmp/az-pg.XXXXXX)"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
    as_pg "'$bindir/initdb' -D '$dir/data' -U postgres -A trust -E UTF8 --no-locale >'$dir/initdb.log' 2>&1"
    as_pg "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB\" start >/dev/null"
    echo "PGURL=postgresql://postgres@127.0.0.1:$port/postgres"
    echo "PGDATA=$dir"
    ;;
  stop)
    dir="${2:?usage: pg-test-cluster.sh stop DIR}"
    as_pg "'$bindir/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac

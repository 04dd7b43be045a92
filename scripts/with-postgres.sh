#!/usr/bin/env bash
# Run a command against a private, throw-away PostgreSQL cluster, then stop and delete it.
# The command sees WORKSHOP_TEST_DATABASE_URL. Nothing outside a temporary folder is touched.
set -euo pipefail

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
scratch=$(mktemp -d /tmp/workshop-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_owner() {
  # initdb refuses to run as root, so root hands the cluster to the postgres user.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres: "$scratch"

stop() {
  as_owner "$pgbin/pg_ctl" -D "$scratch/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap stop EXIT

as_owner "$pgbin/initdb" -D "$scratch/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
as_owner "$pgbin/pg_ctl" -D "$scratch/data" -l "$scratch/server.log" -w start \
  -o "-p $port -k $scratch -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" >/dev/null
"$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c 'CREATE DATABASE workshop_test' >/dev/null

export WORKSHOP_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/workshop_test"
"$@"

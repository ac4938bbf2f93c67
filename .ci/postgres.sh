# Starts a throw-away PostgreSQL server on loopback for the tests that run against PostgreSQL.
# Sourced by ./dcr test; sets DCR_POSTGRES_URL. PostgreSQL comes from Debian's packages.

postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

postgres_install() {
  if [ -z "$(postgres_bin)" ] || [ ! -x "$(postgres_bin)/postgres" ]; then
    say "Installing PostgreSQL from Debian's packages"
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and installing it needs root: run 'apt-get install postgresql' once"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
}

postgres_start() {
  postgres_install
  local bin port
  bin=$(postgres_bin)
  PG_DIR=$(mktemp -d /tmp/dcr-pg.XXXXXX)
  # PostgreSQL refuses to run as root: the cluster belongs to the 'postgres' user the package created.
  local run_as=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PG_DIR"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U dcr --auth=trust -E UTF8 >/dev/null
  # Picked just before the start (initdb takes seconds), and below the kernel's ephemeral range, where no
  # outgoing connection can take it in the meantime.
  port=$(python3 -c 'import random, socket
for p in random.SystemRandom().sample(range(10000, 32768), 50):
    try:
        socket.socket().bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass')
  "${run_as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=on" start >/dev/null
  export DCR_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$port/postgres?user=dcr"
  PG_RUN_AS=("${run_as[@]}")
  PG_BIN=$bin
  say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

postgres_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

#!/usr/bin/env bash
# The PostgreSQL the local runtime uses: an external one, a private cluster from the machine's PostgreSQL binaries,
# or the project's embedded PostgreSQL (zonky binaries from Maven Central) on a machine that has only a JDK.
#
# usage: infra/postgres.sh start|stop|status
#
#   start   start (creating once) the database server and the database `foundry`; write .foundry/run/db.env
#   stop    stop only what start started
#   status  print running/stopped and the JDBC URL
#
# Environment:
#   FOUNDRY_DB_URL    an external database (jdbc:postgresql://host:port/db): start/stop do nothing
#   FOUNDRY_PG_PORT   port of the local server (default 15432; 127.0.0.1 only)
#   FOUNDRY_PG_MODE   auto (default) | system | embedded: which local server to use (auto: system binaries if present)
#
# Which local server:
#   system    the newest /usr/lib/postgresql/<v>/bin (Debian/Ubuntu packages): a cluster in .foundry/postgres/data,
#             trust auth, unix socket in .foundry/postgres/socket; as root it runs as the `postgres` user (runuser).
#   embedded  org.lorafoundry.testkit.LocalPostgresMain (libs/testkit), data in .foundry/postgres/embedded.
set -euo pipefail

FOUNDRY_ROOT="${FOUNDRY_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
# shellcheck source=infra/lib.sh
. "$FOUNDRY_ROOT/infra/lib.sh"

PG_PORT="${FOUNDRY_PG_PORT:-15432}"
PG_MODE="${FOUNDRY_PG_MODE:-auto}"
PG_HOME="$FOUNDRY_STATE/postgres"
PG_DATA="$PG_HOME/data"
PG_SOCKET="$PG_HOME/socket"
PG_EMBEDDED_DATA="$PG_HOME/embedded"
DB_NAME=foundry
DB_ENV="$FOUNDRY_RUN/db.env"
START_TIMEOUT=60
# run/postgres.pid marks a system cluster that this script started; run/postgres-embedded.pid the embedded runner.
NAME=postgres
EMBEDDED_NAME=postgres-embedded
EMBEDDED_MARKER=org.lorafoundry.testkit.LocalPostgresMain
TESTKIT_TARGET="$FOUNDRY_ROOT/libs/testkit/target"
TESTKIT_JAR="$TESTKIT_TARGET/foundry-testkit-0.1.0-SNAPSHOT.jar"

usage() { say "usage: $0 start|stop|status"; }

jdbc_url() { printf 'jdbc:postgresql://127.0.0.1:%s/%s\n' "$PG_PORT" "$DB_NAME"; }

# The newest PostgreSQL bin directory of the machine's packages, or nothing.
system_bin_dir() {
  local initdb
  # shellcheck disable=SC2012 # the paths are the package layout's own, without odd characters.
  initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$initdb" ]; then dirname "$initdb"; fi
}

resolve_mode() {
  case "$PG_MODE" in
    system)
      [ -n "$(system_bin_dir)" ] || die "FOUNDRY_PG_MODE=system but no /usr/lib/postgresql/*/bin/initdb exists"
      echo system ;;
    embedded) echo embedded ;;
    auto) if [ -n "$(system_bin_dir)" ]; then echo system; else echo embedded; fi ;;
    *) die "FOUNDRY_PG_MODE must be auto, system or embedded (got '$PG_MODE')" ;;
  esac
}

write_db_env() {
  ensure_state_dirs
  {
    echo "# Written by infra/postgres.sh start; sourced by ./foundry."
    echo "FOUNDRY_DB_URL=$(jdbc_url)"
    echo "FOUNDRY_DB_USER=postgres"
    echo "FOUNDRY_DB_PASSWORD="
  } >"$DB_ENV"
}

# ---------------------------------------------------------------- system binaries (Debian layout)

# as_pg CMD...: run a PostgreSQL server binary as a non-root user (initdb and postgres refuse to run as root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

system_running() {
  local bin
  bin="$(system_bin_dir)"
  [ -n "$bin" ] && [ -f "$PG_DATA/PG_VERSION" ] && as_pg "$bin/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

system_start() {
  local bin logf
  bin="$(system_bin_dir)"
  ensure_state_dirs
  if system_running; then
    say "postgres: already running at 127.0.0.1:$PG_PORT (data: $PG_DATA)"
  else
    if port_open 127.0.0.1 "$PG_PORT"; then
      die "port $PG_PORT is in use by another process; set FOUNDRY_PG_PORT, or point FOUNDRY_DB_URL at that server"
    fi
    if [ "$(id -u)" -eq 0 ]; then
      id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user to own the cluster (or run as a normal user)"
    fi
    mkdir -p "$PG_HOME" "$PG_SOCKET"
    logf="$(log_file "$NAME")"
    rotate_log "$NAME"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres "$PG_HOME" "$PG_SOCKET" "$logf"
      # initdb needs to create data/ itself (or find it empty and owned by postgres).
      if [ -d "$PG_DATA" ]; then chown -R postgres "$PG_DATA"; fi
    fi
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
      say "Creating a PostgreSQL cluster in $PG_DATA ($("$bin/postgres" --version)) ..."
      as_pg "$bin/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C >>"$logf" 2>&1 ||
        { tail_log "$NAME" 30; die "initdb failed"; }
    fi
    say "Starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $logf) ..."
    # Port, address and socket on the command line so that changing FOUNDRY_PG_PORT needs no edit of the cluster.
    as_pg "$bin/pg_ctl" start -D "$PG_DATA" -l "$logf" -w -t "$START_TIMEOUT" \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_SOCKET" >/dev/null ||
      { tail_log "$NAME" 30; die "PostgreSQL did not start"; }
    head -n 1 "$PG_DATA/postmaster.pid" >"$(pid_file "$NAME")"
  fi
  create_database "$bin/psql"
  write_db_env
  say "postgres: running at $(jdbc_url)"
}

system_stop() {
  local bin
  bin="$(system_bin_dir)"
  say "Stopping PostgreSQL (data: $PG_DATA) ..."
  as_pg "$bin/pg_ctl" stop -D "$PG_DATA" -m fast -w >/dev/null
  rm -f "$(pid_file "$NAME")"
  say "postgres: stopped"
}

# create_database PSQL: create database foundry when it is missing (trust auth over TCP, as user postgres).
create_database() {
  local psql="$1" exists
  exists="$("$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc \
    "select 1 from pg_database where datname = '$DB_NAME'")" || die "cannot connect to PostgreSQL on 127.0.0.1:$PG_PORT"
  if [ "$exists" != "1" ]; then
    "$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "create database $DB_NAME" ||
      die "could not create database $DB_NAME"
    say "Created database $DB_NAME"
  fi
}

# ---------------------------------------------------------------- embedded (JDK only)

embedded_classpath() {
  if [ ! -f "$TESTKIT_TARGET/classpath.txt" ] || [ ! -f "$TESTKIT_JAR" ]; then
    say "Building libs/testkit for the embedded PostgreSQL runner (once) ..." >&2
    (cd "$FOUNDRY_ROOT" && ./mvnw -q -pl libs/testkit -am install -DskipTests) >&2 ||
      die "building libs/testkit failed"
  fi
  [ -f "$TESTKIT_TARGET/classpath.txt" ] || die "$TESTKIT_TARGET/classpath.txt is missing after the build"
  printf '%s:%s\n' "$(cat "$TESTKIT_TARGET/classpath.txt")" "$TESTKIT_JAR"
}

embedded_start() {
  local cp deadline
  ensure_state_dirs
  if pid_alive "$EMBEDDED_NAME" "$EMBEDDED_MARKER"; then
    say "postgres: embedded already running (pid $(read_pid "$EMBEDDED_NAME")) at 127.0.0.1:$PG_PORT"
    write_db_env
    return 0
  fi
  if port_open 127.0.0.1 "$PG_PORT"; then
    die "port $PG_PORT is in use by another process; set FOUNDRY_PG_PORT, or point FOUNDRY_DB_URL at that server"
  fi
  command -v java >/dev/null 2>&1 || die "java is not on the PATH (JDK 17+ needed)"
  cp="$(embedded_classpath)"
  mkdir -p "$PG_EMBEDDED_DATA"
  rotate_log "$EMBEDDED_NAME"
  say "Starting embedded PostgreSQL on 127.0.0.1:$PG_PORT (log: $(log_file "$EMBEDDED_NAME")) ..."
  spawn "$EMBEDDED_NAME" java -Xmx128m -cp "$cp" "$EMBEDDED_MARKER" --port "$PG_PORT" --data-dir "$PG_EMBEDDED_DATA"
  deadline=$((SECONDS + START_TIMEOUT))
  # The runner prints READY when it accepts connections; wait for that and for the port.
  until grep -q '^READY' "$(log_file "$EMBEDDED_NAME")" && port_open 127.0.0.1 "$PG_PORT"; do
    if ! pid_alive "$EMBEDDED_NAME" "$EMBEDDED_MARKER"; then
      tail_log "$EMBEDDED_NAME" 40
      die "embedded PostgreSQL exited during startup"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail_log "$EMBEDDED_NAME" 40
      die "embedded PostgreSQL did not become ready on 127.0.0.1:$PG_PORT within ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  write_db_env
  say "postgres: embedded running (pid $(read_pid "$EMBEDDED_NAME")) at $(jdbc_url)"
}

embedded_stop() {
  say "Stopping embedded PostgreSQL (pid $(read_pid "$EMBEDDED_NAME")) ..."
  stop_pid "$EMBEDDED_NAME" "$EMBEDDED_MARKER" 30
  say "postgres: embedded stopped"
}

# ---------------------------------------------------------------- external

# external_host_port: "host port" parsed from FOUNDRY_DB_URL (jdbc:postgresql://host[:port]/db?...).
external_host_port() {
  local rest host port
  rest="${FOUNDRY_DB_URL#jdbc:}"
  rest="${rest#postgresql://}"
  rest="${rest%%/*}"
  rest="${rest%%,*}"
  host="${rest%%:*}"
  port=5432
  case "$rest" in *:*) port="${rest##*:}" ;; esac
  printf '%s %s\n' "$host" "$port"
}

external_status() {
  local host port
  say "postgres: external at $FOUNDRY_DB_URL"
  if command -v pg_isready >/dev/null 2>&1; then
    read -r host port <<EOF
$(external_host_port)
EOF
    if pg_isready -q -h "$host" -p "$port" -t 3; then
      say "postgres: $host:$port accepts connections"
    else
      say "postgres: $host:$port does not accept connections"
      return 3
    fi
  fi
}

# ---------------------------------------------------------------- commands

cmd_start() {
  if [ -n "${FOUNDRY_DB_URL:-}" ]; then
    say "postgres: external database $FOUNDRY_DB_URL (FOUNDRY_DB_URL is set); not starting one"
    return 0
  fi
  case "$(resolve_mode)" in
    system) system_start ;;
    embedded) embedded_start ;;
  esac
}

cmd_stop() {
  if [ -n "${FOUNDRY_DB_URL:-}" ]; then
    say "postgres: external database $FOUNDRY_DB_URL (FOUNDRY_DB_URL is set); nothing to stop"
    return 0
  fi
  # Stop whichever of the two this script started, whatever FOUNDRY_PG_MODE says now. A cluster running in
  # .foundry/postgres/data is always ours (even if run/ was wiped), so it is stopped without a pid file.
  local stopped=false
  if pid_alive "$EMBEDDED_NAME" "$EMBEDDED_MARKER"; then embedded_stop; stopped=true; fi
  rm -f "$(pid_file "$EMBEDDED_NAME")"
  if system_running; then system_stop; stopped=true; fi
  rm -f "$(pid_file "$NAME")" "$DB_ENV"
  if [ "$stopped" = false ]; then say "postgres: not running (nothing started by this script)"; fi
}

cmd_status() {
  if [ -n "${FOUNDRY_DB_URL:-}" ]; then
    external_status
    return
  fi
  if pid_alive "$EMBEDDED_NAME" "$EMBEDDED_MARKER"; then
    say "postgres: running embedded (pid $(read_pid "$EMBEDDED_NAME")) at $(jdbc_url)"
  elif system_running; then
    say "postgres: running (pid $(head -n 1 "$PG_DATA/postmaster.pid")) at $(jdbc_url)"
  else
    say "postgres: stopped (would listen on 127.0.0.1:$PG_PORT)"
    return 3
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac

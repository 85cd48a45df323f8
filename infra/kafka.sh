#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft, broker + controller in one JVM) from Maven Central jars; no Docker needed.
#
# usage: infra/kafka.sh start|stop|status
#
#   start   fetch the jars once, format storage once, start the broker in the background, wait until it serves
#   stop    stop the broker that start started (SIGTERM, then SIGKILL after a grace period)
#   status  print running/stopped and the bootstrap address
#
# Environment:
#   KAFKA_BOOTSTRAP_SERVERS        an external broker: start/stop do nothing
#   FOUNDRY_KAFKA_PORT             client port (default 9092)
#   FOUNDRY_KAFKA_CONTROLLER_PORT  KRaft controller port (default 9093)
#   FOUNDRY_KAFKA_HEAP             broker heap (default 512m)
#
# State: .foundry/kafka/ (cluster.id, server.properties, data/), jars in .foundry/kafka-lib/, log in .foundry/logs/kafka.log.
set -euo pipefail

FOUNDRY_ROOT="${FOUNDRY_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
# shellcheck source=infra/lib.sh
. "$FOUNDRY_ROOT/infra/lib.sh"

NAME=kafka
MARKER=kafka.Kafka
KAFKA_PORT="${FOUNDRY_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${FOUNDRY_KAFKA_CONTROLLER_PORT:-9093}"
HEAP="${FOUNDRY_KAFKA_HEAP:-512m}"
KAFKA_HOME="$FOUNDRY_STATE/kafka"
DATA_DIR="$KAFKA_HOME/data"
PROPS="$KAFKA_HOME/server.properties"
LOG4J_CONFIG="$FOUNDRY_ROOT/infra/kafka/log4j2.properties"
START_TIMEOUT=60

usage() { say "usage: $0 start|stop|status"; }

kafka_java() {
  java -cp "$FOUNDRY_KAFKA_LIB/*" -Dlog4j2.configurationFile="$LOG4J_CONFIG" "$@"
}

render_properties() {
  mkdir -p "$KAFKA_HOME"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
      -e "s|@DATA_DIR@|$DATA_DIR|g" \
      "$FOUNDRY_ROOT/infra/kafka/server.properties.template" >"$PROPS"
}

format_storage_once() {
  if [ -f "$DATA_DIR/meta.properties" ]; then return 0; fi
  local id
  if [ -s "$KAFKA_HOME/cluster.id" ]; then
    id="$(cat "$KAFKA_HOME/cluster.id")"
  else
    id="$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    [ -n "$id" ] || die "kafka.tools.StorageTool random-uuid printed no cluster id"
    printf '%s\n' "$id" >"$KAFKA_HOME/cluster.id"
  fi
  say "Formatting Kafka storage in $DATA_DIR (cluster id $id) ..."
  kafka_java kafka.tools.StorageTool format -t "$id" -c "$PROPS" >>"$(log_file "$NAME")" 2>&1 ||
    { tail_log "$NAME" 20; die "formatting Kafka storage failed"; }
}

# Ready = the client port accepts connections and the broker logged the end of its startup (the kernel accepts
# connections on a bound port before Kafka's acceptor threads run, so the port alone is not enough).
wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! pid_alive "$NAME" "$MARKER"; then
      tail_log "$NAME" 40
      die "Kafka exited during startup (log: $(log_file "$NAME"))"
    fi
    if port_open 127.0.0.1 "$KAFKA_PORT" && grep -q 'Kafka Server started' "$(log_file "$NAME")"; then
      return 0
    fi
    sleep 0.5
  done
  tail_log "$NAME" 40
  die "Kafka did not become ready on 127.0.0.1:$KAFKA_PORT within ${START_TIMEOUT}s (log: $(log_file "$NAME"))"
}

cmd_start() {
  if [ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
    say "kafka: external broker $KAFKA_BOOTSTRAP_SERVERS (KAFKA_BOOTSTRAP_SERVERS is set); not starting one"
    return 0
  fi
  ensure_state_dirs
  if pid_alive "$NAME" "$MARKER"; then
    say "kafka: already running (pid $(read_pid "$NAME")) at 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  if port_open 127.0.0.1 "$KAFKA_PORT"; then
    die "port $KAFKA_PORT is in use by another process; stop it, or set FOUNDRY_KAFKA_PORT, or use it via KAFKA_BOOTSTRAP_SERVERS"
  fi
  command -v java >/dev/null 2>&1 || die "java is not on the PATH (JDK 17+ needed)"
  ensure_kafka_lib
  rotate_log "$NAME"
  render_properties
  format_storage_once
  say "Starting Kafka on 127.0.0.1:$KAFKA_PORT (log: $(log_file "$NAME")) ..."
  spawn "$NAME" java "-Xmx$HEAP" -cp "$FOUNDRY_KAFKA_LIB/*" -Dlog4j2.configurationFile="$LOG4J_CONFIG" \
    kafka.Kafka "$PROPS"
  wait_ready
  say "kafka: running (pid $(read_pid "$NAME")) at 127.0.0.1:$KAFKA_PORT"
}

cmd_stop() {
  if [ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
    say "kafka: external broker $KAFKA_BOOTSTRAP_SERVERS (KAFKA_BOOTSTRAP_SERVERS is set); nothing to stop"
    return 0
  fi
  if pid_alive "$NAME" "$MARKER"; then
    say "Stopping Kafka (pid $(read_pid "$NAME")) ..."
    stop_pid "$NAME" "$MARKER" 30
    say "kafka: stopped"
  else
    rm -f "$(pid_file "$NAME")"
    say "kafka: not running (nothing started by this script)"
  fi
}

cmd_status() {
  if [ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
    say "kafka: external at $KAFKA_BOOTSTRAP_SERVERS"
    return 0
  fi
  if pid_alive "$NAME" "$MARKER"; then
    say "kafka: running (pid $(read_pid "$NAME")) at 127.0.0.1:$KAFKA_PORT"
  else
    say "kafka: stopped (would listen on 127.0.0.1:$KAFKA_PORT)"
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

# shellcheck shell=bash
# Shared helpers for infra/*.sh and ./foundry. Source it; do not run it.
#
# Callers set FOUNDRY_ROOT (the repository root) before sourcing. Everything the local runtime writes lives under
# $FOUNDRY_STATE (default $FOUNDRY_ROOT/.foundry): logs/<name>.log, run/<name>.pid, kafka/, kafka-lib/, postgres/, blobs/.

: "${FOUNDRY_ROOT:?FOUNDRY_ROOT must be set before sourcing infra/lib.sh}"
FOUNDRY_STATE="${FOUNDRY_STATE:-$FOUNDRY_ROOT/.foundry}"
FOUNDRY_LOGS="$FOUNDRY_STATE/logs"
FOUNDRY_RUN="$FOUNDRY_STATE/run"
FOUNDRY_KAFKA_LIB="$FOUNDRY_STATE/kafka-lib"

say() { printf '%s\n' "$*"; }
warn() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

ensure_state_dirs() {
  mkdir -p "$FOUNDRY_LOGS" "$FOUNDRY_RUN"
}

pid_file() { printf '%s/%s.pid\n' "$FOUNDRY_RUN" "$1"; }
log_file() { printf '%s/%s.log\n' "$FOUNDRY_LOGS" "$1"; }

# pid_alive NAME MARKER: true when run/NAME.pid names a live process whose command line contains MARKER.
# The marker guards against a recycled pid: we only ever signal a process that we recognise as ours.
pid_alive() {
  local file pid args
  file="$(pid_file "$1")"
  [ -f "$file" ] || return 1
  pid="$(head -n 1 "$file" 2>/dev/null || true)"
  case "$pid" in '' | *[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  args="$(ps -p "$pid" -o args= 2>/dev/null || true)"
  case "$args" in *"$2"*) return 0 ;; *) return 1 ;; esac
}

# read_pid NAME: the pid recorded in run/NAME.pid (empty when none).
read_pid() {
  local file
  file="$(pid_file "$1")"
  if [ -f "$file" ]; then head -n 1 "$file"; fi
}

# rotate_log NAME: keep the previous run's log as NAME.log.prev and start an empty one.
rotate_log() {
  local file
  file="$(log_file "$1")"
  if [ -s "$file" ]; then mv -f "$file" "$file.prev"; fi
  : >"$file"
}

# spawn NAME CMD...: run CMD in the background, detached from this terminal (its own session), with stdout and stderr
# appended to logs/NAME.log. The process writes its own pid to run/NAME.pid before exec, so the pid is exact.
spawn() {
  local name="$1" pidf logf
  shift
  pidf="$(pid_file "$name")"
  logf="$(log_file "$name")"
  rm -f "$pidf"
  # shellcheck disable=SC2016 # $$ and $0 are meant for the inner sh.
  if command -v setsid >/dev/null 2>&1; then
    setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$logf" 2>&1 &
  else
    # shellcheck disable=SC2016
    nohup sh -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$logf" 2>&1 &
  fi
  local i=0
  while [ ! -s "$pidf" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  [ -s "$pidf" ] || die "$name did not start (no pid file); see $logf"
}

# stop_pid NAME MARKER [GRACE_SECONDS]: SIGTERM the recorded process, wait, then SIGKILL; remove the pid file.
# Does nothing (but clean a stale pid file) when the recorded process is not running or is not ours.
stop_pid() {
  local name="$1" marker="$2" grace="${3:-30}" pid i
  if ! pid_alive "$name" "$marker"; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  pid="$(read_pid "$name")"
  kill -TERM "$pid" 2>/dev/null || true
  i=0
  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt $((grace * 10)) ]; do sleep 0.1; i=$((i + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name (pid $pid) did not stop within ${grace}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$(pid_file "$name")"
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# http_status URL: the HTTP status code (000 when nothing answers).
http_status() {
  curl -s -o /dev/null -m 3 -w '%{http_code}' "$1" 2>/dev/null || true
}

# tail_log NAME [LINES]: print the end of logs/NAME.log to stderr, framed, for failure reports.
tail_log() {
  local file lines="${2:-40}"
  file="$(log_file "$1")"
  warn "----- last $lines lines of $file -----"
  if [ -f "$file" ]; then tail -n "$lines" "$file" >&2; fi
  warn "-----"
}

# ensure_kafka_lib: copy the broker's jars from Maven Central into .foundry/kafka-lib once (infra/kafka/pom.xml).
ensure_kafka_lib() {
  if ls "$FOUNDRY_KAFKA_LIB"/kafka_2.13-*.jar >/dev/null 2>&1; then return 0; fi
  say "Fetching Kafka jars into $FOUNDRY_KAFKA_LIB (once) ..."
  # outputDirectory must be absolute: Maven resolves a relative one against infra/kafka/, not the current directory.
  (cd "$FOUNDRY_ROOT" && ./mvnw -q -f infra/kafka/pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$FOUNDRY_KAFKA_LIB") || die "could not fetch the Kafka jars (see the Maven output above)"
}

#!/usr/bin/env bash
# Create the platform's Kafka topics (and each team's command topics) from infra/topics.conf. Idempotent: topics that
# exist are left as they are. The work is done by org.lorafoundry.platform.messaging.TopicProvisionerMain (libs/platform).
#
# usage: infra/topics.sh
#
# Environment:
#   KAFKA_BOOTSTRAP_SERVERS  the broker (default 127.0.0.1:${FOUNDRY_KAFKA_PORT:-9092})
#   FOUNDRY_TEAMS            comma-separated teams whose command topics to create (default: demo)
#
# Needs: .foundry/kafka-lib (fetched here if missing) and libs/platform/target/foundry-platform-0.1.0-SNAPSHOT.jar
# (./mvnw -q -pl libs/platform -am install -DskipTests).
set -euo pipefail

FOUNDRY_ROOT="${FOUNDRY_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
# shellcheck source=infra/lib.sh
. "$FOUNDRY_ROOT/infra/lib.sh"

case "${1:-}" in
  "") ;;
  -h | --help | help) say "usage: $0   (env: KAFKA_BOOTSTRAP_SERVERS, FOUNDRY_TEAMS)"; exit 0 ;;
  *) say "usage: $0   (env: KAFKA_BOOTSTRAP_SERVERS, FOUNDRY_TEAMS)" >&2; exit 2 ;;
esac

BOOTSTRAP="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${FOUNDRY_KAFKA_PORT:-9092}}"
TEAMS="${FOUNDRY_TEAMS:-demo}"
DEFINITIONS="$FOUNDRY_ROOT/infra/topics.conf"
PLATFORM_TARGET="$FOUNDRY_ROOT/libs/platform/target"
PLATFORM_JAR="$PLATFORM_TARGET/foundry-platform-0.1.0-SNAPSHOT.jar"

[ -f "$DEFINITIONS" ] || die "$DEFINITIONS is missing"
[ -f "$PLATFORM_JAR" ] || die "$PLATFORM_JAR is missing; build it: ./mvnw -q -pl libs/platform -am install -DskipTests"
command -v java >/dev/null 2>&1 || die "java is not on the PATH (JDK 17+ needed)"
ensure_kafka_lib

CLASSPATH_ARG="$FOUNDRY_KAFKA_LIB/*:$PLATFORM_JAR"
# If the platform build wrote its runtime classpath (as libs/testkit does), add it for the provisioner's own dependencies.
if [ -f "$PLATFORM_TARGET/classpath.txt" ]; then
  CLASSPATH_ARG="$CLASSPATH_ARG:$(cat "$PLATFORM_TARGET/classpath.txt")"
fi

say "Provisioning topics on $BOOTSTRAP (definitions: infra/topics.conf, teams: $TEAMS) ..."
exec java -cp "$CLASSPATH_ARG" org.lorafoundry.platform.messaging.TopicProvisionerMain \
  --bootstrap-servers "$BOOTSTRAP" --definitions "$DEFINITIONS" --teams "$TEAMS"

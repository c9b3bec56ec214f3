#!/usr/bin/env bash
# Gathers the Kafka broker's classpath from Maven Central into $TOOLS/kafka/libs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POM="$ROOT/stack/kafka/pom.xml"
LIBS="$TOOLS/kafka/libs"
STAMP="$TOOLS/kafka/.pom-$(sha256sum "$POM" | cut -c1-16)"
[ -f "$STAMP" ] && exit 0
# The tools folder is shared by every checkout: two provisioning at once fetch once.
mkdir -p "$TOOLS/kafka"
exec 9>"$TOOLS/kafka/.lock"
flock 9
[ -f "$STAMP" ] && exit 0

command -v java >/dev/null || { echo "kafka: java not found; install a JDK 17 (apt-get install openjdk-17-jre-headless)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "kafka: mvn not found; install Maven (apt-get install maven)" >&2; exit 1; }

fetch() {
  # Gathered beside the old classpath and swapped in, so a broker being started elsewhere never
  # sees a half-filled folder.
  rm -rf "$LIBS.new" && mkdir -p "$LIBS.new" || return 1
  mvn -B -q -f "$POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS.new" || return 1
  rm -rf "$LIBS" && mv "$LIBS.new" "$LIBS"
}
run_step kafka "fetch the Kafka 4.1.1 broker from Maven Central" \
  "check that Maven Central is reachable (mvn -v; ~/.m2/settings.xml) and retry" -- fetch
rm -f "$TOOLS"/kafka/.pom-* && touch "$STAMP"

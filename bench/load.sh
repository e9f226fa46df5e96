#!/usr/bin/env bash
# A longer mixed load (LoadTest, a drydock-server test that CI runs for 8 s with 200 clients): pulls, pushes, REST reads
# and live-event streams on loopback against one Drydock; prints requests/s, p50/p99 per kind and the JVM's threads,
# descriptors and heap before and after. Fails on any 5xx, broken connection or resources not back to baseline.
#   bench/load.sh               200 clients, 60 s
#   bench/load.sh 400 120       400 clients, 120 s
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/find-java.sh"
cd "$here"
./mvnw -B -o -q verify -pl drydock-server -Dtest=LoadTest -Ddrydock.load.clients="${1:-200}" \
  -Ddrydock.load.seconds="${2:-60}" -Dsurefire.failIfNoSpecifiedTests=false
grep '^LoadTest:' drydock-server/target/surefire-reports/dev.drydock.server.LoadTest-output.txt

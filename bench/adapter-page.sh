#!/usr/bin/env bash
# Server time of an adapter's page and its builds list with 1,000 builds (AdapterPageBenchmark, a drydock-server test
# kept out of the normal test run): median and p95 against the 200 ms target, paginated next to unpaginated.
#   bench/adapter-page.sh          50 timed rounds
#   bench/adapter-page.sh 200      200 timed rounds
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/find-java.sh"
cd "$here"
./mvnw -B -o -q verify -pl drydock-server -am -Dtest=AdapterPageBenchmark -Dadapter.bench="${1:-50}" \
  -Dsurefire.failIfNoSpecifiedTests=false
sed -n '/^Adapter page with/,/^$/p' drydock-server/target/surefire-reports/dev.drydock.server.AdapterPageBenchmark-output.txt

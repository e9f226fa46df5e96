#!/usr/bin/env bash
# Registry benchmark: builds Drydock and the bench, then runs Drydock and CNCF distribution side by side.
#   bench/run.sh                                   full run (1 GiB blob, 3 reps, 10 s load runs)
#   bench/run.sh --blob-mib 256 --duration 3 --reps 2   quick run
#   bench/run.sh --storage s3 --blob-mib 256 --duration 3 --reps 2   both registries on buckets of one s3proxy
#   bench/run.sh --help                            all options
# Set SKIP_BUILD=1 to reuse the jar and classes already built.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

. "$here/bench/find-java.sh"

if ! command -v docker-registry >/dev/null 2>&1; then
  echo "bench: needs CNCF distribution as the baseline: apt-get install docker-registry" >&2
  exit 1
fi

cd "$here"
. bench/classpath.sh
exec "$JAVA_HOME/bin/java" -Xmx1g --add-opens java.base/java.net=ALL-UNNAMED -cp "$bench_classpath" dev.drydock.bench.RegistryBench \
  --jar "$here/drydock-server/target/drydock.jar" "$@"

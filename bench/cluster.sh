#!/usr/bin/env bash
# Cluster benchmark: 50 concurrent pushes of distinct small adapter images through two API nodes and one worker on one
# PostgreSQL (embedded binaries) and one S3 bucket (s3proxy in the bench's JVM); the same with one API node SIGKILLed
# mid-run; the same on one --role all node. Every build is tested by a real container run (Podman) unless --engine none.
#   bench/cluster.sh                                  50 pushes, engine podman, scenarios cluster,kill,single
#   bench/cluster.sh --pushes 10 --engine none --scenarios cluster   quick run
#   bench/cluster.sh --help                           all options
# Set SKIP_BUILD=1 to reuse the jar and classes already built.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

. "$here/bench/find-java.sh"

cd "$here"
classpath_file="bench/target/cluster.classpath"
if [ -z "${SKIP_BUILD:-}" ] || [ ! -f "$classpath_file" ] || [ ! -f drydock-server/target/drydock.jar ]; then
  echo "bench: building (mvnw package)..." >&2
  # package, never install; the classpath file is written per module, relative to it: bench's is the one used
  ./mvnw -B -q package -DskipTests -pl bench,drydock-server -am dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile=target/cluster.classpath
fi
exec "$JAVA_HOME/bin/java" -Xmx1g --add-opens java.base/java.net=ALL-UNNAMED \
  -cp "bench/target/classes:$(cat "$classpath_file")" dev.drydock.bench.ClusterBench "$@"

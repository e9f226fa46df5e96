#!/usr/bin/env bash
# Cluster benchmark: 50 concurrent pushes of distinct small adapter images through two API nodes and one worker on one
# PostgreSQL (embedded binaries) and one S3 bucket (s3proxy in a process of its own); the same with one API node SIGKILLed
# mid-run; the same on one --role all node. Every build is tested by a real container run (Podman) unless --engine none.
#   bench/cluster.sh                                  50 pushes, engine podman, scenarios cluster,kill,single
#   bench/cluster.sh --pushes 10 --engine none --scenarios cluster   quick run
#   bench/cluster.sh --help                           all options
# Set SKIP_BUILD=1 to reuse the jar and classes already built.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

. "$here/bench/find-java.sh"

cd "$here"
. bench/classpath.sh
exec "$JAVA_HOME/bin/java" -Xmx1g --add-opens java.base/java.net=ALL-UNNAMED \
  -cp "$bench_classpath" dev.drydock.bench.ClusterBench "$@"

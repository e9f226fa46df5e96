#!/usr/bin/env bash
# Continuous vulnerability monitoring benchmark: re-matching 1,000 released builds' stored SBOMs after an advisory
# import (VulnerabilityMonitor.rematch on an H2 file database), side by side with re-scanning their images.
#   bench/rematch.sh                                  1,000 builds, 20,000 generated advisories, 3 reps
#   bench/rematch.sh --builds 5000 --advisories 100000
#   bench/rematch.sh --image-mib 256 --image-layers 8 the image re-scanning is timed on (generated once under /tmp)
# Set SKIP_BUILD=1 to reuse the classes already built.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

. "$here/bench/find-java.sh"

cd "$here"
classpath_file="$here/bench/target/rematch.classpath"
if [ -z "${SKIP_BUILD:-}" ] || [ ! -f "$classpath_file" ]; then
  echo "bench: building (mvnw package)..." >&2
  # package, never install: the classpath points into each module's target/.
  ./mvnw -B -q package -DskipTests -pl bench -am dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$classpath_file"
fi
# -Xmx256m: the re-match reads SBOMs in batches and must not need the whole set in memory
exec "$JAVA_HOME/bin/java" -Xmx256m -cp "bench/target/classes:$(cat "$classpath_file")" dev.drydock.bench.RematchBench "$@"

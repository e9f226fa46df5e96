#!/usr/bin/env bash
# Image reading benchmark: one LayerPass over a generated 1 GiB, 20-layer gzip image vs gzip -dc of its layers.
#   bench/image-pass.sh                          full run (generates the image once under /tmp, reuses it)
#   bench/image-pass.sh --mib 256 --reps 3       quick run
#   bench/image-pass.sh --work DIR               keep the generated image elsewhere
#   bench/image-pass.sh --scan                   an image with jars and an apk database; pass with Scanner.INTEREST + scan
# Set SKIP_BUILD=1 to reuse the classes already built.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

. "$here/bench/find-java.sh"
command -v gzip >/dev/null || { echo "bench: needs gzip as the baseline" >&2; exit 1; }

cd "$here"
classpath_file="$here/bench/target/image-pass.classpath"
if [ -z "${SKIP_BUILD:-}" ] || [ ! -f "$classpath_file" ]; then
  echo "bench: building (mvnw package)..." >&2
  # package, never install: the classpath points into each module's target/.
  ./mvnw -B -q package -DskipTests -pl bench -am dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$classpath_file"
fi
exec "$JAVA_HOME/bin/java" -Xmx1g -cp "bench/target/classes:$(cat "$classpath_file")" dev.drydock.bench.ImagePassBench "$@"

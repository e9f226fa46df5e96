#!/usr/bin/env bash
# Image reading benchmark: one LayerPass over a generated 1 GiB, 20-layer gzip image vs gzip -dc of its layers.
#   bench/image-pass.sh                          full run (generates the image once under $TMPDIR, reuses it)
#   bench/image-pass.sh --mib 256 --reps 3       quick run
#   bench/image-pass.sh --work DIR               keep the generated image elsewhere
# Set SKIP_BUILD=1 to reuse the classes already built.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

java_ok() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; }
if [ -z "${JAVA_HOME:-}" ] || ! java_ok "$JAVA_HOME"; then
  JAVA_HOME=""
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-2*-jdk* /usr/lib/jvm/java-2*-openjdk*; do
    if java_ok "$candidate"; then JAVA_HOME="$candidate"; break; fi
  done
  if [ -z "$JAVA_HOME" ]; then
    echo "bench: needs a JDK 21 or newer; set JAVA_HOME to one" >&2
    exit 1
  fi
fi
export JAVA_HOME
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

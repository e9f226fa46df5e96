# Sourced by the bench scripts (after find-java.sh, from the repository root): builds Drydock's jar and the bench unless
# SKIP_BUILD=1 and both are there, and sets bench_classpath to the bench's classes and runtime dependencies (s3proxy,
# embedded PostgreSQL, ...), which the benchmarks also use to start s3proxy in a process of its own.
classpath_file="bench/target/cluster.classpath"
if [ -z "${SKIP_BUILD:-}" ] || [ ! -f "$classpath_file" ] || [ ! -f drydock-server/target/drydock.jar ]; then
  echo "bench: building (mvnw package)..." >&2
  # package, never install; the classpath file is written per module, relative to it: bench's is the one used
  ./mvnw -B -q package -DskipTests -pl bench,drydock-server -am dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile=target/cluster.classpath
fi
bench_classpath="bench/target/classes:$(cat "$classpath_file")"

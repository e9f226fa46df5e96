#!/usr/bin/env bash
# Builds the base image Drydock's container image is layered on when no registry with a Java base image is at hand
# (the Maven build's default; pass -Ddrydock.image.base=eclipse-temurin:25-jre or your own base to use a registry's).
# The base is a docker-archive tar, which Jib takes as tar://…: Debian's libc6 (the only library the JDK links), a
# jlink'ed runtime of the building JDK under /opt/java, a drydock user (10001) owning /var/lib/drydock, and a
# world-writable /tmp (the native libraries of SQLite and zstd unpack there).
#   deploy/container/base-image.sh OUT.tar
set -euo pipefail
out="$1"
java_home="${JAVA_HOME:?JAVA_HOME must name the JDK whose runtime goes into the image}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"

# The files of the building machine's libc6 package (installed, so no download), as distroless images take them from
# the .deb: the runtime's libraries then match what it runs against here.
dpkg-query -L libc6 | while read -r f; do [ -d "$f" ] || printf '%s\n' "${f#/}"; done \
  | tar --create --file - --directory / --no-recursion --files-from - | tar --extract --file - --directory "$root"
rm -rf "$root"/usr/share/doc "$root"/usr/share/lintian "$root"/usr/share/locale

# Every java.* module (Drydock and its libraries use JDBC, JMX, JNDI, java.net.http, XML, java.beans …) and the jdk.*
# modules libraries reach for at run time (Unsafe, OS metrics, ZIP file systems, JFR).
modules="$("$java_home/bin/java" --list-modules | sed 's/@.*//' \
  | grep -E '^(java\..*|jdk\.(unsupported|management|zipfs|crypto\.ec|naming\.dns|net|charsets|jfr))$' | paste -sd, -)"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=zip-6 \
  --output "$root/opt/java"

mkdir -p "$root/etc" "$root/tmp" "$root/var/lib/drydock"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\ndrydock:x:10001:10001:Drydock:/var/lib/drydock:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\ndrydock:x:10001:\n' > "$root/etc/group"
cp /etc/os-release "$root/etc/os-release" 2>/dev/null || true

# One layer, reproducible: sorted names, fixed times, numeric root ownership; the data directory appended as drydock's.
layer="$work/layer.tar"
tar --create --file "$layer" --directory "$root" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  --exclude=./var/lib/drydock .
tar --append --file "$layer" --directory "$root" --mtime=@0 --owner=10001 --group=10001 --numeric-owner \
  --no-recursion ./var/lib/drydock
diff_id="$(sha256sum "$layer" | cut -d' ' -f1)"

image="$work/image"
mkdir -p "$image/$diff_id"
mv "$layer" "$image/$diff_id/layer.tar"
cat > "$image/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/container/base-image.sh"}]}
JSON
config_id="$(sha256sum "$image/config.json" | cut -d' ' -f1)"
mv "$image/config.json" "$image/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["drydock-base:local"],"Layers":["%s/layer.tar"]}]\n' "$config_id" "$diff_id" \
  > "$image/manifest.json"
mkdir -p "$(dirname "$out")"
# members named without a leading ./ (Jib refuses entries that do not name a file inside the archive)
tar --create --file "$out.tmp" --directory "$image" --mtime=@0 --owner=0 --group=0 --numeric-owner \
  manifest.json "$config_id.json" "$diff_id/layer.tar"
mv "$out.tmp" "$out"
echo "base image: $out ($(du -h "$out" | cut -f1), runtime $("$root/opt/java/bin/java" -version 2>&1 | head -1))"

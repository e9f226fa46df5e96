#!/usr/bin/env bash
# Builds the base image Drydock's container image is layered on (the Maven build's default, needing no registry; a
# registry's Java base serves API nodes too: -Ddrydock.image.base=eclipse-temurin:25-jre -Ddrydock.image.skip-base=true,
# but worker nodes need the iptables and iproute2 this base carries). The base is a docker-archive tar, which Jib takes
# as tar://…: files of Debian packages (below), a jlink'ed runtime of the building JDK under /opt/java, a drydock user
# (10001) owning /var/lib/drydock, and a world-writable /tmp (the native libraries of SQLite and zstd unpack there).
#   deploy/container/base-image.sh OUT.tar
set -euo pipefail
out="$1"
java_home="${JAVA_HOME:?JAVA_HOME must name the JDK whose runtime goes into the image}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"

# The files of the building machine's Debian packages (installed, so no download), as distroless images take them
# from the .debs: libc6, the only library the JDK links, and for worker nodes iptables and iproute2 (the sandbox fences
# each run network and brings up its bridge with them), with everything they depend on. Packages only their maintainer
# scripts need (debconf, perl, dpkg …) are left out: nothing is installed in the image, only files are copied.
packages=(libc6 iptables iproute2)
declare -A seen=()
while [ ${#packages[@]} -gt 0 ]; do
  pkg="${packages[0]}"; packages=("${packages[@]:1}")
  [ -n "${seen[$pkg]:-}" ] && continue
  seen[$pkg]=1
  for dep in $(dpkg-query -W -f='${Pre-Depends}, ${Depends}' "$pkg" | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//; s/ //g'); do
    case "$dep" in debconf|debconf-2.0|perl-base|dpkg|adduser|init-system-helpers|lsb-base|sysvinit-utils|base-files|netbase) ;;
      *) packages+=("$dep") ;; esac
  done
done
for pkg in "${!seen[@]}"; do
  dpkg-query -L "$pkg" | while read -r f; do [ -d "$f" ] || printf '%s\n' "${f#/}"; done
done | sort -u | tar --create --file - --directory / --no-recursion --files-from - | tar --extract --file - --directory "$root"
# iptables is chosen by update-alternatives at install time (nft or legacy): the same choice as the building machine's
for tool in iptables iptables-save iptables-restore ip6tables; do
  ln -sf "$(basename "$(readlink -f "/usr/sbin/$tool")")" "$root/usr/sbin/$tool"
done
# Two executables without their packages (util-linux and dash bring a tree of libraries and tools): a worker enters a
# webhook engine's network namespace (nsenter) to point the toolkit's loopback URLs at the engine, writing one sysctl
# there with sh. Their libraries come along.
for exe in /usr/bin/nsenter /bin/dash; do
  for f in "$exe" $(ldd "$exe" | awk '$3 ~ /^\// {print $3}'); do
    mkdir -p "$root$(dirname "$f")"; cp -L "$f" "$root$f"
  done
done
ln -sf dash "$root/bin/sh"
rm -rf "$root"/usr/share/doc "$root"/usr/share/lintian "$root"/usr/share/locale

# Every java.* module (Drydock and its libraries use JDBC, JMX, JNDI, java.net.http, XML, java.beans …) and the jdk.*
# modules libraries reach for at run time (Unsafe, OS metrics, ZIP file systems, JFR), and jdk.httpserver: a worker's
# sandbox serves each run's sandbox API with it (`jdeps -summary` over the image's /app/libs lists them).
modules="$("$java_home/bin/java" --list-modules | sed 's/@.*//' \
  | grep -E '^(java\..*|jdk\.(unsupported|management|zipfs|crypto\.ec|naming\.dns|net|charsets|jfr|httpserver))$' | paste -sd, -)"
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
 "config":{"Env":["PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]},
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

#!/usr/bin/env bash
# Build the hvpci Hyper-V stand-in: Debian's QEMU 7.2 plus the files under
# vmbus/qemu/ and the hooks in vmbus/patches/, cached by the hash of every input.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: vmbus/build-qemu.sh [--print-path] [--force] [--jobs N] [--help]

Builds the hvpci stand-in QEMU (x86_64 system emulator only) from Debian's
qemu 7.2 source package, with vmbus/qemu/ copied over the source tree and
vmbus/patches/*.patch applied in name order. The result is cached as
  $HVPCI_CACHE/qemu/<hash>/bin/qemu-system-x86_64
keyed by the source package version, the overlay files, the patches, the
configure flags and this script. A second run with the same inputs is a
cache hit and builds nothing.

  --print-path  print only the binary's path on stdout (build first if needed)
  --force       rebuild even when the cache already holds this hash
  --jobs N      parallel compile jobs (default 2)
  --help        this text

Environment:
  HVPCI_CACHE   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/hvpci)

Progress and timings go to stderr. The build directory under
$HVPCI_CACHE/qemu/work/ is kept, so a changed overlay file rebuilds only
what depends on it.
EOF
}

die() { echo "build-qemu: error: $*" >&2; exit 1; }
log() { echo "build-qemu: $*" >&2; }

print_path=0
force=0
jobs=2
while [ $# -gt 0 ]; do
    case "$1" in
    --print-path) print_path=1 ;;
    --force) force=1 ;;
    --jobs)
        [ $# -ge 2 ] || die "--jobs needs a number"
        jobs="$2"
        shift
        ;;
    --jobs=*) jobs="${1#--jobs=}" ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done
case "$jobs" in
'' | *[!0-9]* | 0) die "--jobs wants a positive number, got '$jobs'" ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
overlay="$here/qemu"
patches="$here/patches"
cache="${HVPCI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvpci}/qemu"

# Debian keeps the firmware in these packages; the binary looks there.
firmware_path="/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu"
# QOM device types our overlay adds; checked in every new binary.
our_devices=(vmbus-bridge hv-vpci hv-synthvid hv-video-pci)

configure_flags=(
    --target-list=x86_64-softmmu
    --without-default-features
    --disable-install-blobs
    --disable-docs
    --disable-werror
    --with-git-submodules=ignore
    --enable-trace-backends=log
    --enable-seccomp
    --prefix=/usr
    "--firmwarepath=$firmware_path"
)
build_deps=(dpkg-dev meson ninja-build gcc pkg-config python3 flex bison
            libglib2.0-dev libpixman-1-dev libfdt-dev libseccomp-dev
            seabios ipxe-qemu qemu-system-data rsync)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

need_root_or_print() {
    # $1: what for; rest: the command line a root user would run
    local why="$1"
    shift
    if [ "$(id -u)" -ne 0 ]; then
        die "$why; run as root: $*"
    fi
    log "$why: $*"
    "$@" >&2
}

have_qemu_source() {
    # not "| grep -q": with pipefail, apt-cache's SIGPIPE would fail it
    apt-cache showsrc qemu 2>/dev/null | grep -c '^Version:' >/dev/null
}

ensure_deb_src() {
    if have_qemu_source; then
        return
    fi
    local list=/etc/apt/sources.list.d/hvpci-src.sources
    if [ ! -e "$list" ]; then
        [ "$(id -u)" -eq 0 ] ||
            die "no deb-src entry for qemu; as root create $list (deb-src for bookworm) and run apt-get update"
        log "adding deb-src entry $list"
        cat >"$list" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    fi
    need_root_or_print "refreshing apt lists for deb-src" apt-get update -q
    have_qemu_source ||
        die "apt still knows no source package 'qemu' after apt-get update"
}

ensure_build_deps() {
    local missing=() p
    for p in "${build_deps[@]}"; do
        case "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" in
        *' ok installed') ;;
        *) missing+=("$p") ;;
        esac
    done
    [ ${#missing[@]} -eq 0 ] && return
    need_root_or_print "installing build dependencies" \
        env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends "${missing[@]}"
}

source_version() {
    apt-cache showsrc qemu | awk '/^Version:/ { print $2 }' | sort -V | tail -n 1
}

# Hash every input; the file list is sorted so the order is stable.
input_hash() {
    local version="$1"
    {
        echo "version $version"
        echo "configure ${configure_flags[*]}"
        echo "script $(sha256sum <"$here/build-qemu.sh" | cut -d' ' -f1)"
        if [ -d "$overlay" ]; then
            (cd "$overlay" && find . -type f -print0 | LC_ALL=C sort -z |
                xargs -0 -r sha256sum)
        fi
        if [ -d "$patches" ]; then
            (cd "$patches" && find . -maxdepth 1 -name '*.patch' -type f -print0 |
                LC_ALL=C sort -z | xargs -0 -r sha256sum)
        fi
    } | sha256sum | cut -c1-16
}

fetch_source() {
    # Unpacked, Debian-patched source in $cache/src/<version>/qemu
    local version="$1"
    local dir="$cache/src/$version"
    if [ -f "$dir/.unpacked" ]; then
        return
    fi
    local t0
    t0=$(now)
    rm -rf "$dir"
    mkdir -p "$dir/dl"
    log "fetching qemu source $version"
    (cd "$dir/dl" && apt-get source -q --download-only "qemu=$version" >&2) ||
        die "apt-get source qemu=$version failed"
    (cd "$dir/dl" && dpkg-source -q -x ./*.dsc "$dir/qemu" >&2) ||
        die "dpkg-source could not unpack qemu $version"
    touch "$dir/.unpacked"
    log "source ready in $(elapsed "$t0")s"
}

stage_tree() {
    # Pristine source + overlay + patches in $1 (hard links where unchanged).
    local pristine="$1" stage="$2" p
    rm -rf "$stage"
    cp -al "$pristine" "$stage"
    if [ -d "$overlay" ]; then
        (cd "$overlay" && find . -type f -print0) | while IFS= read -r -d '' f; do
            mkdir -p "$stage/$(dirname "$f")"
            cp --remove-destination "$overlay/$f" "$stage/$f"
        done
    fi
    if [ -d "$patches" ]; then
        while IFS= read -r -d '' p; do
            # patch replaces files by rename, which breaks the hard links
            patch -s -p1 -d "$stage" --no-backup-if-mismatch <"$p" ||
                die "patch $(basename "$p") does not apply to qemu $version"
        done < <(find "$patches" -maxdepth 1 -name '*.patch' -type f -print0 |
                 LC_ALL=C sort -z)
    fi
}

ensure_deb_src
version="$(source_version)"
[ -n "$version" ] || die "cannot tell which qemu source version apt offers"
hash="$(input_hash "$version")"
dest="$cache/$hash"
binary="$dest/bin/qemu-system-x86_64"

if [ "$force" -eq 0 ] && [ -x "$binary" ] && [ -f "$dest/build-info" ]; then
    t0=$(now)
    if [ ! -e "$dest/share/seabios/bios-256k.bin" ] ||
        ! "$binary" --version >/dev/null 2>&1; then
        die "cached binary $binary does not run or finds no firmware; rerun with --force"
    fi
    log "cache hit: $binary (qemu $version, inputs $hash) in $(elapsed "$t0")s"
    log "$(grep '^build_seconds' "$dest/build-info" || true)"
    [ "$print_path" -eq 1 ] && echo "$binary"
    exit 0
fi

t_all=$(now)
log "cache miss for inputs $hash: building qemu $version with $jobs jobs"
ensure_build_deps
fetch_source "$version"

work="$cache/work"
mkdir -p "$work"
exec 9>"$work/.lock"
flock 9 || die "cannot lock $work"

t0=$(now)
stage_tree "$cache/src/$version/qemu" "$work/stage"
mkdir -p "$work/src"
# Checksums, not times: files whose content did not change keep their mtime,
# so ninja only rebuilds what our overlay or patches touched.
rsync -rlc --delete "$work/stage/" "$work/src/"
rm -rf "$work/stage"
log "source tree staged in $(elapsed "$t0")s"

t0=$(now)
stamp="$(printf '%s\n' "$version" "${configure_flags[@]}")"
if [ ! -f "$work/build/build.ninja" ] ||
    [ "$(cat "$work/build/.hvpci-configure" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$work/build"
    mkdir -p "$work/build"
    (cd "$work/build" && nice -n 10 ../src/configure "${configure_flags[@]}" \
        >configure.log 2>&1) ||
        die "configure failed, see $work/build/configure.log"
    printf '%s' "$stamp" >"$work/build/.hvpci-configure"
    log "configured in $(elapsed "$t0")s"
fi

t0=$(now)
if ! nice -n 10 ninja -C "$work/build" -j "$jobs" qemu-system-x86_64 \
    >"$work/build/ninja.log" 2>&1; then
    grep -E 'error|FAILED' "$work/build/ninja.log" | head -n 30 >&2 || true
    die "build failed, full log in $work/build/ninja.log"
fi
log "compiled in $(elapsed "$t0")s"

tmp="$cache/.$hash.tmp"
rm -rf "$tmp"
mkdir -p "$tmp/bin"
cp "$work/build/qemu-system-x86_64" "$tmp/bin/"
# QEMU finds firmware relative to its binary (bin/../share/seabios for
# /usr/share/seabios when built for /usr): point those at Debian's packages.
IFS=: read -r -a fw_dirs <<<"$firmware_path"
for d in "${fw_dirs[@]}"; do
    rel="${d#/usr/}"
    mkdir -p "$tmp/$(dirname "$rel")"
    ln -s "$d" "$tmp/$rel"
done
"$tmp/bin/qemu-system-x86_64" --version >/dev/null ||
    die "the new binary does not run"
# Every device of ours must be in it: a build that quietly dropped one (as a
# stale meson configuration can) must not enter the cache.
devices="$("$tmp/bin/qemu-system-x86_64" -machine none -device help 2>&1)"
for want in "${our_devices[@]}"; do
    grep -q "name \"$want\"" <<<"$devices" ||
        die "the new binary lacks device $want; reconfigure with --force"
done
# The image check runs QEMU under its seccomp filter (-sandbox on).
"$tmp/bin/qemu-system-x86_64" -sandbox on -machine none -display none \
    -nodefaults -monitor none -version >/dev/null 2>&1 ||
    die "the new binary rejects -sandbox on (built without seccomp?)"
total="$(elapsed "$t_all")"
{
    echo "qemu_version=$version"
    echo "inputs=$hash"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "build_seconds=$total"
    echo "configure=${configure_flags[*]}"
} >"$tmp/build-info"
rm -rf "$dest"
mv "$tmp" "$dest"
log "built $binary in ${total}s"
[ "$print_path" -eq 1 ] && echo "$binary"
exit 0

# shellcheck shell=bash
# Shared helpers for hvpci's host-side scripts. Source it; it defines functions
# and a few variables and runs nothing else.

HVPCI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HVPCI_CACHE=${HVPCI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvpci}
# Kernel used when none is named: what Debian's cloud meta package points at.
HVPCI_DEFAULT_KVER_FALLBACK=6.1.0-56
export HVPCI_ROOT HVPCI_CACHE

_hvpci_prog=$(basename "${0:-hvpci}")

say() { printf '%s: %s\n' "$_hvpci_prog" "$*" >&2; }
die() { printf '%s: error: %s\n' "$_hvpci_prog" "$*" >&2; exit 1; }
# usage_error MESSAGE: wrong flags; exit 64 so callers can tell it apart.
usage_error() {
	printf '%s: %s (try --help)\n' "$_hvpci_prog" "$*" >&2
	exit 64
}

# need_arg FLAG COUNT: a flag that takes a value must have one.
need_arg() { [ "$2" -ge 2 ] || usage_error "$1 needs a value"; }

# now_s: seconds since the epoch with millisecond precision.
now_s() { date +%s.%N | cut -c1-14; }
# elapsed START: seconds since START (from now_s), one decimal.
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

# cache_locked NAME CMD...: run CMD holding an exclusive lock on
# $HVPCI_CACHE/locks/NAME.lock, so that runs in parallel (tests/e2e/run.sh
# --jobs) never build the same cache entry at once: the second waits and
# then finds the first's result. The builders' own temporary names (NAME.tmp
# then mv) are safe against a crash, not against a second builder.
cache_locked() {
	local name=$1
	shift
	mkdir -p "$HVPCI_CACHE/locks"
	# -o: the lock stays with flock itself, not with anything CMD leaves running
	flock -o "$HVPCI_CACHE/locks/$name.lock" "$@"
}

# hash_inputs PATH...: one sha256 over the contents and names of files/dirs.
hash_inputs() {
	local p
	for p in "$@"; do
		if [ -d "$p" ]; then
			find "$p" -type f -print0 | LC_ALL=C sort -z |
				xargs -0 -r sha256sum
		elif [ -e "$p" ]; then
			sha256sum "$p"
		else
			printf 'literal %s\n' "$p"
		fi
	done | sed "s|$HVPCI_ROOT/||" | sha256sum | cut -c1-16
}

# kernel_release VER: a Debian kernel ABI with its flavour. The cloud flavour
# is the default: "6.1.0-56" -> "6.1.0-56-cloud-amd64"; a name that already
# ends in a flavour ("6.12.117+deb13-amd64") is kept.
kernel_release() {
	case $1 in
	*-amd64) printf '%s\n' "$1" ;;
	*) printf '%s-cloud-amd64\n' "$1" ;;
	esac
}

# kernel_dir VER: where get-kernel.sh unpacks VER (cloud flavour without it).
kernel_dir() {
	local krel
	krel=$(kernel_release "$1")
	printf '%s\n' "$HVPCI_CACHE/kernels/${krel%-cloud-amd64}"
}

# kernel_modules_dir VER: the unpacked kernel's module tree.
kernel_modules_dir() {
	printf '%s/lib/modules/%s\n' "$(kernel_dir "$1")" "$(kernel_release "$1")"
}

# kernel_config VER SYMBOL: y, m or nothing, from the unpacked kernel's config.
kernel_config() {
	local krel
	krel=$(kernel_release "$1")
	sed -n "s/^$2=\(.*\)/\1/p" "$(kernel_dir "$1")/boot/config-$krel"
}

# default_kernel_version: the ABI name the cloud meta package depends on.
default_kernel_version() {
	local dep
	dep=$(apt-cache show linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^Depends: linux-image-\([0-9.]*-[0-9]*\)-cloud-amd64.*/\1/p' |
		sort -V | tail -n 1)
	printf '%s\n' "${dep:-$HVPCI_DEFAULT_KVER_FALLBACK}"
}

# as_root CMD...: run CMD as root, or print it and stop with a clear error.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo "$@"
	else
		die "this step needs root; run: sudo $*"
	fi
}

# apt_install PKG...: install what is missing, quietly when nothing is.
apt_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing Debian packages: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ] && ! sudo -n true 2>/dev/null; then
		die "missing packages; run: sudo apt-get install -y ${missing[*]}"
	fi
	apt_update_once
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# apt_update_once: refresh package lists at most once per hour.
apt_update_once() {
	local stamp=/var/lib/apt/periodic/update-success-stamp
	local lists=/var/lib/apt/lists
	if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null | head -n 1)" ] &&
		[ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
		as_root apt-get update -q >&2
	fi
}

# kernel_image_elf VER: the unpacked kernel's vmlinux on stdout, taken out
# of its bzImage by finding the compressed payload (zstd, xz or gzip).
kernel_image_elf() {
	local img magic off
	img=$(readlink -f "$(kernel_dir "$1")/boot/vmlinuz-$(kernel_release "$1")")
	for magic in '\x28\xb5\x2f\xfd:zstd -qdc' '\xfd\x37\x7a\x58\x5a\x00:xz -qdc' '\x1f\x8b\x08:gzip -qdc'; do
		for off in $(LC_ALL=C grep -obUaP "${magic%%:*}" "$img" | cut -d: -f1 | head -n 3); do
			# shellcheck disable=SC2086 # the decompressor and its flags
			# (the first four bytes only: the rest of the stream is cut
			# off, and that SIGPIPE must not count under pipefail)
			if { tail -c +"$((off + 1))" "$img" | ${magic#*:} 2>/dev/null || true; } | head -c 4 | grep -c 'ELF' >/dev/null; then
				# shellcheck disable=SC2086
				tail -c +"$((off + 1))" "$img" | ${magic#*:} 2>/dev/null
				return 0
			fi
		done
	done
	return 1
}

# kernel_object VER MODULE: MODULE's code as the kernel has it, on stdout:
# the module file, decompressed, or the kernel image when it is built in.
kernel_object() {
	local f
	f=$(find "$(kernel_modules_dir "$1")/kernel" -name "$2.ko" -o -name "$2.ko.xz" -o -name "$2.ko.zst" 2>/dev/null | head -n 1)
	case $f in
	"") kernel_image_elf "$1" ;;
	*.xz) xz -dc "$f" ;;
	*.zst) zstd -qdc "$f" ;;
	*) cat "$f" ;;
	esac
}

# kernel_has_fb_fallback [VER]: VER's (default: $KVER's) hv_vmbus carries
# the June 2026 vmbus_reserve_fb() fallback (its warning text exists only in
# the fixed code). The answer is cached next to the unpacked kernel.
kernel_has_fb_fallback() {
	local v=${1:-$KVER} mark
	mark=$(kernel_dir "$v")/.fb-fallback
	if [ ! -f "$mark" ]; then
		# written whole under a name of its own, then renamed: a run in
		# parallel never reads it half-written. (grep -c reads to the end:
		# grep -q's early exit could fail the pipeline with SIGPIPE.)
		if kernel_object "$v" hv_vmbus | grep -a -c 'Unexpected framebuffer mmio base of zero' >/dev/null; then
			echo yes >"$mark.$$"
		else
			echo no >"$mark.$$"
		fi
		mv -f "$mark.$$" "$mark"
	fi
	[ "$(cat "$mark")" = yes ]
}

# shellcheck shell=bash
# Debian's archive as hvpci reads it: every suite that carries a kernel line
# our users run, each through a private apt configuration under
# $HVPCI_CACHE/apt/<suite>, so the Debian 12 host's own sources are never
# changed; and one build chroot per Debian release under
# $HVPCI_CACHE/chroots/<release>, for kernels whose headers need that
# release's compiler and libc. Source it after common.sh.

# Suites searched for a kernel, oldest line first. The host's own apt
# sources ("host": bookworm, bookworm-security here) are asked first.
HVPCI_SUITES="bullseye bullseye-security bookworm bookworm-security bookworm-backports trixie trixie-backports sid"
HVPCI_MIRROR=${HVPCI_MIRROR:-http://deb.debian.org/debian}
HVPCI_SECURITY_MIRROR=${HVPCI_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# suite_release SUITE: bookworm-backports -> bookworm, sid -> sid; "host"
# (the host's own apt sources) -> the host's release.
suite_release() {
	case $1 in
	host) (. /etc/os-release && printf '%s\n' "$VERSION_CODENAME") ;;
	*) printf '%s\n' "${1%%-*}" ;;
	esac
}

# release_suites RELEASE: the suites a chroot of RELEASE reads.
release_suites() {
	local s out=""
	for s in $HVPCI_SUITES; do
		[ "$(suite_release "$s")" != "$1" ] || out="$out $s"
	done
	printf '%s\n' "${out# }"
}

# suite_source_line SUITE: its one-line apt source.
suite_source_line() {
	case $1 in
	*-security) printf 'deb %s %s main\n' "$HVPCI_SECURITY_MIRROR" "$1" ;;
	*) printf 'deb %s %s main\n' "$HVPCI_MIRROR" "$1" ;;
	esac
}

# _archive_opts SUITE: apt-get options that point apt at SUITE alone.
_archive_opts() {
	local d=$HVPCI_CACHE/apt/$1
	if [ "$1" = host ]; then
		printf '%s\n' -o "APT::Sandbox::User=root"
		return 0
	fi
	printf '%s\n' -o "Dir::Etc::SourceList=$d/sources.list" \
		-o "Dir::Etc::SourceParts=-" -o "Dir::State=$d/state" \
		-o "Dir::State::status=$d/state/status" -o "Dir::Cache=$d/cache" \
		-o "APT::Architecture=amd64" -o "APT::Sandbox::User=root" \
		-o "Acquire::Languages=none"
}

# archive_update SUITE: fetch SUITE's package lists (at most once an hour).
archive_update() {
	local d=$HVPCI_CACHE/apt/$1 opts
	if [ "$1" = host ]; then
		apt_update_once
		return 0
	fi
	mkdir -p "$d/state/lists/partial" "$d/cache/archives/partial"
	suite_source_line "$1" >"$d/sources.list"
	[ -f "$d/state/status" ] || : >"$d/state/status"
	if [ -n "$(find "$d/updated" -mmin -60 2>/dev/null)" ]; then
		return 0
	fi
	mapfile -t opts < <(_archive_opts "$1")
	apt-get "${opts[@]}" update -qq >/dev/null 2>"$d/update.err" ||
		die "apt-get update for suite $1 failed: $(tail -n 1 "$d/update.err")"
	touch "$d/updated"
}

# archive_has SUITE PKG: SUITE publishes PKG.
archive_has() {
	local opts
	mapfile -t opts < <(_archive_opts "$1")
	apt-cache "${opts[@]}" show "$2" >/dev/null 2>&1
}

# archive_download SUITE DIR PKG...: download PKG... from SUITE into DIR.
archive_download() {
	local suite=$1 dir=$2 opts
	shift 2
	mapfile -t opts < <(_archive_opts "$suite")
	(cd "$dir" && apt-get "${opts[@]}" download -q "$@" >&2)
}

# kernel_suite KREL: the first suite that publishes KREL's image or binary
# package (7.x splits the image into linux-binary/-modules/-base).
kernel_suite() {
	local s
	for s in host $HVPCI_SUITES; do
		archive_update "$s"
		if archive_has "$s" "linux-image-$1" || archive_has "$s" "linux-binary-$1" ||
			archive_has "$s" "linux-image-$1-unsigned"; then
			printf '%s\n' "$s"
			return 0
		fi
	done
	return 1
}

# host_has_package PKG: the host's own apt sources can install PKG.
host_has_package() {
	apt-cache policy "$1" 2>/dev/null | grep -c 'Candidate: [0-9]' >/dev/null
}

# chroot_dir RELEASE: where the build chroot of RELEASE lives.
chroot_dir() { printf '%s\n' "$HVPCI_CACHE/chroots/$1"; }

# ensure_chroot RELEASE: a minimal Debian RELEASE with make, gcc and sparse,
# made once with debootstrap and reused.
ensure_chroot() {
	local rel=$1 dir start s lockfd
	dir=$(chroot_dir "$rel")
	if [ -f "$dir/.complete" ]; then
		return 0
	fi
	apt_install debootstrap
	mkdir -p "$(dirname "$dir")"
	# One debootstrap per release, whoever else asks at the same time.
	exec {lockfd}>"$dir.lock"
	flock "$lockfd"
	if [ -f "$dir/.complete" ]; then
		flock -u "$lockfd"
		return 0
	fi
	start=$(now_s)
	say "build chroot $rel: debootstrap (once; cached in $dir)"
	rm -rf "$dir.tmp"
	mkdir -p "$(dirname "$dir")"
	as_root debootstrap --variant=minbase \
		--include=make,gcc,libc6-dev,sparse,kmod,xz-utils,ca-certificates \
		"$rel" "$dir.tmp" "$HVPCI_MIRROR" >"$dir.log" 2>&1 ||
		die "debootstrap $rel failed; see $dir.log"
	: >"$dir.tmp/etc/apt/sources.list"
	for s in $(release_suites "$rel"); do
		suite_source_line "$s" >>"$dir.tmp/etc/apt/sources.list"
	done
	chroot "$dir.tmp" apt-get update -qq >/dev/null 2>&1 ||
		die "apt-get update in the $rel chroot failed"
	touch "$dir.tmp/.complete"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	flock -u "$lockfd"
	say "build chroot $rel: ready in $(elapsed "$start")s"
}

# chroot_install RELEASE PKG...: install what is missing into RELEASE's chroot.
chroot_install() {
	local rel=$1 dir have lockfd
	shift
	dir=$(chroot_dir "$rel")
	# shellcheck disable=SC2016 # ${Status} is dpkg-query's, not the shell's
	have=$(chroot "$dir" dpkg-query -W -f='${Status}\n' "$@" 2>/dev/null |
		grep -c 'install ok installed' || true)
	[ "$have" -eq $# ] && return 0
	say "build chroot $rel: installing $*"
	exec {lockfd}>"$dir.lock"
	flock "$lockfd"
	chroot "$dir" apt-get update -qq >/dev/null 2>&1 ||
		die "apt-get update in the $rel chroot failed"
	chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "$@" >"$dir.install.log" 2>&1 ||
		die "apt-get install $* in the $rel chroot failed; see $dir.install.log"
	flock -u "$lockfd"
}

# kbuild_env KREL: where KREL's headers live: "host", or the release of the
# build chroot that holds /usr/src/linux-headers-KREL. Fails when neither.
kbuild_env() {
	local d
	if [ -d "/usr/src/linux-headers-$1" ]; then
		echo host
		return 0
	fi
	for d in "$HVPCI_CACHE"/chroots/*/usr/src/linux-headers-"$1"; do
		[ -d "$d" ] || continue
		d=${d%/usr/src/*}
		basename "$d"
		return 0
	done
	return 1
}

# kbuild_make KREL DIR [MAKE-ARGS...]: make -C DIR against KREL's headers,
# on the host or inside the build chroot that has them; DIR is built in a
# copy inside the chroot and copied back, so DIR ends up as after a host build.
kbuild_make() {
	local krel=$1 src=$2 env root work rc=0
	shift 2
	env=$(kbuild_env "$krel") ||
		die "no headers for $krel on the host or in a build chroot; run scripts/get-kernel.sh --version $krel"
	if [ "$env" = host ]; then
		make -C "$src" KVER="$krel" KDIR="/usr/src/linux-headers-$krel" "$@"
		return
	fi
	root=$(chroot_dir "$env")
	work=$(mktemp -d "$root/tmp/hvpci-kbuild-XXXXXX")
	cp -a "$src/." "$work/"
	# 7.x's objtool reads /proc; mount it in a private mount namespace,
	# so nothing stays mounted in the shared chroot.
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount --propagation private sh -c \
		'mount -t proc proc "$1/proc" && shift && exec chroot "$@"' sh \
		"$root" "$root" make -C "/tmp/${work##*/}" KVER="$krel" \
		KDIR="/usr/src/linux-headers-$krel" "$@" || rc=$?
	cp -a "$work/." "$src/"
	rm -rf "$work"
	return "$rc"
}

# chroot_newer_sparse RELEASE: sparse 0.6.5 or later in RELEASE's chroot.
# The 7.x kernel headers use __typeof_unqual__, on which trixie's sparse
# 0.6.4 stops; sid's build needs nothing but libc, so its binary goes to
# the chroot's /usr/local/bin, ahead of the packaged one on PATH.
chroot_newer_sparse() {
	local root tmp
	root=$(chroot_dir "$1")
	[ ! -x "$root/usr/local/bin/sparse" ] || return 0
	archive_update sid
	tmp=$(mktemp -d)
	archive_download sid "$tmp" sparse >/dev/null ||
		die "cannot download sparse from sid for the $1 chroot"
	dpkg-deb -x "$tmp"/sparse_*.deb "$tmp/x"
	install -m 0755 "$tmp/x/usr/bin/sparse" "$root/usr/local/bin/sparse"
	rm -rf "$tmp"
	say "build chroot $1: sparse from sid in /usr/local/bin (7.x headers need 0.6.5)"
}

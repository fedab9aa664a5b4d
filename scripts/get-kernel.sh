#!/usr/bin/env bash
# Fetch a Debian kernel for guests, from whichever suite publishes it: the
# kernel and its modules are downloaded and unpacked into the cache (never
# installed into the host's /boot), and its headers are made ready for module
# builds: installed on the host when the host's own apt carries them, else in
# a cached build chroot of the kernel's Debian release.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=scripts/lib/archive.sh
. "$(dirname "$0")/lib/archive.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--version VER] [--no-headers] [--print-dir] [--print-suite]

Find Debian kernel VER in the archive (suites: $HVPCI_SUITES),
download its image (or, for the split 7.x layout, its linux-binary and
linux-modules packages), unpack it into \$HVPCI_CACHE/kernels/ (now:
$HVPCI_CACHE/kernels) and run depmod there. Modules under /usr/lib/modules
are reached through /lib/modules as on a merged-/usr system, and the split
layout's /usr/lib/modules/<release>/vmlinuz through /boot/vmlinuz-<release>.
Headers: installed on the host when the host's apt has them (bookworm,
bookworm-security), otherwise into \$HVPCI_CACHE/chroots/<release>.
A kernel already unpacked is reused.

  --version VER   Debian kernel ABI name, with an optional flavour:
                  5.10.0-46, 6.1.0-50, 6.12.43+deb12, 6.12.117+deb13,
                  7.3.4+deb13, 7.2.13+deb14, 6.12.117+deb13-amd64 (the
                  generic flavour; the default flavour is cloud-amd64).
                  Default: what linux-image-cloud-amd64 depends on.
  --no-headers    do not make the headers ready
  --print-dir     print only the unpacked kernel's directory on stdout
  --print-suite   print only the suite that publishes VER on stdout
  -h, --help      this text
EOF
}

ver="" headers=1 print_dir=0 print_suite=0
while [ $# -gt 0 ]; do
	case $1 in
	--version) need_arg "$1" $#; ver=$2; shift 2 ;;
	--version=*) ver=${1#*=}; shift ;;
	--no-headers) headers=0; shift ;;
	--print-dir) print_dir=1; shift ;;
	--print-suite) print_suite=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done

[ -n "$ver" ] || ver=$(default_kernel_version)
krel=$(kernel_release "$ver")
abi=${krel%-cloud-amd64}
abi=${abi%-amd64}
if ! [[ $abi =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+|-0\.deb[0-9]+\.[0-9]+|\+deb[0-9]+(\.[0-9]+)?)$ ]]; then
	usage_error "not a Debian kernel ABI name: $ver (want e.g. 6.1.0-50, 6.12.117+deb13, 7.3.4+deb13)"
fi
dir=$(kernel_dir "$ver")
apt_install kmod xz-utils

# The suite is remembered with the unpacked kernel; finding it takes one
# package-list download per suite, once an hour at most.
if [ -f "$dir/.suite" ]; then
	suite=$(cat "$dir/.suite")
else
	suite=$(kernel_suite "$krel") ||
		die "no suite publishes linux-image-$krel or linux-binary-$krel (searched: $HVPCI_SUITES)"
fi
if [ "$print_suite" -eq 1 ]; then
	printf '%s\n' "$suite"
	exit 0
fi

if [ -f "$dir/.complete" ]; then
	say "kernel $krel: cached in $dir"
else
	start=$(now_s)
	archive_update "$suite"
	mkdir -p "$HVPCI_CACHE/kernels"
	tmp=$(mktemp -d "$HVPCI_CACHE/kernels/.fetch-XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# The 7.x layout: linux-image-* is an empty meta package over
	# linux-binary-* (the kernel), linux-modules-* (modules) and
	# linux-base-* (config, System.map, modules.builtin), all under
	# /usr/lib/modules/<release>.
	if archive_has "$suite" "linux-binary-$krel"; then
		pkgs=("linux-binary-$krel" "linux-modules-$krel" "linux-base-$krel")
	elif archive_has "$suite" "linux-image-$krel"; then
		pkgs=("linux-image-$krel")
	else
		pkgs=("linux-image-$krel-unsigned")
	fi
	say "kernel $krel: downloading ${pkgs[*]} from $suite"
	archive_download "$suite" "$tmp" "${pkgs[@]}" ||
		die "downloading ${pkgs[*]} from $suite failed"
	mkdir "$tmp/root"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root"
	done
	mods=$tmp/root/usr/lib/modules/$krel
	if [ ! -e "$tmp/root/boot/vmlinuz-$krel" ] && [ -f "$mods/vmlinuz" ]; then
		mkdir -p "$tmp/root/boot"
		for f in vmlinuz config System.map; do
			[ ! -e "$mods/$f" ] || ln -s "../usr/lib/modules/$krel/$f" "$tmp/root/boot/$f-$krel"
		done
	fi
	[ -f "$tmp/root/boot/vmlinuz-$krel" ] ||
		die "${pkgs[*]} holds no /boot/vmlinuz-$krel"
	if [ -d "$tmp/root/usr/lib/modules/$krel" ] && [ ! -e "$tmp/root/lib" ]; then
		ln -s usr/lib "$tmp/root/lib"
	fi
	[ -d "$tmp/root/lib/modules/$krel" ] ||
		die "${pkgs[*]} holds no modules for $krel"
	depmod -b "$tmp/root" "$krel"
	rm -f "$tmp"/*.deb
	printf '%s\n' "$suite" >"$tmp/root/.suite"
	touch "$tmp/root/.complete"
	rm -rf "$dir"
	mv "$tmp/root" "$dir"
	say "kernel $krel: unpacked into $dir in $(elapsed "$start")s"
fi

if [ "$headers" -eq 1 ]; then
	if [ -d "/usr/src/linux-headers-$krel" ]; then
		say "headers $krel: installed on the host"
	elif host_has_package "linux-headers-$krel"; then
		apt_install "linux-headers-$krel"
	else
		release=$(suite_release "$suite")
		ensure_chroot "$release"
		if [ -d "$(chroot_dir "$release")/usr/src/linux-headers-$krel" ]; then
			say "headers $krel: installed in the $release build chroot"
		else
			start=$(now_s)
			chroot_install "$release" "linux-headers-$krel"
			say "headers $krel: installed in the $release build chroot in $(elapsed "$start")s"
		fi
	fi
fi

if [ "$print_dir" -eq 1 ]; then
	printf '%s\n' "$dir"
fi

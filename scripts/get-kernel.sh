#!/usr/bin/env bash
# Fetch a Debian cloud kernel for guests: the image package is downloaded and
# unpacked into the cache (never installed into the host's /boot); the
# matching headers package is installed so out-of-tree modules can be built.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--version VER] [--no-headers] [--print-dir]

Fetch linux-image-VER-cloud-amd64 with apt-get download, unpack it into
\$HVPCI_CACHE/kernels/VER (now: $HVPCI_CACHE/kernels) and run depmod there;
install linux-headers-VER-cloud-amd64 on the host for module builds.
A kernel already unpacked is reused.

  --version VER   Debian kernel ABI, e.g. 6.1.0-50 (default: what the
                  linux-image-cloud-amd64 meta package depends on)
  --no-headers    do not install the headers package
  --print-dir     print only the unpacked kernel's directory on stdout
  -h, --help      this text
EOF
}

ver="" headers=1 print_dir=0
while [ $# -gt 0 ]; do
	case $1 in
	--version) need_arg "$1" $#; ver=$2; shift 2 ;;
	--version=*) ver=${1#*=}; shift ;;
	--no-headers) headers=0; shift ;;
	--print-dir) print_dir=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done

[ -n "$ver" ] || ver=$(default_kernel_version)
ver=${ver%-cloud-amd64}
case $ver in
[0-9]*.[0-9]*.[0-9]*-[0-9]*) ;;
*) usage_error "not a Debian kernel ABI version: $ver (want e.g. 6.1.0-50)" ;;
esac
krel=$(kernel_release "$ver")
dir=$HVPCI_CACHE/kernels/$ver

if [ -f "$dir/.complete" ]; then
	say "kernel $krel: cached in $dir"
else
	start=$(now_s)
	apt_install kmod
	apt_update_once
	mkdir -p "$HVPCI_CACHE/kernels"
	tmp=$(mktemp -d "$HVPCI_CACHE/kernels/.fetch-XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	say "kernel $krel: downloading linux-image-$krel"
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$krel" >&2) ||
		die "apt-get download linux-image-$krel failed; is $ver a published Debian kernel? (apt-cache search linux-image-6.1 | grep cloud)"
	mkdir "$tmp/root"
	dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/root"
	[ -f "$tmp/root/boot/vmlinuz-$krel" ] ||
		die "package linux-image-$krel has no /boot/vmlinuz-$krel"
	depmod -b "$tmp/root" "$krel"
	rm -f "$tmp"/*.deb
	touch "$tmp/root/.complete"
	rm -rf "$dir"
	mv "$tmp/root" "$dir"
	say "kernel $krel: unpacked into $dir in $(elapsed "$start")s"
fi

if [ "$headers" -eq 1 ]; then
	if [ -d "/usr/src/linux-headers-$krel" ]; then
		say "headers $krel: installed"
	else
		apt_install "linux-headers-$krel"
	fi
fi

if [ "$print_dir" -eq 1 ]; then
	printf '%s\n' "$dir"
fi

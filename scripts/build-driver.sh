#!/usr/bin/env bash
# Build hvpci's kernel module (driver/, pci-hyperv.ko) against a Debian cloud
# kernel's headers, out of the source tree, and cache the result by the hash
# of the sources and the kernel. Used by scenarios that run our driver in an
# initramfs guest; full images install it with DKMS instead (mkimage.sh).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") --kernel VER [--print-path] [--strict]

Build driver/ for Debian kernel VER (e.g. 6.1.0-50) in a scratch copy and
cache pci-hyperv.ko in \$HVPCI_CACHE/driver/<hash>/. Prints its path with
--print-path.

  --kernel VER    Debian kernel ABI (required); headers are installed if needed
  --strict        fail when the compiler prints any warning
  --print-path    print only the module's path on stdout
  -h, --help      this text
EOF
}

kver="" print_path=0 strict=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kver=${2%-cloud-amd64}; shift 2 ;;
	--print-path) print_path=1; shift ;;
	--strict) strict=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ -n "$kver" ] || usage_error "--kernel is required"
krel=$(kernel_release "$kver")
[ -d "/usr/src/linux-headers-$krel" ] || apt_install "linux-headers-$krel"
apt_install gcc make

key=$(hash_inputs "$0" "$HVPCI_ROOT/driver" "krel=$krel")
out=$HVPCI_CACHE/driver/$key
if [ ! -f "$out/pci-hyperv.ko" ]; then
	start=$(now_s)
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	cp -r "$HVPCI_ROOT/driver" "$work/driver"
	if ! make -C "$work/driver" KVER="$krel" >"$work/build.log" 2>&1; then
		cat "$work/build.log" >&2
		die "hvpci did not build against $krel"
	fi
	mkdir -p "$out.tmp"
	cp "$work/driver/pci-hyperv.ko" "$work/build.log" "$out.tmp/"
	rm -rf "$out"
	mv "$out.tmp" "$out"
	say "hvpci built against $krel in $(elapsed "$start")s"
fi
if grep -E 'warning:' "$out/build.log" >&2 && [ "$strict" -eq 1 ]; then
	die "hvpci builds against $krel with compiler warnings (above)"
fi
[ "$print_path" -eq 0 ] || printf '%s\n' "$out/pci-hyperv.ko"

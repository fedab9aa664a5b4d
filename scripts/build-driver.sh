#!/usr/bin/env bash
# Build hvpci's kernel module (driver/, pci-hyperv.ko), or a guest test
# module (tests/e2e/modules/), against a Debian cloud kernel's headers, out
# of the source tree, and cache the result by the hash of the sources and
# the kernel. Used by scenarios that run our driver in an initramfs guest;
# full images install it with DKMS instead (mkimage.sh).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=scripts/lib/archive.sh
. "$(dirname "$0")/lib/archive.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") --kernel VER [--source DIR] [--print-path] [--strict]
                       [--sparse]

Build driver/ (or DIR) for Debian kernel VER (e.g. 6.1.0-50, 7.3.4+deb13) in a
scratch copy and cache the module in \$HVPCI_CACHE/driver/<hash>/: the
build runs on the host, or in the build chroot of the kernel's Debian
release when only that has the headers (scripts/get-kernel.sh sets both up).
The module is pci-hyperv.ko, or hvpci.ko on kernels that build pci-hyperv in.

  --source DIR    build this module source instead of driver/ (a directory
                  whose Makefile takes KVER and KDIR, or a guest test module
                  with only a Kbuild, e.g. tests/e2e/modules/vpci-cfgblk,
                  which gets tests/e2e/modules/Makefile.module)

  --kernel VER    Debian kernel ABI (required); headers are fetched if needed
  --strict        fail when the compiler prints any warning
  --sparse        run sparse over the sources instead (make C=2, not
                  cached) and print its whole output on stdout
  --print-path    print only the module's path on stdout
  -h, --help      this text
EOF
}

kver="" print_path=0 strict=0 sparse=0 src=$HVPCI_ROOT/driver
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kver=$2; shift 2 ;;
	--source) need_arg "$1" $#; src=$2; shift 2 ;;
	--print-path) print_path=1; shift ;;
	--strict) strict=1; shift ;;
	--sparse) sparse=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ -n "$kver" ] || usage_error "--kernel is required"
[ -f "$src/Makefile" ] || [ -f "$src/Kbuild" ] ||
	usage_error "--source $src: no module source with a Makefile or Kbuild there"
src=$(cd "$src" && pwd)
# the Makefile shared by the guest test modules, which hold only a Kbuild
module_mk=$HVPCI_ROOT/tests/e2e/modules/Makefile.module

# copy_source DEST: the module source in DEST, with a Makefile
copy_source() {
	cp -r "$src" "$1"
	[ -f "$1/Makefile" ] || cp "$module_mk" "$1/Makefile"
}
# what the messages call it: hvpci, or the test module's directory name
name=hvpci
[ "$src" = "$HVPCI_ROOT/driver" ] || name=${src##*/}
krel=$(kernel_release "$kver")
kbuild_env "$krel" >/dev/null ||
	"$HVPCI_ROOT/scripts/get-kernel.sh" --version "$kver" >&2
apt_install gcc make

if [ "$sparse" -eq 1 ]; then
	case $(kbuild_env "$krel") in
	host | bullseye | bookworm) ;;
	*) chroot_newer_sparse "$(kbuild_env "$krel")" >&2 ;;
	esac
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	copy_source "$work/driver"
	kbuild_make "$krel" "$work/driver" C=2 2>&1
	exit 0
fi

key=$(hash_inputs "$0" "$HVPCI_ROOT/scripts/lib/archive.sh" "$src" "$module_mk" \
	"krel=$krel" "env=$(kbuild_env "$krel")")
out=$HVPCI_CACHE/driver/$key
if [ ! -f "$out/.complete" ]; then
	start=$(now_s)
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	copy_source "$work/driver"
	if ! kbuild_make "$krel" "$work/driver" >"$work/build.log" 2>&1; then
		cat "$work/build.log" >&2
		die "$name did not build against $krel"
	fi
	mkdir -p "$out.tmp"
	cp "$work"/driver/*.ko "$work/build.log" "$out.tmp/"
	touch "$out.tmp/.complete"
	rm -rf "$out"
	mv "$out.tmp" "$out"
	say "$name built against $krel in $(elapsed "$start")s ($(kbuild_env "$krel"))"
fi
if grep -E 'warning:' "$out/build.log" >&2 && [ "$strict" -eq 1 ]; then
	die "$name builds against $krel with compiler warnings (above)"
fi
ko=$(find "$out" -maxdepth 1 -name '*.ko' | head -n 1)
[ -n "$ko" ] || die "the build against $krel left no module in $out"
[ "$print_path" -eq 0 ] || printf '%s\n' "$ko"

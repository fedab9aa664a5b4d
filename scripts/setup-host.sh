#!/usr/bin/env bash
# Prepare this Debian 12 machine for hvpci: the Debian packages the scripts
# and tests use, the guest kernels (unpacked into the cache) with their
# headers, and the Hyper-V stand-in QEMU when its build script is present.
# Everything is idempotent: a second run only checks and reports.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--kernels "VER..."] [--packages-only]

  --kernels LIST    guest kernels to fetch (default: \$HVPCI_KERNELS, else
                    what linux-image-cloud-amd64 points at)
  --packages-only   install the Debian packages and stop
  -h, --help        this text

Needs root for apt-get; when not root it prints the apt-get line to run.
Slow results are cached in \$HVPCI_CACHE (now: $HVPCI_CACHE).
EOF
}

kernels=${HVPCI_KERNELS:-} packages_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernels) need_arg "$1" $#; kernels=$2; shift 2 ;;
	--packages-only) packages_only=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done

start=$(now_s)
# Guest images and runner: busybox-static cpio kmod qemu-system-x86,
# qemu-utils (qcow2 overlays), debootstrap (full Debian guest images),
# ovmf (UEFI firmware for Gen2-like VMs);
# guest tools copied from the host: kexec-tools makedumpfile e2fsprogs;
# tests: shellcheck python3 gcc make libcmocka-dev, clang with its
# fuzzer and sanitizer runtimes (libclang-rt-14-dev);
# driver: dkms, sparse, linux-source-6.1 (checkpatch.pl) and the headers
# get-kernel.sh installs (or its build chroots, made with debootstrap);
# kernels of other lines: xz-utils, zstd (compressed modules and images);
# image checks: libguestfs-tools (its appliance runs under TCG here) and,
# where the host's /boot has no kernel for that appliance, Debian's
# generic one (linux-image-amd64, only recommended by supermin);
# the hvpci-dkms package (make deb): debhelper, dh-dkms, lintian;
# the CI examples' check (tests/static): yamllint.
apt_install busybox-static cpio kmod qemu-system-x86 qemu-utils debootstrap ovmf \
	kexec-tools makedumpfile e2fsprogs \
	shellcheck python3 gcc make libcmocka-dev clang libclang-rt-14-dev \
	dkms sparse linux-source-6.1 \
	libguestfs-tools libguestfs-xfs xz-utils zstd \
	debhelper dh-dkms lintian yamllint
# the libguestfs appliance's kernel, where /boot has none
compgen -G '/boot/vmlinuz-*' >/dev/null || apt_install linux-image-amd64
[ "$packages_only" -eq 0 ] || exit 0

[ -n "$kernels" ] || kernels=$(default_kernel_version)
for k in $kernels; do
	"$HVPCI_ROOT/scripts/get-kernel.sh" --version "$k"
done
if [ -x "$HVPCI_ROOT/vmbus/build-qemu.sh" ]; then
	"$HVPCI_ROOT/vmbus/build-qemu.sh" --print-path >/dev/null
fi
say "host ready in $(elapsed "$start")s (cache: $HVPCI_CACHE)"

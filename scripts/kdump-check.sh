#!/usr/bin/env bash
# The main job: does a crash on an Azure-like VM with its root disk on NVMe
# behind vPCI leave a crash dump? Runs the kdump scenario in the default VM
# and prints one verdict. Until that scenario exists, it runs what does exist
# and says so plainly.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--kernel VER] [--keep-logs]

Run hvpci's kdump NVMe check in the default VM and print a verdict.

  --kernel VER   guest kernel (default: what linux-image-cloud-amd64 points at)
  --keep-logs    keep the serial logs even when the check passes
  -h, --help     this text
EOF
}

kver="" extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kver=$2; shift 2 ;;
	--keep-logs) extra+=(--keep-logs); shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ -n "$kver" ] || kver=$(default_kernel_version)

scenario=kdump-gen2-kexec-load
if [ ! -f "$HVPCI_ROOT/tests/e2e/scenarios/$scenario.scn" ]; then
	say "the kdump NVMe scenario is not built yet; checking what exists:"
	say "the guest kernel $kver boots under QEMU TCG and loads modules from its initramfs"
	scenario=boot
fi
if "$HVPCI_ROOT/tests/e2e/run.sh" --kernel "$kver" "${extra[@]}" "$scenario"; then
	say "verdict: PASS ($scenario on $kver)"
else
	say "verdict: FAIL ($scenario on $kver); the serial log is named above"
	exit 1
fi

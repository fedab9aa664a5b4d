#!/usr/bin/env bash
# The main job: does a crash on an Azure-like Gen2 VM whose root disk is NVMe
# behind vPCI leave a crash dump? Runs the full-image kdump scenario in the
# stand-in, once with hvpci (installed with DKMS) and once with the kernel's
# own pci-hyperv, and prints one verdict line for each and for the check.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--kernel VER] [--driver hvpci|stock|both] [--keep-logs]
       $(basename "$0") --image FILE [options]   (see --image FILE --help)

Boot a Gen2-shaped VM (UEFI, synthetic video with hyperv_fb, NVMe root behind
vPCI) running a full Debian 12 image with kdump-tools, crash it, and check that
the crash kernel saved a valid dump to the NVMe root.

  --kernel VER    guest kernel (default: what linux-image-cloud-amd64 points at)
  --driver D      hvpci, stock, or both (default: both; the stock run shows
                  whether this kernel has the bug hvpci exists for)
  --keep-logs     keep the serial logs even when the check passes
  --image FILE    check your own GPT/UEFI image (raw, qcow2, VHD, VHDX)
                  instead, leaving FILE untouched; scripts/image/check-image.sh
                  --help lists its options and exit codes
  -h, --help      this text

Exit status: 0 when the check passed with hvpci (and, for the stock driver,
the outcome matched what that kernel is known to do), 1 otherwise.
EOF
}

# A user's own image: its own path, scripts/image/check-image.sh.
for a in "$@"; do
	case $a in
	--image) exec "$HVPCI_ROOT/scripts/image/check-image.sh" "$@" ;;
	esac
done

kver="" driver=both extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kver=$2; shift 2 ;;
	--driver) need_arg "$1" $#; driver=$2; shift 2 ;;
	--keep-logs) extra+=(--keep-logs); shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
case $driver in
hvpci | stock) runs=("kdump-image-gen2@$driver") ;;
both) runs=(kdump-image-gen2@hvpci kdump-image-gen2@stock) ;;
*) usage_error "--driver must be hvpci, stock or both, not $driver" ;;
esac
[ -n "$kver" ] || kver=$(default_kernel_version)
krel=$(kernel_release "$kver")

say "kdump NVMe check on $krel: Gen2 VM, Debian 12 with kdump-tools, root on NVMe behind vPCI"
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
rc=0
"$HVPCI_ROOT/tests/e2e/run.sh" --kernel "$kver" --tap "$tap" "${extra[@]}" "${runs[@]}" || rc=$?
for r in "${runs[@]}"; do
	d=${r#*@}
	line=$(grep -E "^(not )?ok [0-9]+ - $r " "$tap" || true)
	case $line in
	ok*)
		if [[ $line == *"known failure asserted"* ]]; then
			say "verdict $d: NO DUMP, as known for this kernel: the host refused D0 entry (c0370048)"
		else
			say "verdict $d: DUMP SAVED to the NVMe root"
		fi
		;;
	*) say "verdict $d: CHECK FAILED (${line#*): }); see the serial log named above" ;;
	esac
done
if [ "$rc" -eq 0 ]; then
	say "kdump NVMe check: PASS"
else
	say "kdump NVMe check: FAIL"
fi
exit "$rc"

#!/usr/bin/env bash
# The main job: does a crash on an Azure-like Gen2 VM whose root disk is NVMe
# behind vPCI leave a crash dump? Checks hvpci's Debian 12 image
# (scripts/mkimage.sh) through the same path as a user's image
# (--image, scripts/image/check-image.sh), once with hvpci (installed with
# DKMS) and once with the kernel's own pci-hyperv, and prints one verdict
# line for each and for the check.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--kernel VER] [--driver hvpci|stock|both] [--keep-logs]
                      [VM options]
       $(basename "$0") --image FILE [options]   (see --image FILE --help)

Boot a Gen2-shaped VM (UEFI, synthetic video with hyperv_fb, NVMe root behind
vPCI) running a full Debian 12 image with kdump-tools, crash it, and check that
the crash kernel saved a valid dump to the NVMe root.

  --kernel VER    guest kernel (default: what linux-image-cloud-amd64 points at)
  --driver D      hvpci, stock, or both (default: both; the stock run shows
                  whether this kernel has the bug hvpci exists for)
  --keep-logs     accepted for compatibility: the serial logs, vmcore and
                  dmesg are always kept in build/logs/kdump-check-KREL-DRIVER
  VM options      --shape S, --fb-size MIB, --nvme N, --cpus N, --memory MIB,
                  --kexec K: passed on to the check of each image
                  (scripts/image/check-image.sh --help; default: the
                  azure-gen2 shape); the stock driver's expected outcome is
                  the one known for the kernel (on gen1: a dump, whatever
                  the kernel)
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

kver="" driver=both extra=() shape=azure-gen2
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kver=$2; shift 2 ;;
	--driver) need_arg "$1" $#; driver=$2; shift 2 ;;
	--keep-logs) shift ;; # artifacts are always kept in build/logs
	--shape | --fb-size | --nvme | --cpus | --memory | --kexec)
		need_arg "$1" $#; extra+=("$1" "$2")
		[ "$1" != --shape ] || shape=$2
		shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
case $driver in
hvpci | stock) drivers=("$driver") ;;
both) drivers=(hvpci stock) ;;
*) usage_error "--driver must be hvpci, stock or both, not $driver" ;;
esac
# bad VM options fail now (64), not after the images are built: the
# image check's own argument checks, which come before it opens a file
if [ "${#extra[@]}" -gt 0 ]; then
	st=0
	err=$("$HVPCI_ROOT/scripts/image/check-image.sh" --image /nonexistent "${extra[@]}" 2>&1) || st=$?
	[ "$st" -ne 64 ] || { printf '%s\n' "$err" >&2; exit 64; }
fi
[ -n "$kver" ] || kver=$(default_kernel_version)
krel=$(kernel_release "$kver")
# shellcheck source=tests/e2e/models.sh
. "$HVPCI_ROOT/tests/e2e/models.sh"

# The main job's own image goes through the same check as a user's image
# (scripts/image/check-image.sh on mkimage.sh's Gen2 disk.img).
say "kdump NVMe check on $krel: Gen2 VM, Debian 12 with kdump-tools, root on NVMe behind vPCI"
logs=$HVPCI_ROOT/build/logs
mkdir -p "$logs"
rc=0 verdicts=()
for d in "${drivers[@]}"; do
	# what this kernel is known to do: hvpci always saves the dump; the
	# stock pci-hyperv only with the June 2026 hv_vmbus fix, except on
	# gen1, where hv_vmbus reserves the PCI video's BAR 0 in every kernel
	# (tests/e2e/scenarios/kdump-gen1-load-fb.scn)
	want=dump
	[ "$d" = hvpci ] || [ "$shape" = gen1 ] || kernel_has_fb_fallback "$krel" || want=c0370048
	dir=$(cache_locked images "$HVPCI_ROOT/scripts/mkimage.sh" --kernel "$kver" --driver "$d" --print-dir) ||
		{ verdicts+=("verdict $d: CHECK FAILED (the guest image did not build)"); rc=1; continue; }
	art=$logs/kdump-check-$krel-$d
	st=0
	"$HVPCI_ROOT/scripts/image/check-image.sh" --image "$dir/disk.img" \
		--keep-artifacts "$art" --json "$art.json" --junit "$art.xml" "${extra[@]}" 2>&1 |
		tee "$art.out" >&2 || st=${PIPESTATUS[0]}
	line=$(grep -a 'verdict: ' "$art.out" | tail -n 1 | sed 's/.*verdict: //')
	case $want/$st in
	dump/0) verdicts+=("verdict $d: DUMP SAVED to the NVMe root") ;;
	c0370048/1)
		if [[ $line == *"host refused D0 with c0370048"* ]]; then
			verdicts+=("verdict $d: NO DUMP, as known for this kernel: the host refused D0 entry (c0370048)")
		else
			verdicts+=("verdict $d: CHECK FAILED (want the known c0370048 refusal, got: $line)"); rc=1
		fi
		;;
	*) verdicts+=("verdict $d: CHECK FAILED (exit $st, want $want: $line); artifacts in $art"); rc=1 ;;
	esac
done
for v in "${verdicts[@]}"; do say "$v"; done
if [ "$rc" -eq 0 ]; then
	say "kdump NVMe check: PASS"
else
	say "kdump NVMe check: FAIL"
fi
exit "$rc"

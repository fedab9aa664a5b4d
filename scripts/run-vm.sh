#!/usr/bin/env bash
# Boot a guest kernel under QEMU TCG with its serial console in a log file,
# a wall-clock limit, and the exit status taken from the guest's verdict.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=scripts/lib/phases.sh
. "$(dirname "$0")/lib/phases.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") --kernel VER --initrd FILE [options] [-- QEMU-ARGS...]

Boot Debian cloud kernel VER (unpacked by scripts/get-kernel.sh) with the
given initramfs under QEMU's TCG accelerator (never KVM: /dev/kvm on these
machines cannot run stock kernels). The serial console goes to the log file.
The guest's init prints "HVPCI-VERDICT PASS" or "HVPCI-VERDICT FAIL <why>".

  --kernel VER      Debian kernel ABI, e.g. 6.1.0-56 (required)
  --initrd FILE     initramfs image (required; scripts/mkinitramfs.sh)
  --append ARGS     extra kernel command line
  --smp N           vCPUs (default 1)
  --mem MIB         guest memory in MiB (default 512)
  --timeout SEC     wall-clock limit; the guest is killed after it (default 120)
  --log FILE        serial console log (default: a new file under /tmp)
  --qmp SOCKET      also open a QMP server on this UNIX socket
  --uefi            boot through UEFI firmware (Debian's OVMF) like a Gen2
                    VM, instead of SeaBIOS; the kernel still comes from
                    --kernel (OVMF loads it through its EFI stub)
  --qemu PATH       QEMU binary (default: \$HVPCI_QEMU, else Debian's
                    qemu-system-x86_64; vmbus/build-qemu.sh --print-path
                    gives hvpci's Hyper-V stand-in)
  --quiet           print the verdict line only when the guest did not pass
  --phases FILE     write where the run's time went to FILE, one
                    "NAME SECONDS" line per phase (firmware, kernel,
                    userland, kdump-armed, crash, crash-kernel,
                    dump-written, verdict, exit), read off the console
                    (scripts/lib/phases.sh)
  -h, --help        this text

Anything after "--" goes to QEMU unchanged (machine type, devices, ...).

Exit status: 0 the guest passed, 1 it failed, 2 no verdict (timeout, crash,
QEMU error), 64 wrong flags. On anything but a pass the log is kept and its
path printed.
EOF
}

kver="" initrd="" append="" smp=1 mem=512 timeout_s=120 log="" qmp=""
qemu=${HVPCI_QEMU:-} quiet=0 uefi=0 phases=""
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kver=${2%-cloud-amd64}; shift 2 ;;
	--initrd) need_arg "$1" $#; initrd=$2; shift 2 ;;
	--append) need_arg "$1" $#; append=$2; shift 2 ;;
	--smp) need_arg "$1" $#; smp=$2; shift 2 ;;
	--mem) need_arg "$1" $#; mem=$2; shift 2 ;;
	--timeout) need_arg "$1" $#; timeout_s=$2; shift 2 ;;
	--log) need_arg "$1" $#; log=$2; shift 2 ;;
	--qmp) need_arg "$1" $#; qmp=$2; shift 2 ;;
	--qemu) need_arg "$1" $#; qemu=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--phases) need_arg "$1" $#; phases=$2; shift 2 ;;
	--uefi) uefi=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ -n "$kver" ] || usage_error "--kernel is required"
[ -n "$initrd" ] || usage_error "--initrd is required"
for n in "$smp" "$mem" "$timeout_s"; do
	case $n in '' | *[!0-9]*) usage_error "not a number: $n" ;; esac
done
[ -f "$initrd" ] || die "initramfs not found: $initrd"
krel=$(kernel_release "$kver")
vmlinuz=$(kernel_dir "$kver")/boot/vmlinuz-$krel
[ -f "$vmlinuz" ] ||
	die "kernel $kver is not unpacked; run scripts/get-kernel.sh --version $kver"
if [ -z "$qemu" ]; then
	apt_install qemu-system-x86
	qemu="qemu-system-x86_64"
fi
command -v "$qemu" >/dev/null || die "QEMU binary not found: $qemu"
[ -n "$log" ] || log=$(mktemp /tmp/hvpci-vm-XXXXXX.log)
mkdir -p "$(dirname "$log")"
: >"$log"

cmd=("$qemu" -accel tcg -cpu max -smp "$smp" -m "$mem"
	-kernel "$vmlinuz" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 rdinit=/init $append"
	-display none -vga none -monitor none -serial "file:$log"
	-no-reboot -nodefaults)
[ -z "$qmp" ] || cmd+=(-qmp "unix:$qmp,server=on,wait=off")
if [ "$uefi" -eq 1 ]; then
	ovmf=/usr/share/ovmf/OVMF.fd
	[ -f "$ovmf" ] || apt_install ovmf
	cmd+=(-bios "$ovmf")
fi
cmd+=("$@")

start=$(now_s)
watcher=""
if [ -n "$phases" ]; then
	phase_watch "$log" "$log.samples" &
	watcher=$!
fi
set +e
timeout -k 5 "$timeout_s" "${cmd[@]}" 2>"$log.qemu"
qrc=$?
set -e
took=$(elapsed "$start")
if [ -n "$watcher" ]; then
	kill "$watcher" 2>/dev/null || true
	wait "$watcher" 2>/dev/null || true
	phase_table "$log" "$log.samples" "$took" >"$phases"
	rm -f "$log.samples"
fi
# QEMU's own complaints belong with the console output they explain.
if [ -s "$log.qemu" ]; then
	{ echo "---- qemu stderr ----"; cat "$log.qemu"; } >>"$log"
fi
rm -f "$log.qemu"

verdict=$(grep -ao 'HVPCI-VERDICT [A-Z]*.*' "$log" | tail -n 1 | tr -d '\r' || true)
case $verdict in
"HVPCI-VERDICT PASS"*) rc=0 ;;
"HVPCI-VERDICT FAIL"*) rc=1 ;;
*)
	rc=2
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		verdict="no verdict: guest killed after the ${timeout_s}s limit"
	else
		verdict="no verdict: QEMU exited with status $qrc"
	fi
	;;
esac
if [ "$quiet" -eq 0 ] || [ "$rc" -ne 0 ]; then
	say "$verdict (${took}s)"
fi
if [ "$rc" -ne 0 ]; then
	say "serial log kept: $log"
fi
exit "$rc"

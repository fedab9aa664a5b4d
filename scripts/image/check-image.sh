#!/usr/bin/env bash
# kdump check of a user's own GPT/UEFI disk image (scripts/kdump-check.sh
# --image): boot it in the Hyper-V stand-in with its NVMe root behind vPCI,
# let its own kdump service arm, crash it, and read the dump back. The file
# is never written: everything runs on a qcow2 overlay in private scratch.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../lib/common.sh"
# shellcheck source=scripts/image/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/models.sh
. "$HVPCI_ROOT/tests/e2e/models.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") --image FILE [options]

Check that a GPT/UEFI Linux image (raw, qcow2, VHD fixed or dynamic, VHDX)
saves a crash dump on a Hyper-V VM whose root disk is NVMe behind vPCI (an
Azure-like Gen2 VM by default), in hvpci's Hyper-V stand-in. FILE is only
read.

  --image FILE          the image (required)
  --shape S             VM shape (tests/e2e/models.sh); each has its root
                        disk on NVMe behind vPCI, the VMBus high MMIO range
                        (512 MiB at 0xfe0000000) and the synthetic video
                        device; the shapes differ in firmware, VMBus low
                        MMIO range and framebuffer:
                        azure-gen2 (default): UEFI (OVMF); low range from
                          0x80000000 up to the IOAPIC (2028 MiB), the GOP
                          framebuffer at its base
                        local-gen2: UEFI; local Hyper-V's 128 MiB low
                          range (from 0x80000000 here, where OVMF puts the
                          framebuffer), the framebuffer at its base
                        cvm-like: UEFI; a 1 GiB low range, the framebuffer
                          at its base
                        gen1: BIOS (SeaBIOS); the Hyper-V PCI video device
                          1414:5353 with its 64 MiB framebuffer at
                          4 GiB - 128 MiB, the low range 0xf8000000-
                          0xfebfffff; the image's kernel and initramfs are
                          booted directly (GPT/UEFI images carry no BIOS
                          GRUB), as the UEFI shapes do
  --fb-size MIB         framebuffer size: UEFI shapes a power of two from 4
                        to 128 (default 8); gen1 only 64 (Hyper-V Gen1's
                        fixed size)
  --nvme N              NVMe disks behind the vPCI bus, 1 to 8 (default 1):
                        the image as the first (root), then N-1 blank 1 GiB
                        disks in scratch
  --memory MIB          guest memory, 512 to 2048 (default 1024; UEFI
                        shapes need the RAM below 2 GiB, where their low
                        MMIO range starts); gen1 512 to 16384
  --cpus N              vCPUs, 1 to 8 (default 1)
  --kexec K             how the image's kdump-tools loads the crash kernel:
                        load (kexec_load: KDUMP_KEXEC_ARGS gets -c), file
                        (kexec_file_load: -s), image-default (default: the
                        image's own /etc/default/kdump-tools, untouched);
                        the command kdump-tools ran is printed after the run
  --timeout SEC         limit for the whole boot-crash-dump run (default 900)
  --keep-artifacts DIR  keep the serial log, the vmcore and its dmesg in DIR
                        (and dkms.log, the package install's output)
  --json FILE           write a JSON summary
  --junit FILE          write a JUnit XML report
  --qemu-user USER      unprivileged user QEMU drops to (default: nobody)
  --with-hvpci          check twice: the image as it is, then with the
                        hvpci-dkms package installed into a second overlay
                        by the image's own dpkg and dkms (inside the
                        libguestfs appliance), which builds hvpci against
                        the image's kernels and headers and rebuilds its
                        initramfs images, the kdump one included (the image
                        needs dkms, gcc, make and linux-headers-KREL);
                        prints both verdicts side by side (exit status: the
                        one with hvpci)
  --install-hvpci       check once, with the hvpci-dkms package installed
                        (what --with-hvpci's second run does)
  --hvpci-deb FILE      with --with-hvpci or --install-hvpci: this
                        hvpci-dkms .deb (default: built from this tree by
                        packaging/build-deb.sh)
  -h, --help            this text

Exit status: 0 a dump was saved and holds the crashed kernel's log with the
sysrq trigger; 1 no (valid) dump, the reason printed; 2 harness error (not
an image, truncated, no EFI system partition, missing tool); 64 usage.
EOF
}

image="" shape=azure-gen2 mem=1024 cpus=1 timeout_s=900 keep="" json="" junit=""
quser=nobody with_hvpci=0 install_hvpci=0 hvpci_deb="" fb_mib="" nvme=1 kexec=image-default
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--image) need_arg "$1" $#; image=$2; shift 2 ;;
	--shape) need_arg "$1" $#; shape=$2; shift 2 ;;
	--memory) need_arg "$1" $#; mem=$2; shift 2 ;;
	--cpus) need_arg "$1" $#; cpus=$2; shift 2 ;;
	--fb-size) need_arg "$1" $#; fb_mib=$2; shift 2 ;;
	--nvme) need_arg "$1" $#; nvme=$2; shift 2 ;;
	--kexec) need_arg "$1" $#; kexec=$2; shift 2 ;;
	--timeout) need_arg "$1" $#; timeout_s=$2; shift 2 ;;
	--keep-artifacts) need_arg "$1" $#; keep=$2; shift 2 ;;
	--json) need_arg "$1" $#; json=$2; shift 2 ;;
	--junit) need_arg "$1" $#; junit=$2; shift 2 ;;
	--qemu-user) need_arg "$1" $#; quser=$2; shift 2 ;;
	--with-hvpci) with_hvpci=1; shift ;;
	--hvpci-deb) need_arg "$1" $#; hvpci_deb=$2; shift 2 ;;
	--install-hvpci) install_hvpci=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ -n "$image" ] || usage_error "--image is required"
if [ -n "$hvpci_deb" ]; then
	[ "$with_hvpci$install_hvpci" != 00 ] || usage_error "--hvpci-deb goes with --with-hvpci or --install-hvpci"
	[ -f "$hvpci_deb" ] || usage_error "--hvpci-deb $hvpci_deb: no such file"
	hvpci_deb=$(realpath "$hvpci_deb")
fi
# num FLAG VALUE MIN MAX: VALUE is a whole number in [MIN, MAX].
num() {
	case $2 in '' | *[!0-9]* | 0[0-9]*) usage_error "$1 must be a whole number, not '$2'" ;; esac
	if [ "${#2}" -gt 6 ] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		usage_error "$1 $2 is out of range ($3 to $4)"
	fi
}
# shape: firmware, VMBus low MMIO range (MiB from 0x80000000), memory limit
case $shape in
azure-gen2) low_mib=$(((0xfec00000 - 0x80000000) / 1048576)) mem_max=2048 ;;
local-gen2) low_mib=128 mem_max=2048 ;;
cvm-like) low_mib=1024 mem_max=2048 ;;
gen1) low_mib="" mem_max=16384 ;;
*) usage_error "unknown --shape '$shape' (one of azure-gen2, local-gen2, cvm-like, gen1)" ;;
esac
num "--memory (shape $shape)" "$mem" 512 "$mem_max"
num --cpus "$cpus" 1 8
num --timeout "$timeout_s" 1 86400
num --nvme "$nvme" 1 8
if [ "$shape" = gen1 ]; then
	fb_mib=${fb_mib:-64}
	[ "$fb_mib" = 64 ] || usage_error "--fb-size $fb_mib: the gen1 shape's framebuffer is Hyper-V Gen1's fixed 64 MiB"
else
	fb_mib=${fb_mib:-8}
	# 4 MiB holds OVMF's 1024x768x32 mode; 128 MiB is Hyper-V's largest
	# framebuffer, and fits the smallest low range (local-gen2's)
	num --fb-size "$fb_mib" 4 128
	[ $((fb_mib & (fb_mib - 1))) -eq 0 ] || usage_error "--fb-size $fb_mib is not a power of two (4, 8 ... 128)"
fi
case $kexec in
load) kexec_flag=-c ;;
file) kexec_flag=-s ;;
image-default) kexec_flag="" ;;
*) usage_error "--kexec must be load, file or image-default, not '$kexec'" ;;
esac

# --with-hvpci: this check twice, the second with hvpci installed, each
# with its own overlay, artifacts and summaries; both verdicts at the end.
if [ "$with_hvpci" -eq 1 ]; then
	rest=() skip=0
	for a in "${args[@]}"; do
		if [ "$skip" -eq 1 ]; then skip=0; continue; fi
		case $a in
		--with-hvpci) ;;
		--keep-artifacts | --json | --junit | --hvpci-deb) skip=1 ;;
		*) rest+=("$a") ;;
		esac
	done
	# per-run outputs: DIR/as-is and DIR/hvpci, FILE.as-is and FILE.hvpci
	outs() {
		[ -z "$keep" ] || printf '%s\n' --keep-artifacts "$keep/$1"
		[ -z "$json" ] || printf '%s\n' --json "${json%.json}.$1.json"
		[ -z "$junit" ] || printf '%s\n' --junit "${junit%.xml}.$1.xml"
	}
	mapfile -t o1 < <(outs as-is)
	mapfile -t o2 < <(outs hvpci)
	tmpo=$(mktemp -d)
	trap 'rm -rf "$tmpo"' EXIT
	r1=0 r2=0
	if [ -z "$hvpci_deb" ]; then
		say "building the hvpci-dkms package from this tree (packaging/build-deb.sh)"
		cache_locked deb "$HVPCI_ROOT/packaging/build-deb.sh" --out "$tmpo/deb" >"$tmpo/deb.log" 2>&1 ||
			{ tail -n 5 "$tmpo/deb.log" >&2; say "HARNESS ERROR: building the hvpci-dkms package failed"; exit 2; }
		hvpci_deb=$(ls "$tmpo"/deb/hvpci-dkms_*_all.deb)
	fi
	say "run 1 of 2: the image as it is"
	"$0" "${rest[@]}" "${o1[@]}" 2>&1 | tee "$tmpo/1" >&2 || r1=${PIPESTATUS[0]}
	say "run 2 of 2: the image with $(basename "$hvpci_deb") installed"
	"$0" "${rest[@]}" "${o2[@]}" --install-hvpci --hvpci-deb "$hvpci_deb" 2>&1 | tee "$tmpo/2" >&2 || r2=${PIPESTATUS[0]}
	v1=$(grep -a 'verdict: ' "$tmpo/1" | tail -n 1 | sed 's/.*verdict: //')
	v2=$(grep -a 'verdict: ' "$tmpo/2" | tail -n 1 | sed 's/.*verdict: //')
	d1=$(grep -a "crash kernel's vPCI driver: " "$tmpo/1" | tail -n 1 | sed 's/.*driver: //')
	d2=$(grep -a "crash kernel's vPCI driver: " "$tmpo/2" | tail -n 1 | sed 's/.*driver: //')
	say "---- before and after ----"
	say "as it is   (exit $r1): ${v1:-$(tail -n 1 "$tmpo/1")}${d1:+ [crash kernel ran $d1]}"
	say "with hvpci (exit $r2): ${v2:-$(tail -n 1 "$tmpo/2")}${d2:+ [crash kernel ran $d2]}"
	exit "$r2"
fi

# harness_error MESSAGE: not the image's fault, or not an image: exit 2.
harness_error() {
	printf '%s: error: %s\n' "$_hvpci_prog" "$*" >&2
	exit 2
}
[ -f "$image" ] || harness_error "no such file: $image"
[ -r "$image" ] || harness_error "cannot read $image"
[ "$(id -u)" -eq 0 ] ||
	harness_error "needs root: QEMU opens the disk and firmware as root, then drops to --qemu-user"
id -u "$quser" >/dev/null 2>&1 || harness_error "no such user for QEMU: $quser"
for t in qemu-img guestfish makedumpfile python3 setpriv; do
	command -v "$t" >/dev/null || harness_error "$t is missing (apt-get install qemu-utils libguestfs-tools makedumpfile python3 util-linux)"
done
compgen -G '/boot/vmlinuz-*' >/dev/null ||
	harness_error "libguestfs' appliance needs a kernel in the host's /boot, and there is none (apt-get install linux-image-amd64; make setup does)"
ovmf=/usr/share/ovmf/OVMF.fd
[ -f "$ovmf" ] || harness_error "no UEFI firmware at $ovmf (apt-get install ovmf)"

t0=$(now_s)
phase_start=$t0
phases=()
# phase NAME: the step that just ended; a progress line with its time.
phase() {
	local took
	took=$(elapsed "$phase_start")
	phases+=("$1=$took")
	say "$1: ${took}s (total $(elapsed "$t0")s)"
	phase_start=$(now_s)
}

# Private scratch: 0700, removed at exit unless artifacts are kept.
scratch=$(mktemp -d /tmp/hvpci-image-XXXXXX)
chmod 0700 "$scratch"
# At exit: no appliance left behind, no scratch. A command failing where no
# check expected it is the harness's failure (exit 2), never a verdict.
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local k
	[ -z "${GUESTFISH_PID:-}" ] || guestfish --remote -- exit >/dev/null 2>&1 || true
	if [ -n "$keep" ]; then
		mkdir -p "$keep"
		for k in serial.log vmcore dmesg.txt grub.cfg dkms.log; do
			[ ! -f "$scratch/$k" ] || cp "$scratch/$k" "$keep/"
		done
	fi
	rm -rf "$scratch"
}
trap cleanup EXIT
set -E
trap 'harness_error "unexpected failure (line $LINENO: $BASH_COMMAND)"' ERR
as_user() { setpriv --reuid="$quser" --regid="$(id -g "$quser")" --clear-groups -- "$@"; }

# ---- the file: a disk image of a known format, no backing file of its own
# The input is only ever opened read-only; this identity (size, mtime and
# ctime in ns, inode) is compared at the end as a guard. (Tests compare the
# sha256; hashing a multi-GiB image here would cost a minute per run.)
ident() { stat -L -c '%s %.9Y %.9Z %i' "$image"; }
sum_before=$(ident)
info=$(qemu-img info --output=json "$image" 2>"$scratch/info.err") ||
	harness_error "qemu-img cannot read $image: $(head -n 1 "$scratch/info.err")"
read -r fmt backing vsize < <(python3 -c '
import json, sys
i = json.load(sys.stdin)
print(i.get("format", "?"), "yes" if ("backing-filename" in i or "data-file" in str(i.get("format-specific", ""))) else "no", i.get("virtual-size", 0))' <<<"$info")
# A fixed VHD is raw data plus a 512-byte footer ("conectix") at its end,
# which qemu-img's probe takes for raw: name the format for it.
if [ "$fmt" = raw ] && [ "$(tail -c 512 "$image" | head -c 8)" = conectix ]; then
	info=$(qemu-img info -f vpc --output=json "$image" 2>"$scratch/info.err") ||
		harness_error "qemu-img cannot read $image as a fixed VHD: $(head -n 1 "$scratch/info.err")"
	read -r fmt backing vsize < <(python3 -c '
import json, sys
i = json.load(sys.stdin)
print(i.get("format", "?"), "yes" if "backing-filename" in i else "no", i.get("virtual-size", 0))' <<<"$info")
	say "$image: a fixed VHD (footer at its end)"
fi
case $fmt in
raw | qcow2 | vpc | vhdx) ;;
*) harness_error "$image: format '$fmt' is not one of raw, qcow2, VHD (vpc), VHDX" ;;
esac
[ "$backing" = no ] || harness_error "$image: has a backing or external data file; give the flattened image"
# qemu-img checks the metadata of qcow2 and VHDX (a truncated file shows);
# it has no check for VHD, whose GPT test below catches truncation.
if [ "$fmt" = qcow2 ] || [ "$fmt" = vhdx ]; then
	qemu-img check -f "$fmt" "$image" >"$scratch/check.out" 2>&1 ||
		harness_error "$image: $fmt image is damaged or truncated: $(grep -v '^$' "$scratch/check.out" | head -n 1)"
fi
[ "$vsize" -ge 67108864 ] || harness_error "$image: a $vsize-byte disk is too small to hold a bootable system"
# GPT, read on the host as data: both headers, and an EFI system partition.
# (qemu-img 7.2's dd counts the skipped blocks in count=.)
qemu-img dd -f "$fmt" -O raw bs=512 count=34 if="$image" of="$scratch/head.bin" 2>/dev/null ||
	harness_error "$image: cannot read its first sectors (truncated?)"
qemu-img dd -f "$fmt" -O raw bs=512 skip=$((vsize / 512 - 1)) count=$((vsize / 512)) if="$image" of="$scratch/tail.bin" 2>/dev/null ||
	harness_error "$image: cannot read its last sector (truncated?)"
gpt=$(python3 - "$scratch/head.bin" "$scratch/tail.bin" <<'PY'
import struct, sys, uuid
head = open(sys.argv[1], "rb").read()
tail = open(sys.argv[2], "rb").read()
if head[512:520] != b"EFI PART":
    print("nogpt"); sys.exit()
if tail[:8] != b"EFI PART":
    print("nobackup"); sys.exit()
lba, n, size = struct.unpack_from("<QII", head, 512 + 72)
esp = uuid.UUID("c12a7328-f81f-11d2-ba4b-00a0c93ec93b")
for i in range(min(n, 128)):
    off = lba * 512 + i * size
    if off + 16 > len(head):
        break
    if uuid.UUID(bytes_le=head[off:off + 16]) == esp:
        print("esp", i + 1); sys.exit()
print("noesp")
PY
)
case $gpt in
nogpt) harness_error "$image: no GPT partition table; a Gen2 (UEFI) image has one" ;;
nobackup) harness_error "$image: the backup GPT header is not at the disk's end: the image is truncated or damaged" ;;
noesp) harness_error "$image: no EFI system partition on its GPT; a Gen2 image boots from one" ;;
esp*) esp=/dev/sda${gpt#esp } ;;
*) harness_error "cannot read the partition table of $image" ;;
esac
qemu-img create -q -f qcow2 -F "$fmt" -b "$(realpath "$image")" "$scratch/overlay.qcow2" ||
	harness_error "cannot create the overlay"
say "image $image: $fmt, $((vsize / 1048576)) MiB; overlay in $scratch"
phase overlay

# ---- one appliance session: inspect, find the boot entry, arm the agent
gf() { guestfish --remote -- "$@"; }
gf_start() {
	local out
	out=$(guestfs_env guestfish --listen) || harness_error "guestfish --listen failed"
	# "GUESTFISH_PID=NNN; export GUESTFISH_PID" from guestfish itself
	GUESTFISH_PID=$(sed -n 's/^GUESTFISH_PID=\([0-9]*\);.*/\1/p' <<<"$out")
	[ -n "$GUESTFISH_PID" ] || harness_error "guestfish --listen printed no PID"
	export GUESTFISH_PID
}
gf_stop() { gf exit >/dev/null 2>&1 || true; unset GUESTFISH_PID; }
gf_mount_os() {
	local root mp dev
	root=$(gf inspect-os | head -n 1)
	[ -n "$root" ] || { gf_stop; harness_error "$image: no Linux root file system found"; }
	gf inspect-get-mountpoints "$root" | sort -k1,1 | while IFS=': ' read -r mp dev; do
		gf mount "$dev" "$mp" 2>/dev/null || true
	done
}

gf_start
gf add-drive "$scratch/overlay.qcow2" format:qcow2
gf run || { gf_stop; harness_error "the libguestfs appliance did not start"; }
gf_mount_os
gf is-file /boot/grub/grub.cfg | grep -qx true ||
	{ gf_stop; harness_error "$image: no /boot/grub/grub.cfg to take the default boot entry from"; }
gf download /boot/grub/grub.cfg "$scratch/grub.cfg"
# boot_entry GRUBCFG: the default entry's kernel, initramfs and command
# line, one per line (grub.cfg read as data).
boot_entry() {
	python3 - "$1" <<'PY'
import sys, re
lin = ini = None
for line in open(sys.argv[1], errors="replace"):
    s = line.strip()
    if lin is None and re.match(r"linux(efi)?\s", s):
        lin = s.split(None, 1)[1]
    elif lin is not None and ini is None and re.match(r"initrd(efi)?\s", s):
        ini = s.split()[1]
        break
if lin is None:
    sys.exit(1)
k, _, args = lin.partition(" ")
print(k)
print(ini or "")
print(args.strip())
PY
}
entry=$(boot_entry "$scratch/grub.cfg") || { gf_stop; harness_error "$image: grub.cfg has no linux entry"; }
kpath=$(sed -n 1p <<<"$entry") ipath=$(sed -n 2p <<<"$entry") cmdline=$(sed -n 3p <<<"$entry")
resolve_boot_path() {
	if [ "$(gf is-file "$1")" = true ]; then echo "$1"; else echo "/boot$1"; fi
}
kpath=$(resolve_boot_path "$kpath")
[ -z "$ipath" ] || ipath=$(resolve_boot_path "$ipath")
gf download "$kpath" "$scratch/vmlinuz" ||
	{ gf_stop; harness_error "$image: the default entry's kernel $kpath is not in the image"; }
[ -z "$ipath" ] || gf download "$ipath" "$scratch/initrd.img" ||
	{ gf_stop; harness_error "$image: the default entry's initramfs $ipath is not in the image"; }
krel=$(basename "$kpath" | sed 's/^vmlinuz-//')
kdump_installed=$(gf is-file /usr/sbin/kdump-config)
use_kdump=""
if [ "$(gf is-file /etc/default/kdump-tools)" = true ]; then
	use_kdump=$(gf cat /etc/default/kdump-tools | sed -n 's/^USE_KDUMP=\([0-9]*\).*/\1/p' | tail -n 1)
fi
if [ "$install_hvpci" -eq 1 ]; then
	# hvpci as a fleet installs it: the hvpci-dkms package, installed by
	# the image's own dpkg inside the appliance. Its postinst runs the
	# image's dkms against each kernel with headers, rebuilds the system
	# and kdump-tools initramfs images, and where pci-hyperv is built in
	# sets up the takeover (packaging/README.md).
	for need in /usr/sbin/dkms /usr/bin/make "/lib/modules/$krel/build/Makefile"; do
		[ "$(gf is-file "$need" followsymlinks:true)" = true ] ||
			{ gf_stop; harness_error "--with-hvpci: the image has no $need (it needs dkms, gcc, make and linux-headers-$krel)"; }
	done
	if [ -z "$hvpci_deb" ]; then
		# (build-deb.sh stages in the tree's build/deb: one at a time)
		cache_locked deb "$HVPCI_ROOT/packaging/build-deb.sh" --out "$scratch/deb" >"$scratch/deb.log" 2>&1 ||
			{ gf_stop; harness_error "--with-hvpci: building the hvpci-dkms package failed: $(tail -n 3 "$scratch/deb.log" | tr '\n' ' ')"; }
		hvpci_deb=$(ls "$scratch"/deb/hvpci-dkms_*_all.deb)
	fi
	hp=$(now_s)
	gf upload "$hvpci_deb" /var/tmp/hvpci-dkms.deb
	# The appliance runs the image's tools chrooted into it. trixie's
	# kdump-tools hook leaves the crash initramfs alone inside a chroot
	# (ischroot), as if for the first boot to rebuild; here there is no such
	# boot before the crash, so the install must run as on the booted VM: a
	# private ischroot saying "not a chroot" comes first on dpkg's PATH.
	gf sh "mkdir -p /var/tmp/hvpci-nochroot && printf '#!/bin/sh\nexit 1\n' >/var/tmp/hvpci-nochroot/ischroot && chmod 0755 /var/tmp/hvpci-nochroot/ischroot && PATH=/var/tmp/hvpci-nochroot:/usr/sbin:/usr/bin:/sbin:/bin dpkg -i /var/tmp/hvpci-dkms.deb >/var/log/hvpci-dkms.log 2>&1; echo dpkg=\$?; rm -rf /var/tmp/hvpci-dkms.deb /var/tmp/hvpci-nochroot" >"$scratch/dkms.rc" 2>&1 || true
	gf download /var/log/hvpci-dkms.log "$scratch/dkms.log" 2>/dev/null || true
	if ! grep -q 'dpkg=0' "$scratch/dkms.rc"; then
		gf_stop
		harness_error "--with-hvpci: dpkg -i hvpci-dkms in the image failed: $(tail -n 3 "$scratch/dkms.log" 2>/dev/null | tr '\n' ' ')"
	fi
	built=$(gf sh "ls /lib/modules/$krel/updates/dkms/ 2>/dev/null || true" | grep -E '^(pci-hyperv|hvpci)\.ko' || true)
	[ -n "$built" ] ||
		{ gf_stop; harness_error "--with-hvpci: the package installed, but DKMS built nothing for $krel: $(grep -a 'hvpci:' "$scratch/dkms.log" | tr '\n' ' ')"; }
	say "hvpci-dkms $(basename "$hvpci_deb") installed by the image's dpkg: $krel has updates/dkms/$built; $(grep -a '^hvpci: installed' "$scratch/dkms.log" || echo 'hvpci: ?') ($(elapsed "$hp")s)"
	# what the crash kernel will boot: kdump-tools' initramfs (Debian's path)
	kinit=/var/lib/kdump/initrd.img-$krel
	if [ "$(gf is-file "$kinit")" = true ]; then
		kmods=$(gf sh "lsinitramfs $kinit | grep -c '/updates/dkms/' || true" 2>/dev/null | tr -d '[:space:]')
		say "kdump-tools' crash initramfs $kinit holds ${kmods:-0} module(s) from updates/dkms"
	fi
	# the package may have changed the boot entry (the takeover's
	# command line) and rebuilt the initramfs: boot what it left
	gf download /boot/grub/grub.cfg "$scratch/grub.cfg"
	entry=$(boot_entry "$scratch/grub.cfg") || { gf_stop; harness_error "$image: grub.cfg has no linux entry after the install"; }
	cmdline=$(sed -n 3p <<<"$entry")
	[ -z "$ipath" ] || gf download "$ipath" "$scratch/initrd.img"
fi
# --kexec: one line appended to the overlay's kdump-tools defaults: the
# image's own KDUMP_KEXEC_ARGS (its last plain assignment, read as data) and
# the flag after it (kexec takes the last of -c and -s). A literal value:
# systemd reads this file as an EnvironmentFile too, without expanding it.
if [ -n "$kexec_flag" ] && [ "$(gf is-file /etc/default/kdump-tools)" = true ]; then
	gf download /etc/default/kdump-tools "$scratch/kdump-tools"
	old_args=$(sed -n 's/^[[:space:]]*KDUMP_KEXEC_ARGS=//p' "$scratch/kdump-tools" | tail -n 1)
	old_args=${old_args#\"} old_args=${old_args%\"}
	case $old_args in
	*[!A-Za-z0-9\ _=,./:+-]*)
		gf_stop
		harness_error "--kexec $kexec: the image's KDUMP_KEXEC_ARGS ($old_args) is more than plain words; use --kexec image-default"
		;;
	esac
	new_args="${old_args:+$old_args }$kexec_flag"
	printf '# added by kdump-check --kexec %s (overlay only)\nKDUMP_KEXEC_ARGS="%s"\n' \
		"$kexec" "$new_args" >>"$scratch/kdump-tools"
	gf upload "$scratch/kdump-tools" /etc/default/kdump-tools
	say "--kexec $kexec: KDUMP_KEXEC_ARGS=\"$new_args\" in the overlay's /etc/default/kdump-tools"
fi
# The agent, into the overlay only.
gf mkdir-p /usr/local/sbin
gf upload "$here/agent/hvpci-kdump-agent" /usr/local/sbin/hvpci-kdump-agent
gf chmod 0755 /usr/local/sbin/hvpci-kdump-agent
for u in hvpci-kdump-agent.service hvpci-kdump-agent-crash.service; do
	gf upload "$here/agent/$u" "/etc/systemd/system/$u"
done
gf mkdir-p /etc/systemd/system/multi-user.target.wants
gf mkdir-p /etc/systemd/system/kdump-tools-dump.service.wants
gf ln-sf /etc/systemd/system/hvpci-kdump-agent.service /etc/systemd/system/multi-user.target.wants/hvpci-kdump-agent.service
gf ln-sf /etc/systemd/system/hvpci-kdump-agent-crash.service /etc/systemd/system/kdump-tools-dump.service.wants/hvpci-kdump-agent-crash.service
gf mkdir-p /etc/systemd/system/kdump-tools.service.wants
gf ln-sf /etc/systemd/system/hvpci-kdump-agent-crash.service /etc/systemd/system/kdump-tools.service.wants/hvpci-kdump-agent-crash.service
gf umount-all
gf_stop
say "default entry: $kpath ($krel), initramfs ${ipath:-none}; ESP $esp"
say "command line: $cmdline"
phase agent-into-overlay

reason="" rc=1
finish() {
	local v=$1
	[ "$(ident)" = "$sum_before" ] ||
		{ v="HARNESS ERROR" reason="the input file changed during the check"; rc=2; }
	say "verdict: $v${reason:+: $reason}"
	if [ -n "$json" ]; then
		python3 - "$json" "$image" "$fmt" "$v" "$reason" "$krel" "${crash_module:-}" "${crash_version:-}" "${crash_hvpci:-}" "$sum_before" "${sandboxed:-}" "${qemu_uid:-}" "${qemu_seccomp:-}" \
			"$shape" "$fb_mib" "$nvme" "$cpus" "$mem" "$kexec" "${kexec_cmd:-}" "${phases[@]}" <<'PY'
import json, sys
a = sys.argv
out = {"image": a[2], "format": a[3], "verdict": a[4], "reason": a[5], "kernel": a[6],
       "crash_kernel_vpci": {"module": a[7], "version": a[8], "hvpci_placement": a[9]},
       "input_identity": a[10], "qemu_seccomp_sandbox": a[11] == "yes",
       "qemu_uid": a[12], "qemu_seccomp_mode": a[13],
       "vm": {"shape": a[14], "fb_size_mib": int(a[15]), "nvme": int(a[16]),
              "cpus": int(a[17]), "memory_mib": int(a[18]), "kexec": a[19]},
       "kexec_cmd": a[20], "phases_s": {}}
for p in a[21:]:
    k, _, v = p.partition("=")
    out["phases_s"][k] = float(v)
json.dump(out, open(a[1], "w"), indent=2)
PY
	fi
	if [ -n "$junit" ]; then
		{
			echo '<?xml version="1.0" encoding="UTF-8"?>'
			echo "<testsuite name=\"hvpci-kdump-image\" tests=\"1\" failures=\"$([ "$rc" -eq 0 ] && echo 0 || echo 1)\" time=\"$(elapsed "$t0")\">"
			printf '  <testcase classname="kdump-image" name="%s" time="%s">' "$(basename "$image" | sed 's/[&<>"]/_/g')" "$(elapsed "$t0")"
			[ "$rc" -eq 0 ] || printf '<failure message="%s"/>' "$(sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' <<<"$v: $reason")"
			echo '</testcase>'
			echo '</testsuite>'
		} >"$junit"
	fi
	[ -z "$keep" ] || say "artifacts kept in $keep"
	exit "$rc"
}

# Reasons found in the image itself, before any boot.
if [ "$kdump_installed" != true ]; then
	reason="kdump not armed: kdump-tools is not installed in the image (no /usr/sbin/kdump-config)"
	finish "NO DUMP"
fi
if [ "$use_kdump" != 1 ]; then
	reason="kdump not armed: USE_KDUMP is not 1 in the image's /etc/default/kdump-tools"
	finish "NO DUMP"
fi
if [[ " $cmdline " != *" crashkernel="* ]]; then
	reason="crashkernel= missing from the default boot entry's command line, so no memory is reserved for a crash kernel"
	finish "NO DUMP"
fi

# ---- boot: the shape of tests/e2e/models.sh, NVMe root behind vPCI
qemu=${HVPCI_QEMU:-$(cache_locked qemu "$HVPCI_ROOT/vmbus/build-qemu.sh" --print-path 2>/dev/null)} ||
	harness_error "the stand-in QEMU is not built (make setup)"
# QEMU's seccomp sandbox, when the binary has it; the privilege drop always.
sandbox=(-runas "$quser")
if "$qemu" -sandbox on -M none -display none -nodefaults -S -monitor none -version >/dev/null 2>&1; then
	# shellcheck disable=SC2054 # one QEMU option, comma-separated
	sandbox+=(-sandbox on,obsolete=deny,spawn=deny,resourcecontrol=deny)
	sandboxed=yes
else
	sandboxed=no
	say "warning: $qemu has no seccomp support (built without --enable-seccomp); running without -sandbox, as $quser only"
fi
QEMU_ARGS=()
firmware=()
case $shape in
gen1) vm_gen1 "$scratch/overlay.qcow2" qcow2; firmware=() ;; # QEMU's SeaBIOS
*) vm_gen2_sized "$scratch/overlay.qcow2" qcow2 "$low_mib" "$fb_mib"; firmware=(-bios "$ovmf") ;;
esac
for ((i = 1; i < nvme; i++)); do
	qemu-img create -q -f qcow2 "$scratch/data$i.qcow2" 1G || harness_error "cannot create NVMe disk $((i + 1))"
	vm_vpci_nvme "$scratch/data$i.qcow2" qcow2 "$i"
done
if [ "$shape" = gen1 ]; then
	vm_desc="gen1: BIOS, VMBus low MMIO 0xf8000000-0xfebfffff, PCI video framebuffer $fb_mib MiB at 0xf8000000"
else
	vm_desc="$shape: UEFI, VMBus low MMIO $low_mib MiB from 0x80000000, framebuffer $fb_mib MiB at its base"
fi
vm_desc="$vm_desc, $nvme NVMe behind vPCI, $cpus vCPU, $mem MiB, kexec $kexec"
# The harness adds two things to the entry's command line: the serial
# console it reads, and panic=-1, so that a kernel or an initramfs that gives
# up (no root: initramfs-tools panics) reboots, which ends the run, instead
# of sitting in a rescue shell until the time limit. With a crash kernel
# loaded, a panic still goes to kdump first. kdump-tools passes both on to
# the crash kernel.
append="$cmdline"
[[ " $append " == *" console=ttyS0"* ]] || append="$append console=ttyS0"
[[ " $append " == *" panic="* ]] || append="$append panic=-1"
chown -R "$quser" "$scratch"
: >"$scratch/serial.log"
say "booting $krel in the stand-in ($vm_desc); QEMU as $quser, seccomp sandbox: $sandboxed"
set +e
timeout -k 5 "$timeout_s" "$qemu" -accel tcg -cpu max -smp "$cpus" -m "$mem" \
	"${firmware[@]}" -kernel "$scratch/vmlinuz" ${ipath:+-initrd "$scratch/initrd.img"} \
	-append "$append" -display none -vga none -monitor none -nodefaults -no-reboot \
	-serial "file:$scratch/serial.log" \
	"${sandbox[@]}" \
	"${QEMU_ARGS[@]}" 2>"$scratch/qemu.err" &
qpid=$!
set -e
# Follow the console as data: one phase line per milestone.
log=$scratch/serial.log
seen_fw=0 seen_boot=0 seen_armed=0 seen_crash=0 seen_cku=0
qemu_uid="" qemu_seccomp=""
while kill -0 "$qpid" 2>/dev/null; do
	sleep 2
	if [ -z "$qemu_uid" ]; then
		# what the kernel says of the QEMU process (the child of timeout)
		qp=$(pgrep -P "$qpid" -x "$(basename "$qemu" | cut -c1-15)" || true)
		if [ -n "$qp" ] && grep -aq 'Linux version' "$log"; then
			qemu_uid=$(awk '/^Uid:/ { print $2 }' "/proc/$qp/status" 2>/dev/null || true)
			qemu_seccomp=$(awk '/^Seccomp:/ { print $2 }' "/proc/$qp/status" 2>/dev/null || true)
			say "QEMU pid $qp runs as uid ${qemu_uid:-?} (seccomp mode ${qemu_seccomp:-?}; 2 = filter)"
		fi
	fi
	# milestones, each ending a phase: firmware (to the kernel's banner),
	# boot (to the agent in userland), kdump-armed (the image's kdump
	# service loaded a crash kernel), crash (sysrq to the crash kernel's
	# banner), crash-kernel (to its userland), then dump-written (to
	# QEMU's exit on the crash kernel's reboot)
	if [ "$seen_fw" -eq 0 ] && grep -aq 'Linux version' "$log"; then seen_fw=1; phase firmware; fi
	if [ "$seen_boot" -eq 0 ] && grep -aq 'HVPCI-AGENT stage=first' "$log"; then seen_boot=1; phase boot; fi
	if [ "$seen_armed" -eq 0 ] && grep -aq 'HVPCI-AGENT kdump.armed=' "$log"; then seen_armed=1; phase kdump-armed; fi
	if [ "$seen_crash" -eq 0 ] && [ "$(grep -ac 'Linux version' "$log")" -ge 2 ]; then seen_crash=1; phase crash; fi
	if [ "$seen_cku" -eq 0 ] && grep -aq 'HVPCI-AGENT stage=crash' "$log"; then seen_cku=1; phase crash-kernel; fi
done
qrc=0
wait "$qpid" || qrc=$?
phase dump-written
{ echo "---- qemu stderr ----"; cat "$scratch/qemu.err"; } >>"$log"
# agent KEY: the agent's last value for KEY on the console, or nothing.
agent() { { grep -a "^HVPCI-AGENT $1=" "$log" || true; } | tail -n 1 | cut -d= -f2- | tr -d '\r'; }
crash_module=$(agent crash.vpci.module) crash_version=$(agent crash.vpci.version)
crash_hvpci=$(agent crash.vpci.hvpci)

# ---- read back: the newest /var/crash/<stamp>/ from the overlay
gf_start
gf add-drive "$scratch/overlay.qcow2" format:qcow2 readonly:true
gf run || { gf_stop; harness_error "the libguestfs appliance did not start"; }
gf_mount_os
dumpdir=$(gf glob-expand '/var/crash/2*/' 2>/dev/null | sort | tail -n 1 || true)
dumpfile=""
if [ -n "$dumpdir" ]; then
	dumpfile=$(gf glob-expand "${dumpdir}dump.*" 2>/dev/null | head -n 1 || true)
	[ -z "$dumpfile" ] || gf download "$dumpfile" "$scratch/dump.raw"
fi
# what kdump-tools ran to load the crash kernel (kdump-config's record)
kexec_cmd=""
if [ "$(gf is-file /var/crash/kexec_cmd 2>/dev/null || true)" = true ]; then
	kexec_cmd=$(gf cat /var/crash/kexec_cmd 2>/dev/null | head -n 1 | tr -cd '[:print:]' | cut -c1-300 || true)
fi
gf_stop
[ -z "$kexec_cmd" ] || say "kdump-tools loaded the crash kernel with: $kexec_cmd"
phase read-back

if [ -n "$dumpfile" ] && [ -s "$scratch/dump.raw" ]; then
	chown "$quser" "$scratch/dump.raw"
	if [ "$(head -c 12 "$scratch/dump.raw")" = makedumpfile ]; then
		as_user makedumpfile -R "$scratch/vmcore" <"$scratch/dump.raw" >/dev/null 2>&1 || true
	else
		cp "$scratch/dump.raw" "$scratch/vmcore"
	fi
	if [ -s "$scratch/vmcore" ] && as_user makedumpfile --dump-dmesg "$scratch/vmcore" "$scratch/dmesg.txt" >/dev/null 2>&1 &&
		grep -aq -e 'sysrq: Trigger a crash' -e 'sysrq triggered crash' "$scratch/dmesg.txt"; then
		rc=0 reason="$dumpfile ($(wc -c <"$scratch/dump.raw") bytes); its dmesg holds the crashed kernel's log with the sysrq trigger"
		say "crash kernel's vPCI driver: ${crash_module:-unknown}, version ${crash_version:-none (in-tree)}${crash_hvpci:+; hvpci placement: $crash_hvpci}"
		phase verify
		finish "DUMP SAVED"
	fi
	reason="dump incomplete: $dumpfile is not a dump that makedumpfile --dump-dmesg can read the crashed kernel's log from"
	finish "NO DUMP"
fi
# No dump: say why, from the console (data only).
if [ "$(agent kdump.armed)" = no ]; then
	reason="kdump not armed: no crash kernel loaded ($(agent kdump.status))"
elif grep -aq 'c0370048' "$log"; then
	reason="host refused D0 with c0370048: the crash kernel's vPCI config window overlapped the framebuffer, so its NVMe root never came up"
elif [ "$seen_crash" -eq 1 ] && grep -aq -e 'Gave up waiting for root' -e 'ALERT!' "$log"; then
	reason="crash kernel found no root: $(grep -a -m1 -e 'ALERT!' -e 'Gave up waiting' "$log" | tr -d '\r')"
elif [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	reason="timeout after ${timeout_s}s; last console lines: $({ grep -av '^----' "$log" || true; } | tail -n 5 | tr -d '\r' | tr '\n' '|')"
elif [ "$seen_crash" -eq 1 ]; then
	reason="the crash kernel saved no dump to /var/crash; last console lines: $(tail -n 5 "$log" | tr -d '\r' | tr '\n' '|')"
else
	reason="the guest never crashed (QEMU exit $qrc); last console lines: $(tail -n 5 "$log" | tr -d '\r' | tr '\n' '|')"
fi
finish "NO DUMP"

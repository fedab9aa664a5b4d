# shellcheck shell=bash
# VM shapes for scenarios on the stand-in, so that every scenario builds the
# same Gen1/Gen2 VM the same way. Each appends to QEMU_ARGS.

# Where the stand-in's VMBus high MMIO range starts (vmbus-bridge's default
# layout, hyperv-gen2) in every shape below: with room there, hvpci puts a
# bus's config window at its bottom.
# shellcheck disable=SC2034 # read by tests/e2e/kdump.sh
VM_HIGH_MMIO_BASE=0xfe0000000

# vm_vpci_root DISK FORMAT [HV-VPCI OPTIONS]: DISK as an NVMe root behind
# the vPCI bus vpci0, with the host's D0 and video decisions traced.
vm_vpci_root() {
	# shellcheck disable=SC2054 # QEMU option lists are comma-separated
	QEMU_ARGS+=(-device "hv-vpci,id=vpci0${3:+,$3}"
		-drive "file=$1,if=none,id=root,format=$2"
		-device "nvme,drive=root,serial=hvpci-root,bus=vpci0.0"
		-trace vpci_d0_entry -trace vpci_d0_exit -trace synthvid_vram
		-trace hv_video_in_use)
}

# vm_gen2 DISK FORMAT [LOW-BASE]: a Gen2-shaped VM (run it with
# FIRMWARE=uefi): OVMF's GOP framebuffer at 0x80000000 (OVMF puts VGA BAR 0
# at the bottom of its PCI aperture), the synthetic video device, and DISK
# as an NVMe root behind vPCI. The VMBus low MMIO range runs from LOW-BASE
# (default 0x80000000: the framebuffer at its base, as on Gen2) to the
# IOAPIC; a lower LOW-BASE leaves the framebuffer above the base.
vm_gen2() {
	local base=${3:-0x80000000}
	# shellcheck disable=SC2054 # QEMU option lists are comma-separated
	QEMU_ARGS+=(-device VGA,vgamem_mb=8
		-device "vmbus-bridge,low-mmio-base=$base,low-mmio-size=$(printf '%#x' $((0xfec00000 - base)))"
		-device hv-synthvid,fw-vram-base=0x80000000)
	vm_vpci_root "$1" "$2"
}

# vm_gen2_fb_above_base DISK FORMAT: vm_gen2 with the VMBus low MMIO range
# starting 128 MiB below the framebuffer, at 0x78000000.
vm_gen2_fb_above_base() {
	vm_gen2 "$1" "$2" 0x78000000
}

# vm_gen1 DISK FORMAT: a Gen1-shaped VM (run it with FIRMWARE=bios): the
# Hyper-V PCI video device 1414:5353, whose BAR 0 is the framebuffer (at
# 4 GiB - 128 MiB, 64 MiB long, as on Hyper-V), the synthetic video device,
# the vPCI bus in its Gen1 preset, and DISK as an NVMe root behind it.
vm_gen1() {
	QEMU_ARGS+=(-device hv-video-pci -device vmbus-bridge -device hv-synthvid
		-trace hv_video_pci_bar)
	vm_vpci_root "$1" "$2" preset=gen1
}

# kernel_has_fb_fallback, which scenarios ask about their kernel (KVER),
# lives in scripts/lib/common.sh: it reads the kernel's own hv_vmbus.

# vm_gen2_sized DISK FORMAT LOW-MIB FB-MIB: vm_gen2 with a VMBus low MMIO
# range of LOW-MIB from 0x80000000 and a framebuffer of FB-MIB (a power of
# two) at its base: OVMF's GOP framebuffer (VGA BAR 0, sized by vgamem_mb)
# and the firmware framebuffer the host keeps in use (hv-synthvid
# fw-vram-size) are the same range. The high range is the default one
# (VM_HIGH_MMIO_BASE). kdump-check --image's Gen2 shapes: azure-gen2 (the
# low range up to the IOAPIC), local-gen2 (128 MiB), cvm-like (1 GiB).
vm_gen2_sized() {
	local base=0x80000000 size=$(($3 * 1048576))
	[ $((base + size)) -le $((0xfec00000)) ] || size=$((0xfec00000 - base))
	# shellcheck disable=SC2054 # QEMU option lists are comma-separated
	QEMU_ARGS+=(-device "VGA,vgamem_mb=$4"
		-device "vmbus-bridge,low-mmio-base=$base,low-mmio-size=$(printf '%#x' "$size")"
		-device "hv-synthvid,fw-vram-base=$base,fw-vram-size=$(printf '%#x' $(($4 * 1048576)))")
	vm_vpci_root "$1" "$2"
}

# vm_vpci_nvme DISK FORMAT N: DISK as a further NVMe disk behind vpci0 (after
# vm_vpci_root, which holds slot 0), in PCI slot N.
vm_vpci_nvme() {
	# shellcheck disable=SC2054 # QEMU option lists are comma-separated
	QEMU_ARGS+=(-drive "file=$1,if=none,id=data$3,format=$2"
		-device "nvme,drive=data$3,serial=hvpci-data$3,bus=vpci0.0,addr=$3")
}

# shape_windows_in LOG LO HI: every vPCI config window the host accepted
# (vpci_d0_entry traces in LOG) lies in [LO, HI), a shape's VMBus low range,
# or in the high range (from VM_HIGH_MMIO_BASE); at least one was accepted.
shape_windows_in() {
	python3 - "$@" "$VM_HIGH_MMIO_BASE" <<'PY'
import re, sys
log, lo, hi, high = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0), int(sys.argv[4], 0)
wins = [int(m.group(1), 16) for m in re.finditer(
    rb"vpci_d0_entry \S+ config window 0x([0-9a-f]+) status 0x0:", open(log, "rb").read())]
if not wins:
    sys.exit("no config window accepted by the host")
for w in wins:
    if not (lo <= w < hi or w >= high):
        sys.exit("config window %#x outside the shape's ranges" % w)
print("config windows accepted: %s" % ", ".join("%#x" % w for w in wins), file=sys.stderr)
PY
}

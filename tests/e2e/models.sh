# shellcheck shell=bash
# VM shapes for scenarios on the stand-in, so that every scenario builds the
# same Gen1/Gen2 VM the same way. Each appends to QEMU_ARGS.

# vm_gen2 DISK FORMAT: a Gen2-shaped VM (run it with FIRMWARE=uefi): OVMF's
# GOP framebuffer at the base of the VMBus low MMIO range (OVMF puts VGA BAR 0
# at 0x80000000, the bottom of its PCI aperture, so the low range starts
# there), the synthetic video device, and DISK as an NVMe root behind vPCI.
vm_gen2() {
	# shellcheck disable=SC2054 # QEMU option lists are comma-separated
	QEMU_ARGS+=(-device VGA,vgamem_mb=8
		-device vmbus-bridge,low-mmio-base=0x80000000,low-mmio-size=0x7ec00000
		-device hv-synthvid
		-device hv-vpci,id=vpci0
		-drive "file=$1,if=none,id=root,format=$2"
		-device "nvme,drive=root,serial=hvpci-root,bus=vpci0.0"
		-trace vpci_d0_entry -trace vpci_d0_exit -trace synthvid_vram
		-trace hv_video_in_use)
}

# kernel_has_fb_fallback: the guest kernel's hv_vmbus reserves the low MMIO
# base on Gen2 when screen_info.lfb_base is 0 (the June 2026 fix; its warning
# text exists only in the fixed code). Needs KVER.
kernel_has_fb_fallback() {
	grep -q "Unexpected framebuffer mmio base of zero" \
		"$HVPCI_CACHE/kernels/${KVER%-cloud-amd64}/lib/modules/$KVER/kernel/drivers/hv/hv_vmbus.ko" 2>/dev/null
}

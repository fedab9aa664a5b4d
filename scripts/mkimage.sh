#!/usr/bin/env bash
# Build an Azure-like Debian 12 guest disk: systemd, Debian's cloud kernel,
# kdump-tools (with its own crash-kernel initramfs) and optionally hvpci
# installed with DKMS. The disk is a raw ext4 file system labelled
# hvpci-root, meant to sit behind an NVMe controller; the kernel and its
# initramfs are copied out beside it for direct boot.
#
# A guest built from it runs a scenario script handed in through QEMU's
# fw_cfg (opt/hvpci/scenario), so one image serves every scenario.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") --kernel VER [--driver stock|hvpci] [--print-dir]

Build (or find in the cache) a Debian 12 guest image for kernel VER in
\$HVPCI_CACHE/images/<hash>/: root.img (ext4, label hvpci-root), vmlinuz,
initrd.img (the image's own initramfs-tools image) and kdump-initrd.img
(kdump-tools' crash-kernel image), and disk.img: the same root as a Gen2
GPT disk with an EFI system partition and /boot/grub/grub.cfg, for
scripts/kdump-check.sh. Needs root (debootstrap, chroot).

  --kernel VER       Debian kernel ABI, e.g. 6.1.0-50 (required)
  --driver NAME      stock: the in-tree pci-hyperv (default);
                     hvpci: this repository's driver installed with DKMS
  --print-dir        print only the image directory on stdout
  -h, --help         this text
EOF
}

kver="" driver=stock print_dir=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kver=${2%-cloud-amd64}; shift 2 ;;
	--driver) need_arg "$1" $#; driver=$2; shift 2 ;;
	--print-dir) print_dir=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ -n "$kver" ] || usage_error "--kernel is required"
case $driver in
stock | hvpci) ;;
*) usage_error "--driver must be stock or hvpci, not $driver" ;;
esac
[ "$(id -u)" -eq 0 ] || die "building a guest image needs root (debootstrap and chroot)"
krel=$(kernel_release "$kver")
apt_install debootstrap e2fsprogs

# The base system, shared by every image: debootstrap once, keep a tarball.
base_pkgs=systemd-sysv,udev,kmod,initramfs-tools,kdump-tools,kexec-tools,makedumpfile,e2fsprogs,procps,file,bsdextrautils,busybox
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
base_key=$(hash_inputs "bookworm" "$base_pkgs" "$mirror")
base=$HVPCI_CACHE/rootfs/bookworm-$base_key.tar
if [ ! -f "$base" ]; then
	start=$(now_s)
	say "debootstrap bookworm (minbase + kdump-tools) from $mirror"
	mkdir -p "$(dirname "$base")"
	tmp=$(mktemp -d "$HVPCI_CACHE/rootfs/.base-XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	debootstrap --variant=minbase --include="$base_pkgs" bookworm "$tmp/root" "$mirror" \
		>"$tmp/debootstrap.log" 2>&1 ||
		die "debootstrap failed; last lines: $(tail -n 3 "$tmp/debootstrap.log" | tr '\n' ' ')"
	tar -C "$tmp/root" -cf "$base.tmp" .
	mv "$base.tmp" "$base"
	rm -rf "$tmp"
	trap - EXIT
	say "base system cached in ${base} after $(elapsed "$start")s"
fi

driver_inputs=()
if [ "$driver" = hvpci ]; then
	[ -f "$HVPCI_ROOT/dkms.conf" ] || die "no dkms.conf at the top of the repository"
	driver_inputs=("$HVPCI_ROOT/dkms.conf" "$HVPCI_ROOT/driver")
fi
guest_dir=$HVPCI_ROOT/scripts/guest
key=$(hash_inputs "$0" "$base" "$guest_dir" "${driver_inputs[@]}" "kver=$kver" "driver=$driver")
out=$HVPCI_CACHE/images/$key
if [ -f "$out/.complete" ]; then
	say "image ($krel, $driver driver): cached in $out"
	[ "$print_dir" -eq 0 ] || printf '%s\n' "$out"
	exit 0
fi

start=$(now_s)
say "image ($krel, $driver driver): building in $out"
mkdir -p "$HVPCI_CACHE/images"
work=$(mktemp -d "$HVPCI_CACHE/images/.build-XXXXXX")
root=$work/root
mounts=()
cleanup() {
	local m i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		m=${mounts[$i]}
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$root"
tar -C "$root" -xf "$base"
for m in proc sys dev dev/pts; do
	mount --bind "/$m" "$root/$m"
	mounts+=("$root/$m")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null &&
	rm -f "$root/etc/apt/sources.list"
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }

# Like an Azure image: the root file system found by label, the modules the
# root disk needs (VMBus, vPCI, NVMe) in the initramfs by name so it does not
# depend on the build host. Not hyperv_fb: Debian's kdump-tools (MODULES=dep)
# leaves it out of the crash kernel's image, and when it is there it claims
# the framebuffer MMIO before pci-hyperv probes, which hides the bug.
echo hvpci-guest >"$root/etc/hostname"
echo "LABEL=hvpci-root / ext4 defaults,errors=remount-ro 0 1" >"$root/etc/fstab"
mkdir -p "$root/etc/initramfs-tools/conf.d"
echo "MODULES=list" >"$root/etc/initramfs-tools/conf.d/hvpci"
printf '%s\n' hv_vmbus pci-hyperv-intf pci-hyperv nvme \
	>>"$root/etc/initramfs-tools/modules"
echo "kdump-tools kdump-tools/use_kdump boolean true" | in_root debconf-set-selections
sed -i 's/^USE_KDUMP=.*/USE_KDUMP=1/' "$root/etc/default/kdump-tools"

say "installing linux-image-$krel in the guest"
in_root apt-get update -qq
pkgs=("linux-image-$krel")
[ "$driver" = stock ] || pkgs+=("linux-headers-$krel" dkms gcc make)
in_root apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >"$work/apt.log" 2>&1 ||
	die "apt-get install in the guest failed: $(tail -n 3 "$work/apt.log" | tr '\n' ' ')"

if [ "$driver" = hvpci ]; then
	dver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$HVPCI_ROOT/dkms.conf")
	[ -n "$dver" ] || die "dkms.conf has no PACKAGE_VERSION"
	say "installing hvpci $dver with DKMS in the guest"
	src=$root/usr/src/hvpci-$dver
	mkdir -p "$src"
	cp -r "$HVPCI_ROOT/dkms.conf" "$HVPCI_ROOT/driver" "$src/"
	in_root dkms install -m hvpci -v "$dver" -k "$krel" >"$work/dkms.log" 2>&1 ||
		die "dkms install in the guest failed: $(tail -n 5 "$work/dkms.log" | tr '\n' ' ')"
	in_root update-initramfs -u -k "$krel" >/dev/null 2>&1
	in_root /etc/kernel/postinst.d/kdump-tools "$krel" >/dev/null
fi

# The scenario runner inside the image: a oneshot unit that runs the script
# handed in through fw_cfg, with hvpci's guest helpers, on the serial port.
mkdir -p "$root/usr/local/lib/hvpci"
cp "$guest_dir/lib.sh" "$root/usr/local/lib/hvpci/lib.sh"
cp "$guest_dir/image-scenario" "$root/usr/local/sbin/hvpci-scenario"
chmod 0755 "$root/usr/local/sbin/hvpci-scenario"
cp "$guest_dir/hvpci-scenario.service" "$root/etc/systemd/system/"
in_root systemctl enable hvpci-scenario.service >/dev/null 2>&1
# In the crash kernel, kdump-tools' own "kdump-config savecore" saves the
# dump; our wrapper then reports what it saved before rebooting.
mkdir -p "$root/etc/systemd/system/kdump-tools-dump.service.d"
cp "$guest_dir/kdump-tools-dump.conf" "$root/etc/systemd/system/kdump-tools-dump.service.d/hvpci.conf"
in_root systemctl mask getty@tty1.service serial-getty@ttyS0.service >/dev/null 2>&1
passwd -R "$root" -d root >/dev/null

# kdump-config rebuilds its initramfs on a load that finds no record of the
# sysctl overrides it was built with; record them, as a first load would, so
# a fresh guest does not spend minutes on that under TCG.
cp "$root/etc/kdump/sysctl.conf" "$root/var/lib/kdump/latest_sysctls-$krel"

[ -f "$root/boot/vmlinuz-$krel" ] || die "no kernel in the guest's /boot"
[ -f "$root/var/lib/kdump/initrd.img-$krel" ] ||
	die "kdump-tools made no crash-kernel initramfs (/var/lib/kdump/initrd.img-$krel)"
for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[$i]}"; done
mounts=()
rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*_Packages

# The boot entry a GRUB-booted image would carry: scripts/kdump-check.sh
# checks this image through the same path as any user's image, which takes
# the kernel, initramfs and command line from /boot/grub/grub.cfg.
mkdir -p "$root/boot/grub"
cat >"$root/boot/grub/grub.cfg" <<GRUB
# hvpci test image: no GRUB installed; kdump-check reads this entry
menuentry 'Debian GNU/Linux ($krel)' {
	linux /boot/vmlinuz-$krel root=LABEL=hvpci-root ro console=ttyS0 crashkernel=256M
	initrd /boot/initrd.img-$krel
}
GRUB

mkdir -p "$work/out"
cp "$root/boot/vmlinuz-$krel" "$work/out/vmlinuz"
cp "$root/boot/initrd.img-$krel" "$work/out/initrd.img"
cp "$root/var/lib/kdump/initrd.img-$krel" "$work/out/kdump-initrd.img"
mkfs.ext4 -q -F -L hvpci-root -d "$root" "$work/out/root.img" 3G >&2
# The same file system as a Gen2 disk (disk.img): GPT, a 63 MiB EFI system
# partition at 1 MiB, the root file system from 64 MiB. Built without loop
# devices: sfdisk on the file, mkfs.fat at an offset, dd of root.img.
apt_install fdisk dosfstools
root_mib=$(($(stat -c %s "$work/out/root.img") / 1048576))
truncate -s $((64 + root_mib + 1))M "$work/out/disk.img"
printf 'label: gpt\nstart=2048, size=129024, type=U, name=EFI\nstart=131072, size=%d, type=L, name=root\n' \
	$((root_mib * 2048)) | sfdisk -q "$work/out/disk.img"
mkfs.fat -F 32 -n UEFI --offset=2048 "$work/out/disk.img" $((129024 / 2)) >/dev/null 2>&1 ||
	die "mkfs.fat could not make the EFI system partition"
dd if="$work/out/root.img" of="$work/out/disk.img" bs=1M seek=64 conv=notrunc,sparse status=none
echo "$krel $driver" >"$work/out/.complete"
rm -rf "$out"
mv "$work/out" "$out"
say "image ($krel, $driver driver): built in $(elapsed "$start")s"
[ "$print_dir" -eq 0 ] || printf '%s\n' "$out"

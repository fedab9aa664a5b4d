#!/usr/bin/env bash
# Build a GPT/UEFI Debian disk image the way an image maintainer would, by a
# route of its own (debootstrap, then libguestfs' guestfish for the disk,
# GRUB and its config): no hvpci hook, no scenario service. It is the
# test input of scripts/kdump-check.sh --image, including broken variants.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=scripts/lib/archive.sh
. "$(dirname "$0")/../lib/archive.sh"
# shellcheck source=scripts/image/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") --out FILE [options]

Build a Debian GPT/UEFI cloud-style disk image: an EFI system partition
with GRUB (removable path), a root partition, Debian's cloud kernel,
initramfs-tools with the Hyper-V and NVMe modules, kdump-tools with its
crashkernel= GRUB snippet, a serial console. Needs root (debootstrap).

  --out FILE         the image to write (required)
  --release R        Debian release: bullseye (11), bookworm (12, default)
                     or trixie (13); the image gets that release's
                     debootstrap, kdump-tools, kexec-tools, makedumpfile,
                     GRUB and (devel) dkms
  --format F         raw, qcow2, vpc (VHD dynamic), vpc-fixed, vhdx
                     (default raw)
  --kernel VER       Debian cloud kernel ABI, e.g. 6.1.0-57, that the
                     release's suites publish (bullseye: bullseye-security's
                     5.10.0-43, 5.10.0-46; trixie: 6.12.117+deb13, or
                     trixie-backports' 7.3.4+deb13) (default: the one the
                     release's linux-image-cloud-amd64 points at, backports
                     aside)
  --fs FS            root file system: ext4, xfs or btrfs (default ext4)
  --lvm              the root file system on an LVM logical volume
                     (volume group hvpcivg, volume root) in the second
                     partition, with lvm2 in the image
  --variant V        ok (default); no-kdump: kdump-tools not installed;
                     no-crashkernel: kdump-tools without its crashkernel=;
                     devel: ok plus dkms, gcc, make and the kernel's
                     headers (for kdump-check --with-hvpci);
                     no-nvme-crash: ok, but kdump-tools' crash initramfs
                     rebuilt without the drivers on the way to the NVMe
                     root: pci-hyperv (the vPCI bus it sits behind) and
                     nvme (built in on cloud kernels, so pci-hyperv is the
                     piece that goes; a kernel that builds both in, 7.x,
                     has no such image)
  -h, --help         this text

Images are cached in \$HVPCI_CACHE/test-images by their inputs and copied
to FILE.
EOF
}

out="" format=raw kver="" fs=ext4 lvm=0 variant=ok release=bookworm
while [ $# -gt 0 ]; do
	case $1 in
	--out) need_arg "$1" $#; out=$2; shift 2 ;;
	--format) need_arg "$1" $#; format=$2; shift 2 ;;
	--release) need_arg "$1" $#; release=$2; shift 2 ;;
	--kernel) need_arg "$1" $#; kver=${2%-cloud-amd64}; shift 2 ;;
	--fs) need_arg "$1" $#; fs=$2; shift 2 ;;
	--lvm) lvm=1; shift ;;
	--variant) need_arg "$1" $#; variant=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ -n "$out" ] || usage_error "--out is required"
case $format in raw | qcow2 | vpc | vpc-fixed | vhdx) ;; *) usage_error "unknown --format $format" ;; esac
case $fs in ext4 | xfs | btrfs) ;; *) usage_error "--fs must be ext4, xfs or btrfs" ;; esac
case $variant in ok | no-kdump | no-crashkernel | devel | no-nvme-crash) ;; *) usage_error "unknown --variant $variant" ;; esac
case $release in bullseye | bookworm | trixie) ;; *) usage_error "--release must be bullseye, bookworm or trixie" ;; esac
[ "$(id -u)" -eq 0 ] || die "building a test image needs root (debootstrap and chroot)"
# libguestfs-xfs: the appliance's mkfs.xfs (Debian ships it apart)
apt_install debootstrap qemu-utils libguestfs-tools xfsprogs dosfstools libguestfs-xfs
guestfs_ready

# release_default_kernel: the newest ABI that linux-image-cloud-amd64 points
# at in $suites, backports aside.
release_default_kernel() {
	local s o
	for s in $suites; do
		[ "${s%-backports}" = "$s" ] || continue
		archive_update "$s"
		mapfile -t o < <(_archive_opts "$s")
		apt-cache "${o[@]}" show linux-image-cloud-amd64 2>/dev/null |
			sed -n 's/^Depends: linux-image-\([0-9][^ ]*\)-cloud-amd64 .*/\1/p'
	done | sort -V | tail -n 1
}

# The release's apt sources. bookworm reads the host's own (as it always
# has); the others read their suites from archive.sh (bullseye-security,
# trixie-backports...), through its private apt configurations here and in
# the image's sources.list.
suites=$(release_suites "$release")
if [ "$release" = bookworm ]; then
	[ -n "$kver" ] || kver=$(default_kernel_version)
	mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
	mirror=${mirror:-http://deb.debian.org/debian}
	kernel_from=host
else
	mirror=$HVPCI_MIRROR
	if [ -z "$kver" ]; then
		kver=$(release_default_kernel)
		[ -n "$kver" ] || die "no linux-image-cloud-amd64 in $release's suites ($suites)"
	fi
fi
krel=$(kernel_release "$kver")
if [ "$release" != bookworm ]; then
	kernel_from=""
	for s in $suites; do
		archive_update "$s"
		if archive_has "$s" "linux-image-$krel"; then kernel_from=$s; break; fi
	done
	[ -n "$kernel_from" ] ||
		die "kernel $krel is not published in $release's suites ($suites); pick one of that release (e.g. $(
			for s in $suites; do
				mapfile -t o < <(_archive_opts "$s")
				apt-cache "${o[@]}" pkgnames linux-image- 2>/dev/null | sed -n 's/^linux-image-\([0-9][^ ]*-[0-9][^ ]*\)-cloud-amd64$/\1/p'
			done | sort -uV | tr '\n' ' ' | sed 's/ $//'))"
fi

pkgs=systemd-sysv,udev,kmod,initramfs-tools,e2fsprogs,xfsprogs,procps,grub-efi-amd64-bin,grub2-common,dosfstools
dir=$HVPCI_CACHE/test-images
mkdir -p "$dir"
if [ "$release" = bookworm ]; then
	base_key=$(hash_inputs bookworm "$pkgs" "$mirror")
else
	base_key=$(hash_inputs "$release" "$pkgs" "$mirror" "$suites")
fi
base=$dir/$release-$base_key.tar
if [ ! -f "$base" ]; then
	start=$(now_s)
	say "debootstrap $release from $mirror"
	tmp=$(mktemp -d "$dir/.base-XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	debootstrap --variant=minbase --include="$pkgs" "$release" "$tmp/root" "$mirror" \
		>"$tmp/debootstrap.log" 2>&1 ||
		die "debootstrap failed; last lines: $(tail -n 3 "$tmp/debootstrap.log" | tr '\n' ' ')"
	tar -C "$tmp/root" -cf "$base.tmp" .
	mv "$base.tmp" "$base"
	rm -rf "$tmp"
	trap - EXIT
	say "base system cached after $(elapsed "$start")s"
fi

key=$(hash_inputs "$0" "$base" "kver=$kver" "fs=$fs" "lvm=$lvm" "variant=$variant" "release=$release")
img=$dir/$key.raw
if [ ! -f "$img" ]; then
	start=$(now_s)
	say "image (Debian $release, $krel from $kernel_from, $fs root$([ "$lvm" = 0 ] || echo ' on LVM'), variant $variant): building"
	work=$(mktemp -d "$dir/.build-XXXXXX")
	root=$work/root
	mounts=()
	cleanup() {
		local i
		for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done
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
	if [ "$release" = bookworm ]; then
		cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null &&
			rm -f "$root/etc/apt/sources.list"
	else
		for s in $suites; do suite_source_line "$s"; done >"$root/etc/apt/sources.list"
	fi
	in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
	# As Azure's images do: the serial console, and the Hyper-V and NVMe
	# modules in the initramfs (initramfs-tools' MODULES=most).
	echo debian >"$root/etc/hostname"
	# MODULES=list: initramfs-tools' "dep" (which kdump-tools picks for
	# its crash initramfs when the base is "most") cannot work out the
	# root device inside a chroot.
	printf '%s\n' hv_vmbus pci-hyperv nvme "$fs" >>"$root/etc/initramfs-tools/modules"
	echo "MODULES=list" >"$root/etc/initramfs-tools/conf.d/cloud"
	mkdir -p "$root/etc/default/grub.d"
	cat >"$root/etc/default/grub.d/10-cloud.cfg" <<'EOF'
GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200n8"
GRUB_TIMEOUT=0
GRUB_TERMINAL="console serial"
EOF
	in_root apt-get update -qq
	ipkgs=("linux-image-$krel")
	[ "$variant" = no-kdump ] || ipkgs+=(kdump-tools kexec-tools makedumpfile)
	[ "$variant" != devel ] || ipkgs+=("linux-headers-$krel" dkms gcc make)
	# the initramfs hooks that find such a root: btrfs device scan, LVM
	# activation (lvm2's hook also adds dm-mod)
	[ "$fs" != btrfs ] || ipkgs+=(btrfs-progs)
	[ "$lvm" = 0 ] || ipkgs+=(lvm2)
	echo "kdump-tools kdump-tools/use_kdump boolean true" | in_root debconf-set-selections
	# a backports kernel (7.x) needs its suite's newer linux-base & co.
	target=()
	[ "${kernel_from%-backports}" = "$kernel_from" ] || target=(-t "$kernel_from")
	in_root apt-get install -y -qq --no-install-recommends "${target[@]}" "${ipkgs[@]}" >"$work/apt.log" 2>&1 ||
		die "apt-get install in the image failed: $(tail -n 3 "$work/apt.log" | tr '\n' ' ')"
	if [ "$variant" != no-kdump ]; then
		sed -i 's/^USE_KDUMP=.*/USE_KDUMP=1/' "$root/etc/default/kdump-tools"
		[ "$variant" != no-crashkernel ] || rm -f "$root/etc/default/grub.d/kdump-tools.cfg"
		# trixie's hook skips the crash initramfs inside a chroot
		# (ischroot), leaving it to the first boot; an image built once
		# has it, as a booted one would. A private ischroot that says
		# "not a chroot" comes first on the hook's PATH only. (bullseye's
		# hook forces MODULES=dep in its copy of initramfs.conf; conf.d/
		# cloud, read after it, keeps the list.)
		mkdir -p "$root/tmp/hvpci-nochroot"
		printf '#!/bin/sh\nexit 1\n' >"$root/tmp/hvpci-nochroot/ischroot"
		chmod 0755 "$root/tmp/hvpci-nochroot/ischroot"
		in_root PATH=/tmp/hvpci-nochroot:/usr/sbin:/usr/bin:/sbin:/bin \
			/etc/kernel/postinst.d/kdump-tools "$krel" >"$work/kdump-initrd.log" 2>&1 ||
			die "kdump-tools made no crash initramfs: $(tail -n 2 "$work/kdump-initrd.log" | tr '\n' ' ')"
		rm -rf "$root/tmp/hvpci-nochroot"
		[ -s "$root/var/lib/kdump/initrd.img-$krel" ] ||
			die "kdump-tools made no crash initramfs for $krel: $(tail -n 2 "$work/kdump-initrd.log" | tr '\n' ' ')"
		if [ "$variant" = no-nvme-crash ]; then
			# kdump-tools' own copy of the initramfs configuration
			# (/var/lib/kdump/initramfs-tools) without pci-hyperv and
			# nvme, and only the listed modules: its crash initramfs
			# cannot see the disk (as when MODULES=dep, run where no
			# vPCI device is, leaves pci-hyperv out)
			kd=/var/lib/kdump/initramfs-tools
			sed -i -e '/^nvme$/d' -e '/^pci-hyperv$/d' "$root$kd/modules"
			echo "MODULES=list" >"$root$kd/conf.d/zzz-kdump"
			in_root mkinitramfs -d "$kd" -o "/var/lib/kdump/initrd.img-$krel" "$krel" >>"$work/kdump-initrd.log" 2>&1 ||
				die "mkinitramfs for the no-nvme crash initramfs failed: $(tail -n 2 "$work/kdump-initrd.log" | tr '\n' ' ')"
			if in_root lsinitramfs "/var/lib/kdump/initrd.img-$krel" | grep -c -e '/nvme\.ko' -e '/pci-hyperv\.ko' >/dev/null; then
				die "the no-nvme crash initramfs still holds nvme.ko or pci-hyperv.ko"
			fi
			if grep -qx 'CONFIG_PCI_HYPERV=y' "$root/boot/config-$krel"; then
				die "$krel builds pci-hyperv in: no crash initramfs can leave it out"
			fi
		fi
		# as on an image booted once: kdump-config finds the record of
		# the sysctls its initramfs was built with and does not rebuild
		cp "$root/etc/kdump/sysctl.conf" "$root/var/lib/kdump/latest_sysctls-$krel"
	fi
	rm -f "$root/etc/resolv.conf"
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[$i]}"; done
	mounts=()
	rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*_Packages
	passwd -R "$root" -d root >/dev/null

	# The disk: GPT, a 127 MiB EFI system partition, the root file system;
	# GRUB installed to the removable path and configured by update-grub,
	# run inside the libguestfs appliance against the image's own tools.
	uuid=$(cat /proc/sys/kernel/random/uuid)
	tar -C "$root" -cf "$work/root.tar" .
	rm -rf "$root"
	truncate -s 4G "$work/disk.raw"
	# ext4/xfs pass fsck at boot (1); btrfs has no boot-time fsck (0)
	passno=1
	[ "$fs" != btrfs ] || passno=0
	printf 'UUID=%s / %s defaults 0 %s\nLABEL=UEFI /boot/efi vfat umask=0077 0 2\n' \
		"$uuid" "$fs" "$passno" >"$work/fstab"
	rootdev=/dev/sda2 lvm_cmds=""
	if [ "$lvm" = 1 ]; then
		rootdev=/dev/hvpcivg/root
		lvm_cmds="pvcreate /dev/sda2
vgcreate hvpcivg /dev/sda2
lvcreate-free root hvpcivg 100"
	fi
	guestfs_env guestfish -a "$work/disk.raw" >"$work/guestfish.log" 2>&1 <<EOF ||
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 262143
part-add /dev/sda p 262144 -34
part-set-gpt-type /dev/sda 1 C12A7328-F81F-11D2-BA4B-00A0C93EC93B
part-set-name /dev/sda 1 EFI
mkfs vfat /dev/sda1 label:UEFI
$lvm_cmds
mkfs $fs $rootdev
set-uuid $rootdev $uuid
mount $rootdev /
tar-in $work/root.tar /
mkdir-p /boot/efi
mount /dev/sda1 /boot/efi
upload $work/fstab /etc/fstab
command "grub-install --target=x86_64-efi --efi-directory=/boot/efi --removable --no-nvram --no-floppy"
command "update-grub"
umount-all
EOF
		die "guestfish could not make the disk: $(tail -n 3 "$work/guestfish.log" | tr '\n' ' ')"
	mv "$work/disk.raw" "$img"
	say "image (Debian $release, $krel) built in $(elapsed "$start")s"
fi
case $format in
raw) cp --sparse=always "$img" "$out" ;;
qcow2 | vhdx) qemu-img convert -O "$format" "$img" "$out" ;;
vpc) qemu-img convert -O vpc -o subformat=dynamic,force_size=on "$img" "$out" ;;
vpc-fixed) qemu-img convert -O vpc -o subformat=fixed,force_size=on "$img" "$out" ;;
esac
say "test image (Debian $release, $krel, $fs$([ "$lvm" = 0 ] || echo ' on LVM'), $variant, $format): $out"

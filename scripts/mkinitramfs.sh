#!/usr/bin/env bash
# Build a small guest initramfs: busybox-static, chosen kernel modules with
# their dependencies, optional host binaries and files, and hvpci's init,
# which runs one guest-side scenario script and powers the guest off.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") --kernel VER --script FILE [options]

Build a gzip'd cpio initramfs for a guest running kernel VER (unpacked by
scripts/get-kernel.sh). The image is cached in \$HVPCI_CACHE/initramfs under
the hash of its inputs; the path of the image is printed on stdout.

  --kernel VER        Debian kernel ABI, e.g. 6.1.0-56 (required)
  --script FILE       guest scenario script, run by init (required)
  --module NAME       kernel module to include with its dependencies
                      (repeatable; also a space-separated list)
  --module-file KO    an extra .ko (e.g. hvpci's own build) to install under
                      /lib/modules/<release>/updates (repeatable)
  --host-bin NAME     a host program to copy in with its shared libraries
                      (repeatable; e.g. kexec)
  --file SRC:DST      copy host file SRC to DST in the image (repeatable)
  --with-kernel       put the guest kernel at /boot/vmlinuz (for kexec)
  --init FILE         use FILE as /init instead of scripts/guest/init
                      (for debugging, or to test the runner itself)
  --out FILE          write the image here instead of the cache
  -h, --help          this text
EOF
}

kver="" script="" out="" with_kernel=0
init=$HVPCI_ROOT/scripts/guest/init
modules=() module_files=() host_bins=() files=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kver=$2; shift 2 ;;
	--script) need_arg "$1" $#; script=$2; shift 2 ;;
	--module) need_arg "$1" $#; read -ra m <<<"$2"; modules+=("${m[@]}"); shift 2 ;;
	--module-file) need_arg "$1" $#; module_files+=("$2"); shift 2 ;;
	--host-bin) need_arg "$1" $#; host_bins+=("$2"); shift 2 ;;
	--file) need_arg "$1" $#; files+=("$2"); shift 2 ;;
	--with-kernel) with_kernel=1; shift ;;
	--init) need_arg "$1" $#; init=$2; shift 2 ;;
	--out) need_arg "$1" $#; out=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ -n "$kver" ] || usage_error "--kernel is required"
[ -n "$script" ] || usage_error "--script is required"
[ -f "$script" ] || die "guest script not found: $script"
[ -f "$init" ] || die "init not found: $init"

krel=$(kernel_release "$kver")
kdir=$(kernel_dir "$kver")
[ -f "$kdir/.complete" ] ||
	die "kernel $kver is not unpacked; run scripts/get-kernel.sh --version $kver"
apt_install busybox-static cpio kmod xz-utils zstd
busybox=/bin/busybox
busybox_pkg=$(dpkg-query -W -f='${Version}' busybox-static)

for f in "${module_files[@]}"; do
	[ -f "$f" ] || die "module file not found: $f"
done
bin_paths=()
for b in "${host_bins[@]}"; do
	p=$(command -v "$b") || die "host program not found: $b (install its Debian package)"
	bin_paths+=("$(readlink -f "$p")")
done
for spec in "${files[@]}"; do
	case $spec in
	*:/*) [ -e "${spec%%:*}" ] || die "file not found: ${spec%%:*}" ;;
	*) usage_error "--file wants SRC:/absolute/DST, got: $spec" ;;
	esac
done

guest_dir=$HVPCI_ROOT/scripts/guest
key=$(hash_inputs "$0" "$guest_dir" "$init" "$script" "${module_files[@]}" \
	"${bin_paths[@]}" "${files[@]%%:*}" \
	"kver=$kver" "busybox=$busybox_pkg" "mods=${modules[*]}" \
	"bins=${host_bins[*]}" "files=${files[*]}" "kernel=$with_kernel")
if [ -z "$out" ]; then
	out=$HVPCI_CACHE/initramfs/$key.cpio.gz
	if [ -f "$out" ]; then
		printf '%s\n' "$out"
		exit 0
	fi
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,run,mnt,etc,hvpci,boot} \
	"$stage/lib/modules/$krel"
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$init" "$stage/init"
cp "$guest_dir/lib.sh" "$stage/hvpci/lib.sh"
cp "$script" "$stage/hvpci/scenario.sh"
chmod 0755 "$stage/init" "$stage/hvpci/scenario.sh"

# Modules: let modprobe resolve the dependency chain against the unpacked
# tree, copy every file it would insmod, then index the subset with depmod.
# A module the kernel builds in needs nothing ("builtin NAME"): the guest's
# load() reports it as built in.
for m in "${modules[@]}"; do
	deps=$(modprobe -d "$kdir" -S "$krel" --show-depends "$m" 2>&1) ||
		die "module $m not found for kernel $krel: $deps"
	while read -r verb path _; do
		[ "$verb" = insmod ] || continue
		rel=${path#"$kdir"}
		mkdir -p "$stage$(dirname "$rel")"
		# busybox's insmod reads plain ELF only: unpack .ko.xz/.ko.zst
		case $path in
		*.ko.xz) xz -dc "$path" >"$stage${rel%.xz}" ;;
		*.ko.zst) zstd -qdc "$path" >"$stage${rel%.zst}" ;;
		*) cp "$path" "$stage$rel" ;;
		esac
	done <<<"$deps"
done
if [ ${#module_files[@]} -gt 0 ]; then
	mkdir -p "$stage/lib/modules/$krel/updates"
	cp "${module_files[@]}" "$stage/lib/modules/$krel/updates/"
fi
cp "$kdir/lib/modules/$krel/modules.builtin" \
	"$kdir/lib/modules/$krel/modules.order" "$stage/lib/modules/$krel/"
cp "$kdir/lib/modules/$krel/modules.builtin.modinfo" \
	"$stage/lib/modules/$krel/" 2>/dev/null || true
depmod -b "$stage" "$krel"

# Host programs with the shared libraries and loader they need.
for p in "${bin_paths[@]}"; do
	cp "$p" "$stage/sbin/$(basename "$p")"
	ldd "$p" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
done
for spec in "${files[@]}"; do
	mkdir -p "$stage$(dirname "${spec#*:}")"
	cp -a "${spec%%:*}" "$stage${spec#*:}"
done
if [ "$with_kernel" -eq 1 ]; then
	cp "$kdir/boot/vmlinuz-$krel" "$stage/boot/vmlinuz"
fi

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
printf '%s\n' "$out"

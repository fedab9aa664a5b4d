#!/usr/bin/env bash
# The hvpci-dkms package as a fleet uses it: `make deb`, lintian, the
# takeover rule against a made-up /lib/modules, and then, per Debian release,
# an offline install and a purge in a throwaway copy of that release's build
# chroot with real kernels, that release's dkms, initramfs-tools and
# kdump-tools. Prints TAP; each step prints its elapsed time.
# shellcheck disable=SC2317 # the checks run through check() and trap
set -euo pipefail
{
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../../scripts/lib/common.sh"
# shellcheck source=scripts/lib/archive.sh
. "$here/../../scripts/lib/archive.sh"

# Kernels per release: the ABIs the package is proved on (cloud flavour).
declare -A KERNELS=(
	[bullseye]="5.10.0-46"
	[bookworm]="6.1.0-57 6.12.117+deb12"
	[trixie]="6.12.117+deb13 7.3.4+deb13"
)
# Extra packages a release needs for its kernels (7.x wants a newer linux-base).
declare -A EXTRA=(
	[bullseye]=""
	[bookworm]=""
	[trixie]="linux-base/trixie-backports"
)

usage() {
	cat <<EOF
Usage: $(basename "$0") [--release NAME]... [--no-install] [--keep] [--source DIR]

  --release NAME   install/remove test on this release (repeatable). Default:
                   trixie (a modular and a built-in pci-hyperv kernel, about
                   5 minutes); with HVPCI_ALL=1 bullseye bookworm trixie.
                   Kernels: bullseye ${KERNELS[bullseye]}; bookworm
                   ${KERNELS[bookworm]}; trixie ${KERNELS[trixie]}.
  --no-install     only the fast part: make deb, lintian, the takeover rule
  --keep           keep the throwaway chroot copies (/var/tmp/pkgtest-NAME)
  --source DIR     build the package from DIR's dkms.conf and driver/
  -h, --help       this text

The first run per release makes a base under \$HVPCI_CACHE/pkgtest/NAME (a
copy of the build chroot plus dkms, initramfs-tools, kdump-tools and the
kernels' images and headers; needs the network), later runs reuse it. The
package itself is always installed with the network cut off (unshare -n).
EOF
}

releases=() install=1 keep=0 source_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--release)
		need_arg "$1" $#
		[ -n "${KERNELS[$2]:-}" ] || usage_error "no release named $2 (bullseye, bookworm, trixie)"
		releases+=("$2")
		shift 2
		;;
	--no-install) install=0; shift ;;
	--keep) keep=1; shift ;;
	--source) need_arg "$1" $#; source_args=(--source "$2"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
if [ ${#releases[@]} -eq 0 ]; then
	if [ "${HVPCI_ALL:-0}" = 1 ]; then releases=(bullseye bookworm trixie); else releases=(trixie); fi
fi
[ "$install" = 1 ] || releases=()
[ "$(id -u)" = 0 ] || die "needs root (chroot, mount)"

n=0 failed=0
t0=$(now_s)
ok() { n=$((n + 1)); echo "ok $n - $* ($(elapsed "$t0")s)"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $* ($(elapsed "$t0")s)"; }
# check NAME CMD...: one TAP line from CMD's status; its output shown on failure.
# CMD runs in a subshell of its own with errexit, so that every failing
# command in a multi-line check fails it (errexit is off inside "if").
check() {
	local name=$1 log rc
	shift
	log=$(mktemp)
	set +e
	(set -e; "$@") >"$log" 2>&1
	rc=$?
	set -e
	if [ "$rc" = 0 ]; then
		ok "$name"
	else
		not_ok "$name"
		tail -n 25 "$log" | sed 's/^/#   /'
	fi
	rm -f "$log"
}
note() { echo "# $*"; }

# --- the package -----------------------------------------------------------
deb_dir=$HVPCI_ROOT/build
version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "${source_args[1]:-$HVPCI_ROOT}/dkms.conf")
deb=$deb_dir/hvpci-dkms_${version}_all.deb

build_deb() {
	rm -f "$deb"
	if [ ${#source_args[@]} -gt 0 ]; then
		"$HVPCI_ROOT/packaging/build-deb.sh" "${source_args[@]}"
	else
		make -s -C "$HVPCI_ROOT" deb
	fi
	[ -f "$deb" ] || { echo "no $deb"; return 1; }
}

deb_contents() {
	local list want pre
	list=$(dpkg-deb -c "$deb" | awk '{print $6}')
	for want in ./usr/src/hvpci-"$version"/dkms.conf ./usr/src/hvpci-"$version"/driver/Kbuild \
		./usr/src/hvpci-"$version"/driver/Makefile ./usr/share/hvpci-dkms/hvpci-takeover \
		./usr/share/initramfs-tools/hooks/hvpci ./usr/share/initramfs-tools/scripts/init-top/hvpci \
		./usr/lib/dracut/modules.d/90hvpci/module-setup.sh ./etc/kernel/postinst.d/zz-hvpci \
		./etc/kernel/postrm.d/zz-hvpci; do
		grep -qxF "$want" <<<"$list" || { echo "missing $want"; return 1; }
	done
	if grep -E '\.(o|ko|mod|cmd)$' <<<"$list"; then
		echo "build products in the package"
		return 1
	fi
	# dkms runs PRE_BUILD's script as a program: it must stay executable.
	pre=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/hvpci-$version/dkms.conf" |
		sed -n 's/^PRE_BUILD="\([^ "]*\).*/\1/p')
	if [ -n "$pre" ]; then
		grep -q "^-rwxr-xr-x .* ./usr/src/hvpci-$version/$pre\$" <<<"$(dpkg-deb -c "$deb")" ||
			{ echo "PRE_BUILD $pre is not executable in the package"; return 1; }
	fi
	dpkg-deb -f "$deb" Architecture | grep -qx all
	# bullseye's dkms is 2.8.4: the dependency must let it in.
	dpkg-deb -f "$deb" Depends | grep -qx 'dkms (>= 2.8.4)' ||
		{ echo "Depends: $(dpkg-deb -f "$deb" Depends)"; return 1; }
}

run_lintian() {
	# Errors fail; warnings and info are shown.
	lintian --fail-on error --suppress-tags bogus-mail-host "$deb" 2>/dev/null
}

echo "# hvpci-dkms $version; install tests on: ${releases[*]:-none}"
check "make deb builds build/hvpci-dkms_${version}_all.deb" build_deb
if [ -f "$deb" ]; then
	check "package holds dkms.conf, driver/ and the takeover files, no build products, Depends dkms (>= 2.8.4)" deb_contents
	if command -v lintian >/dev/null; then
		check "lintian: no errors" run_lintian
	else
		ok "lintian # SKIP lintian is not installed (apt-get install lintian)"
	fi
fi

# --- the takeover rule, on a made-up /lib/modules and /boot ------------------
helper=$HVPCI_ROOT/packaging/takeover/hvpci-takeover
fake=$(mktemp -d)
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null || true
	done
	rm -rf "$fake"
}
trap cleanup EXIT

# fake_kernel KVER builtin|module hvpci|pci-hyperv|none [bootable]
fake_kernel() {
	local d=$fake/modules/$1
	mkdir -p "$d/kernel" "$fake/boot"
	: >"$d/modules.builtin"
	[ "$2" = builtin ] && echo kernel/drivers/pci/controller/pci-hyperv.ko >"$d/modules.builtin"
	if [ "$3" != none ]; then
		mkdir -p "$d/updates/dkms"
		: >"$d/updates/dkms/$3.ko.xz"
	fi
	[ "${4:-}" = bootable ] && : >"$fake/boot/vmlinuz-$1"
	return 0
}
takeover() {
	HVPCI_MODDIR=$fake/modules HVPCI_BOOT=$fake/boot HVPCI_GRUB_CFG=$fake/grub.d/hvpci.cfg \
		HVPCI_KDUMP_DEFAULTS=$fake/kdump-tools "$helper" "$@"
}
rule_tests() {
	mkdir -p "$fake/grub.d"
	printf 'USE_KDUMP=1\nKDUMP_CMDLINE_APPEND="reset_devices nr_cpus=1"\n' >"$fake/kdump-tools"
	cp "$fake/kdump-tools" "$fake/kdump-tools.orig"
	fake_kernel 6.12.117+deb13-cloud-amd64 module pci-hyperv bootable
	takeover refresh >/dev/null
	[ ! -e "$fake/grub.d/hvpci.cfg" ] || { echo "blacklist written with no built-in pci-hyperv"; return 1; }
	cmp "$fake/kdump-tools" "$fake/kdump-tools.orig"
	fake_kernel 7.3.4+deb13-cloud-amd64 builtin hvpci bootable
	takeover takeover 7.3.4+deb13-cloud-amd64
	if takeover takeover 6.12.117+deb13-cloud-amd64; then echo "takeover on a modular kernel"; return 1; fi
	takeover refresh >/dev/null
	grep -q 'initcall_blacklist=init_hv_pci_drv' "$fake/grub.d/hvpci.cfg"
	# kdump-config sources the file: the block must extend the old value.
	# shellcheck source=/dev/null
	[ "$(. "$fake/kdump-tools"; echo "$KDUMP_CMDLINE_APPEND")" = "reset_devices nr_cpus=1 initcall_blacklist=init_hv_pci_drv" ]
	# A refresh changes nothing more.
	cp "$fake/kdump-tools" "$fake/kdump-tools.on"
	takeover refresh >/dev/null
	cmp "$fake/kdump-tools" "$fake/kdump-tools.on"
	# A bootable kernel without hvpci withdraws the blacklist everywhere.
	fake_kernel 7.2.13+deb14-cloud-amd64 builtin none bootable
	out=$(takeover refresh 2>&1)
	grep -q 'not installed for 7.2.13+deb14-cloud-amd64' <<<"$out" || { echo "$out"; return 1; }
	[ ! -e "$fake/grub.d/hvpci.cfg" ] || { echo "blacklist kept with 7.2.13 lacking hvpci"; return 1; }
	cmp "$fake/kdump-tools" "$fake/kdump-tools.orig"
	# Headers-only kernels (not bootable) do not count against the rule.
	rm "$fake/boot/vmlinuz-7.2.13+deb14-cloud-amd64"
	takeover refresh >/dev/null
	[ -e "$fake/grub.d/hvpci.cfg" ]
	# With every hvpci module gone (dkms remove), all is as before.
	rm -rf "$fake"/modules/*/updates
	takeover refresh >/dev/null
	[ ! -e "$fake/grub.d/hvpci.cfg" ]
	cmp "$fake/kdump-tools" "$fake/kdump-tools.orig"
	# A file without a final newline is left alone.
	printf 'USE_KDUMP=1' >"$fake/kdump-tools"
	fake_kernel 7.3.4+deb13-cloud-amd64 builtin hvpci bootable
	fake_kernel 6.12.117+deb13-cloud-amd64 module pci-hyperv bootable
	takeover refresh >/dev/null 2>&1
	[ "$(cat "$fake/kdump-tools")" = USE_KDUMP=1 ]
	[ -e "$fake/grub.d/hvpci.cfg" ]
	# No GRUB drop-in directory: nothing created, the administrator told.
	rm -rf "$fake/grub.d"
	out=$(takeover refresh 2>&1)
	grep -q "no $fake/grub.d: add initcall_blacklist" <<<"$out" || { echo "$out"; return 1; }
	[ ! -e "$fake/grub.d" ] || { echo "grub.d created"; return 1; }
}
check "takeover rule: blacklist only when every bootable kernel has hvpci and one builds pci-hyperv in; kdump-tools file restored byte for byte" rule_tests

# --- install and purge per release -----------------------------------------
base_dir() { printf '%s\n' "$HVPCI_CACHE/pkgtest/$1"; }
krel() { kernel_release "$1"; }

# mount_chroot DIR: DIR as a mount point of its own (mkinitramfs' MODULES=dep
# looks up the device of /), with /proc, /sys and /dev; undone by cleanup.
mount_chroot() {
	local d=$1
	mount --bind "$d" "$d" && mounts+=("$d")
	mount -t proc proc "$d/proc" && mounts+=("$d/proc")
	mount -t sysfs sysfs "$d/sys" && mounts+=("$d/sys")
	mount --bind /dev "$d/dev" && mounts+=("$d/dev")
}
umount_chroot() {
	local d=$1 i keep_m=()
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		case ${mounts[i]} in
		"$d" | "$d"/*) umount "${mounts[i]}" || umount -l "${mounts[i]}" ;;
		*) keep_m=("${mounts[i]}" "${keep_m[@]}") ;;
		esac
	done
	mounts=("${keep_m[@]}")
}

# prepare_base RELEASE: the build chroot plus what the test installs on.
prepare_base() {
	local rel=$1 base tmp k pkgs=() rc=0
	base=$(base_dir "$rel")
	[ -f "$base/.complete" ] && return 0
	[ -f "$(chroot_dir "$rel")/.complete" ] || { echo "no build chroot for $rel; run scripts/setup-host.sh"; return 1; }
	for k in ${KERNELS[$rel]}; do
		pkgs+=("linux-image-$(krel "$k")" "linux-headers-$(krel "$k")")
	done
	# shellcheck disable=SC2206 # a list of package names
	pkgs+=(${EXTRA[$rel]})
	tmp=$base.tmp
	rm -rf "$tmp"
	mkdir -p "$(dirname "$base")"
	cp -a "$(chroot_dir "$rel")" "$tmp"
	printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
	chmod 755 "$tmp/usr/sbin/policy-rc.d"
	mount_chroot "$tmp"
	chroot "$tmp" apt-get update -qq >"$tmp.log" 2>&1 &&
		chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends dkms initramfs-tools kdump-tools "${pkgs[@]}" >>"$tmp.log" 2>&1 || rc=$?
	umount_chroot "$tmp"
	[ "$rc" = 0 ] || { tail -n 20 "$tmp.log"; return 1; }
	touch "$tmp/.complete"
	mv "$tmp" "$base"
}

# in_chroot CMD...: CMD inside the work copy, without network.
in_chroot() { unshare -n chroot "$work" "$@"; }

# etc_state: every file under /etc of the copy with its checksum.
etc_state() {
	(cd "$work" && find etc -xdev -type f ! -path 'etc/ld.so.cache' -print0 | sort -z |
		xargs -0 sha256sum)
}

# module_of KREL: the module name hvpci has on KREL.
module_of() {
	if grep -Eq '/pci-hyperv\.ko$' "$work/lib/modules/$1/modules.builtin" 2>/dev/null; then
		echo hvpci
	else
		echo pci-hyperv
	fi
}

assert_installed() {
	local k=$1 mod file
	mod=$(module_of "$k")
	in_chroot dkms status -m hvpci -v "$version" -k "$k" | grep -c ': installed' >/dev/null ||
		{ in_chroot dkms status; return 1; }
	file=$(in_chroot modinfo -k "$k" -F filename "$mod")
	case $file in
	/lib/modules/"$k"/updates/dkms/"$mod".ko*) ;;
	*) echo "modinfo $mod: $file, not our DKMS module"; return 1 ;;
	esac
	[ -f "$work$file" ] || { echo "no $file"; return 1; }
	[ "$(in_chroot modinfo -k "$k" -F version "$mod")" = "$version" ] ||
		{ echo "version $(in_chroot modinfo -k "$k" -F version "$mod"), want $version"; return 1; }
}

# initrd_list IMAGE: the files in IMAGE (fails when it cannot be read).
initrd_list() { in_chroot lsinitramfs "$1"; }

assert_images() {
	local k=$1 mod img list
	mod=$(module_of "$k")
	for img in "/boot/initrd.img-$k" "/var/lib/kdump/initrd.img-$k"; do
		[ -f "$work$img" ] || { echo "no $img"; return 1; }
		list=$(initrd_list "$img")
		grep -Eq "updates/dkms/$mod\.ko" <<<"$list" || { echo "$img lacks $mod"; return 1; }
		if [ "$mod" = hvpci ]; then
			grep -qx 'conf/hvpci-takeover' <<<"$list" || { echo "$img lacks conf/hvpci-takeover"; return 1; }
		elif grep -qx 'conf/hvpci-takeover' <<<"$list"; then
			echo "$img has conf/hvpci-takeover"
			return 1
		fi
	done
}

assert_takeover() {
	local builtin=$1 cfg=$work/etc/default/grub.d/hvpci.cfg kd=$work/etc/default/kdump-tools
	if [ -n "$builtin" ]; then
		grep -q 'GRUB_CMDLINE_LINUX=.*initcall_blacklist=init_hv_pci_drv' "$cfg" || { echo "no blacklist in $cfg"; return 1; }
		grep -q "^# BEGIN hvpci-dkms" "$kd" || { echo "no hvpci block in $kd"; return 1; }
		# shellcheck disable=SC2016 # expanded by the chroot's shell
		in_chroot bash -c '. /etc/default/kdump-tools; echo "$KDUMP_CMDLINE_APPEND"' | grep -c 'initcall_blacklist=init_hv_pci_drv' >/dev/null || return 1
		# systemd reads the file too (trixie's kdump-tools.service
		# EnvironmentFile=), expanding nothing: the value must be literal
		# and equal to what the shell sees
		local lit
		lit=$(sed -n '/^# BEGIN hvpci-dkms/,/^# END hvpci-dkms/s/^KDUMP_CMDLINE_APPEND="\(.*\)"$/\1/p' "$kd")
		case $lit in
		*'$'* | *'`'* | '') echo "hvpci's KDUMP_CMDLINE_APPEND in $kd is not a literal value: '$lit'"; return 1 ;;
		esac
		# Debian's file leaves the variable unset: kdump-config's default
		# (reset_devices nr_cpus=1 irqpoll ...) must survive the block
		case $lit in
		*reset_devices*nr_cpus=1*) ;;
		*) echo "hvpci's KDUMP_CMDLINE_APPEND dropped kdump-config's default arguments: '$lit'"; return 1 ;;
		esac
		# shellcheck disable=SC2016
		[ "$(in_chroot bash -c '. /etc/default/kdump-tools; echo "$KDUMP_CMDLINE_APPEND"')" = "$lit" ] ||
			{ echo "the shell's KDUMP_CMDLINE_APPEND differs from the literal '$lit'"; return 1; }
	else
		[ ! -e "$cfg" ] || { echo "$cfg exists with no built-in pci-hyperv"; return 1; }
		! grep -qs hvpci "$kd" || { echo "$kd changed with no built-in pci-hyperv"; return 1; }
	fi
}

assert_gone() {
	local k mod img list
	! in_chroot dkms status 2>/dev/null | grep -c hvpci >/dev/null || { in_chroot dkms status; return 1; }
	! ls -d "$work"/usr/src/hvpci-* 2>/dev/null || return 1
	! ls -d "$work"/var/lib/dkms/hvpci 2>/dev/null || return 1
	for k in "$@"; do
		! ls "$work/lib/modules/$k"/updates/dkms/{hvpci,pci-hyperv}.ko* 2>/dev/null || return 1
		mod=$(module_of "$k")
		[ "$mod" = hvpci ] || in_chroot modinfo -k "$k" -F filename pci-hyperv | grep -c "/kernel/drivers/pci/controller/pci-hyperv.ko" >/dev/null ||
			{ echo "$k: in-tree pci-hyperv not back"; return 1; }
		for img in "/boot/initrd.img-$k" "/var/lib/kdump/initrd.img-$k"; do
			list=$(initrd_list "$img")
			if grep -E 'updates/dkms/|hvpci' <<<"$list"; then
				echo "$img still has hvpci"
				return 1
			fi
		done
	done
	ls "$work/usr/share/hvpci-dkms" "$work/usr/share/initramfs-tools/hooks/hvpci" \
		"$work/etc/kernel/postinst.d/zz-hvpci" "$work/etc/default/grub.d/hvpci.cfg" 2>/dev/null && return 1
	return 0
}

release_test() {
	local rel=$1 start k builtin="" ks=() etc_before
	start=$(now_s)
	if ! prepare_base "$rel" >"/tmp/pkgtest-$rel.prep" 2>&1; then
		not_ok "$rel: base chroot with dkms, kdump-tools and ${KERNELS[$rel]}"
		sed 's/^/#   /' "/tmp/pkgtest-$rel.prep" | tail -n 20
		return 0
	fi
	for k in ${KERNELS[$rel]}; do ks+=("$(krel "$k")"); done
	work=/var/tmp/pkgtest-$rel
	rm -rf "$work"
	cp -a "$(base_dir "$rel")" "$work"
	mount_chroot "$work"
	# The copy stands for the target system: kdump-tools skips its image
	# where ischroot says "chroot" (trixie), so ischroot says no here, and
	# every kernel gets the kdump image it would have on a real system.
	printf '#!/bin/sh\nexit 1\n' >"$work/usr/bin/ischroot"
	for k in "${ks[@]}"; do
		[ -e "$work/var/lib/kdump/initrd.img-$k" ] ||
			in_chroot /etc/kernel/postinst.d/kdump-tools "$k" "/boot/vmlinuz-$k" >/dev/null 2>&1 ||
			note "$rel $k: kdump-tools could not build its initramfs before the install"
	done
	# shellcheck disable=SC2016 # a dpkg-query format
	note "$rel: copy ready in $(elapsed "$start")s; dkms $(chroot "$work" dpkg-query -W -f='${Version}' dkms)"
	etc_before=$(etc_state)
	cp "$deb" "$work/tmp/"
	check "$rel: apt-get install ./${deb##*/} offline" \
		in_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/${deb##*/}"
	for k in "${ks[@]}"; do
		[ "$(module_of "$k")" = hvpci ] && builtin="$builtin $k"
		check "$rel $k: dkms installed $(module_of "$k") $version where modinfo finds it" assert_installed "$k"
		check "$rel $k: system and kdump-tools initramfs carry it" assert_images "$k"
	done
	if [ -n "$builtin" ]; then
		check "$rel: takeover set up (pci-hyperv built into$builtin): GRUB drop-in and kdump-tools block" assert_takeover "$builtin"
	else
		check "$rel: no takeover files (pci-hyperv is a module in every kernel)" assert_takeover ""
	fi
	note "$rel: $(in_chroot /usr/share/hvpci-dkms/hvpci-takeover status | tr '\n' ';')"
	check "$rel: apt-get purge hvpci-dkms offline" \
		in_chroot env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q hvpci-dkms
	check "$rel: after purge no module, source, DKMS state, hook or hvpci in any initramfs; in-tree pci-hyperv back" assert_gone "${ks[@]}"
	check "$rel: /etc byte for byte as before the install" diff <(echo "$etc_before") <(etc_state)
	umount_chroot "$work"
	[ "$keep" = 1 ] || rm -rf "$work"
	note "$rel: $(elapsed "$start")s"
}

for rel in "${releases[@]}"; do
	release_test "$rel"
done
echo "1..$n"
note "$n tests, $failed failed, $(elapsed "$t0")s"
# exit inside the block: a run never reads the file again after it started.
exit $((failed > 0))
}

# shellcheck shell=bash
# Host-side helpers for kdump scenarios: the guest's root disk image, and
# checks on what the kdump kernel left on it, read with e2fsprogs' debugfs
# (no loop mounts, so no root-only kernel features are needed).

# make_root_disk IMAGE SIZE: an empty ext4 file system labelled hvpci-root.
make_root_disk() {
	rm -f "$1"
	truncate -s "$2" "$1"
	mkfs.ext4 -q -F -L hvpci-root "$1"
}

# disk_file_size IMAGE PATH: size in bytes of PATH inside the file system,
# or nothing when it does not exist.
disk_file_size() {
	debugfs -R "stat $2" "$1" 2>/dev/null | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -n 1
}

# expect_kdump_file IMAGE PATH: PATH exists on the disk and is a dump in
# makedumpfile's compressed kdump format (signature "KDUMP   "), either as
# is or in the flattened form makedumpfile writes to a pipe (kdump-tools),
# which must then rebuild with "makedumpfile -R" into a kdump file.
expect_kdump_file() {
	local size sig tmp
	size=$(disk_file_size "$1" "$2")
	if [ -z "$size" ]; then
		echo "no $2 on the guest's disk: the kdump kernel saved no dump" >&2
		return 1
	fi
	# Only the first bytes matter: head closes the pipe early, so debugfs's
	# SIGPIPE is no failure here (an unreadable file shows as a bad sig).
	sig=$( (debugfs -R "cat $2" "$1" 2>/dev/null || true) | head -c 12 | tr -d '\0')
	case $sig in
	"KDUMP   "*) ;;
	makedumpfile)
		# makedumpfile will not write over an existing file: give it a new name.
		tmp=$(mktemp -d)
		if ! debugfs -R "cat $2" "$1" 2>/dev/null | makedumpfile -R "$tmp/vmcore" >/dev/null 2>&1 ||
			[ "$(head -c 8 "$tmp/vmcore")" != "KDUMP   " ]; then
			rm -rf "$tmp"
			echo "$2 ($size bytes) is a flattened dump that makedumpfile -R cannot rebuild" >&2
			return 1
		fi
		rm -rf "$tmp"
		;;
	*)
		echo "$2 ($size bytes) is not a kdump file (starts with: '$sig')" >&2
		return 1
		;;
	esac
	echo "dump $2: $size bytes, valid kdump file" >&2
}

# expect_no_file IMAGE PATH: PATH does not exist on the disk, whose file
# system must be readable (an absent or broken image proves nothing).
expect_no_file() {
	if ! debugfs -R "stat /" "$1" >/dev/null 2>&1; then
		echo "cannot read a file system on $1" >&2
		return 1
	fi
	if [ -n "$(disk_file_size "$1" "$2")" ]; then
		echo "$2 exists on the guest's disk but should not" >&2
		return 1
	fi
}

# expect_no_dump IMAGE: kdump-tools saved no dump on IMAGE, which is proven
# able to show one: its file system reads and holds /var/crash, the folder
# where kdump-tools puts its dumps (a disk that cannot be read shows none).
expect_no_dump() {
	local dump
	if ! debugfs -R "stat /var/crash" "$1" 2>/dev/null | grep -q 'Type: directory'; then
		echo "cannot read /var/crash on $1: its absence of a dump proves nothing" >&2
		return 1
	fi
	dump=$(find_dump "$1")
	if [ -n "$dump" ]; then
		echo "$dump exists on the guest's disk but should not" >&2
		return 1
	fi
}

# disk_as_raw DISK OUT: a raw copy of a (qcow2) disk, for debugfs.
disk_as_raw() {
	qemu-img convert -O raw "$1" "$2"
}

# find_dump IMAGE: the path of the newest kdump-tools dump on the disk
# (/var/crash/<stamp>/dump.<stamp>), or nothing.
find_dump() {
	local d
	d=$(debugfs -R "ls -p /var/crash" "$1" 2>/dev/null |
		awk -F/ '$6 ~ /^[0-9]+$/ { print $6 }' | sort | tail -n 1)
	[ -n "$d" ] || return 0
	debugfs -R "ls -p /var/crash/$d" "$1" 2>/dev/null |
		awk -F/ -v d="$d" '$6 ~ /^dump\./ { print "/var/crash/" d "/" $6 }' | head -n 1
}

# ---- kdump with the NVMe root behind the stand-in's vPCI bus. A scenario
# names a VM shape, the way its first kernel loads the crash kernel, and
# what the in-tree driver is known to do there (kdump_expect); the guest
# side is kdump_nvme_first_stage / kdump_nvme_crash_stage in
# scripts/guest/lib.sh.

# kdump_nvme_scenario SHAPE MODE: make the scenario being read one of them.
# SHAPE is a VM shape of tests/e2e/models.sh (gen1, gen2,
# gen2-fb-above-base: vm_gen1, vm_gen2, ...) with the NVMe root on it;
# MODE is how the first kernel loads the crash kernel (kdump_load: load,
# file, load-noefi). Sets the runner's variables (both vPCI drivers) and
# defines host_prepare, guest_script and host_check; a scenario may
# redefine host_check afterwards to check more (calling kdump_nvme_check).
# shellcheck disable=SC2034,SC2317 # the runner reads these and calls the hooks
kdump_nvme_scenario() {
	case $1 in
	gen1) FIRMWARE=bios ;;
	gen2 | gen2-fb-above-base) FIRMWARE=uefi ;;
	*) echo "kdump_nvme_scenario: unknown VM shape '$1'" >&2; return 1 ;;
	esac
	case $2 in
	load | file | load-noefi) ;;
	*) echo "kdump_nvme_scenario: unknown load mode '$2'" >&2; return 1 ;;
	esac
	KDUMP_SHAPE=$1 KDUMP_MODE=$2
	# The framebuffer driver of the kernel line: hyperv_fb where it is
	# built (up to 6.x), else the firmware's, efifb (7.x cloud kernels);
	# or the one named as FB: hyperv_drm (generic flavours only).
	KDUMP_FB=efifb
	[ -z "$(kernel_config "$KVER" CONFIG_FB_HYPERV)" ] || KDUMP_FB=hyperv_fb
	case ${3:-} in
	'') ;;
	hyperv_drm) KDUMP_FB=hyperv_drm ;;
	*) echo "kdump_nvme_scenario: unknown framebuffer driver '$3'" >&2; return 1 ;;
	esac
	MODULES="hv_vmbus pci_hyperv nvme ext4 ${KDUMP_FB/efifb/}" HOST_BINS="kexec makedumpfile" \
		STANDIN=1 KDUMP=1 MEM=1024 TIMEOUT=420 \
		KERNEL_ARGS="crashkernel=256M" DRIVERS="stock hvpci"
	host_prepare() {
		if [ "$KDUMP_FB" = hyperv_drm ] && [ -z "$(kernel_config "$KVER" CONFIG_DRM_HYPERV)" ]; then
			echo "$KVER has no hyperv_drm (Debian's cloud flavours build no DRM): run this with a generic flavour, e.g. --kernel ${KVER%-cloud-amd64}-amd64" >&2
			return 1
		fi
		make_root_disk "$1/root.img" 512M &&
			"vm_${KDUMP_SHAPE//-/_}" "$1/root.img" raw
	}
	guest_script() {
		kdump_nvme_guest "$KDUMP_MODE"
	}
	host_check() {
		kdump_nvme_check "$1" "$2"
	}
}

# kdump_nvme_check LOG SCRATCH: the checks of a kdump_nvme_scenario.
kdump_nvme_check() {
	local boot=$KDUMP_SHAPE
	case $KDUMP_SHAPE/$KDUMP_MODE in
	gen2*/load-noefi) boot=gen2-noefi ;;
	gen2*) boot=gen2 ;;
	esac
	check_kdump_boot "$1" "$boot" &&
		check_kdump_outcome "$1" "$2/root.img" "$KDUMP_MODE"
}

# kdump_expect STOCK-OUTCOME: what the crash kernel must come to with the
# in-tree pci-hyperv: "dump" (a valid dump saved) or "c0370048" (the known
# bug: the host refuses D0 entry because the config window lies on the
# framebuffer, no dump, guest verdict fail). With hvpci it is always "dump":
# keeping the window off the framebuffer is the product's claim. Sets
# KDUMP_EXPECT for check_kdump_outcome, and VERDICT.
kdump_expect() {
	case $1 in
	dump | c0370048) ;;
	*) echo "kdump_expect: unknown outcome '$1' (want dump or c0370048)" >&2; return 1 ;;
	esac
	KDUMP_EXPECT=$1
	[ "${DRIVER:-stock}" != hvpci ] || KDUMP_EXPECT=dump
	# shellcheck disable=SC2034 # read by tests/e2e/run.sh
	if [ "$KDUMP_EXPECT" = dump ]; then VERDICT=pass; else VERDICT=fail; fi
}

# kdump_nvme_guest MODE: the guest script; the first kernel loads the crash
# kernel with kdump_load MODE (load, file or load-noefi).
kdump_nvme_guest() {
	printf '%s\n' "if in_kdump; then" "	kdump_nvme_crash_stage" "else" \
		"	kdump_nvme_first_stage $1 ${KDUMP_FB:-hyperv_fb}" "fi"
}

# check_kdump_boot LOG SHAPE: what both kernels saw of firmware and
# framebuffer, the ground the outcome stands on. SHAPE:
#   gen2        OVMF's GOP framebuffer at 0x80000000 taken over by hyperv_fb
#               (the crash kernel boots through EFI but with lfb_base 0), or
#               kept by efifb where the line has no hyperv_fb (KDUMP_FB)
#   gen2-noefi  the same first kernel; the crash kernel boots without EFI
#   gen1        no EFI anywhere; the PCI video device's BAR 0 at
#               4 GiB - 128 MiB in both kernels
check_kdump_boot() {
	local log=$1 bar0=0x00000000f8000000-0x00000000fbffffff
	if [ "${KDUMP_FB:-hyperv_fb}" = hyperv_fb ]; then
		expect_line "$log" 'HVPCI-RESULT first.fb=.*hyperv_fb' || return 1
	elif [ "$KDUMP_FB" = hyperv_drm ]; then
		# DRM's fbdev emulation names itself after the driver
		expect_line "$log" 'HVPCI-RESULT first.fb=.*hyperv_drm' || return 1
	else
		expect_line "$log" 'HVPCI-RESULT first.fb=.*EFI VGA' || return 1
	fi
	case $2 in
	gen2 | gen2-noefi)
		expect_result "$log" first.efi yes &&
			expect_result "$log" first.efifb 0x80000000 || return 1
		# hyperv_fb took the framebuffer over, so no kexec path hands it
		# on; efifb kept it, and kexec-tools knows "EFI VGA" and passes it.
		# A KEXEC_FILE_LOAD crash kernel gets the first kernel's own
		# screen_info, which hyperv_fb clears before 6.9 and keeps after.
		if [ "$2" != gen2 ]; then
			:
		elif [ "${KDUMP_FB:-hyperv_fb}" = efifb ] ||
			{ [ "$KDUMP_MODE" = file ] && hyperv_fb_keeps_screen_info; }; then
			expect_result "$log" kdump.efifb 0x80000000 || return 1
		else
			expect_result "$log" kdump.efifb "" || return 1
		fi
		if [ "$2" = gen2 ]; then
			expect_result "$log" kdump.efi yes
		else
			expect_result "$log" kdump.efi no
		fi
		;;
	gen1)
		expect_result "$log" first.efi no &&
			expect_result "$log" first.bar0 "$bar0" &&
			expect_result "$log" kdump.efi no &&
			expect_result "$log" kdump.bar0 "$bar0"
		;;
	*) echo "check_kdump_boot: unknown shape '$2'" >&2; return 1 ;;
	esac
}

# check_kdump_outcome LOG IMAGE MODE: IMAGE is the root disk the first
# kernel marked (/marker); the crash kernel, loaded with MODE, came to
# KDUMP_EXPECT with the driver in use (DRIVER), the one that ran in
# both kernels. In every case the host had kept the crashed kernel's D0
# state: the crash kernel's first D0 entry got c0000184, the driver sent D0
# exit and entered again, once. Then either
#   dump       that entry was accepted, no c0370048 anywhere (guest or
#              host), and IMAGE holds a valid dump;
#   c0370048   the host refused it, the config window lying on the
#              framebuffer at 0x80000000, and IMAGE holds no dump.
check_kdump_outcome() {
	local log=$1 img=$2
	if [ -z "$(disk_file_size "$img" /marker)" ]; then
		echo "no /marker on $img: the first kernel never wrote to this disk" >&2
		return 1
	fi
	expect_result "$log" kdump.loaded "$3" &&
		expect_result "$log" stage kdump &&
		expect_result "$log" first.driver "$DRIVER" &&
		expect_result "$log" kdump.driver "$DRIVER" &&
		expect_line "$log" 'vpci_d0_entry vpci0: config window 0x[0-9a-f]+ status 0xc0000184: ' &&
		expect_result "$log" kdump.d0.retried 1 || return 1
	case $KDUMP_EXPECT in
	dump)
		expect_result "$log" kdump.d0.failures "" &&
			reject_line "$log" 'c0370048' &&
			expect_kdump_file "$img" /var/crash/vmcore
		;;
	c0370048)
		expect_result "$log" kdump.d0.failures c0370048 &&
			expect_line "$log" 'hv-vpci: vpci0: D0 entry refused with status 0xc0370048: config window 0x80000000-' &&
			expect_no_file "$img" /var/crash/vmcore
		;;
	*) echo "check_kdump_outcome: no expectation (call kdump_expect)" >&2; return 1 ;;
	esac || return 1
	[ "$DRIVER" != hvpci ] || check_hvpci_placement "$log"
}

# check_hvpci_placement LOG: hvpci's own account of both kernels. It names
# the status that made it retry (c0000184), reports one config window per
# bus, at the bottom of the VMBus high range in both kernels, where the
# host saw D0 kept and then accepted it; its MMIO layout line says how the
# crash kernel booted.
check_hvpci_placement() {
	local log=$1 base=$VM_HIGH_MMIO_BASE win boot=EFI last
	win="config window \[mem $base-$(printf '%#x' $((base + 0x1fff)))\] \(high\)"
	[ "$(result_of "$log" kdump.efi)" = yes ] || boot=legacy
	expect_result "$log" kdump.d0.refused c0000184 &&
		expect_line "$log" "HVPCI-RESULT first\.vpci=$win" &&
		expect_line "$log" "HVPCI-RESULT kdump\.vpci=$win" &&
		expect_line "$log" "HVPCI-RESULT kdump\.layout=\($boot boot, " &&
		expect_line "$log" "vpci_d0_entry vpci0: config window $base status 0xc0000184: " || return 1
	last=$(grep -a 'vpci_d0_entry vpci0: ' "$log" | tail -n 1)
	case $last in
	*"config window $base status 0x0: "*) ;;
	*) echo "the host's last D0 entry is not an accepted one at $base: ${last:-none}" >&2; return 1 ;;
	esac
}

# ---- kdump-check --image on images this project did not build with its
# hook (scripts/image/mk-test-image.sh). The check runs its own VM; the
# scenario's own guest only proves the runner, so it is a bare pass.

# image_check_scenario VARIANT FORMAT FS RC REASON [RELEASE]: check a test
# image of VARIANT (mk-test-image.sh --variant) in FORMAT with its root on
# FS, of Debian RELEASE (--release; default bookworm: its suites must
# publish the run's kernel, e.g. --kernel 5.10.0-46 for bullseye); the
# check must exit RC, its verdict line must match the extended regex
# REASON, and the image file must be unchanged. IMG_ARGS (an array, set
# before) adds options to the check, IMG_MK_ARGS to mk-test-image.sh
# (--lvm). A scenario may define
# image_extra_check LOG SCRATCH for more.
# shellcheck disable=SC2034,SC2317 # the runner reads these and calls the hooks
image_check_scenario() {
	IMG_VARIANT=$1 IMG_FORMAT=$2 IMG_FS=$3 IMG_RC=$4 IMG_REASON=$5
	[ -n "${IMG_ARGS+set}" ] || IMG_ARGS=()
	[ -n "${IMG_MK_ARGS+set}" ] || IMG_MK_ARGS=()
	img_release=${6:-bookworm}
	TIMEOUT=120
	guest_script() { echo pass; }
	host_prepare() {
		cache_locked test-images "$HVPCI_ROOT/scripts/image/mk-test-image.sh" --release "$img_release" --kernel "$KVER" --variant "$IMG_VARIANT" \
			--format "$IMG_FORMAT" --fs "$IMG_FS" "${IMG_MK_ARGS[@]}" --out "$1/image" 2>&1 || return 1
		sha256sum <"$1/image" >"$1/image.sha"
		local rc=0
		"$HVPCI_ROOT/scripts/kdump-check.sh" --image "$1/image" --json "$1/summary.json" \
			--keep-artifacts "$1/artifacts" "${IMG_ARGS[@]}" >"$1/check.out" 2>&1 || rc=$?
		echo "$rc" >"$1/check.rc"
		cat "$1/check.out"
	}
	host_check() {
		local got
		got=$(cat "$2/check.rc")
		sed 's/^/  | /' "$2/check.out" >&2
		[ "$got" = "$IMG_RC" ] ||
			{ echo "kdump-check --image exited $got, want $IMG_RC: $(grep 'verdict\|error' "$2/check.out" | tail -n 1)" >&2; return 1; }
		expect_line "$2/check.out" "verdict: $IMG_REASON" &&
			expect_image_unchanged "$2/image" "$2/image.sha" || return 1
		! declare -F image_extra_check >/dev/null || image_extra_check "$@"
	}
}

# expect_image_unchanged FILE SHAFILE: FILE's sha256 is the one recorded.
expect_image_unchanged() {
	[ "$(sha256sum <"$1")" = "$(cat "$2")" ] ||
		{ echo "$1 changed during the check" >&2; return 1; }
}

# expect_qemu_unprivileged SUMMARY: the JSON summary of a check shows the
# QEMU process without root and under a seccomp filter, both as the kernel
# reported them in /proc/PID/status (Uid, and Seccomp 2 = filter mode), read
# by the harness while the guest ran.
expect_qemu_unprivileged() {
	local uid mode
	uid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["qemu_uid"])' "$1")
	mode=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["qemu_seccomp_mode"])' "$1")
	case $uid in
	'' | 0) echo "QEMU ran as uid '${uid}', not as an unprivileged user" >&2; return 1 ;;
	esac
	[ "$mode" = 2 ] ||
		{ echo "QEMU ran with /proc Seccomp mode '${mode}', not 2 (filter): no -sandbox" >&2; return 1; }
}

# expect_root_soon LOG MAX: in every kernel of the serial LOG that brought
# its NVMe disk up (nvme's "default/read/poll queues" line), the root file
# system on it was mounted at most MAX seconds later by the kernel's clock
# (issue 14: a rootdelay= made initramfs-tools sleep a flat minute).
expect_root_soon() {
	awk -v max="$2" '
	function ts(line) { sub(/^[^[]*\[ */, "", line); sub(/\].*/, "", line); return line + 0 }
	/Linux version/ { boot++; up = ""; done = 0 }
	/nvme nvme[0-9]+: [0-9\/]+ default\/read\/poll queues/ && up == "" { up = ts($0) }
	/EXT4-fs \(nvme|XFS \(nvme/ && /mounted|Ending clean mount/ && up != "" && !done {
		gap = ts($0) - up; done = 1; n++
		printf "kernel %d: root mounted %.1f s after the NVMe disk came up\n", boot, gap > "/dev/stderr"
		if (gap > max) bad = 1
	}
	END { if (n == 0) { print "no NVMe disk and root mount in the log" > "/dev/stderr"; exit 1 } exit bad }
	' "$1" || { echo "the root was not mounted within $2 s of its NVMe disk in every kernel" >&2; return 1; }
}

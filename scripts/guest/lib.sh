# shellcheck shell=sh
# Helpers for guest scenario scripts (busybox sh). Every line meant for the
# host starts with "HVPCI-" so the runner can find it among kernel messages.

# result KEY VALUE...: report a measured fact to the host.
result() {
	_k=$1
	shift
	printf 'HVPCI-RESULT %s=%s\n' "$_k" "$*"
}

# pass: the scenario's checks all held.
pass() {
	echo PASS >/run/hvpci-verdict
	printf 'HVPCI-VERDICT PASS\n'
}

# fail REASON...: stop the scenario with a reason a person can act on.
fail() {
	echo FAIL >/run/hvpci-verdict
	printf 'HVPCI-VERDICT FAIL %s\n' "$*"
	exit 1
}

# expect CMD...: run CMD; a non-zero exit fails the scenario.
expect() {
	"$@" || fail "command failed (exit $?): $*"
}

# load MODULE...: modprobe each module and report it.
load() {
	for _m in "$@"; do
		if _err=$(modprobe "$_m" 2>&1); then
			result "modprobe.$_m" ok
		else
			fail "modprobe $_m failed: $_err"
		fi
	done
}

# karg NAME: value of NAME=value on the kernel command line (empty if absent).
karg() {
	# shellcheck disable=SC2013 # the command line is words, not lines
	for _a in $(cat /proc/cmdline); do
		case $_a in
		"$1"=*) echo "${_a#*=}"; return 0 ;;
		esac
	done
	return 1
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	_n=$(($1 * 5))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}

# ---- kdump: used by scenarios built with KDUMP=1 (the image then holds the
# kernel at /boot/vmlinuz and the crash kernel's initramfs at
# /boot/initrd-kdump, which runs the same scenario script).

# in_kdump: true in the crash (kdump) kernel.
in_kdump() {
	[ -e /proc/vmcore ]
}

# kdump_cmdline: the crash kernel's command line, derived from ours as
# Debian's kdump-tools does (one CPU, irqpoll, reset_devices).
kdump_cmdline() {
	_cl=""
	# shellcheck disable=SC2013 # the command line is words, not lines
	for _a in $(cat /proc/cmdline); do
		case $_a in
		crashkernel=* | nr_cpus=* | maxcpus=*) ;;
		*) _cl="$_cl $_a" ;;
		esac
	done
	echo "${_cl# } nr_cpus=1 irqpoll reset_devices hvpci.kdump=1"
}

# kdump_rsdp: the ACPI root pointer (fails when there is none to find), for
# a crash kernel that boots without EFI and so cannot find ACPI by itself.
kdump_rsdp() {
	_rsdp=$(sed -n 's/^ACPI20=//p' /sys/firmware/efi/systab 2>/dev/null)
	[ -n "$_rsdp" ] ||
		_rsdp=$(dmesg | sed -n 's/.*ACPI: RSDP 0x0*\([0-9A-Fa-f]*\) .*/0x\1/p' | head -n 1)
	[ -n "$_rsdp" ] && echo "$_rsdp"
}

# kdump_load MODE: load the crash kernel. MODE is load (classic kexec -p,
# KEXEC_LOAD), file (kexec -p -s, KEXEC_FILE_LOAD) or load-noefi (kexec -p
# --noefi: the crash kernel boots without EFI, given the ACPI root pointer
# by hand as such setups must).
kdump_load() {
	_extra=""
	case $1 in
	load) _flag="" ;;
	file) _flag=-s ;;
	load-noefi)
		_flag=--noefi
		_extra=" acpi_rsdp=$(kdump_rsdp)" ||
			fail "cannot find the ACPI RSDP to hand to the crash kernel"
		;;
	*) fail "kdump_load: unknown mode $1 (want load, file or load-noefi)" ;;
	esac
	# shellcheck disable=SC2086 # _flag is empty or one word
	if ! _err=$(kexec -p $_flag /boot/vmlinuz --initrd=/boot/initrd-kdump \
		--append="$(kdump_cmdline)$_extra" 2>&1); then
		fail "kexec -p $_flag failed: $_err"
	fi
	[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] ||
		fail "kexec -p returned but no crash kernel is loaded"
	result kdump.loaded "$1"
}

# crash_now: panic through sysrq, as a person reproducing a crash would.
crash_now() {
	sync
	echo 1 >/proc/sys/kernel/sysrq
	echo c >/proc/sysrq-trigger
	fail "the guest is still running after sysrq-c"
}

# kdump_save DEV: mount DEV and save /proc/vmcore to /var/crash/vmcore on it
# with makedumpfile (compressed kdump format, free pages and caches dropped).
kdump_save() {
	mkdir -p /mnt
	mount -t ext4 "$1" /mnt || fail "kdump kernel cannot mount $1"
	mkdir -p /mnt/var/crash
	if ! _err=$(makedumpfile -l -d 31 /proc/vmcore /mnt/var/crash/vmcore.new 2>&1); then
		umount /mnt
		fail "makedumpfile failed: $(echo "$_err" | tail -n 1)"
	fi
	mv /mnt/var/crash/vmcore.new /mnt/var/crash/vmcore
	result dump.bytes "$(wc -c </mnt/var/crash/vmcore)"
	sync
	umount /mnt
}

# kexec_into STAGE: reboot through kexec -l/-e (no crash) into the same
# kernel with the second image; the script finds STAGE in karg hvpci.stage.
kexec_into() {
	_err=$(kexec -l /boot/vmlinuz --initrd=/boot/initrd-kdump \
		--append="$(cat /proc/cmdline) hvpci.stage=$1" 2>&1) ||
		fail "kexec -l failed: $_err"
	result kexec.loaded yes
	sync
	kexec -e
	fail "kexec -e returned: $?"
}

# ---- kdump with the NVMe root behind the stand-in's vPCI bus: the first
# kernel and the crash kernel of every such scenario (tests/e2e/kdump.sh
# writes the script, check_kdump_outcome reads what it reports).

# video_bar0: BAR 0 of the Gen1 PCI video device 1414:5353 as this kernel
# sees it ("none" without that device).
video_bar0() {
	for _d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$_d/vendor")" = 0x1414 ] && [ "$(cat "$_d/device")" = 0x5353 ]; then
			head -n 1 "$_d/resource" | awk '{ print $1 "-" $2 }'
			return 0
		fi
	done
	echo none
}

# kdump_boot_report STAGE: how STAGE's kernel came up: through EFI or not,
# the framebuffer efifb found, BAR 0 of the PCI video device.
kdump_boot_report() {
	if [ -d /sys/firmware/efi ]; then result "$1.efi" yes; else result "$1.efi" no; fi
	result "$1.efifb" "$(dmesg | sed -n 's/.*efifb: framebuffer at \(0x[0-9a-f]*\).*/\1/p' | tail -n 1)"
	result "$1.bar0" "$(video_bar0)"
}

# d0_failures: the statuses (hex) of the vPCI D0 entries this kernel's
# driver gave up on, in the in-tree driver's words or in hvpci's.
d0_failures() {
	dmesg | sed -n -e 's/.*failed D0 Entry with status \([0-9a-f]*\).*/\1/p' \
		-e 's/.*host refused D0 entry with status 0x\([0-9a-f]*\).*/\1/p' |
		tr '\n' ' ' | sed 's/ $//'
}

# d0_report STAGE: which vPCI driver ran and how its D0 entry went:
#   STAGE.driver       hvpci or stock (the in-tree pci-hyperv)
#   STAGE.d0.failures  statuses of D0 entries given up on
#   STAGE.d0.retried   D0 entries retried after a D0 exit
#   STAGE.d0.refused   statuses that made hvpci retry (it names them)
#   STAGE.vpci         hvpci's placement line: config window and BAR windows
#   STAGE.layout       hvpci's view of the VMBus MMIO ranges
d0_report() {
	if dmesg | grep -q 'hvpci [0-9.]*: Hyper-V vPCI front end'; then
		result "$1.driver" hvpci
	else
		result "$1.driver" stock
	fi
	result "$1.d0.failures" "$(d0_failures)"
	result "$1.d0.retried" "$(dmesg | grep -c -e 'Retrying D0 Entry' -e 'retrying after D0 exit')"
	result "$1.d0.refused" "$(dmesg | sed -n 's/.*D0 entry refused with status 0x\([0-9a-f]*\), retrying.*/\1/p' | tr '\n' ' ' | sed 's/ $//')"
	result "$1.vpci" "$(dmesg | sed -n 's/.*: domain [0-9a-f]*: \(config window .*\)/\1/p' | tail -n 1)"
	result "$1.layout" "$(dmesg | sed -n 's/.*: MMIO layout (\(.*\)/(\1/p' | tail -n 1)"
}

# kdump_nvme_first_stage MODE: the first kernel. hyperv_fb takes the
# framebuffer, the NVMe root comes up behind vPCI and gets a marker, the
# crash kernel is loaded with kdump_load MODE and sysrq panics the guest.
kdump_nvme_first_stage() {
	result stage first
	kdump_boot_report first
	load hv_vmbus hyperv_fb pci_hyperv
	wait_for 60 grep -q . /proc/fb || fail "hyperv_fb did not register a framebuffer"
	result first.fb "$(tr '\n' ';' </proc/fb)"
	wait_for 60 test -b /dev/nvme0n1 || fail "no NVMe root behind vPCI in the first kernel"
	d0_report first
	mount -t ext4 /dev/nvme0n1 /mnt || fail "cannot mount the NVMe root"
	echo "written by the first kernel" >/mnt/marker
	umount /mnt
	kdump_load "$1"
	crash_now
}

# kdump_nvme_crash_stage: the crash kernel. It must find the NVMe root
# behind vPCI (the host still holds the crashed kernel's D0 state) and save
# the dump there; it fails naming the D0 statuses when the root never shows.
kdump_nvme_crash_stage() {
	result stage kdump
	kdump_boot_report kdump
	load hv_vmbus pci_hyperv
	wait_for 90 sh -c 'test -b /dev/nvme0n1 || dmesg | grep -q -e "probe of .* failed with error" -e "hv_pci.*probe.*failed"'
	sleep 1
	d0_report kdump
	dmesg | grep -i -e 'hv_vmbus' -e 'hv_pci' -e 'framebuffer' | tail -n 20
	grep -i -e 'pci' /proc/iomem | head -n 20
	test -b /dev/nvme0n1 ||
		fail "kdump kernel: no NVMe root behind vPCI (D0 entry failures: $(d0_failures))"
	kdump_save /dev/nvme0n1
	pass
}

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

# vpci_module: the name of the vPCI driver's module: hvpci where this kernel
# builds pci-hyperv in and hvpci is installed as hvpci.ko, else pci_hyperv.
vpci_module() {
	if [ -n "$(find /lib/modules/*/updates -name hvpci.ko 2>/dev/null)" ]; then
		echo hvpci
	else
		echo pci_hyperv
	fi
}

# vpci_buses: how many vPCI buses VMBus offers now
vpci_buses() {
	grep -l 44c4f61d-4444-4400-9d52-802e27ede19f /sys/bus/vmbus/devices/*/class_id 2>/dev/null | wc -l
}

# irq_snapshot WHY: the interrupt counts a lost-interrupt hunt needs (the
# NVMe queues' rows, spurious, error and missed counts), on the console
# with WHY, taken while a slow device's interrupt is still registered.
irq_snapshot() {
	echo "HVPCI-IRQS $*"
	grep -E 'nvme|SPU|ERR|MIS' /proc/interrupts | sed 's/^/HVPCI-IRQS /'
}

# kernel_complaints: Oops, WARNING, BUG and call-trace lines in dmesg
kernel_complaints() {
	dmesg | grep -c -e 'WARNING:' -e 'Oops' -e 'BUG:' -e 'Call Trace' || true
}

# try SECONDS CMD...: run CMD in the background for up to SECONDS; print
# its exit status, or "hang" (its output goes to /tmp/try.out)
try() {
	_t=$1
	shift
	rm -f /tmp/try.rc
	# (not holding the caller's $(...) pipe open while it runs)
	("$@" >/tmp/try.out 2>&1; echo $? >/tmp/try.rc) >/dev/null 2>&1 &
	if wait_for "$_t" test -s /tmp/try.rc; then cat /tmp/try.rc; else echo hang; fi
}

# vpci_builtin: the kernel builds the in-tree vPCI driver in.
vpci_builtin() {
	grep -q -e '/pci-hyperv.ko$' /lib/modules/*/modules.builtin 2>/dev/null
}

# load MODULE...: modprobe each module and report it. A module the kernel
# builds in is reported as "builtin". pci_hyperv means the vPCI driver:
# hvpci's own module when this kernel builds pci-hyperv in (there hvpci is
# hvpci.ko, and the command line keeps the built-in driver from registering).
load() {
	for _m in "$@"; do
		[ "$_m" != pci_hyperv ] || _m=$(vpci_module)
		if grep -q -e "/${_m}.ko\$" -e "/$(echo "$_m" | tr _ -).ko\$" /lib/modules/*/modules.builtin 2>/dev/null; then
			result "modprobe.$_m" builtin
		elif _err=$(modprobe "$_m" 2>&1); then
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

# kdump_nvme_first_stage MODE [FB]: the first kernel. FB (default hyperv_fb)
# is the framebuffer driver the kernel line ships: hyperv_fb or hyperv_drm
# (the DRM driver, in generic rather than cloud flavours) take the
# framebuffer over; "efifb" (kernels without either, such as Debian's
# 7.x cloud kernels) keeps the firmware's. The NVMe root comes up behind
# vPCI and gets a marker, the crash kernel is loaded with kdump_load MODE
# and sysrq panics the guest.
kdump_nvme_first_stage() {
	result stage first
	kdump_boot_report first
	case ${2:-hyperv_fb} in
	hyperv_fb | hyperv_drm) load hv_vmbus "${2:-hyperv_fb}" pci_hyperv nvme ext4 ;;
	*) load hv_vmbus pci_hyperv nvme ext4 ;;
	esac
	wait_for 60 grep -q . /proc/fb || fail "no framebuffer registered (${2:-hyperv_fb})"
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
	# nvme, ext4: built in on cloud flavours, modules on generic ones
	load hv_vmbus pci_hyperv nvme ext4
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

# ---- hvpci checks: where hvpci placed config windows and BARs (from its
# "MMIO layout" and "domain ..." lines), I/O round trips, MSI-X, the edu
# test device. Used by tests/e2e/scenarios/hvpci-*.scn.

# inside A B LO HI: [A,B] lies within [LO,HI]; apart A B LO HI: no common byte
inside() { [ $(($1)) -ge $(($3)) ] && [ $(($2)) -le $(($4)) ]; }
apart() { [ $(($2)) -lt $(($3)) ] || [ $(($1)) -gt $(($4)) ]; }
# mmio_layout: the ranges of hvpci's "MMIO layout (...)" line
mmio_layout() { dmesg | sed -n 's/.*hv_pci .*: MMIO layout ([^)]*): //p' | tail -n 1; }
# guard_spans: the framebuffer guard, one START-END per line
guard_spans() { mmio_layout | sed -n 's/.*fb guard \([^;]*\);.*/\1/p' | tr -d '[]' | tr ' ' '\n' | grep .; }
# low_span: the VMBus low MMIO range as START-END
low_span() { mmio_layout | sed -n 's/^low \[\([^]]*\)\].*/\1/p'; }
# bus_line DOMAIN: hvpci's latest "domain ..." line for that PCI domain
bus_line() { dmesg | grep "hv_pci .*: domain $1: " | tail -n 1 | sed 's/.*: domain /domain /'; }
# bus_field LINE WHAT: "START-END low|high" (or "none") of "config window",
# "32-bit BARs" or "64-bit BARs" in a bus line
bus_field() {
	echo "$1" | sed -n -e "s/.*$2 \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\] (\([a-z]*\)).*/\1-\2 \3/p" \
		-e "s/.*$2 none.*/none/p"
}
# off_limits WHAT START-END: fail when the span touches the framebuffer
# guard or the vTPM hole [0xfed40000, 4 GiB)
off_limits() {
	_a=${2%-*} _b=${2#*-}
	[ -n "$(guard_spans)" ] || fail "hvpci logged no framebuffer guard"
	for _g in $(guard_spans); do
		apart "$_a" "$_b" "${_g%-*}" "${_g#*-}" || fail "$1 $2 overlaps the framebuffer guard $_g"
	done
	apart "$_a" "$_b" 0xfed40000 0xffffffff || fail "$1 $2 overlaps the vTPM hole"
}
# bar_span PCIADDR N: BAR N of a device as START-END (from sysfs)
bar_span() {
	# shellcheck disable=SC2046 # three numbers
	set -- $(sed -n "$(($2 + 1))p" "/sys/bus/pci/devices/$1/resource")
	printf '0x%x-0x%x\n' "$1" "$2"
}
# nvme_pci N: PCI address of /dev/nvmeNn1
nvme_pci() { basename "$(readlink -f "/sys/block/nvme$1n1/device/device")"; }
# roundtrip DEV MIB: random data to DEV and back with O_DIRECT; "match" or why
# not (one pattern file per device: several may run at once)
roundtrip() {
	_p=/tmp/pattern-${1##*/}
	dd if=/dev/urandom of="$_p" bs=1M count="$2" 2>/dev/null
	_want=$(sha256sum <"$_p" | cut -d' ' -f1)
	dd if="$_p" of="$1" bs=1M oflag=direct 2>/dev/null || { echo "write failed"; return; }
	rm -f "$_p"
	_got=$(dd if="$1" bs=1M count="$2" iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
	[ "$_got" = "$_want" ] && echo match || echo "mismatch $_got $_want"
}
# io_irqs N: interrupts taken by nvmeN's I/O queues
io_irqs() { awk -v q="nvme$1q[1-9]" '$NF ~ q { for (i = 2; i < NF; i++) if ($i ~ /^[0-9]+$/) n += $i } END { print n + 0 }' /proc/interrupts; }
# irq_ok: fail when hvpci gave up waiting for a create-interrupt answer
# (the stand-in's known intermittent silence); a hang is never a pass
irq_ok() {
	_l=$(dmesg | grep -m1 'host refused an interrupt') || return 0
	fail "create-interrupt never answered (known stand-in issue): ${_l#*] }"
}
# edu_check PCIADDR: enable QEMU's edu device and talk to it through BAR0
# with devmem: identification register, liveness (reads back the
# complement of what was written), factorial of 5
edu_rd() { printf '0x%08x' "$(devmem "$(printf '0x%x' $((_b + $1)))" 32)"; }
edu_wr() { devmem "$(printf '0x%x' $((_b + $1)))" 32 "$2"; }
edu_check() {
	echo 1 >"/sys/bus/pci/devices/$1/enable" || fail "cannot enable $1"
	_b=$(($(bar_span "$1" 0 | cut -d- -f1)))
	result edu.id "$(edu_rd 0)"
	[ "$(edu_rd 0)" = 0x010000ed ] || fail "edu does not answer at BAR0 $(bar_span "$1" 0)"
	edu_wr 4 0x12345678
	result edu.live "$(edu_rd 4)"
	edu_wr 8 5
	_n=50
	while [ $(($(edu_rd 0x20) & 1)) -ne 0 ] && [ "$_n" -gt 0 ]; do sleep 0.1; _n=$((_n - 1)); done
	result edu.fact5 "$(($(edu_rd 8)))"
}
# edu_pci: PCI address of the edu device (1234:11e8)
edu_pci() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/vendor"):$(cat "$_d/device")" = 0x1234:0x11e8 ] && basename "$_d" && return 0
	done
	return 1
}
# load_until SECONDS CMD...: modprobe pci_hyperv in the background until
# CMD holds; fails at once when the host leaves a create-interrupt
# unanswered (the probe would otherwise hold modprobe for minutes)
load_until() {
	modprobe pci_hyperv >/tmp/modprobe.out 2>&1 &
	_pid=$!
	_t=$(($1 * 5))
	shift
	while ! "$@" >/dev/null 2>&1; do
		irq_ok
		[ "$_t" -gt 0 ] || return 1
		sleep 0.2
		_t=$((_t - 1))
	done
	wait "$_pid" || fail "modprobe pci_hyperv failed: $(cat /tmp/modprobe.out)"
	result modprobe.pci_hyperv ok
}

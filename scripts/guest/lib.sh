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

# kdump_load load|file: load the crash kernel with classic kexec -p
# (KEXEC_LOAD) or with kexec -p -s (KEXEC_FILE_LOAD).
kdump_load() {
	case $1 in
	load) _flag="" ;;
	file) _flag=-s ;;
	*) fail "kdump_load: unknown mode $1 (want load or file)" ;;
	esac
	# shellcheck disable=SC2086 # _flag is empty or one word
	if ! _err=$(kexec -p $_flag /boot/vmlinuz --initrd=/boot/initrd-kdump \
		--append="$(kdump_cmdline)" 2>&1); then
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

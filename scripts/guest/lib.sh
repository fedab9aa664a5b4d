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

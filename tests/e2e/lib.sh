# shellcheck shell=bash
# Host-side helpers for scenario files (tests/e2e/scenarios/*.scn): checks on
# the serial log after a run, and QMP actions while the guest runs. A check
# that does not hold prints why on stderr and returns non-zero.

# expect_result LOG KEY VALUE: the guest reported KEY=VALUE.
expect_result() {
	local got
	got=$(grep -ao "HVPCI-RESULT $2=.*" "$1" | tail -n 1 | tr -d '\r' || true)
	got=${got#"HVPCI-RESULT $2="}
	if [ "$got" != "$3" ]; then
		echo "expected $2=$3, guest reported ${got:-nothing}" >&2
		return 1
	fi
}

# result_of LOG KEY: print the value the guest reported for KEY (nothing,
# and success, when it reported none: callers compare the value).
result_of() {
	{ grep -ao "HVPCI-RESULT $2=.*" "$1" || true; } | tail -n 1 | tr -d '\r' |
		sed "s/^HVPCI-RESULT $2=//"
}

# expect_line LOG REGEX: some line of the log matches REGEX (grep -E).
expect_line() {
	grep -aEq -- "$2" "$1" || {
		echo "no line in the serial log matches: $2" >&2
		return 1
	}
}

# reject_line LOG REGEX: no line of the log matches REGEX.
reject_line() {
	local hit
	if hit=$(grep -aE -m1 -- "$2" "$1"); then
		echo "unexpected line in the serial log: $hit" >&2
		return 1
	fi
}

# wait_line LOG REGEX SECONDS: wait until a line matching REGEX appears.
wait_line() {
	local n=$(($3 * 5))
	while [ "$n" -gt 0 ]; do
		grep -aEq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
		n=$((n - 1))
	done
	echo "timed out after $3s waiting for: $2" >&2
	return 1
}

# qmp_ready SOCKET: wait up to 60 s for QEMU to open its QMP socket (a
# scenario's host_during starts alongside QEMU).
qmp_ready() {
	local n=600
	while [ ! -S "$1" ] && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	[ -S "$1" ] || { echo "QEMU never opened $1" >&2; return 1; }
}

# qmp SOCKET COMMAND [ARGUMENTS-JSON]: run one QMP command, print its reply;
# returns non-zero when QEMU answers with an error.
qmp() {
	python3 "$HVPCI_ROOT/tests/e2e/qmp.py" "$@"
}

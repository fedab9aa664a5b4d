#!/usr/bin/env bash
# Tests of the test machinery itself: the VM runner must turn a broken guest
# into a failure that names the serial log, a failing guest into exit 1, and
# wrong flags into a clear usage error. Prints TAP.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../../scripts/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--kernel VER]

Self-tests of scripts/run-vm.sh and scripts/mkinitramfs.sh with a real
guest kernel (default: what linux-image-cloud-amd64 points at). TAP output.
EOF
}
kver=""
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kver=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ -n "$kver" ] || kver=$(default_kernel_version)
"$HVPCI_ROOT/scripts/get-kernel.sh" --version "$kver" --no-headers 2>/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0
check() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2: $3"
	fi
}
echo "1..4"

# boot_guest NAME SCRIPT-TEXT [INIT]: build an image running SCRIPT-TEXT (with
# INIT as /init when given), boot it; leaves $rc, $work/NAME.log, NAME.err.
boot_guest() {
	local img init=()
	printf '%s\n' "$2" >"$work/$1.sh"
	[ -z "${3:-}" ] || init=(--init "$3")
	img=$("$HVPCI_ROOT/scripts/mkinitramfs.sh" --kernel "$kver" --script "$work/$1.sh" \
		"${init[@]}" --out "$work/$1.cpio.gz")
	rc=0
	"$HVPCI_ROOT/scripts/run-vm.sh" --kernel "$kver" --initrd "$img" --timeout 60 \
		--log "$work/$1.log" 2>"$work/$1.err" || rc=$?
}

# A guest whose init dies before printing a verdict: exit 2, log named.
printf '#!/bin/sh\necho "init: giving up on purpose"\nexec /bin/false\n' >"$work/broken-init"
boot_guest broken pass "$work/broken-init"
if [ "$rc" -eq 2 ] && grep -q "serial log kept: $work/broken.log" "$work/broken.err" &&
	grep -q 'giving up on purpose' "$work/broken.log"; then
	check ok "broken guest init: no verdict, exit 2, serial log named"
else
	check fail "broken guest init: no verdict, exit 2, serial log named" \
		"rc=$rc, stderr: $(tr '\n' ' ' <"$work/broken.err")"
fi

# A guest script that fails: exit 1 and the guest's reason is reported.
boot_guest failing 'fail "disk missing on purpose"'
if [ "$rc" -eq 1 ] && grep -q 'HVPCI-VERDICT FAIL disk missing on purpose' "$work/failing.err"; then
	check ok "failing guest: exit 1 with the guest's reason"
else
	check fail "failing guest: exit 1 with the guest's reason" "rc=$rc"
fi

# A guest script that ends without a verdict: init says so.
boot_guest silent true
if [ "$rc" -eq 1 ] && grep -q 'without a verdict' "$work/silent.log"; then
	check ok "guest script without a verdict counts as a failure"
else
	check fail "guest script without a verdict counts as a failure" "rc=$rc"
fi

# Wrong flags: exit 64 and a pointer to --help, nothing started.
rc=0
"$HVPCI_ROOT/scripts/run-vm.sh" --kernal "$kver" 2>"$work/flags.err" || rc=$?
if [ "$rc" -eq 64 ] && grep -q 'unknown argument: --kernal (try --help)' "$work/flags.err"; then
	check ok "wrong flag: exit 64 with a usage hint"
else
	check fail "wrong flag: exit 64 with a usage hint" "rc=$rc"
fi
[ "$failed" -eq 0 ]

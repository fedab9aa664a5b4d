#!/usr/bin/env bash
# Tests of the test machinery itself: the VM runner must turn a broken guest
# into a failure that names the serial log, a failing guest into exit 1, and
# wrong flags into a clear usage error; the scenario runner must fail a
# guest that panics before init at once (no retry), retry and record only a
# hang before any guest code ran, stop host hooks at their first failing
# command and refuse a misspelt setting; an "absent dump" check must fail
# on a disk it cannot read; tests/run-all.sh must count a skipped suite as
# skipped and a silent one as failed; --jobs must print what a serial run
# prints, --shard must split the runs into parts holding each run once, and
# merge-junit.py must put the parts back together. Prints TAP.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../../scripts/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--kernel VER]

Self-tests of scripts/run-vm.sh, scripts/mkinitramfs.sh, tests/e2e/run.sh
(scenarios in tests/selftest/scenarios) and tests/run-all.sh with a real
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
echo "1..20"

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
# ---- tests/e2e/run.sh on the scenarios in tests/selftest/scenarios.
scn=$here/scenarios
# e2e NAME [SCENARIO-DIR]: run one scenario; leaves $rc, $work/NAME.{out,tap,xml}
# and the serial logs in $work/logs.
e2e() {
	rc=0
	"$HVPCI_ROOT/tests/e2e/run.sh" --kernel "$kver" --scenarios "${2:-$scn}" \
		--log-dir "$work/logs" --tap "$work/$1.tap" --junit "$work/$1.xml" "$1" \
		>"$work/$1.out" 2>&1 || rc=$?
}

# A kernel that panics mounting its root before init (and then waits for
# the time limit): failed on the first run, never retried as a boot hang.
e2e panic-root
log=$work/logs/panic-root-$kver.log
# The time limit must be what ended it (as for a hang), so that only the
# panic in the log keeps the runner from retrying.
if [ "$rc" -eq 1 ] && grep -q '^not ok 1 - panic-root .*: no verdict: guest killed after the 60s limit' "$work/panic-root.tap" &&
	! grep -qi 'retr' "$work/panic-root.tap" && [ ! -e "$log.boot-hang" ] &&
	grep -aq 'Kernel panic - not syncing: VFS: Unable to mount root' "$log" &&
	grep -q '<failure ' "$work/panic-root.xml" && ! grep -q 'rerunFailure' "$work/panic-root.xml" &&
	grep -q '0 retried' "$work/panic-root.out"; then
	check ok "a guest that panics mounting its root fails on the first run, no retry"
else
	check fail "a guest that panics mounting its root fails on the first run, no retry" \
		"rc=$rc, $(grep -m1 'ok 1' "$work/panic-root.tap" 2>/dev/null || tail -n 1 "$work/panic-root.out")"
fi

# A VM that never starts (QEMU -S): a hang before any guest code, retried
# once; the retry is in the TAP line, the JUnit file, the summary, and the
# first run's log is kept.
e2e hang-before-kernel
log=$work/logs/hang-before-kernel-$kver.log
if [ "$rc" -eq 1 ] &&
	grep -q "^not ok 1 - hang-before-kernel .*(retried once: the first run hung before the kernel started init; its log: $log.boot-hang)" "$work/hang-before-kernel.tap" &&
	[ -e "$log.boot-hang" ] && grep -q '<rerunFailure message="first run hung before the kernel started init' "$work/hang-before-kernel.xml" &&
	grep -q '1 retried' "$work/hang-before-kernel.out"; then
	check ok "a hang before the kernel is retried once, recorded in TAP, JUnit and summary, first log kept"
else
	check fail "a hang before the kernel is retried once, recorded in TAP, JUnit and summary, first log kept" \
		"rc=$rc, $(grep -m1 'ok 1' "$work/hang-before-kernel.tap" 2>/dev/null || tail -n 1 "$work/hang-before-kernel.out")"
fi

# The retry rule on its own, on made-up serial logs: only a time-limit kill
# with no sign of init, panic or vPCI counts as a hang before init.
(
	eval "$(sed -n '/^pre_init_hang() {/,/^}/p' "$HVPCI_ROOT/tests/e2e/run.sh")"
	killed="no verdict: guest killed after the 60s limit (60.1s)"
	l=$work/rule.log
	: >"$l"
	pre_init_hang "$l" "$killed" || exit 1
	printf '[0.0] Kernel command line: root=LABEL=hvpci-root hvpci.driver=hvpci\n[1.0] smpboot: x\n' >"$l"
	pre_init_hang "$l" "$killed" || exit 2
	pre_init_hang "$l" "no verdict: QEMU exited with status 0" && exit 3
	pre_init_hang "$l" "guest: no NVMe disk" && exit 4
	printf '[1.1] hv_pci 1: PCI VMBus probing: Using version 0x10004\n' >>"$l"
	pre_init_hang "$l" "$killed" && exit 5
	printf '[0.0] x\n[3.0] Kernel panic - not syncing: VFS: Unable to mount root fs\n' >"$l"
	pre_init_hang "$l" "$killed" && exit 6
	printf '[0.0] x\n[3.0] Run /init as init process\n' >"$l"
	pre_init_hang "$l" "$killed" && exit 7
	# a host hook that waited for the guest failed first: the guest's own
	# end, kept in LOG.host/vm.err, decides
	during="host action failed: timed out after 200s waiting for: HVPCI-RESULT phase=x"
	printf '[0.0] x\n[4.6] sched_clock: Marking stable\n' >"$l"
	pre_init_hang "$l" "$during" && exit 8
	mkdir -p "$l.host"
	echo "run-vm.sh: no verdict: guest killed after the 400s limit (400.1s)" >"$l.host/vm.err"
	pre_init_hang "$l" "$during" || exit 9
	printf '[0.0] x\n[3.0] Run /init as init process\n' >"$l"
	pre_init_hang "$l" "$during" && exit 10
	echo "run-vm.sh: no verdict: QEMU exited with status 1" >"$l.host/vm.err"
	printf '[0.0] x\n' >"$l"
	pre_init_hang "$l" "$during" && exit 11
	exit 0
) && rc=0 || rc=$?
if [ "$rc" -eq 0 ]; then
	check ok "retry rule: only a time-limit kill before init with no panic or vPCI line"
else
	check fail "retry rule: only a time-limit kill before init with no panic or vPCI line" "case $rc"
fi

# A host check whose first command fails and whose last check holds: the
# run fails at that command (errexit), naming it.
e2e host-check-errexit
if [ "$rc" -eq 1 ] &&
	grep -q '^not ok 1 - host-check-errexit .*: host check: .*\[stopped at: qemu-img convert' "$work/host-check-errexit.tap"; then
	check ok "host check stops at its first failing command"
else
	check fail "host check stops at its first failing command" \
		"rc=$rc, $(grep -m1 'ok 1' "$work/host-check-errexit.tap" 2>/dev/null || tail -n 1 "$work/host-check-errexit.out")"
fi

# A host check that fails the usual way: the helper's own message.
e2e host-check-message
if [ "$rc" -eq 1 ] &&
	grep -q "^not ok 1 - host-check-message .*: host check: expected kernel=not $(kernel_release "$kver"), guest reported $(kernel_release "$kver")\$" "$work/host-check-message.tap"; then
	check ok "a failing host check is reported with its helper's message"
else
	check fail "a failing host check is reported with its helper's message" \
		"rc=$rc, $(grep -m1 'ok 1' "$work/host-check-message.tap" 2>/dev/null || tail -n 1 "$work/host-check-message.out")"
fi

# A failing run keeps its host side beside its serial log.
host_dir=$work/logs/host-check-message-$kver.log.host
if grep -q "^expected kernel=not " "$host_dir/check.err" 2>/dev/null &&
	grep -q "^#   host side: $host_dir/\$" "$work/host-check-message.tap"; then
	check ok "a failing run keeps its host side (host hooks' output) in LOG.host/, named in the TAP stream"
else
	check fail "a failing run keeps its host side (host hooks' output) in LOG.host/, named in the TAP stream" \
		"$(if [ -d "$host_dir" ]; then echo "$host_dir holds: $(cd "$host_dir" && echo *)"; else echo "no $host_dir"; fi)"
fi

# The same for host preparation, before any VM starts.
e2e host-prepare-errexit
if [ "$rc" -eq 1 ] &&
	grep -q "^not ok 1 - host-prepare-errexit .*: host preparation failed: cp: cannot stat .*\[stopped at: cp " "$work/host-prepare-errexit.tap" &&
	[ ! -s "$work/logs/host-prepare-errexit-$kver.log" ]; then
	check ok "host preparation stops at its first failing command, no VM started"
else
	check fail "host preparation stops at its first failing command, no VM started" \
		"rc=$rc, $(grep -m1 'ok 1' "$work/host-prepare-errexit.tap" 2>/dev/null || tail -n 1 "$work/host-prepare-errexit.out")"
fi

# A misspelt setting: refused by --check and by a run, naming it.
mkdir -p "$work/bad"
sed 's/^TIMEOUT=/TIMOUT=/' "$scn/host-prepare-errexit.scn" >"$work/bad/misspelt.scn"
e2e misspelt "$work/bad"
if [ "$rc" -eq 1 ] && grep -q '^not ok 1 - misspelt .*sets TIMOUT, which is no setting' "$work/misspelt.tap" &&
	! "$HVPCI_ROOT/tests/e2e/run.sh" --scenarios "$work/bad" --check >/dev/null; then
	check ok "a misspelt scenario setting is refused by a run and by --check"
else
	check fail "a misspelt scenario setting is refused by a run and by --check" "rc=$rc"
fi

# "No dump" only on a disk that could show one: expect_no_dump fails on a
# disk that is not a file system or lacks /var/crash, passes on an empty
# /var/crash, fails once a dump is there.
(
	# shellcheck source=tests/e2e/kdump.sh
	. "$HVPCI_ROOT/tests/e2e/kdump.sh"
	set +e
	img=$work/nodump.img
	truncate -s 1M "$work/zero.img"
	expect_no_dump "$work/zero.img" 2>/dev/null && exit 1
	make_root_disk "$img" 32M
	expect_no_dump "$img" 2>/dev/null && exit 2
	debugfs -w -R "mkdir /var" "$img" >/dev/null 2>&1
	debugfs -w -R "mkdir /var/crash" "$img" >/dev/null 2>&1
	expect_no_dump "$img" 2>/dev/null || exit 3
	debugfs -w -R "mkdir /var/crash/202612010000" "$img" >/dev/null 2>&1
	debugfs -w -R "write $img /var/crash/202612010000/dump.202612010000" "$img" >/dev/null 2>&1
	expect_no_dump "$img" 2>/dev/null && exit 4
	exit 0
) && rc=0 || rc=$?
if [ "$rc" -eq 0 ]; then
	check ok "an absent-dump check fails on a disk it cannot read and sees a dump that is there"
else
	check fail "an absent-dump check fails on a disk it cannot read and sees a dump that is there" "step $rc"
fi

# run-all: a suite that skips itself (plan 1..0 with a SKIP directive) is
# skipped, one that says nothing failed.
rc=0
"$HVPCI_ROOT/tests/run-all.sh" --command skipper "echo 1..0 # SKIP nothing to check" \
	--tap "$work/all.tap" --junit "$work/all.xml" >"$work/all.out" 2>&1 || rc=$?
if [ "$rc" -eq 0 ] && grep -qx '0 passed, 0 failed, 1 skipped' "$work/all.out" &&
	grep -q '<skipped/>' "$work/all.xml"; then
	check ok "run-all counts a suite with a skip plan (1..0, SKIP) as skipped, not passed"
else
	check fail "run-all counts a suite with a skip plan (1..0, SKIP) as skipped, not passed" "rc=$rc"
fi
rc=0
"$HVPCI_ROOT/tests/run-all.sh" --command silent true \
	--tap "$work/all.tap" --junit "$work/all.xml" >"$work/all.out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && grep -qx '0 passed, 1 failed, 0 skipped' "$work/all.out"; then
	check ok "run-all fails a suite that exits 0 without reporting a result"
else
	check fail "run-all fails a suite that exits 0 without reporting a result" "rc=$rc"
fi

# ---- parallel and sharded runs (tests/e2e/run.sh --jobs, --shard, merge-junit.py)
# --shard K/N over the whole scenario set on two kernels (--plan: no guest):
# every run in exactly one part, for several N, and the same parts twice.
rc=0
runner=$HVPCI_ROOT/tests/e2e/run.sh
"$runner" --kernel "$kver,9.9.9-1" --plan >"$work/plan.all" || rc=1
for parts in 1 2 3 7; do
	: >"$work/plan.parts"
	for ((k = 1; k <= parts; k++)); do
		"$runner" --kernel "$kver,9.9.9-1" --plan --shard "$k/$parts" >"$work/plan.$k" || rc=2
		"$runner" --kernel "$kver,9.9.9-1" --plan --shard "$k/$parts" | cmp -s - "$work/plan.$k" || rc=3
		cat "$work/plan.$k" >>"$work/plan.parts"
	done
	# each run once: the parts' lines, sorted, are the whole plan's (no
	# duplicate, none missing)
	[ "$(sort "$work/plan.parts" | uniq -d)" = "" ] || rc=4
	sort "$work/plan.parts" | cmp -s - <(sort "$work/plan.all") || rc=5
done
[ "$(wc -l <"$work/plan.all")" -gt 20 ] || rc=6
if [ "$rc" -eq 0 ]; then
	check ok "--shard K/N: every run of the selection in exactly one part (N = 1, 2, 3, 7), the same split twice"
else
	check fail "--shard K/N: every run of the selection in exactly one part (N = 1, 2, 3, 7), the same split twice" "step $rc"
fi

# Balanced by recorded times: one run recorded as longer than all the
# others together has a part to itself.
{
	echo "# made up"
	"$runner" --kernel "$kver" --plan | awk '{ print $1 "\t" ($1 == "vpci-nvme-root@stock" ? 100000 : 5) }'
} >"$work/times.tsv"
rc=0
for k in 1 2; do
	"$runner" --kernel "$kver" --times "$work/times.tsv" --plan --shard "$k/2" >"$work/tplan.$k" || rc=1
done
if [ "$rc" -eq 0 ] && [ "$(cat "$work/tplan.1")" = "vpci-nvme-root@stock $kver" ] &&
	! grep -q '^vpci-nvme-root@stock ' "$work/tplan.2" && [ "$(wc -l <"$work/tplan.2")" -gt 10 ]; then
	check ok "--shard balances by the times file: a run longer than all the rest has a part to itself"
else
	check fail "--shard balances by the times file: a run longer than all the rest has a part to itself" \
		"rc=$rc, part 1: $(tr '\n' ' ' <"$work/tplan.1")"
fi

# --jobs 2 on made-up scenarios that finish out of order without booting a
# guest (host preparation failing after 3 s, or at once in a two-slot run
# that run c, later, starts ahead of; QEMU refusing its arguments, no
# verdict, as the scenario expects; a slow one, skipped): TAP, TAP file,
# summary and JUnit as --jobs 1 prints them (times aside), with failing
# host hooks failing their runs (errexit) in parallel too.
od=$work/order
mkdir -p "$od"
printf '%s\n' '# shellcheck shell=bash' 'DESCRIPTION="self-test: host preparation fails after 3 s"' \
	'host_prepare() { sleep 3; echo "a: stopped on purpose" >&2; false; }' 'guest_script() { echo pass; }' >"$od/order-a.scn"
printf '%s\n' '# shellcheck shell=bash' 'DESCRIPTION="self-test: two slots, host preparation fails at once"' 'SMP=2' \
	'host_prepare() { echo "b: stopped on purpose" >&2; false; true; }' 'guest_script() { echo pass; }' >"$od/order-b.scn"
printf '%s\n' '# shellcheck shell=bash' 'DESCRIPTION="self-test: QEMU refuses its arguments: no verdict, as expected"' \
	'VERDICT=none' 'QEMU_ARGS=(-no-such-option)' 'host_prepare() { sleep 1; }' 'guest_script() { echo pass; }' >"$od/order-c.scn"
printf '%s\n' '# shellcheck shell=bash' 'DESCRIPTION="self-test: slow, skipped in a whole run"' 'SLOW=1' \
	'guest_script() { echo pass; }' >"$od/order-d.scn"
# whole: run the order-* set with ARGS...; leaves $work/order-TAG.{out,tap,xml}
whole() {
	local tag=$1
	shift
	"$runner" --kernel "$kver" --scenarios "$od" --log-dir "$work/order-logs" \
		--tap "$work/order-$tag.tap" --junit "$work/order-$tag.xml" "$@" >"$work/order-$tag.out" 2>"$work/order-$tag.err" || true
}
# norm FILE: FILE without run times (the runs' and their phases')
norm() { sed -E 's/[0-9]+\.[0-9]s/Ns/g; s/time="[0-9.]+"/time="N"/g; s/value="[0-9.]+"/value="N"/g; s/ [0-9]+\.[0-9]([],])/ N\1/g' "$1"; }
whole j1 --jobs 1
whole j2 --jobs 2
rc=0
for f in out tap xml; do
	[ "$(norm "$work/order-j1.$f")" = "$(norm "$work/order-j2.$f")" ] || rc=1
done
if [ "$rc" -eq 0 ] && grep -q '^not ok 1 - order-a ' "$work/order-j2.tap" && grep -q '^not ok 2 - order-b .*b: stopped on purpose' "$work/order-j2.tap" &&
	grep -q '^ok 3 - order-c ' "$work/order-j2.tap" &&
	grep -q '^ok 4 - order-d .*# SKIP' "$work/order-j2.tap" && grep -q '^e2e: 1 passed, 2 failed, 1 skipped, 0 retried$' "$work/order-j2.out" &&
	[ "$(sed -n 's/^# started \(order-[bc]\) .*/\1/p' "$work/order-j2.err" | tr '\n' ' ')" = "order-c order-b " ] &&
	! grep -q '^# started' "$work/order-j1.err"; then
	check ok "--jobs 2 (a later run started ahead of a two-slot one) prints TAP, summary and JUnit as --jobs 1"
else
	check fail "--jobs 2 (a later run started ahead of a two-slot one) prints TAP, summary and JUnit as --jobs 1" \
		"rc=$rc, $(diff <(norm "$work/order-j1.out") <(norm "$work/order-j2.out") | head -n 4 | tr '\n' ' ')"
fi

# ONE_KERNEL=1: a whole-suite run over two kernels (here one given twice)
# runs it on the first and skips it on the second, saying why; named, it
# runs on both.
ok1=$work/one
mkdir -p "$ok1"
printf '%s\n' '# shellcheck shell=bash' 'DESCRIPTION="self-test: one kernel suffices"' 'ONE_KERNEL=1' \
	'VERDICT=none' 'QEMU_ARGS=(-no-such-option)' 'guest_script() { echo pass; }' >"$ok1/one-a.scn"
"$runner" --jobs 1 --kernel "$kver,$kver" --scenarios "$ok1" --log-dir "$work/one-logs" >"$work/one-whole.out" 2>&1 || true
"$runner" --jobs 1 --kernel "$kver,$kver" --scenarios "$ok1" --log-dir "$work/one-logs" one-a >"$work/one-named.out" 2>&1 || true
if grep -q "^ok 1 - one-a \[$kver\] ([0-9.]*s)" "$work/one-whole.out" &&
	grep -q "^ok 2 - one-a \[$kver\] # SKIP runs on $kver only (ONE_KERNEL)" "$work/one-whole.out" &&
	grep -q "^ok 1 - one-a \[$kver\] ([0-9.]*s)" "$work/one-named.out" && grep -q "^ok 2 - one-a \[$kver\] ([0-9.]*s)" "$work/one-named.out"; then
	check ok "ONE_KERNEL=1: a whole-suite run skips it on all but the first kernel, saying so; named, it runs on each"
else
	check fail "ONE_KERNEL=1: a whole-suite run skips it on all but the first kernel, saying so; named, it runs on each" \
		"$(grep -h '^\(not \)\?ok' "$work/one-whole.out" "$work/one-named.out" | tr '\n' ' ')"
fi

# The same set in two shards, merged: the unsharded run's results and
# totals; merging one part alone, or one part twice, is refused.
whole s1 --shard 1/2
whole s2 --shard 2/2
merge=$HVPCI_ROOT/tests/e2e/merge-junit.py
rc=0
"$merge" -o "$work/order-m.xml" "$work/order-s2.xml" "$work/order-s1.xml" 2>/dev/null || rc=1
# testcase lines, times and the spelling of empty elements aside, in one order
cases_of() {
	grep '<testcase' "$1" | sed -E 's/ time="[0-9.]+"//; s/ value="[0-9.]+"/ value="N"/g; s/^ +//; s| />|/>|g; s|"></testcase>|"/>|' | sort
}
if [ "$rc" -eq 0 ] && grep -q '<testsuite name="hvpci-e2e" tests="4" failures="2" errors="0" skipped="1"' "$work/order-m.xml" &&
	[ "$(cases_of "$work/order-m.xml")" = "$(cases_of "$work/order-j1.xml")" ] &&
	! "$merge" "$work/order-s1.xml" >/dev/null 2>&1 && ! "$merge" "$work/order-s1.xml" "$work/order-s1.xml" "$work/order-s2.xml" >/dev/null 2>&1; then
	check ok "merge-junit.py: two shards merge to the unsharded results with its totals; a missing or doubled shard is refused"
else
	check fail "merge-junit.py: two shards merge to the unsharded results with its totals; a missing or doubled shard is refused" \
		"rc=$rc, $(head -n 2 "$work/order-m.xml" 2>/dev/null | tail -n 1)"
fi
[ "$failed" -eq 0 ]

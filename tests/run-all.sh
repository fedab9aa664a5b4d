#!/usr/bin/env bash
# Everything "make check" runs, suite by suite. Each suite prints TAP; this
# script shows it as it comes, counts the results, and ends with one line
# "N passed, N failed, N skipped". Exit status is non-zero on any failure.
# A suite counts as passed only when its checks ran: one that skips itself
# (plan "1..0 # SKIP") is counted as skipped, one that prints no result at
# all as failed. All results also go to one TAP stream and one JUnit file.
set -euo pipefail
# One block: bash reads it whole before running it, so editing this file
# while a run is in progress cannot change that run.
{
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../scripts/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--suite NAME]... [--kernel VER]... [--tap FILE] [--junit FILE]

Suites, in order: static (shellcheck, --help), driver (checkpatch --strict,
warning-free builds and sparse per kernel), unit (tests/unit, cmocka),
fuzz (short fuzzing smoke run), standin-fuzz (the stand-in's guest-input
parsers under libFuzzer: vPCI messages, synthetic video, VMBus rings and
GPADLs), package (make deb, lintian, the hvpci-dkms install
and purge in a trixie chroot; every release with HVPCI_ALL=1), selftest
(the VM runner itself), e2e
(scenarios in real guests), lines (the core scenarios, both drivers, on
the other kernel lines). Default: all that exist.

  --suite NAME   run only this suite (repeatable)
  --kernel VER   guest kernel for selftest and e2e (repeatable; default
                 \$HVPCI_KERNELS, else what linux-image-cloud-amd64 points at)
  --command NAME CMD  run CMD as a suite named NAME (repeatable; for
                 self-tests of this script)
  --tap FILE     every suite's results as one valid TAP stream, numbered
                 across suites (default: build/reports/check.tap)
  --junit FILE   every suite's results as one JUnit XML file, a testsuite
                 per suite (default: build/reports/junit.xml)
  -h, --help     this text

Parallel runs: the e2e and lines suites run guests in parallel on
\$HVPCI_JOBS slots (tests/e2e/run.sh --jobs; default: nproc, here $(nproc);
a guest takes as many slots as it has vCPUs); HVPCI_JOBS=1 runs them one at
a time.

Kernel lines: the driver suite builds against \$HVPCI_DRIVER_KERNELS (default:
the e2e kernels and \$HVPCI_LINE_KERNELS); the lines suite runs
\$HVPCI_LINE_SCENARIOS (default: $LINE_SCENARIOS_DEFAULT)
on each of \$HVPCI_LINE_KERNELS (none when unset).
EOF
}

# The core pair every kernel line gets in make check: first boot from the
# NVMe root, and the Gen2 KEXEC_LOAD kdump; the whole core set is the
# kernel table's (tests/e2e/kernel-table.sh, make kernel-table).
LINE_SCENARIOS_DEFAULT="vpci-nvme-root kdump-gen2-load-fb"
suites=() kernels=() tap_file="" junit_file=""
declare -A commands=()
while [ $# -gt 0 ]; do
	case $1 in
	--command)
		[ $# -ge 3 ] || usage_error "--command needs a NAME and a CMD"
		commands[$2]=$3 suites+=("$2")
		shift 3
		;;
	--tap) need_arg "$1" $#; tap_file=$2; shift 2 ;;
	--junit) need_arg "$1" $#; junit_file=$2; shift 2 ;;
	--suite) need_arg "$1" $#; suites+=("$2"); shift 2 ;;
	--kernel) need_arg "$1" $#; kernels+=("$2"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ ${#suites[@]} -gt 0 ] || suites=(static driver unit fuzz standin-fuzz package selftest e2e lines)
[ ${#kernels[@]} -gt 0 ] || read -ra kernels <<<"${HVPCI_KERNELS:-$(default_kernel_version)}"
kargs=()
for k in "${kernels[@]}"; do kargs+=(--kernel "$k"); done
read -ra line_kernels <<<"${HVPCI_LINE_KERNELS:-}"
largs=() dargs=("${kargs[@]}")
for k in "${line_kernels[@]}"; do largs+=(--kernel "$k"); done
if [ -n "${HVPCI_DRIVER_KERNELS:-}" ]; then
	dargs=()
	for k in $HVPCI_DRIVER_KERNELS; do dargs+=(--kernel "$k"); done
else
	dargs+=("${largs[@]}")
fi
# Guests at once in the e2e and lines suites (tests/e2e/run.sh --jobs).
jobs=${HVPCI_JOBS:-$(nproc)}
line_names=()
for n in ${HVPCI_LINE_SCENARIOS:-$LINE_SCENARIOS_DEFAULT}; do line_names+=("$n@stock" "$n@hvpci"); done

# suite_cmd NAME: the command line of a suite, or nothing when it is absent.
suite_cmd() {
	if [ -n "${commands[$1]:-}" ]; then
		echo "${commands[$1]}"
		return
	fi
	case $1 in
	static) echo "$here/static/run.sh" ;;
	driver) echo "$here/static/driver.sh ${dargs[*]}" ;;
	unit) [ -f "$here/unit/Makefile" ] && echo "make -s -C $here/unit check mutate" ;;
	fuzz) [ -f "$here/fuzz/Makefile" ] && echo "make -s -C $here/fuzz smoke" ;;
	standin-fuzz) echo "make -s -C $here/../vmbus/tests/fuzz smoke" ;;
	package) echo "$here/package/run.sh" ;;
	selftest) echo "$here/selftest/run.sh --kernel ${kernels[0]}" ;;
	e2e) mkdir -p "$HVPCI_ROOT/build/reports" &&
		echo "$here/e2e/run.sh ${kargs[*]} --jobs $jobs --junit $HVPCI_ROOT/build/reports/e2e.xml" ;;
	lines) [ ${#largs[@]} -gt 0 ] && mkdir -p "$HVPCI_ROOT/build/reports" &&
		echo "$here/e2e/run.sh ${largs[*]} --jobs $jobs --junit $HVPCI_ROOT/build/reports/lines.xml ${line_names[*]}" ;;
	*) usage_error "no suite named $1" ;;
	esac
}

reports=$HVPCI_ROOT/build/reports
mkdir -p "$reports"
tap_file=${tap_file:-$reports/check.tap} junit_file=${junit_file:-$reports/junit.xml}
passed=0 failed=0 skipped=0
out=$(mktemp) results=$(mktemp)
trap 'rm -f "$out" "$results"' EXIT

# result SUITE ok|not-ok|skip NAME: one result for the merged TAP and JUnit.
result() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$results"; }

for s in "${suites[@]}"; do
	cmd=$(suite_cmd "$s") || true
	if [ -z "$cmd" ]; then
		echo "== $s: not present, nothing to run"
		continue
	fi
	echo "== $s: $cmd"
	start=$(now_s)
	set +e
	# shellcheck disable=SC2086 # the command line is split on purpose
	$cmd 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	p=$(grep -Ec '^ok [0-9]+' "$out" || true)
	k=$(grep -Eic '^ok [0-9]+.*# skip' "$out" || true)
	f=$(grep -Ec '^not ok [0-9]+' "$out" || true)
	p=$((p - k))
	sed -nE 's/^ok [0-9]+( -)? ?(.*)$/ok\t\2/p; s/^not ok [0-9]+( -)? ?(.*)$/not-ok\t\2/p' "$out" |
		while IFS=$'\t' read -r st name; do
			case $st/$name in ok/*"# SKIP"* | ok/*"# skip"*) st=skip ;; esac
			result "$s" "$st" "$name"
		done
	skip_plan=$(grep -m1 -E '^1\.\.0( |$)' "$out" || true)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - suite $s exited with status $rc"
		result "$s" not-ok "suite $s exited with status $rc"
		f=1
	elif [ $((p + k + f)) -eq 0 ] && [ -n "$skip_plan" ]; then
		# The suite skipped itself: visible as skipped, never as passed.
		why=${skip_plan#1..0}
		echo "ok - suite $s # SKIP ${why#*# [Ss][Kk][Ii][Pp] }"
		result "$s" skip "suite $s # SKIP ${why#*# [Ss][Kk][Ii][Pp] }"
		k=1
	elif [ $((p + k + f)) -eq 0 ]; then
		echo "not ok - suite $s reported no result: nothing shows that its checks ran"
		result "$s" not-ok "suite $s reported no result"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + k))
	echo "== $s: $p passed, $f failed, $k skipped in $(elapsed "$start")s"
done

# One TAP stream, numbered across suites, and one JUnit file.
awk -F'\t' '{ n++; printf "%s %d - %s: %s\n", ($2 == "not-ok" ? "not ok" : "ok"), n, $1, $3 }
	END { printf "1..%d\n", n }' "$results" >"$tap_file"
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo "<testsuites name=\"hvpci\" tests=\"$((passed + failed + skipped))\" failures=\"$failed\" skipped=\"$skipped\">"
	for s in "${suites[@]}"; do
		awk -F'\t' -v s="$s" '
		function esc(t) { gsub(/&/, "\\&amp;", t); gsub(/</, "\\&lt;", t); gsub(/>/, "\\&gt;", t); gsub(/"/, "\\&quot;", t); return t }
		$1 == s { n++; f += ($2 == "not-ok"); k += ($2 == "skip")
			c[n] = "    <testcase classname=\"" s "\" name=\"" esc($3) "\"" \
				($2 == "ok" ? "/>" : $2 == "skip" ? "><skipped/></testcase>" : \
				"><failure message=\"" esc($3) "\"/></testcase>") }
		END { if (!n) exit
			printf "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n", s, n, f, k
			for (i = 1; i <= n; i++) print c[i]
			print "  </testsuite>" }' "$results"
	done
	echo '</testsuites>'
} >"$junit_file"
echo "# TAP stream: $tap_file; JUnit: $junit_file"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
exit
}

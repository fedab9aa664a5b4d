#!/usr/bin/env bash
# Everything "make check" runs, suite by suite. Each suite prints TAP; this
# script shows it as it comes, counts the results, and ends with one line
# "N passed, N failed, N skipped". Exit status is non-zero on any failure.
set -euo pipefail
# One block: bash reads it whole before running it, so editing this file
# while a run is in progress cannot change that run.
{
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../scripts/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--suite NAME]... [--kernel VER]...

Suites, in order: static (shellcheck, --help), driver (checkpatch --strict,
warning-free builds and sparse per kernel), unit (tests/unit, cmocka),
fuzz (short fuzzing smoke run), selftest (the VM runner itself), e2e
(scenarios in real guests), lines (the core scenarios, both drivers, on
the other kernel lines). Default: all that exist.

  --suite NAME   run only this suite (repeatable)
  --kernel VER   guest kernel for selftest and e2e (repeatable; default
                 \$HVPCI_KERNELS, else what linux-image-cloud-amd64 points at)
  -h, --help     this text

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
suites=() kernels=()
while [ $# -gt 0 ]; do
	case $1 in
	--suite) need_arg "$1" $#; suites+=("$2"); shift 2 ;;
	--kernel) need_arg "$1" $#; kernels+=("$2"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ ${#suites[@]} -gt 0 ] || suites=(static driver unit fuzz selftest e2e lines)
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
line_names=()
for n in ${HVPCI_LINE_SCENARIOS:-$LINE_SCENARIOS_DEFAULT}; do line_names+=("$n@stock" "$n@hvpci"); done

# suite_cmd NAME: the command line of a suite, or nothing when it is absent.
suite_cmd() {
	case $1 in
	static) echo "$here/static/run.sh" ;;
	driver) echo "$here/static/driver.sh ${dargs[*]}" ;;
	unit) [ -f "$here/unit/Makefile" ] && echo "make -s -C $here/unit check" ;;
	fuzz) [ -f "$here/fuzz/Makefile" ] && echo "make -s -C $here/fuzz smoke" ;;
	selftest) echo "$here/selftest/run.sh --kernel ${kernels[0]}" ;;
	e2e) mkdir -p "$HVPCI_ROOT/build/reports" &&
		echo "$here/e2e/run.sh ${kargs[*]} --junit $HVPCI_ROOT/build/reports/e2e.xml" ;;
	lines) [ ${#largs[@]} -gt 0 ] && mkdir -p "$HVPCI_ROOT/build/reports" &&
		echo "$here/e2e/run.sh ${largs[*]} --junit $HVPCI_ROOT/build/reports/lines.xml ${line_names[*]}" ;;
	*) usage_error "no suite named $1" ;;
	esac
}

passed=0 failed=0 skipped=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
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
	# A suite that prints no TAP is judged by its exit status alone.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - suite $s exited with status $rc"
		f=1
	elif [ "$rc" -eq 0 ] && [ $((p + k + f)) -eq 0 ]; then
		echo "ok - suite $s exited with status 0"
		p=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + k))
	echo "== $s: $p passed, $f failed, $k skipped in $(elapsed "$start")s"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
exit
}

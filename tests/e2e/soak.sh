#!/usr/bin/env bash
# Soak: the same scenarios run round after round, to catch the races that
# show once in a hundred runs (issue 11: a lost NVMe interrupt on the
# multi-bus scenario, hangs with empty rings; the first was QEMU 7.2's TCG
# memory-map race, see vmbus/README.md). Every run records more of
# the stand-in's trace events than its scenario asks for; a failing run
# keeps its serial log and its host side.
# The end is a rate per scenario, and the list of kept failures; a run that
# passed only on run.sh's retry (a hang before the kernel started init) is
# not a failure, but is counted and kept too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HVPCI_ROOT=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$HVPCI_ROOT/scripts/lib/common.sh"

DEFAULT_SCENARIOS="hvpci-three-buses vpci-hotplug@stock vpci-hotplug@hvpci kdump-gen2-load-fb@stock kdump-gen2-load-fb@hvpci"
DEFAULT_TRACE="vpci_*,vmbus_*,hyperv_tcg_sint*"

usage() {
	cat <<EOF2
Usage: $(basename "$0") [--rounds N] [--jobs N] [--kernel VER] [--out DIR]
                [--trace PATTERNS] [SCENARIO...]

Runs the scenarios (default: $DEFAULT_SCENARIOS)
ROUNDS times, each round through tests/e2e/run.sh with --jobs, and prints
for each scenario its runs, failures and failure rate, then where every
failure's logs are. Each run also records the stand-in's trace events
PATTERNS (default: $DEFAULT_TRACE), in the scenario's own trace file
if it has one, else at the end of the serial log; a failing run keeps
its serial log and, in LOG.host/, its trace file, QEMU's stderr and the
host hooks' output. A run that passes leaves nothing. Exit status: 0 when no run failed, 1 otherwise.

  --rounds N      rounds (default 100)
  --jobs N        runs at once within a round (default: \$HVPCI_JOBS, else nproc)
  --kernel VER    guest kernel (default: $(default_kernel_version))
  --out DIR       where rounds keep logs (default: build/soak; emptied first)
  --trace LIST    QEMU trace patterns, comma-separated ('' for none)
  -h, --help      this text
EOF2
}
rounds=100 jobs=${HVPCI_JOBS:-$(nproc)} kver="" out=$HVPCI_ROOT/build/soak trace=$DEFAULT_TRACE
names=()
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) need_arg "$1" $#; rounds=$2; shift 2 ;;
	--jobs) need_arg "$1" $#; jobs=$2; shift 2 ;;
	--kernel) need_arg "$1" $#; kver=$2; shift 2 ;;
	--out) need_arg "$1" $#; out=$2; shift 2 ;;
	--trace) need_arg "$1" $#; trace=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) usage_error "unknown option: $1" ;;
	*) names+=("$1"); shift ;;
	esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage_error "--rounds wants a whole number of at least 1, not '$rounds'"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || usage_error "--jobs wants a whole number of at least 1, not '$jobs'"
[ -n "$kver" ] || kver=$(default_kernel_version)
[ ${#names[@]} -gt 0 ] || read -ra names <<<"$DEFAULT_SCENARIOS"
# a misspelt name fails here, before any guest starts
"$here/run.sh" --kernel "$kver" --plan "${names[@]}" >/dev/null

rm -rf "$out"
mkdir -p "$out"
# every scenario runs once a round: its failures are all there is to count
declare -A fails=() retried=()
for n in "${names[@]}"; do fails[$n]=0 retried[$n]=0; done
kept=()
t0=$(now_s)
for ((r = 1; r <= rounds; r++)); do
	dir=$out/round-$r
	HVPCI_HOST_TRACE=$trace "$here/run.sh" --jobs "$jobs" --kernel "$kver" \
		--log-dir "$dir" --tap "$dir.tap" "${names[@]}" >"$dir.out" 2>&1 || true
	bad=0
	for n in "${names[@]}"; do
		# the run's TAP line: "ok I - NAME [KVER] ..." or "not ok ..."
		line=$(grep -E "^(not )?ok [0-9]+ - $n \[" "$dir.tap" 2>/dev/null | tail -n 1 || true)
		case $line in
		"ok "*"(retried once"*)
			# passed on its second try after a hang before the kernel
			# started init: not a failure, but counted and kept
			retried[$n]=$((retried[$n] + 1)) bad=$((bad + 1))
			kept+=("round $r: $n: passed on a retry: $line")
			;;
		"ok "*) ;;
		*)
			fails[$n]=$((fails[$n] + 1)) bad=$((bad + 1))
			kept+=("round $r: $n: ${line:-no result (see $dir.out)}")
			;;
		esac
	done
	# only failures (and retried passes) keep anything
	[ "$bad" -gt 0 ] || rm -rf "$dir" "$dir.out" "$dir.tap"
	echo "# soak: round $r of $rounds: $bad failed or retried ($(elapsed "$t0")s)" >&2
done

failed=0
retries=0
printf '%-34s %6s %6s %8s %8s\n' scenario runs failed rate retried
for n in "${names[@]}"; do
	printf '%-34s %6d %6d %7.2f%% %8d\n' "$n" "$rounds" "${fails[$n]}" \
		"$(awk -v f="${fails[$n]}" -v r="$rounds" 'BEGIN { print 100 * f / r }')" \
		"${retried[$n]}"
	failed=$((failed + fails[$n])) retries=$((retries + retried[$n]))
done
echo "soak: $((rounds * ${#names[@]})) runs on $kver in $(elapsed "$t0")s, $failed failed, $retries passed on a retry"
for k in "${kept[@]}"; do echo "  $k"; done
[ "$failed" -eq 0 ]

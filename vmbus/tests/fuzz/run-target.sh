#!/bin/bash
# Run one of the stand-in's fuzz targets (see the Makefile) and say how it went.
#   run-target.sh smoke NAME N SECONDS   corpus/NAME/ then SECONDS of new inputs;
#                                        one TAP line numbered N
#   run-target.sh bench NAME RUNS        RUNS executions from corpus/NAME/;
#                                        prints the executed count and crashes
#   run-target.sh regress NAME           every input of corpus/NAME/ once
#   run-target.sh known                  every input of known/*/ once; a bug
#                                        still there is reported, not fatal
# Run from vmbus/tests/fuzz (the Makefile does); the fuzzers are build/fuzz_NAME.
set -u
build=${FUZZ_BUILD:-build}
usage() { sed -n '2,11s/^# \{0,1\}//p' "$0"; exit "${1:-2}"; }

# stat LOG: libFuzzer's count of executed inputs (empty when it never got there)
executed() { sed -n 's/^stat::number_of_executed_units: *//p' "$1"; }
# why LOG: the line that says what broke (a harness check, an assert, ASan)
why() {
	grep -m1 -E 'Assertion|runtime error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer: out-of-memory)|^[a-z_]+[(: ]' "$1" ||
		grep -m1 ERROR "$1"
}

case ${1:-} in
-h | --help) usage 0 ;;
smoke)
	[ $# -eq 4 ] || usage
	name=$2 n=$3 secs=$4 log=$build/smoke-$2.log
	mkdir -p "$build/smoke-corpus-$name"
	./"$build"/fuzz_"$name" -max_total_time="$secs" -seed=1 -print_final_stats=1 \
		-artifact_prefix="$build/" "$build/smoke-corpus-$name" "corpus/$name/" \
		>"$log" 2>&1
	rc=$?
	runs=$(executed "$log")
	grep -E '^stat::number_of_executed_units|^Done' "$log" | sed 's/^/# /'
	if [ $rc -ne 0 ]; then
		echo "not ok $n - stand-in $name fuzz smoke: FAILED (rc=$rc): $(why "$log"), see $log"
		exit 1
	fi
	if [ -z "$runs" ] || [ "$runs" -eq 0 ]; then
		echo "not ok $n - stand-in $name fuzz smoke: no input ran"
		exit 1
	fi
	echo "ok $n - stand-in $name fuzz smoke: corpus/$name/ (seeds and regression inputs) and $runs inputs in ${secs}s without a crash"
	;;
bench)
	[ $# -eq 3 ] || usage
	name=$2 runs=$3 log=$build/bench-$2.log
	rm -rf "$build/bench-corpus-$name"
	mkdir -p "$build/bench-corpus-$name"
	start=$(date +%s)
	./"$build"/fuzz_"$name" -runs="$runs" -seed=1 -print_final_stats=1 \
		-artifact_prefix="$build/" "$build/bench-corpus-$name" "corpus/$name/" \
		>"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	done=$(executed "$log")
	if [ $rc -ne 0 ]; then
		echo "$name fuzz bench: ${done:-?} executions, 1 crash (rc=$rc) in ${secs}s: $(why "$log"); input in $build/crash-*, log $log"
		exit 1
	fi
	echo "$name fuzz bench: $done executions, 0 crashes in ${secs}s ($((done / (secs > 0 ? secs : 1))) exec/s)"
	;;
regress)
	[ $# -eq 2 ] || usage
	name=$2 log=$build/regress-$2.log
	./"$build"/fuzz_"$name" -runs=0 -artifact_prefix="$build/" "corpus/$name/" >"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "$name regression inputs: FAILED (rc=$rc): $(why "$log"), see $log"
		exit 1
	fi
	echo "$name regression inputs: $(find "corpus/$name" -type f | wc -l) inputs, no crash"
	;;
known)
	[ $# -eq 1 ] || usage
	found=0
	for dir in known/*/; do
		[ -d "$dir" ] || continue
		name=$(basename "$dir")
		for input in "$dir"*; do
			[ -f "$input" ] || continue
			log=$build/known-$name-$(basename "$input").log
			found=$((found + 1))
			if ./"$build"/fuzz_"$name" -runs=1 -artifact_prefix="$build/known-" "$input" >"$log" 2>&1; then
				echo "$input: no longer fails; fix found? move it to corpus/$name/"
			else
				echo "$input: still fails: $(why "$log")"
			fi
		done
	done
	[ "$found" -gt 0 ] || echo "known/: no inputs of unfixed bugs"
	;;
*) usage ;;
esac

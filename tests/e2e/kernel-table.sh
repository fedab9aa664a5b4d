#!/usr/bin/env bash
# The per-kernel table: the core scenarios with the in-tree driver and with
# hvpci on each kernel, beside what the kernel itself says (its line, whether
# it builds pci-hyperv in, its framebuffer driver, whether its hv_vmbus has
# the June 2026 vmbus_reserve_fb() fallback). Every cell is a scenario run
# whose expectation is asserted; the table says what was observed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../../scripts/lib/common.sh"

# Every kernel line Debian's archive carries, oldest first: before and after
# the fallback where the line has both.
MATRIX_KERNELS_DEFAULT="5.10.0-43 5.10.0-46 6.1.0-50 $(default_kernel_version) 6.12.95+deb12 6.12.117+deb13 7.3.4+deb13"
CORE_SCENARIOS_DEFAULT="vpci-nvme-root kdump-gen2-load-fb kdump-gen2-file-fb kdump-gen2-noefi kdump-gen2-fb-above-base image-line-hvpci-dkms"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--kernel VER]... [--scenarios "NAME..."] [--out FILE]

Run the core scenarios with both vPCI drivers on each kernel and print one
Markdown table: a row per kernel, a column per scenario and driver.
A cell reads "dump" or "pass" (the scenario passed), "c0370048 (asserted)"
(the in-tree driver's known failure, asserted exactly), or "FAIL: reason".
Exit status 1 when any cell failed.

  --kernel VER         a Debian kernel ABI (repeatable); default
                       \$HVPCI_MATRIX_KERNELS, else:
                       $MATRIX_KERNELS_DEFAULT
  --scenarios LIST     scenario names (default: $CORE_SCENARIOS_DEFAULT)
  --out FILE           also write the table here (default
                       build/reports/kernel-table.md)
  -h, --help           this text

One kernel at a time; CI can run one --kernel per machine and join tables.
EOF
}

kernels=() scenarios="" out=$HVPCI_ROOT/build/reports/kernel-table.md
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kernels+=("$2"); shift 2 ;;
	--scenarios) need_arg "$1" $#; scenarios=$2; shift 2 ;;
	--out) need_arg "$1" $#; out=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || read -ra kernels <<<"${HVPCI_MATRIX_KERNELS:-$MATRIX_KERNELS_DEFAULT}"
read -ra scns <<<"${scenarios:-$CORE_SCENARIOS_DEFAULT}"
mkdir -p "$(dirname "$out")" "$HVPCI_ROOT/build/reports"

# cell TAP-LINE: the table cell for one scenario run.
cell() {
	local line=$1 known
	case $line in
	"not ok "*) printf 'FAIL: %s' "${line#*): }" ;;
	*"known failure asserted: "*)
		known=${line#*known failure asserted: }
		case $known in
		*c0370048*) printf 'c0370048 (asserted)' ;;
		*) printf 'fails as known: %s' "$known" ;;
		esac
		;;
	*"# SKIP"*) printf 'skipped' ;;
	"ok "*)
		case $line in
		*" - kdump-"* | *" - image-line-"*) printf 'dump' ;;
		*) printf 'pass' ;;
		esac
		;;
	*) printf 'no result' ;;
	esac
}

# runs: each scenario once per driver it has (run.sh --list names a
# two-driver scenario NAME@stock and NAME@hvpci, a one-driver one NAME)
listing=$("$here/run.sh" --list)
runs=()
for s in "${scns[@]}"; do
	if grep -q "^$s@stock " <<<"$listing"; then
		runs+=("$s@stock" "$s@hvpci")
	elif grep -q "^$s " <<<"$listing"; then
		runs+=("$s")
	else
		usage_error "no scenario named $s (tests/e2e/run.sh --list)"
	fi
done
header="| kernel | line | pci-hyperv | fb driver | fb fallback |"
rule="|---|---|---|---|---|"
for n in "${runs[@]}"; do
	header="$header ${n/@/ } |"
	rule="$rule---|"
done
rows=() failed=0 start=$(now_s)
for k in "${kernels[@]}"; do
	"$HVPCI_ROOT/scripts/get-kernel.sh" --version "$k" >/dev/null
	krel=$(kernel_release "$k")
	line=${k%%[-+]*}
	line=${line%.*}
	builtin=$(kernel_config "$krel" CONFIG_PCI_HYPERV)
	case $builtin in y) builtin="built in" ;; m) builtin=module ;; *) builtin=absent ;; esac
	fb=efifb
	[ -z "$(kernel_config "$krel" CONFIG_FB_HYPERV)" ] || fb=hyperv_fb
	fallback=no
	! kernel_has_fb_fallback "$krel" || fallback=yes
	names=("${runs[@]}")
	say "kernel $krel: ${#names[@]} scenario runs ($(elapsed "$start")s so far)"
	tap=$(mktemp)
	"$here/run.sh" --kernel "$k" --junit "$HVPCI_ROOT/build/reports/kernel-table-$k.xml" \
		"${names[@]}" | tee "$tap" | grep --line-buffered -E '^(ok|not ok) ' >&2 || true
	row="| $k | $line | $builtin | $fb | $fallback |"
	for n in "${names[@]}"; do
		l=$(grep -E "^(ok|not ok) [0-9]+ - $n \[" "$tap" | tail -n 1 || true)
		c=$(cell "$l")
		case $c in FAIL* | "no result") failed=$((failed + 1)) ;; esac
		row="$row $c |"
	done
	rm -f "$tap"
	rows+=("$row")
done

{
	echo "$header"
	echo "$rule"
	printf '%s\n' "${rows[@]}"
} | tee "$out"
say "table written to $out in $(elapsed "$start")s; $failed cell(s) failed"
[ "$failed" -eq 0 ]

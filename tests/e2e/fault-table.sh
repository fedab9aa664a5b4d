#!/usr/bin/env bash
# The host-fault matrix, both drivers side by side: every cell of
# vpci-host-faults (a protocol step x a kind of fault) with the in-tree
# pci-hyperv, one VM per cell (it hangs on the first unanswered message,
# so a cell cannot follow another), and with hvpci, all cells in one VM as
# make check runs them. Prints a Markdown table (docs/host-faults.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HVPCI_ROOT=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$HVPCI_ROOT/scripts/lib/common.sh"

usage() {
	cat <<EOF2
Usage: $(basename "$0") [--kernel VER] [--cells 'STEP:KIND ...']

Runs the vpci-host-faults scenario with the in-tree driver once per cell
and with hvpci once over all cells, then prints the table: for each cell,
what modprobe and rmmod did, whether the NVMe disk came up, oopses or
WARNs, and the driver's own line, plus whether the clean probe after it
found the disk. Logs go to build/fault-table/.

  --kernel VER   guest kernel (default: $(default_kernel_version))
  --cells LIST   only these cells (default: every cell of the scenario)
  -h, --help     this text
EOF2
}
kver="" cells=""
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kver=$2; shift 2 ;;
	--cells) need_arg "$1" $#; cells=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ -n "$kver" ] || kver=$(default_kernel_version)
if [ -z "$cells" ]; then
	# the scenario's own list
	# shellcheck source=/dev/null disable=SC2034 # DRIVER is the scenario's
	cells=$(DRIVER=hvpci FAULT_CELLS="" && . "$here/scenarios/vpci-host-faults.scn" && echo "${FAULT_CELLS//\// }")
fi
out=$HVPCI_ROOT/build/fault-table
rm -rf "$out"
mkdir -p "$out"
t0=$(now_s)
# run DRIVER TAG CELLS: one run of the scenario, its log kept as $out/TAG.log
run() {
	FAULT_CELLS=${3// //} "$here/run.sh" --jobs 1 --kernel "$kver" --keep-logs --log-dir "$out/logs-$2" \
		"vpci-host-faults@$1" >"$out/$2.tap" 2>&1 || true
	cp "$out/logs-$2/vpci-host-faults@$1-$kver.log" "$out/$2.log" 2>/dev/null || : >"$out/$2.log"
}
echo "# fault-table: hvpci over all cells ($(elapsed "$t0")s)" >&2
run hvpci hvpci "$cells"
for c in $cells; do
	echo "# fault-table: in-tree, $c ($(elapsed "$t0")s)" >&2
	run stock "stock-${c/:/-}" "$c"
done
# cell LOG KEY: the guest's record of KEY, shortened for a table cell
cell() {
	local v
	v=$({ grep -ao "HVPCI-RESULT $2=.*" "$1" || true; } | tail -n 1 | tr -d '\r' | sed "s/^HVPCI-RESULT $2=//")
	[ -n "$v" ] || { echo "(not reached)"; return; }
	v=$(sed -E 's/ why=hv_pci [0-9a-f-]+: / why=/; s/ why=hv_pci: / why=/; s/ why=$//; s/\|/\//g' <<<"$v")
	echo "$v"
}
echo "| cell | in-tree pci-hyperv | in-tree, clean probe after | hvpci | hvpci, clean probe after |"
echo "|---|---|---|---|---|"
n=0
for c in $cells; do
	n=$((n + 1))
	s=$out/stock-${c/:/-}.log
	echo "| $c | $(cell "$s" "cell.1.$c") | $(cell "$s" cell.1.clean) | $(cell "$out/hvpci.log" "cell.$n.$c") | $(cell "$out/hvpci.log" "cell.$n.clean") |"
done
echo "# fault-table: done in $(elapsed "$t0")s on $kver" >&2

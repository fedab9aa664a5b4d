#!/usr/bin/env bash
# hvpci's benchmarks (make bench): figures, each against a reference
# measured in the same run and printed as a ratio. Nothing here passes or
# fails on a figure; a benchmark that cannot run says why and the others go on.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HVPCI_ROOT=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$HVPCI_ROOT/scripts/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--rounds N] [--kernel VER] [--only NAMES]

Runs the benchmarks and prints their figures and ratios:
  policy   the MMIO policy's placement time vs a naive first fit (user space)
  size     module .text/.data/.bss: hvpci vs the in-tree pci-hyperv.ko of
           the same kernel (Debian's build of that kernel's source)
  probe    per NVMe probe behind vPCI, hvpci vs in-tree: config-window
           accesses, slot-register writes and vPCI messages (the stand-in's
           trace), and modprobe pci_hyperv to the NVMe block device (guest)
  fio      NVMe throughput through vPCI vs the same NVMe model on the VM's
           plain PCI bus, fio 4K random read and 1M sequential read
  phases   medians of where a kdump run's time goes, per phase, for one
           initramfs kdump scenario and one full-image kdump scenario

  --rounds N     rounds of each guest benchmark; medians are printed
                 (default 3)
  --kernel VER   guest kernel (default: $(default_kernel_version))
  --only NAMES   comma-separated subset of: policy,size,probe,fio,phases
  -h, --help     this text

Guest benchmarks run under QEMU TCG: absolute times are the emulator's,
the ratios are what compares. Logs and JUnit files: build/bench/.
EOF
}

rounds=3 kver="" only="policy,size,probe,fio,phases"
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) need_arg "$1" $#; rounds=$2; shift 2 ;;
	--kernel) need_arg "$1" $#; kver=$2; shift 2 ;;
	--only) need_arg "$1" $#; only=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
case $rounds in '' | *[!0-9]* | 0) usage_error "--rounds needs a positive number" ;; esac
for b in ${only//,/ }; do
	case $b in policy | size | probe | fio | phases) ;; *) usage_error "unknown benchmark: $b" ;; esac
done
[ -n "$kver" ] || kver=$(default_kernel_version)
out=$HVPCI_ROOT/build/bench
mkdir -p "$out"
t_all=$(now_s)
wants() { [[ ",$only," == *",$1,"* ]]; }
progress() { echo "# bench: $* (${SECONDS}s)" >&2; }

# median: the median of the numbers on stdin, one a line
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# ratio A B: A/B to two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2fx\n", a / b }'; }

# ---- policy: user space, no guest
if wants policy; then
	progress "MMIO policy placement vs naive first fit"
	make -s -C "$here" all >/dev/null
	"$here/build/bench_mmio_policy" 20
fi

# ---- size: sections of both modules, same kernel
if wants size; then
	progress "module sizes on $kver"
	krel=$(kernel_release "$kver")
	mod=$(cache_locked driver "$HVPCI_ROOT/scripts/build-driver.sh" --kernel "$kver" --print-path)
	intree=$(find "$(kernel_dir "$kver")/lib/modules/$krel" "$(kernel_dir "$kver")/usr/lib/modules/$krel" \
		-name 'pci-hyperv.ko*' 2>/dev/null | head -n 1 || true)
	echo "## module sections on $krel (bytes; size -A)"
	if [ -z "$intree" ]; then
		echo "   $krel builds pci-hyperv in: no in-tree module to compare"
	else
		tmp=$(mktemp -d)
		case $intree in
		*.xz) xz -dc "$intree" >"$tmp/intree.ko" ;;
		*.zst) zstd -qdc "$intree" >"$tmp/intree.ko" ;;
		*) cp "$intree" "$tmp/intree.ko" ;;
		esac
		# text: every executable section (.text and .text.*, .init.text,
		# .exit.text); data: .data*, .rodata*; bss: .bss
		sections() {
			size -A "$1" | awk '
				$1 ~ /^\.(init\.|exit\.)?text/ { t += $2 }
				$1 ~ /^\.(rodata|data)/ { d += $2 }
				$1 ~ /^\.bss/ { b += $2 }
				END { print t + 0, d + 0, b + 0 }'
		}
		read -r ht hd hb < <(sections "$mod")
		read -r it id ib < <(sections "$tmp/intree.ko")
		printf '   %-8s %10s %10s %8s\n' "" hvpci in-tree ratio
		printf '   %-8s %10s %10s %8s\n' text "$ht" "$it" "$(ratio "$ht" "$it")"
		printf '   %-8s %10s %10s %8s\n' data "$hd" "$id" "$(ratio "$hd" "$id")"
		printf '   %-8s %10s %10s %8s\n' bss "$hb" "$ib" "$(ratio "$hb" "$ib")"
		echo "   hvpci: $mod"
		echo "   in-tree: $intree (Debian's build)"
		rm -rf "$tmp"
	fi
fi

# run_bench NAME@DRIVER TAG: one run of a scenario of tests/bench/scenarios
# (or tests/e2e/scenarios with E2E=1), its serial log kept as $out/TAG.log
run_bench() {
	local dir=$here/scenarios
	[ "${E2E:-0}" = 0 ] || dir=$HVPCI_ROOT/tests/e2e/scenarios
	"$HVPCI_ROOT/tests/e2e/run.sh" --jobs 1 --scenarios "$dir" --kernel "$kver" \
		--log-dir "$out/logs-$2" --keep-logs --junit "$out/$2.xml" "$1" >"$out/$2.tap" 2>&1 || {
		echo "   $1 failed: $(grep -a '^not ok' "$out/$2.tap" | head -n 1)"
		return 1
	}
	cp "$out/logs-$2/${1}-$kver.log" "$out/$2.log"
}

# ---- probe and fio: the bench-nvme guest, both drivers, ROUNDS each
if wants probe || wants fio; then
	apt_install fio
	rm -rf "$out"/nvme-* "$out"/logs-nvme-*
	for drv in stock hvpci; do
		for ((r = 1; r <= rounds; r++)); do
			progress "bench-nvme@$drv round $r of $rounds"
			run_bench "bench-nvme@$drv" "nvme-$drv-$r" || true
		done
	done
	# count LOG REGEX: trace lines of the stand-in matching REGEX
	count() { grep -acE "$2" "$1" || true; }
	# field DRIVER KEY N: the Nth number of the guest's KEY, one a round
	field() {
		local f
		for f in "$out"/nvme-"$1"-*.log; do
			[ -f "$f" ] || continue
			{ grep -ao "HVPCI-RESULT $2=.*" "$f" || true; } | tail -n 1 | tr -d '\r' |
				sed "s/^HVPCI-RESULT $2=//" | awk -v n="$3" '{ print $n }'
		done | median
	}
	# traced DRIVER REGEX: median count of trace lines per round
	traced() {
		local f
		for f in "$out"/nvme-"$1"-*.log; do
			if [ -f "$f" ]; then count "$f" "$2"; fi
		done | median
	}
	if wants probe; then
		echo "## per NVMe probe behind vPCI ($kver; median of $rounds rounds; stand-in trace)"
		printf '   %-32s %10s %10s %8s\n' "" hvpci in-tree ratio
		# every access through the config window is two MMIO operations
		# where the slot register is written first, one where it is not
		for m in "config reads and writes|vpci_cfg_(read|write) " "slot register writes|vpci_cfg_slot_write " \
			"config-window MMIO accesses|vpci_cfg_(read|write|slot_write) " "vPCI messages|vpci_msg "; do
			s=$(traced stock "${m#*|}") h=$(traced hvpci "${m#*|}")
			printf '   %-32s %10s %10s %8s\n' "${m%%|*}" "$h" "$s" "$(ratio "$h" "$s")"
		done
		s=$(field stock probe.ms 1) h=$(field hvpci probe.ms 1)
		printf '   %-32s %10s %10s %8s\n' "modprobe to NVMe disk (ms)" "$h" "$s" "$(ratio "$h" "$s")"
	fi
	if wants fio; then
		echo "## NVMe throughput, vPCI vs plain PCI in the same VM ($kver; median of $rounds rounds per driver)"
		printf '   %-10s %-26s %12s %12s %8s\n' driver job vPCI plain ratio
		for drv in hvpci stock; do
			for job in "randread.4k|IOPS|2" "read.1M|KiB/s|1"; do
				IFS='|' read -r j unit n <<<"$job"
				v=$(field "$drv" "fio.vpci.$j" "$n") p=$(field "$drv" "fio.plain.$j" "$n")
				printf '   %-10s %-26s %12s %12s %8s\n' "$drv" "${j/./ } ($unit)" "$v" "$p" "$(ratio "$v" "$p")"
			done
		done
	fi
fi

# ---- phases: one initramfs kdump scenario and one full-image one
if wants phases; then
	rm -rf "$out"/phases-* "$out"/logs-phases-*
	for s in kdump-gen2-load-fb kdump-image-gen2; do
		for ((r = 1; r <= rounds; r++)); do
			progress "$s@hvpci round $r of $rounds"
			E2E=1 run_bench "$s@hvpci" "phases-$s-$r" || true
		done
		echo "## $s@hvpci on $kver: median seconds per phase over $rounds rounds"
		# every round's phases from its JUnit properties, then medians
		python3 - "$out"/phases-"$s"-*.xml <<'PY'
import statistics, sys
import xml.etree.ElementTree as ET
runs = []
for path in sys.argv[1:]:
    try:
        tc = ET.parse(path).getroot().find(".//testcase")
    except (OSError, ET.ParseError):
        continue
    if tc is None or tc.find("failure") is not None:
        continue
    ph = {p.get("name")[6:]: float(p.get("value")) for p in tc.iter("property")
          if p.get("name", "").startswith("phase.")}
    ph["total"] = float(tc.get("time", "0"))
    runs.append(ph)
if not runs:
    print("   no passing round")
    sys.exit(0)
names = []
for r in runs:
    names += [n for n in r if n not in names and n != "total"]
for n in names + ["total"]:
    vals = [r[n] for r in runs if n in r]
    print("   %-14s %7.1f   (%s)" % (n, statistics.median(vals), " ".join("%.1f" % v for v in vals)))
PY
	done
fi
echo "# bench: done in $(elapsed "$t_all")s"

#!/usr/bin/env bash
# Run end-to-end scenarios: each boots a real guest kernel under QEMU TCG with
# an initramfs that runs the scenario's guest script, then checks the verdict
# and the serial log. Prints TAP as it goes and a summary at the end.
set -euo pipefail
# One block: bash reads it whole before running it, so editing this file
# while a run is in progress cannot change that run.
{
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../../scripts/lib/common.sh"
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/kdump.sh
. "$here/kdump.sh"
# shellcheck source=tests/e2e/models.sh
. "$here/models.sh"
# shellcheck source=tests/e2e/kernels.sh
. "$here/kernels.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [options] [NAME...]

Run the named scenarios (default: all) from tests/e2e/scenarios/NAME.scn
on each guest kernel. Output is TAP; the last line is "N passed, N failed,
N skipped, N retried".

  --list            print the scenario names and descriptions (marked
                    [slow], [image: needs root]), and exit
  --check           check every scenario file's settings (a misspelt one is an
                    error, see docs/interfaces.md), and exit
  --scenarios DIR   read NAME.scn from DIR (default: tests/e2e/scenarios)
  --kernel VER      Debian kernel ABI to run on, e.g. 6.1.0-50; repeat it or
                    give a comma-separated list (default: \$HVPCI_KERNELS, else
                    what linux-image-cloud-amd64 points at)
  --log-dir DIR     where serial logs go (default: build/logs under the repo)
  --keep-logs       keep the logs of passing runs too
  --tap FILE        also write the TAP stream to FILE
  --junit FILE      also write a JUnit XML report to FILE (for CI dashboards)
  -h, --help        this text

Logs of failing runs are always kept; their paths are printed. The host
hooks of a scenario (host_prepare, host_during, host_check) run with errexit:
their first failing command fails the run. A run is retried once only when
its serial log shows a hang before the guest kernel started init (see
pre_init_hang); the retry is named in the TAP line and the JUnit file, and
the first run's log is kept as LOG.boot-hang.
EOF
}

scn_dir=$here/scenarios
kernels=() names=() log_dir=$HVPCI_ROOT/build/logs keep=0 tap_file="" list=0
junit_file="" check=0
while [ $# -gt 0 ]; do
	case $1 in
	--list) list=1; shift ;;
	--check) check=1; shift ;;
	--scenarios) need_arg "$1" $#; scn_dir=$(cd "$2" && pwd) || usage_error "no directory $2"; shift 2 ;;
	--kernel) need_arg "$1" $#; IFS=, read -ra k <<<"$2"; kernels+=("${k[@]}"); shift 2 ;;
	--log-dir) need_arg "$1" $#; log_dir=$2; shift 2 ;;
	--keep-logs) keep=1; shift ;;
	--tap) need_arg "$1" $#; tap_file=$2; shift 2 ;;
	--junit) need_arg "$1" $#; junit_file=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) usage_error "unknown option: $1" ;;
	*) names+=("$1"); shift ;;
	esac
done

# scenario_drivers NAME: the drivers a scenario runs with (its DRIVERS).
scenario_drivers() {
	# shellcheck source=/dev/null
	(DRIVERS=stock DRIVER=stock KVER="" && . "$scn_dir/$1.scn" 2>/dev/null && printf '%s\n' "$DRIVERS")
}

# all_names: every scenario; one with DRIVERS="stock hvpci" is listed once
# per driver, as NAME@DRIVER.
all_names() {
	local f n d drivers
	for f in "$scn_dir"/*.scn; do
		[ -e "$f" ] || continue
		n=$(basename "$f" .scn)
		read -ra drivers <<<"$(scenario_drivers "$n")"
		if [ ${#drivers[@]} -le 1 ]; then
			echo "$n"
		else
			for d in "${drivers[@]}"; do echo "$n@$d"; done
		fi
	done
}

# The settings a scenario may assign (docs/interfaces.md), and variables
# the shared helpers (kdump.sh) set for themselves.
settings="DESCRIPTION DRIVERS IMAGE STANDIN FIRMWARE SMP MEM TIMEOUT MODULES HOST_BINS KERNEL_ARGS QEMU_ARGS INITRAMFS_ARGS KDUMP VERDICT SLOW"
helper_vars="KDUMP_SHAPE KDUMP_MODE KDUMP_EXPECT KDUMP_FB IMG_ARGS IMG_VARIANT IMG_FORMAT IMG_FS IMG_RC IMG_REASON"
read -ra setting_names <<<"$settings $helper_vars"

# check_settings NAME: every upper-case variable the scenario file sets when
# read (with each of its drivers) is a setting the runner knows, a helper's
# own, or one the file itself reads ($NAME or ${NAME...}); anything else is
# a misspelt setting that would be silently ignored. Prints why and returns
# non-zero on the first unknown one.
check_settings() {
	local f=$scn_dir/$1.scn d v out
	for d in stock hvpci; do
		# shellcheck source=/dev/null
		out=$(
			unset "${setting_names[@]}"
			before=$(compgen -v)
			DRIVER=$d KVER=$(kernel_release 0.0.0-0)
			. "$f" >/dev/null 2>&1 || { echo "ERROR reading $f failed"; exit 0; }
			comm -13 <(sort <<<"$before") <(compgen -v | sort)
		) || true
		case $out in "ERROR "*) echo "${out#ERROR }"; return 1 ;; esac
		for v in $out; do
			[[ $v =~ ^[A-Z][A-Z0-9_]*$ ]] || continue
			case " $settings $helper_vars DRIVER KVER " in *" $v "*) continue ;; esac
			grep -Eq "\\\$(\{)?$v([^A-Za-z0-9_]|\$)" "$f" && continue
			echo "$1.scn sets $v, which is no setting the runner knows and the file never reads (misspelt? settings: $settings)"
			return 1
		done
	done
}

if [ "$check" -eq 1 ]; then
	bad=0
	for f in "$scn_dir"/*.scn; do
		n=$(basename "$f" .scn)
		if why=$(check_settings "$n"); then
			echo "ok - $n.scn: settings known"
		else
			echo "not ok - $why"
			bad=1
		fi
	done
	exit "$bad"
fi

if [ "$list" -eq 1 ]; then
	for n in $(all_names); do
		# shellcheck source=/dev/null disable=SC2030 # a throwaway subshell
		desc=$(DESCRIPTION="" SLOW=0 IMAGE="" KVER="" DRIVER=${n#*@} && . "$scn_dir/${n%@*}.scn" 2>/dev/null &&
			printf '%s' "$DESCRIPTION" && { [ "$SLOW" != 1 ] || printf ' [slow]'; } &&
			{ [ -z "$IMAGE" ] || printf ' [image: needs root]'; })
		printf '%-36s %s\n' "$n" "$desc"
	done
	exit 0
fi

# Named scenarios always run; in a whole-suite run, SLOW=1 ones are skipped
# unless HVPCI_ALL=1.
explicit=0
[ ${#names[@]} -eq 0 ] || explicit=1
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(all_names)
# A bare NAME means every driver the scenario runs with.
expanded=()
for n in "${names[@]}"; do
	[ -f "$scn_dir/${n%@*}.scn" ] ||
		usage_error "no scenario named ${n%@*} (see --list)"
	case $n in
	*@stock | *@hvpci) expanded+=("$n") ;;
	*@*) usage_error "unknown driver in $n (want NAME@stock or NAME@hvpci)" ;;
	*)
		read -ra drivers <<<"$(scenario_drivers "$n")"
		if [ ${#drivers[@]} -le 1 ]; then
			expanded+=("$n")
		else
			for d in "${drivers[@]}"; do expanded+=("$n@$d"); done
		fi
		;;
	esac
done
names=("${expanded[@]}")
if [ ${#kernels[@]} -eq 0 ]; then
	read -ra kernels <<<"${HVPCI_KERNELS:-$(default_kernel_version)}"
fi

for k in "${kernels[@]}"; do
	"$HVPCI_ROOT/scripts/get-kernel.sh" --version "$k"
done
mkdir -p "$log_dir"
[ -z "$tap_file" ] || : >"$tap_file"

tap() {
	printf '%s\n' "$*"
	[ -z "$tap_file" ] || printf '%s\n' "$*" >>"$tap_file"
}

# The stand-in QEMU: $HVPCI_QEMU when set (e.g. a build of one's own work in
# progress), else built from vmbus/ (or found in the cache) once per run.
standin_qemu=${HVPCI_QEMU:-}
# standin: path of hvpci's Hyper-V stand-in QEMU.
standin() {
	if [ -z "$standin_qemu" ]; then
		[ -x "$HVPCI_ROOT/vmbus/build-qemu.sh" ] ||
			{ echo "vmbus/build-qemu.sh is missing" >&2; return 1; }
		standin_qemu=$(cache_locked qemu "$HVPCI_ROOT/vmbus/build-qemu.sh" --print-path) || return 1
	fi
	printf '%s\n' "$standin_qemu"
}

# build_initramfs KVER SCRATCH: the scenario's initramfs (and, for KDUMP=1,
# the crash kernel's image inside it); sets img. Runs inside run_one.
build_initramfs() {
	local scratch=$2
	local args=(--kernel "$1" --script "$scratch/guest.sh" --module "$MODULES")
	for b in $HOST_BINS; do args+=(--host-bin "$b"); done
	args+=("${INITRAMFS_ARGS[@]}")
	# shellcheck disable=SC2031 # set by run_one, whose subshell this runs in
	if [ "$DRIVER" = hvpci ]; then
		local ko
		ko=$(cache_locked driver "$HVPCI_ROOT/scripts/build-driver.sh" --kernel "$1" --print-path 2>"$scratch/drv.err") || {
			echo "hvpci driver build failed: $(grep -m1 -E 'error' "$scratch/drv.err" || tail -n 1 "$scratch/drv.err")"
			return 1
		}
		args+=(--module-file "$ko")
	fi
	if [ "$KDUMP" = 1 ]; then
		# The crash kernel boots the same scenario from its own image,
		# which the first kernel's image carries along with the kernel.
		img=$(cache_locked initramfs "$HVPCI_ROOT/scripts/mkinitramfs.sh" "${args[@]}" 2>"$scratch/mk.err") || {
			echo "kdump initramfs build failed: $(tail -n 1 "$scratch/mk.err")"
			return 1
		}
		args+=(--with-kernel --file "$img:/boot/initrd-kdump")
	fi
	img=$(cache_locked initramfs "$HVPCI_ROOT/scripts/mkinitramfs.sh" "${args[@]}" 2>"$scratch/mk.err") || {
		echo "initramfs build failed: $(tail -n 1 "$scratch/mk.err")"
		return 1
	}
}

# hook_failed OUT WHAT: the reason line of a host hook that failed: the
# last thing it said on stderr (in OUT), and the command errexit stopped
# it at. Appended to $why_file by name: the EXIT trap that calls it may run
# with other file descriptors than run_one's.
# shellcheck disable=SC2317 # called from run_one's EXIT trap
hook_failed() {
	local said
	said=$(tail -n 1 "$1" 2>/dev/null || true)
	# a hook's own "return 1" says nothing the message does not
	case $failed_cmd in return | "return "*) failed_cmd="" ;; esac
	printf '%s: %s\n' "$2" "${said:-(no message)}${failed_cmd:+ [stopped at: $failed_cmd]}" >>"$why_file"
}

# run_one NAME KVER LOG: run one scenario on one kernel; prints the reason on
# failure to stdout. Runs in a subshell so scenario variables do not leak.
# It runs with errexit in force (the caller must not call it in a condition,
# where bash ignores errexit): a scenario's host hooks stop at their first
# failing command, and a hook that failed is named with its last message.
run_one() (
	set -eE
	local name=${1%@*} log=$3 rc qemu="" img
	# Not local: the EXIT trap reads them, and bash may run it after it has
	# dropped this function's locals (errexit on a hook's "return 1"). The
	# subshell keeps them from leaking all the same.
	scratch="" hook="" hook_out="" hook_what="" failed_cmd=""
	check_settings "$name" || return 1
	# shellcheck disable=SC2034 # read by the scenario's host_check
	KVER=$(kernel_release "$2")
	DESCRIPTION="" MODULES="" HOST_BINS="" STANDIN=0 SMP=1 MEM=512 TIMEOUT=180
	QEMU_ARGS=() INITRAMFS_ARGS=() KERNEL_ARGS="" KDUMP=0 IMAGE="" VERDICT=pass
	FIRMWARE=bios DRIVERS=stock
	# The driver is chosen before the scenario is read, so that it can set
	# its expectations (VERDICT, host_check) per driver.
	case $1 in
	*@*) DRIVER=${1#*@} ;;
	*) DRIVER=$(scenario_drivers "$name") DRIVER=${DRIVER%% *} ;;
	esac
	# shellcheck source=/dev/null
	. "$scn_dir/$name.scn"
	declare -F guest_script >/dev/null || { echo "scenario defines no guest_script"; return 1; }

	scratch=$(mktemp -d)
	# shellcheck disable=SC2154 # $st is the trap's own
	trap 'st=$?; [ "$st" -eq 0 ] || [ -z "$hook" ] || hook_failed "$hook_out" "$hook_what"; rm -rf "$scratch"' EXIT
	trap 'failed_cmd=$BASH_COMMAND' ERR
	guest_script >"$scratch/guest.sh"
	case $VERDICT in pass | fail | none) ;; *) echo "VERDICT must be pass, fail or none"; return 1 ;; esac
	# The guest learns the driver from its command line (karg hvpci.driver).
	KERNEL_ARGS="$KERNEL_ARGS hvpci.driver=$DRIVER"
	# Where the kernel builds pci-hyperv in, hvpci takes the vPCI buses over
	# as the DKMS package does: the built-in driver's registration is
	# blacklisted on the command line (the crash kernel inherits it).
	if [ "$DRIVER" = hvpci ] && [ "$(kernel_config "$KVER" CONFIG_PCI_HYPERV)" = y ]; then
		KERNEL_ARGS="$KERNEL_ARGS initcall_blacklist=init_hv_pci_drv"
	fi
	case " $DRIVERS " in *" $DRIVER "*) ;; *) echo "this scenario runs with DRIVERS=\"$DRIVERS\", not $DRIVER"; return 1 ;; esac
	if [ -n "$IMAGE" ]; then
		# A full Debian guest: its own initramfs, root on a copy-on-write
		# overlay of the cached disk, the scenario script through fw_cfg.
		local dir
		dir=$(cache_locked images "$HVPCI_ROOT/scripts/mkimage.sh" --kernel "$2" --driver "$DRIVER" --print-dir 2>"$scratch/mk.err") || {
			echo "guest image build failed: $(tail -n 1 "$scratch/mk.err")"
			return 1
		}
		qemu-img create -q -f qcow2 -F raw -b "$dir/root.img" "$scratch/root.qcow2" 2>&1 || {
			echo "cannot make the root disk overlay (qemu-img from qemu-utils)"
			return 1
		}
		# shellcheck disable=SC2034 # read by the scenario's hooks
		ROOT_DISK=$scratch/root.qcow2
		img=$dir/initrd.img
		KERNEL_ARGS="root=LABEL=hvpci-root ro $KERNEL_ARGS"
		QEMU_ARGS+=(-fw_cfg "name=opt/hvpci/scenario,file=$scratch/guest.sh")
	else
		build_initramfs "$2" "$scratch" || return 1
	fi
	if [ "$STANDIN" = 1 ]; then
		qemu=$(standin 2>"$scratch/qemu.err") || {
			echo "stand-in QEMU unavailable: $(tail -n 1 "$scratch/qemu.err")"
			return 1
		}
	fi

	if declare -F host_prepare >/dev/null; then
		# In this shell (it appends to QEMU_ARGS); errexit stops it.
		hook=host_prepare hook_out=$scratch/prepare.out hook_what="host preparation failed"
		host_prepare "$scratch" >"$hook_out" 2>&1
		hook=""
	fi
	local vm=(--kernel "$2" --initrd "$img" --smp "$SMP" --mem "$MEM"
		--timeout "$TIMEOUT" --log "$log" --append "$KERNEL_ARGS" --quiet)
	[ -z "$qemu" ] || vm+=(--qemu "$qemu")
	case $FIRMWARE in
	bios) ;;
	uefi) vm+=(--uefi) ;;
	*) echo "FIRMWARE must be bios or uefi, not $FIRMWARE"; return 1 ;;
	esac
	local during=0 pid=""
	# Start from an empty log, so host_during never reads an earlier run's.
	: >"$log"
	if declare -F host_during >/dev/null; then
		during=1
		vm+=(--qmp "$scratch/qmp.sock")
		host_during "$log" "$scratch/qmp.sock" >"$scratch/during.out" 2>&1 &
		pid=$!
	fi
	set +e
	"$HVPCI_ROOT/scripts/run-vm.sh" "${vm[@]}" -- "${QEMU_ARGS[@]}" 2>"$scratch/vm.err"
	rc=$?
	set -e
	if [ "$during" -eq 1 ]; then
		hook=host_during hook_out=$scratch/during.out hook_what="host action failed"
		wait "$pid"
		hook=""
	fi
	local got
	case $rc in 0) got=pass ;; 1) got=fail ;; *) got=none ;; esac
	if [ "$got" != "$VERDICT" ]; then
		case $got in
		fail) echo "guest: $(grep -ao 'HVPCI-VERDICT FAIL.*' "$log" | tail -n 1 | cut -c20-)" ;;
		none) head -n 1 "$scratch/vm.err" | sed 's/^run-vm.sh: //' ;;
		pass) echo "guest passed, but this scenario expects verdict '$VERDICT' (a known failure)" ;;
		esac
		return 1
	fi
	# A scenario that expects a failure says which one it saw.
	if [ "$VERDICT" != pass ]; then
		case $got in
		fail) grep -ao 'HVPCI-VERDICT FAIL.*' "$log" | tail -n 1 | cut -c20- ;;
		none) echo "no guest verdict" ;;
		esac >"$log.known"
	fi
	if declare -F host_check >/dev/null; then
		hook=host_check hook_out=$scratch/check.err hook_what="host check"
		host_check "$log" "$scratch" 2>"$hook_out"
		hook=""
	fi
)

# pre_init_hang LOG WHY: true only for a run that positively hung before the
# guest kernel started init, the one kind of run worth a second try (a rare
# TCG boot hang, unrelated to any scenario). All of these must hold: the
# time limit killed the guest (a panic reboots, and QEMU exits, through
# panic=-1); the kernel never printed "Run ... as init process" (a root that
# cannot be found, a failing initramfs, the scenario's own marker all come
# after it); no panic, oops or BUG; no guest verdict or result; no line from
# any vPCI driver or from the host's vPCI device (a built-in pci-hyperv
# probes before init: its hang is a finding, never a flake).
pre_init_hang() {
	local vpci
	[[ $2 == "no verdict: guest killed after"* ]] || return 1
	! grep -aqE 'Run [^ ]+ as init process|Kernel panic|Oops|BUG:|HVPCI-' "$1" || return 1
	# (no grep -q in a pipeline: its early exit would fail the pipeline)
	vpci=$(grep -aiE 'hv_pci|pci.hyperv|vpci' "$1" | grep -av -e 'ommand line:' -e 'hvpci.driver=' || true)
	[ -z "$vpci" ]
}

# xml_escape TEXT: TEXT made safe for an XML attribute or body.
xml_escape() {
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' <<<"$1"
}

# run_scenario NAME KVER LOG: run_one outside any condition (so errexit
# holds inside it); sets st (its status) and why (its reason).
run_scenario() {
	why_file=$(mktemp)
	set +e
	run_one "$@" >>"$why_file"
	st=$?
	set -e
	why=$(cat "$why_file")
	rm -f "$why_file"
}

total=$((${#names[@]} * ${#kernels[@]}))
tap "1..$total"
i=0 passed=0 failed=0 skipped=0 retries=0 suite_start=$(now_s)
rows=() cases=()
for k in "${kernels[@]}"; do
	for n in "${names[@]}"; do
		i=$((i + 1))
		log=$log_dir/$n-$k.log
		start=$(now_s)
		# shellcheck source=/dev/null
		if [ "$explicit" -eq 0 ] && [ "${HVPCI_ALL:-0}" != 1 ] &&
			[ "$(SLOW=0 DRIVER=stock KVER="" && . "$scn_dir/${n%@*}.scn" 2>/dev/null && echo "$SLOW")" = 1 ]; then
			tap "ok $i - $n [$k] # SKIP slow; run it by name or with HVPCI_ALL=1"
			skipped=$((skipped + 1))
			rows+=("$(printf '%-32s %-10s %-5s' "$n" "$k" SKIP)")
			cases+=("<testcase classname=\"e2e.$k\" name=\"$n\"><skipped/></testcase>")
			continue
		fi
		echo "# running $n on $k ($i of $total); serial log: $log"
		retried="" rerun=""
		run_scenario "$n" "$k" "$log"
		if [ "$st" -ne 0 ] && pre_init_hang "$log" "$why"; then
			cp "$log" "$log.boot-hang"
			retries=$((retries + 1))
			retried=" (retried once: the first run hung before the kernel started init; its log: $log.boot-hang)"
			rerun="<flakyFailure message=\"$(xml_escape "first run hung before the kernel started init: $why")\" type=\"pre-init-hang\"><system-out>$(xml_escape "first serial log: $log.boot-hang")</system-out></flakyFailure>"
			echo "# $n on $k: the guest hung before the kernel started init; running it once more"
			run_scenario "$n" "$k" "$log"
		fi
		took=$(elapsed "$start")
		if [ "$st" -eq 0 ]; then
			passed=$((passed + 1))
			note=""
			[ ! -s "$log.known" ] || note=" known failure asserted: $(cat "$log.known")"
			rm -f "$log.known"
			tap "ok $i - $n [$k] (${took}s)$note$retried"
			rows+=("$(printf '%-32s %-10s %-5s %7ss%s' "$n" "$k" PASS "$took" "${retried:+  retried}")")
			cases+=("<testcase classname=\"e2e.$k\" name=\"$n\" time=\"$took\">$rerun</testcase>")
			[ "$keep" -eq 1 ] || rm -f "$log"
		else
			failed=$((failed + 1))
			tap "not ok $i - $n [$k] (${took}s): ${why:-failed}$retried"
			tap "#   serial log: $log"
			rows+=("$(printf '%-32s %-10s %-5s %7ss  %s%s' "$n" "$k" FAIL "$took" "$log" "${retried:+  retried}")")
			cases+=("<testcase classname=\"e2e.$k\" name=\"$n\" time=\"$took\"><failure message=\"$(xml_escape "${why:-failed}")\">serial log: $(xml_escape "$log")</failure>${rerun//flakyFailure/rerunFailure}</testcase>")
		fi
	done
done

echo "#"
printf '# %-32s %-10s %-5s %8s\n' scenario kernel result time
for r in "${rows[@]}"; do echo "# $r"; done
if [ -n "$junit_file" ]; then
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<testsuite name=\"hvpci-e2e\" tests=\"$total\" failures=\"$failed\" skipped=\"$skipped\" time=\"$(elapsed "$suite_start")\">"
		printf '  %s\n' "${cases[@]}"
		echo '</testsuite>'
	} >"$junit_file"
fi
echo "e2e: $passed passed, $failed failed, $skipped skipped, $retries retried"
[ "$failed" -eq 0 ]
exit
}

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
  --jobs N          run up to N runs at once (default: \$HVPCI_JOBS, else
                    nproc). A run takes SLOTS of the N slots, by default its
                    SMP (vCPUs; at most N); runs start in order (while the
                    first waiting one does not fit, one of the next 4N that
                    fits may start ahead of it), each with its own scratch
                    dir, QMP socket and serial log; the output of
                    each is held back and printed in order, so TAP, summary
                    and JUnit read as a serial run's. --jobs 1 runs one at a
                    time and prints as it goes
  --shard K/N       run only part K of N of the selected runs (kernels x
                    scenarios x drivers): a stable split, the same on every
                    machine for the same selection, balanced by the recorded
                    run times in the times file; every run is in exactly one
                    part. Merge the parts' JUnit files with merge-junit.py
  --times FILE      recorded run times for --shard, "NAME<TAB>SECONDS" a line
                    (default: tests/e2e/run-times.tsv; merge-junit.py --times
                    writes one from JUnit files)
  --plan            print the runs this selection (and --shard) makes, one
                    "NAME KERNEL" a line, in order, and exit: no guest starts
  -h, --help        this text

Logs of failing runs are always kept; their paths are printed, with the
host side (the stand-in's trace, QEMU's stderr, the host hooks' output) in
LOG.host/. HVPCI_HOST_TRACE=PATTERNS (comma-separated QEMU trace patterns,
e.g. 'vpci_*,vmbus_*') makes every stand-in run record those trace events
too (in the scenario's -D file if it has one, else at the end of the
serial log). The host hooks of a scenario (host_prepare, host_during,
host_check) run with errexit: their first failing command fails the run.
A run is retried once only when its serial log shows a hang before the
guest kernel started init (see pre_init_hang); the retry is named in the
TAP line and the JUnit file, and the first run's log is kept as
LOG.boot-hang.
EOF
}

scn_dir=$here/scenarios
kernels=() names=() log_dir=$HVPCI_ROOT/build/logs keep=0 tap_file="" list=0
junit_file="" check=0 jobs=${HVPCI_JOBS:-} shard="" times_file="" plan=0
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
	--jobs) need_arg "$1" $#; jobs=$2; shift 2 ;;
	--shard) need_arg "$1" $#; shard=$2; shift 2 ;;
	--times) need_arg "$1" $#; times_file=$2; shift 2 ;;
	--plan) plan=1; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) usage_error "unknown option: $1" ;;
	*) names+=("$1"); shift ;;
	esac
done
jobs=${jobs:-$(nproc)}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || usage_error "--jobs (or HVPCI_JOBS) wants a whole number of at least 1, not '$jobs'"
shard_k=0 shard_n=0
if [ -n "$shard" ]; then
	[[ $shard =~ ^([1-9][0-9]*)/([1-9][0-9]*)$ ]] || usage_error "--shard wants K/N (e.g. 2/3), not '$shard'"
	shard_k=${BASH_REMATCH[1]} shard_n=${BASH_REMATCH[2]}
	[ "$shard_k" -le "$shard_n" ] || usage_error "--shard $shard: K must be at most N"
fi
if [ -n "$times_file" ]; then
	[ -f "$times_file" ] || usage_error "no times file $times_file"
else
	times_file=$here/run-times.tsv
fi

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
settings="DESCRIPTION DRIVERS IMAGE STANDIN FIRMWARE SMP MEM TIMEOUT MODULES HOST_BINS TEST_MODULES KERNEL_ARGS QEMU_ARGS INITRAMFS_ARGS KDUMP VERDICT SLOW SLOTS ONE_KERNEL"
helper_vars="KDUMP_SHAPE KDUMP_MODE KDUMP_EXPECT KDUMP_FB IMG_ARGS IMG_MK_ARGS IMG_VARIANT IMG_FORMAT IMG_FS IMG_RC IMG_REASON"
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

# Every run of the selection, in order: kernels outside, scenarios inside.
# In a whole-suite run (no names given, HVPCI_ALL unset) run_skip says why a
# run is skipped: 1, a SLOW=1 scenario; 2, a ONE_KERNEL=1 scenario on any
# kernel but the first (its outcome does not depend on which kernel runs
# it); 0, it runs.
run_name=() run_kver=() run_skip=()
for ki in "${!kernels[@]}"; do
	for n in "${names[@]}"; do
		skip=0
		if [ "$explicit" -eq 0 ] && [ "${HVPCI_ALL:-0}" != 1 ]; then
			# (read as the run's driver: a scenario may be slow with one only)
			drv=stock
			case $n in *@*) drv=${n#*@} ;; esac
			# shellcheck source=/dev/null disable=SC2030 # a throwaway subshell
			how=$(SLOW=0 ONE_KERNEL=0 DRIVER=$drv KVER="" && . "$scn_dir/${n%@*}.scn" 2>/dev/null &&
				echo "$SLOW $ONE_KERNEL")
			case $how in
			"1 "*) skip=1 ;;
			*" 1") [ "$ki" -eq 0 ] || skip=2 ;;
			esac
		fi
		run_name+=("$n") run_kver+=("${kernels[$ki]}") run_skip+=("$skip")
	done
done

# shard_of K N: the indexes (into run_name) of the runs in part K of N, in
# order. Longest first, each run goes to the part with the least recorded
# time so far (then the fewest runs, then the lowest number): a run's time
# is its NAME's in $times_file, the mean of the known ones when it has
# none, 0 when it is skipped. Equal times are ordered by a hash of "NAME
# KERNEL" (31-polynomial, exact in awk's doubles), so without recorded times
# the split is a round-robin in hash order. The same selection and times
# file give the same split on any machine.
shard_of() {
	local x tf=$times_file
	[ -f "$tf" ] || tf=/dev/null
	for x in "${!run_name[@]}"; do
		printf '%s\t%s\t%s\t%s\n' "$x" "${run_name[$x]}" "${run_kver[$x]}" "${run_skip[$x]}"
	done | LC_ALL=C awk -F'\t' -v K="$1" -v N="$2" -v TF="$tf" '
	BEGIN {
		for (c = 1; c < 256; c++) ord[sprintf("%c", c)] = c
		while ((getline line < TF) > 0)
			if (split(line, a, "\t") >= 2 && a[1] !~ /^#/ && a[2] ~ /^[0-9]+(\.[0-9]*)?$/) t[a[1]] = a[2] + 0
	}
	{
		n++; idx[n] = $1
		if ($4 != 0) est[n] = 0
		else if ($2 in t) { est[n] = t[$2]; sum += t[$2]; nk++ }
		else est[n] = -1
		s = $2 " " $3; h = 0
		for (j = 1; j <= length(s); j++) h = (h * 31 + ord[substr(s, j, 1)]) % 2147483647
		hash[n] = h
	}
	END {
		def = nk ? sum / nk : 60
		for (i = 1; i <= n; i++) { if (est[i] < 0) est[i] = def; o[i] = i }
		# insertion sort: time down, hash up, index up
		for (i = 2; i <= n; i++) {
			v = o[i]
			for (j = i - 1; j >= 1; j--) {
				u = o[j]
				if (est[u] > est[v] || (est[u] == est[v] && (hash[u] < hash[v] ||
					(hash[u] == hash[v] && u < v)))) break
				o[j + 1] = u
			}
			o[j + 1] = v
		}
		for (i = 1; i <= n; i++) {
			v = o[i]; b = 1
			for (q = 2; q <= N; q++)
				if (load[q] < load[b] || (load[q] == load[b] && cnt[q] < cnt[b])) b = q
			load[b] += est[v]; cnt[b]++
			if (b == K) print idx[v]
		}
	}' | sort -n
}

# sel: the indexes of the runs this invocation makes, in order.
if [ "$shard_n" -gt 0 ]; then
	part=$(shard_of "$shard_k" "$shard_n") || die "cannot split the runs into shards"
	mapfile -t sel <<<"$part"
	[ -n "$part" ] || sel=()
else
	sel=("${!run_name[@]}")
fi
if [ "$plan" -eq 1 ]; then
	for x in "${sel[@]}"; do printf '%s %s\n' "${run_name[$x]}" "${run_kver[$x]}"; done
	exit 0
fi

declare -A need_kernel=()
for x in "${sel[@]}"; do need_kernel[${run_kver[$x]}]=1; done
for k in "${kernels[@]}"; do
	[ -n "${need_kernel[$k]:-}" ] || continue
	"$HVPCI_ROOT/scripts/get-kernel.sh" --version "$k"
done
mkdir -p "$log_dir"
[ -z "$tap_file" ] || : >"$tap_file"

# tap LINE: one line of TAP, on stdout and into the TAP file; a run in
# parallel (buf set) keeps its TAP lines in buf.tap until its turn.
buf=""
tap() {
	printf '%s\n' "$*"
	if [ -n "$buf" ]; then
		printf '%s\n' "$*" >>"$buf.tap"
	elif [ -n "$tap_file" ]; then
		printf '%s\n' "$*" >>"$tap_file"
	fi
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
	local t tko
	for t in $TEST_MODULES; do
		tko=$(cache_locked driver "$HVPCI_ROOT/scripts/build-driver.sh" --kernel "$1" \
			--source "$HVPCI_ROOT/tests/e2e/modules/$t" --print-path 2>"$scratch/drv.err") || {
			echo "test module $t build failed: $(grep -m1 -E 'error' "$scratch/drv.err" || tail -n 1 "$scratch/drv.err")"
			return 1
		}
		args+=(--module-file "$tko")
	done
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
	local name=${1%@*} log=$3 rc qemu="" img t_run t_check
	t_run=$(now_s)
	# an earlier run's leftovers (keep_host_files writes LOG.host on failure)
	rm -rf "$log.phases" "$log.host"
	# Not local: the EXIT trap reads them, and bash may run it after it has
	# dropped this function's locals (errexit on a hook's "return 1"). The
	# subshell keeps them from leaking all the same.
	scratch="" hook="" hook_out="" hook_what="" failed_cmd=""
	check_settings "$name" || return 1
	# shellcheck disable=SC2034 # read by the scenario's host_check
	KVER=$(kernel_release "$2")
	DESCRIPTION="" MODULES="" HOST_BINS="" TEST_MODULES="" STANDIN=0 SMP=1 MEM=512 TIMEOUT=180
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
	trap 'st=$?; [ "$st" -eq 0 ] || { [ -z "$hook" ] || hook_failed "$hook_out" "$hook_what"; keep_host_files "$scratch" "$log"; }; rm -rf "$scratch"' EXIT
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
	# HVPCI_HOST_TRACE: more of the stand-in's trace events (QEMU -trace
	# patterns, comma-separated). They go where the scenario's own go: its
	# -D file, else QEMU's stderr, which ends the serial log.
	if [ "$STANDIN" = 1 ] && [ -n "${HVPCI_HOST_TRACE:-}" ]; then
		local pat pats
		IFS=, read -ra pats <<<"$HVPCI_HOST_TRACE"
		for pat in "${pats[@]}"; do QEMU_ARGS+=(-trace "enable=$pat"); done
	fi
	local vm=(--kernel "$2" --initrd "$img" --smp "$SMP" --mem "$MEM"
		--timeout "$TIMEOUT" --log "$log" --append "$KERNEL_ARGS" --quiet
		--phases "$scratch/phases")
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
	# where the time went: host preparation (initramfs or image, overlay,
	# host_prepare), the guest's phases, then the host checks
	echo "prep $(elapsed "$t_run")" >"$log.phases"
	set +e
	"$HVPCI_ROOT/scripts/run-vm.sh" "${vm[@]}" -- "${QEMU_ARGS[@]}" 2>"$scratch/vm.err"
	rc=$?
	set -e
	cat "$scratch/phases" >>"$log.phases" 2>/dev/null || true
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
		t_check=$(now_s)
		host_check "$log" "$scratch" 2>"$hook_out"
		hook=""
		echo "check $(elapsed "$t_check")" >>"$log.phases"
	fi
)

# keep_host_files SCRATCH LOG: a failing run's host side (the stand-in's
# trace, QEMU's stderr, the host hooks' output) kept as LOG.host/ beside
# its serial log, since SCRATCH goes when the run ends.
# shellcheck disable=SC2317 # called from run_one's EXIT trap
keep_host_files() {
	local f
	for f in qemu.log vm.err qemu.err prepare.out during.out check.err; do
		[ -s "$1/$f" ] || continue
		mkdir -p "$2.host"
		cp "$1/$f" "$2.host/" 2>/dev/null || true
	done
}

# pre_init_hang LOG WHY: true only for a run that positively hung before the
# guest kernel started init, the one kind of run worth a second try (a rare
# TCG boot hang, unrelated to any scenario). All of these must hold: the
# time limit killed the guest (a panic reboots, and QEMU exits, through
# panic=-1), as WHY says or, when a host hook waiting for the guest failed
# first, as the guest's own end kept in LOG.host/vm.err says; the kernel
# never printed "Run ... as init process" (a root that cannot be found, a
# failing initramfs, the scenario's own marker all come after it); no
# panic, oops or BUG; no guest verdict or result; no line from any vPCI
# driver or from the host's vPCI device (a built-in pci-hyperv probes
# before init: its hang is a finding, never a flake).
pre_init_hang() {
	local vpci
	[[ $2 == "no verdict: guest killed after"* ]] ||
		grep -q '^run-vm.sh: no verdict: guest killed after' "$1.host/vm.err" 2>/dev/null ||
		return 1
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

# record POS ST ROW CASE RETRIED: run POS's result (pass, fail or skip), its
# summary row and JUnit testcase, and whether it was retried (0 or 1).
record() {
	printf '%s\n' "$2" >"$res/$1.st"
	printf '%s\n' "$3" >"$res/$1.row"
	printf '%s\n' "$4" >"$res/$1.case"
	printf '%s\n' "$5" >"$res/$1.retried"
}

# run_entry POS X: run number POS of this invocation, run X of the selection
# (retried once after a proven pre-init hang), with its TAP lines and
# result recorded.
run_entry() {
	local i=$1 n=${run_name[$2]} k=${run_kver[$2]} log start took note retried rerun
	log=$log_dir/$n-$k.log
	start=$(now_s)
	if [ "${run_skip[$2]}" != 0 ]; then
		if [ "${run_skip[$2]}" = 1 ]; then
			tap "ok $i - $n [$k] # SKIP slow; run it by name or with HVPCI_ALL=1"
		else
			tap "ok $i - $n [$k] # SKIP runs on ${kernels[0]} only (ONE_KERNEL); run it by name or with HVPCI_ALL=1"
		fi
		record "$i" skip "$(printf '%-32s %-10s %-5s' "$n" "$k" SKIP)" \
			"<testcase classname=\"e2e.$k\" name=\"$n\"><skipped/></testcase>" 0
		return 0
	fi
	echo "# running $n on $k ($i of $total); serial log: $log"
	retried="" rerun=""
	run_scenario "$n" "$k" "$log"
	if [ "$st" -ne 0 ] && pre_init_hang "$log" "$why"; then
		cp "$log" "$log.boot-hang"
		retried=" (retried once: the first run hung before the kernel started init; its log: $log.boot-hang)"
		rerun="<flakyFailure message=\"$(xml_escape "first run hung before the kernel started init: $why")\" type=\"pre-init-hang\"><system-out>$(xml_escape "first serial log: $log.boot-hang")</system-out></flakyFailure>"
		echo "# $n on $k: the guest hung before the kernel started init; running it once more"
		run_scenario "$n" "$k" "$log"
	fi
	took=$(elapsed "$start")
	# the run's phases (run_one's $log.phases): a JUnit property each, and
	# one compact field at the end of the summary row
	local props="" brief=""
	if [ -s "$log.phases" ]; then
		props="<properties>$(awk '{ printf "<property name=\"phase.%s\" value=\"%s\"/>", $1, $2 }' "$log.phases")</properties>"
		brief="  [$(awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }' "$log.phases")]"
		rm -f "$log.phases"
	fi
	if [ "$st" -eq 0 ]; then
		note=""
		[ ! -s "$log.known" ] || note=" known failure asserted: $(cat "$log.known")"
		rm -f "$log.known"
		tap "ok $i - $n [$k] (${took}s)$note$retried"
		record "$i" pass "$(printf '%-32s %-10s %-5s %7ss%s%s' "$n" "$k" PASS "$took" "${retried:+  retried}" "$brief")" \
			"<testcase classname=\"e2e.$k\" name=\"$n\" time=\"$took\">$props$rerun</testcase>" "${retried:+1}"
		[ "$keep" -eq 1 ] || rm -f "$log"
	else
		tap "not ok $i - $n [$k] (${took}s): ${why:-failed}$retried"
		tap "#   serial log: $log"
		[ ! -d "$log.host" ] || tap "#   host side: $log.host/"
		record "$i" fail "$(printf '%-32s %-10s %-5s %7ss  %s%s%s' "$n" "$k" FAIL "$took" "$log" "${retried:+  retried}" "$brief")" \
			"<testcase classname=\"e2e.$k\" name=\"$n\" time=\"$took\">$props<failure message=\"$(xml_escape "${why:-failed}")\">serial log: $(xml_escape "$log")</failure>${rerun//flakyFailure/rerunFailure}</testcase>" "${retried:+1}"
	fi
}

# run_slots X: how many of the --jobs slots run X takes: its scenario's
# SLOTS, else its SMP, at least 1 and at most --jobs; 0 for a skipped run.
run_slots() {
	local n=${run_name[$1]} w
	if [ "${run_skip[$1]}" != 0 ]; then
		echo 0
		return
	fi
	# shellcheck source=/dev/null disable=SC2030,SC2031 # a throwaway subshell
	w=$( (SMP=1 SLOTS="" DRIVER=${n#*@} KVER=$(kernel_release "${run_kver[$1]}") &&
		. "$scn_dir/${n%@*}.scn" >/dev/null 2>&1; printf '%s\n' "${SLOTS:-$SMP}") 2>/dev/null || true)
	[[ $w =~ ^[0-9]+$ ]] && [ "$w" -ge 1 ] || w=1
	[ "$w" -le "$jobs" ] || w=$jobs
	echo "$w"
}

total=${#sel[@]}
tap "1..$total"
suite_start=$(now_s)
res=$(mktemp -d)
trap 'rm -rf "$res"' EXIT
if [ "$jobs" -eq 1 ]; then
	# One at a time, printed as it goes.
	for ((p = 1; p <= total; p++)); do
		run_entry "$p" "${sel[$((p - 1))]}"
	done
else
	# Up to $jobs slots busy, runs started in order; while the first run
	# not started does not fit, later runs of the next $window that fit
	# start ahead of it (backfill), so a long one-slot run leaves no slot
	# idle behind a two-slot run.
	# Each run writes its output to $res/POS.out, its TAP lines to
	# POS.tap; they are printed in order, each once all before it are.
	declare -A pid_pos=() busy_log=()
	declare -a slots=() finished=() started=()
	used=0 next=1 flushed=0
	# how far past the first waiting run a run may start ahead of it (it
	# waits at most for the runs of this window, and so does its output)
	window=$((4 * jobs))
	for ((p = 1; p <= total; p++)); do
		slots[p]=$(run_slots "${sel[$((p - 1))]}")
	done
	# try_start POS: start run POS when its slots are free and no run in
	# progress writes its serial log (the same run named twice). Never
	# call it in a condition (if, ||): bash would ignore errexit in the
	# run it starts, and a host hook's failing command would not fail it.
	try_start() {
		local q=$1 x lg
		x=${sel[$((q - 1))]}
		lg=$log_dir/${run_name[$x]}-${run_kver[$x]}.log
		[ "$used" -eq 0 ] || [ $((used + slots[q])) -le "$jobs" ] || return 0
		[ -z "${busy_log[$lg]:-}" ] || return 0
		[ "${slots[q]}" -eq 0 ] ||
			echo "# started ${run_name[$x]} on ${run_kver[$x]} ($q of $total, ${slots[q]} of $jobs slots)" >&2
		(
			buf=$res/$q
			run_entry "$q" "$x"
		) >"$res/$q.out" 2>&1 &
		pid_pos[$!]=$q
		busy_log[$lg]=$q
		started[q]=1
		used=$((used + slots[q]))
	}
	# flush_done: print the finished runs whose turn it is.
	flush_done() {
		local p
		while [ "$flushed" -lt "$total" ] && [ -n "${finished[$((flushed + 1))]:-}" ]; do
			p=$((flushed + 1))
			cat "$res/$p.out"
			[ -z "$tap_file" ] || [ ! -f "$res/$p.tap" ] || cat "$res/$p.tap" >>"$tap_file"
			flushed=$p
		done
	}
	while :; do
		# the first run not started yet, then (backfill) any of the next
		# $window that fits the slots left while it does not
		while [ "$next" -le "$total" ] && [ -n "${started[next]:-}" ]; do next=$((next + 1)); done
		last=$((next + window))
		[ "$last" -le "$total" ] || last=$total
		for ((q = next; q <= last; q++)); do
			[ -z "${started[q]:-}" ] || continue
			try_start "$q"
		done
		flush_done
		[ ${#pid_pos[@]} -gt 0 ] || break
		fin="" rc=0
		wait -n -p fin "${!pid_pos[@]}" || rc=$?
		[ -n "$fin" ] || die "lost track of the runs in progress (wait -n)"
		p=${pid_pos[$fin]}
		unset "pid_pos[$fin]"
		x=${sel[$((p - 1))]}
		unset "busy_log[$log_dir/${run_name[$x]}-${run_kver[$x]}.log]"
		used=$((used - slots[p]))
		if [ ! -s "$res/$p.st" ]; then
			# the run's own shell died before recording a result (a
			# runner error): a failure all the same, never a gap
			why="the run's shell exited with status $rc before recording a result"
			{
				echo "not ok $p - ${run_name[$x]} [${run_kver[$x]}]: $why"
				echo "#   its output: see above"
			} | tee -a "$res/$p.tap" >>"$res/$p.out"
			record "$p" fail "$(printf '%-32s %-10s %-5s %7s   %s' "${run_name[$x]}" "${run_kver[$x]}" FAIL - "$why")" \
				"<testcase classname=\"e2e.${run_kver[$x]}\" name=\"${run_name[$x]}\"><failure message=\"$(xml_escape "$why")\"/></testcase>" 0
		fi
		finished[p]=1
	done
fi

passed=0 failed=0 skipped=0 retries=0
rows=() cases=()
for ((p = 1; p <= total; p++)); do
	case $(cat "$res/$p.st") in
	pass) passed=$((passed + 1)) ;;
	skip) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
	[ "$(cat "$res/$p.retried")" != 1 ] || retries=$((retries + 1))
	rows+=("$(cat "$res/$p.row")")
	cases+=("$(cat "$res/$p.case")")
done

echo "#"
printf '# %-32s %-10s %-5s %8s\n' scenario kernel result time
for r in "${rows[@]}"; do echo "# $r"; done
if [ -n "$junit_file" ]; then
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<testsuite name=\"hvpci-e2e\" tests=\"$total\" failures=\"$failed\" skipped=\"$skipped\" time=\"$(elapsed "$suite_start")\">"
		# a part of a sharded run says which, for merge-junit.py's checks
		[ "$shard_n" -eq 0 ] ||
			echo "  <properties><property name=\"shard\" value=\"$shard_k/$shard_n\"/><property name=\"runs\" value=\"${#run_name[@]}\"/></properties>"
		[ "$total" -eq 0 ] || printf '  %s\n' "${cases[@]}"
		echo '</testsuite>'
	} >"$junit_file"
fi
echo "e2e: $passed passed, $failed failed, $skipped skipped, $retries retried"
[ "$failed" -eq 0 ]
exit
}

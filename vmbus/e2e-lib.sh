# shellcheck shell=bash
# Helpers shared by the tests/e2e/scenarios/vmbus-*.scn scenarios.
# Sourced by a scenario (which tests/e2e/run.sh sources in turn); it defines
# functions only. Host-side functions run in bash, the guest side is printed
# by vmbus_guest_lib into the guest's busybox sh script.

# vmbus_trace_args DIR: make the stand-in log its Hyper-V trace events
# (MSR accesses, hypercalls, SINT deliveries, VMBus messages) to DIR/qemu.log.
vmbus_trace_args() {
	QEMU_ARGS+=(-D "$1/qemu.log"
		-trace "enable=hyperv_tcg_*"
		-trace "enable=vmbus_*")
}

# vmbus_msr_name MSR: the TLFS name of a synthetic MSR (hex, with 0x).
vmbus_msr_name() {
	case $1 in
	0x40000000) echo GUEST_OS_ID ;;
	0x40000001) echo HYPERCALL ;;
	0x40000002) echo VP_INDEX ;;
	0x40000020) echo TIME_REF_COUNT ;;
	0x40000021) echo REFERENCE_TSC ;;
	0x40000073) echo VP_ASSIST_PAGE ;;
	0x40000080) echo SCONTROL ;;
	0x40000081) echo SVERSION ;;
	0x40000082) echo SIEFP ;;
	0x40000083) echo SIMP ;;
	0x40000084) echo EOM ;;
	0x4000009?) echo "SINT$((16#${1: -1}))" ;;
	*) echo "$1" ;;
	esac
}

# vmbus_hcall_name CODE: the name of a hypercall code (hex, with 0x).
vmbus_hcall_name() {
	case $1 in
	0x5c) echo HvPostMessage ;;
	0x5d) echo HvSignalEvent ;;
	0x7e) echo HvRetargetDeviceInterrupt ;;
	*) echo "hypercall$1" ;;
	esac
}

# vmbus_trace_summary LOG DIR: count what the guest used, from DIR/qemu.log,
# and append it to the serial LOG as "HVPCI-TRACE" lines (kept with the log).
vmbus_trace_summary() {
	local serial=$1 trace=$2/qemu.log n what msr code fast status summary
	[ -s "$trace" ] || { echo "no QEMU trace in $trace" >&2; return 1; }
	summary=$(
		sed -n 's/.*hyperv_tcg_rdmsr vp [0-9]* msr \(0x[0-9a-f]*\).*/rdmsr \1/p;
			s/.*hyperv_tcg_wrmsr vp [0-9]* msr \(0x[0-9a-f]*\).*/wrmsr \1/p;
			s/.*hyperv_tcg_msr_gp vp [0-9]* msr \(0x[0-9a-f]*\).*/gp \1/p' "$trace" |
			sort | uniq -c | while read -r n what msr; do
				echo "HVPCI-TRACE $what $(vmbus_msr_name "$msr") $n"
			done
		sed -n 's/.*hyperv_tcg_hypercall vp [0-9]* code \(0x[0-9a-f]*\) fast \([01]\).* status \(0x[0-9a-f]*\).*/\1 \2 \3/p' "$trace" |
			sort | uniq -c | while read -r n code fast status; do
				echo "HVPCI-TRACE hypercall $(vmbus_hcall_name "$code") fast=$fast status=$status $n"
			done
		echo "HVPCI-TRACE sint_delivered $(grep -c 'hyperv_tcg_sint .* delivered 1' "$trace")"
		echo "HVPCI-TRACE sint_masked $(grep -c 'hyperv_tcg_sint .* delivered 0' "$trace")"
		echo "HVPCI-TRACE vmbus_msgs_to_guest $(grep -c 'vmbus_post_msg' "$trace")"
		echo "HVPCI-TRACE vmbus_msgs_from_guest $(grep -c 'vmbus_recv_message' "$trace")"
	)
	printf '%s\n' "$summary" >>"$serial"
}

# vmbus_trace_has DIR REGEX: the stand-in's trace in DIR matches REGEX.
vmbus_trace_has() {
	grep -Eq "$2" "$1/qemu.log" || {
		echo "QEMU trace has no line matching: $2" >&2
		return 1
	}
}

# vmbus_le_hex VALUE BYTES: VALUE as BYTES little-endian bytes in hex, the
# way it sits in an ACPI resource descriptor.
vmbus_le_hex() {
	local v=$1 i out=""
	for ((i = 0; i < $2; i++)); do
		out+=$(printf '%02x' $(((v >> (8 * i)) & 0xff)))
	done
	echo "$out"
}

# vmbus_range_pattern BASE SIZE BYTES: hex of the min/max pair in a DWord
# (BYTES=4) or QWord (BYTES=8) memory descriptor.
vmbus_range_pattern() {
	echo "$(vmbus_le_hex "$1" "$3")$(vmbus_le_hex $(($1 + $2 - 1)) "$3")"
}

# vmbus_guest_lib: guest helpers, printed at the top of guest_script.
vmbus_guest_lib() {
	cat <<'GUEST'
# vmbus_watch: before hv_vmbus loads, probe the handler of the host's
# "all offers delivered" message (6.1 logs nothing when it arrives).
vmbus_watch() {
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	_t=/sys/kernel/tracing
	echo 'p:hvpci/offers hv_vmbus:vmbus_onoffers_delivered' >>$_t/kprobe_events ||
		fail "cannot place a kprobe on hv_vmbus:vmbus_onoffers_delivered"
	echo 1 >$_t/events/hvpci/enable || fail "cannot enable the hvpci kprobes"
}

# vmbus_report: negotiated version, offers delivered, VP index of every CPU.
vmbus_report() {
	_v=$(dmesg | sed -n 's/.*hv_vmbus: Vmbus version:\([0-9.]*\).*/\1/p' | tail -n 1)
	[ -n "$_v" ] || fail "hv_vmbus printed no negotiated version"
	result vmbus.version "$_v"
	_n=$(grep -c 'vmbus_onoffers_delivered' /sys/kernel/tracing/trace)
	result vmbus.offers_delivered "$_n"
	[ "$_n" -ge 1 ] || fail "the host never said all offers were delivered"
	modprobe msr || fail "no msr module to read the VP index MSR"
	_list="" _cpus=0
	for _c in /dev/cpu/[0-9]*; do
		_vp=$(dd if="$_c/msr" bs=8 count=1 iflag=skip_bytes \
			skip=$((0x40000002)) 2>/dev/null | od -An -tu8 | tr -d ' ')
		[ -n "$_vp" ] || fail "cannot read HV_X64_MSR_VP_INDEX on cpu ${_c##*/}"
		_list="$_list ${_c##*/}:$_vp"
		_cpus=$((_cpus + 1))
	done
	result cpus "$_cpus"
	result vp_index "${_list# }"
	_dups=$(echo "$_list" | tr ' ' '\n' | sed -n 's/.*://p' | sort | uniq -d)
	[ -z "$_dups" ] || fail "vCPUs share VP index $_dups"
	result hyp_interrupts "$(awk '/HYP:/ { s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }' /proc/interrupts)"
}

# vmbus_dsdt_has HEX: the DSDT holds this byte sequence (hex string).
vmbus_dsdt_has() {
	od -An -v -tx1 /sys/firmware/acpi/tables/DSDT | tr -d ' \n' | grep -q "$1"
}
GUEST
}

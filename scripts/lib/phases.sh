# shellcheck shell=bash
# Where a guest run's time goes, read off its serial console: a sampler
# records how far the console log has grown, and the milestones the guest
# prints (kernel banner, init, the scenario's own lines) are placed on that
# timeline afterwards. Nothing is added to the guest or to QEMU's output
# path: the log stays byte for byte what the guest wrote.
#
#   phase_watch LOG SAMPLES &   sample LOG's size every 0.2 s into SAMPLES
#   phase_table LOG SAMPLES END print "NAME SECONDS" per phase, END being
#                               the seconds from the first sample to QEMU's exit
#
# The milestones, in the order a kdump run meets them; each ends a phase.
# One a run never reaches is left out and its time goes to the next phase.
#   firmware      QEMU start to the kernel's banner (firmware, kernel load)
#   kernel        to "Run ... as init process" (kernel boot)
#   userland      to the scenario's first line (initramfs or systemd, agent)
#   kdump-armed   to the crash kernel being loaded
#   crash         to the crash kernel's banner (sysrq, panic, kexec)
#   crash-kernel  to the crash kernel's userland
#   dump-written  to the dump written to disk
#   verdict       to the guest's verdict (dump read back and checked)
#   exit          to QEMU's exit (power-off or reboot)
# Callers add host-side phases of their own (preparation, host checks).

phase_milestones=(
	'firmware|Linux version'
	'kernel|Run [^ ]+ as init process'
	'userland|HVPCI-INIT|HVPCI-RESULT stage=first'
	'kdump-armed|HVPCI-RESULT (kdump\.loaded|kdump\.kexec|kexec\.loaded)='
	'crash|Linux version'
	'crash-kernel|HVPCI-INIT|HVPCI-RESULT stage=kdump'
	'dump-written|HVPCI-RESULT dump\.bytes='
	'verdict|HVPCI-VERDICT'
)

# phase_watch LOG SAMPLES: "SECONDS BYTES" lines, SECONDS since the start
# of the watch, until killed.
phase_watch() {
	local t0 size
	t0=$(date +%s%N)
	while :; do
		size=$(stat -c %s "$1" 2>/dev/null || echo 0)
		printf '%s %s\n' "$((($(date +%s%N) - t0) / 1000000))" "$size"
		sleep 0.2
	done >"$2"
}

# phase_table LOG SAMPLES END: the phases of the run, one "NAME SECONDS"
# line each (one decimal), in order, "exit" last.
phase_table() {
	local m
	for m in "${phase_milestones[@]}"; do printf '%s\n' "$m"; done |
		LC_ALL=C awk -v end="$3" -v samples="$2" -v log_file="$1" '
		# milestones: name, then an extended regular expression
		{ i = index($0, "|"); name[++n] = substr($0, 1, i - 1); re[n] = substr($0, i + 1) }
		END {
			while ((getline line < samples) > 0) {
				split(line, f, " ")
				st[++ns] = f[1] / 1000; sz[ns] = f[2]
			}
			# the byte offset where each console line ends; a line ends
			# the first phase still open whose milestone it matches,
			# and the ones skipped over are left out
			off = 0; k = 1; last = 0; s = 1
			while (k <= n && (getline line < log_file) > 0) {
				off += length(line) + 1
				for (j = k; j <= n; j++)
					if (line ~ re[j]) break
				if (j > n) continue
				# the first sample that shows the log past this line
				while (s <= ns && sz[s] < off) s++
				t = (s <= ns) ? st[s] : end
				if (t < last) t = last
				printf "%s %.1f\n", name[j], t - last
				last = t; k = j + 1
			}
			if (end > last) printf "exit %.1f\n", end - last
			else printf "exit 0.0\n"
		}'
}

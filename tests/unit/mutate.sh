#!/usr/bin/env bash
# Mutation check of the MMIO policy's and the message decoder's tests: plant
# one deliberate mistake at a time in a copy of driver/hvpci_mmio_policy.[ch],
# hvpci_msg.[ch] or hvpci_wire.h (never in the real files), build the unit
# tests (or, with --fuzz, the fuzzers) against the copy, and require them
# to fail. A mutant that survives is a fact the tests do not check. Prints
# TAP, one line per mutant.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

usage() {
	cat <<EOF
Usage: $(basename "$0") [--fuzz] [--list]

Plant each mutation below in a copy of the MMIO policy or the message
decoder and check that the unit tests (default) or a ${FUZZ_SECONDS:-20}s
fuzzer run (--fuzz, needs clang; FUZZ_SECONDS sets the time) fail on it. TAP output; exit status 1
when a mutant survives or no longer applies to the source.

  --fuzz    judge the fuzzer instead of the unit tests
  --list    print the mutations and exit
  -h, --help  this text
EOF
}

# One mutation a line, tab-separated: FILE, SED-EXPRESSION, what it breaks. Each expression
# must change exactly the line it names.
mutations=$(
	cat <<'EOF'
hvpci_mmio_policy.h	s/^#define HVPCI_VTPM_START\t0xfed40000ULL/#define HVPCI_VTPM_START\t0xfed80000ULL/	vTPM hole moved to 0xfed80000
hvpci_mmio_policy.h	s/^#define HVPCI_GEN1_FB_LEN\tHVPCI_SZ_64M/#define HVPCI_GEN1_FB_LEN\t(HVPCI_SZ_64M \/ 2)/	Gen1 framebuffer 32 MiB long
hvpci_mmio_policy.h	s/^#define HVPCI_GEN1_FB_START\t(HVPCI_SZ_4G - HVPCI_SZ_128M)/#define HVPCI_GEN1_FB_START\t(HVPCI_SZ_4G - HVPCI_SZ_64M)/	Gen1 framebuffer at 4 GiB - 64 MiB
hvpci_mmio_policy.h	s/^#define HVPCI_FB_MAX\t\tHVPCI_SZ_128M/#define HVPCI_FB_MAX\t\tHVPCI_SZ_64M/	Gen2 rule capped at 64 MiB
hvpci_mmio_policy.h	s/^#define HVPCI_FB_MIN\t\tHVPCI_SZ_8M/#define HVPCI_FB_MIN\t\tHVPCI_SZ_1M/	screen_info framebuffer guarded for 1 MiB only
hvpci_mmio_policy.c	s/\tlen = (HVPCI_SZ_4G - base) \/ 2;/\tlen = (HVPCI_SZ_4G - base) \/ 4;/	Gen2 rule (4 GiB - base) / 4
hvpci_mmio_policy.c	s/\t\tif (rule > len)$/\t\tif (0)/	screen_info framebuffer guarded by max(size, 8 MiB) only
hvpci_mmio_policy.c	s/\t\tif (len \&\& start + len == 0)$/\t\tif (0)/	a range ending at 2^64 - 1 refused
hvpci_mmio_policy.c	s/\t\tif (out \&\& tab\[i\].start == span_end(\&tab\[out - 1\])) {/\t\tif (0) {/	touching ranges kept apart
hvpci_mmio_policy.c	s/\tif (max <= map->max_busy)$/\tif (max <= map->max_busy || max > 128)/	taken-span table capped at 128 again
hvpci_mmio_policy.c	s/(d == best->damage \&\& start < best->start)) {/(d == best->damage \&\& start > best->start)) {/	config window ties go to the higher end
hvpci_mmio_policy.c	s/\tif (kind == HVPCI_MMIO_CFG_WINDOW) {/\tif (0) {/	config windows by first fit again
hvpci_mmio_policy.c	s/\t} while (next_order(perm, n));/\t} while (0 \&\& next_order(perm, n));/	a set tried in one order only
hvpci_mmio_policy.c	s/\tfor (i = 0; p \&\& i < p->nr; i++)/\tfor (i = 0; 0 \&\& p \&\& i < p->nr; i++)/	windows of one set may overlap
hvpci_mmio_policy.c	s/\t\t\tif (a->align > b->align ||/\t\t\tif (a->align < b->align ||/	a set placed smallest alignment first
hvpci_mmio_policy.c	s/if (!len || !is_pow2(align) || kind >= HVPCI_MMIO_KIND_COUNT)/if (1 || !len || !is_pow2(align) || kind >= HVPCI_MMIO_KIND_COUNT)/	placement refuses everything
hvpci_mmio_policy.c	s/if (in->boot != HVPCI_BOOT_EFI \&\&/if (in->boot == HVPCI_BOOT_UNKNOWN \&\&/	Gen1 framebuffer unguarded on a legacy boot
hvpci_mmio_policy.c	s/if (kind != HVPCI_MMIO_BAR32 \&\&$/if (kind != HVPCI_MMIO_KIND_COUNT \&\&/	32-bit BARs placed above 4 GiB
hvpci_wire.h	s/^#define HVPCI_WSLOT_RESERVED\t\t0xffffff00U/#define HVPCI_WSLOT_RESERVED\t\t0xfffffe00U/	slot bit 8 not reserved
hvpci_msg.c	s/return !(wslot \& HVPCI_WSLOT_RESERVED);/return !(wslot \& 0xffffffff00000000ULL);/	reserved slot bits accepted
hvpci_msg.c	s/if (seen\[wslot \/ 32\] \& (1U << (wslot % 32)))/if (0)/	duplicate slots accepted
hvpci_msg.c	s/if ((u64)in->count \* in->stride > len - sizeof(\*r))/if (in->count * in->stride > len - sizeof(*r))/	relations length product in 32 bits
hvpci_msg.c	s/in->stride = v2 ? sizeof(struct hvpci_wire_func2) :/in->stride = v2 ? sizeof(struct hvpci_wire_func) :/	bus relations 2 entries read as 20 bytes
hvpci_msg.c	s/if (version < HVPCI_PROTO_1_3)/if (version < HVPCI_PROTO_1_1)/	bus relations 2 before protocol 1.3
hvpci_msg.c	s/pkt->data = (const u8 \*)buf + offset;/pkt->data = (const u8 *)buf + sizeof(*d);/	data offset assumed, not read
hvpci_msg.c	s/if (end != got)/if (end > got)/	descriptor length shorter than the packet accepted
hvpci_msg.c	s/if (offset < sizeof(\*d) || offset > end)/if (offset > end)/	data offset inside the descriptor accepted
hvpci_msg.c	s/if (i == HVPCI_NUM_BARS - 1)/if (i == HVPCI_NUM_BARS)/	64-bit BAR 5 accepted
hvpci_msg.c	s/if (!mask || (size \& (size - 1)))/if (!mask)/	non-contiguous BAR masks accepted
hvpci_msg.c	s/if (!is64 \&\& size > HVPCI_BAR32_MAX)/if (0)/	32-bit BARs of 4 GiB accepted
hvpci_msg.c	s/if (lo \& HVPCI_BAR_IO) {/if (0) {/	I/O BARs counted as memory
hvpci_msg.c	s/if (!add_ok(\&bars->need64, size))/if (!add_ok(\&bars->need64, size) \&\& 0)/	64-bit BAR sum wraps
hvpci_msg.c	s/if (bars->need32 > HVPCI_SPACE32)/if (0)/	32-bit BARs past 4 GiB accepted
hvpci_msg.c	s/if (!add_ok(\&n64, bars->need64))/if (0)/	bus 64-bit total wraps
hvpci_msg.h	s/^#define HVPCI_MSG_MSI_BASE\t0xfee00000ULL/#define HVPCI_MSG_MSI_BASE\t0xfec00000ULL/	MSI window from 0xfec00000
hvpci_msg.c	s/if (vectors \&\& (u64)r->desc.data + vectors - 1 > 0xffffffffULL)/if (vectors \&\& 0)/	multi-MSI data wraps
hvpci_msg.c	s/if (wanted > HVPCI_BLOCK_MAX)/if (0)/	config block reply past 128 bytes
hvpci_msg.c	s/\t\tif (\*eject_queued)$/\t\tif (0)/	repeated eject queued again
hvpci_msg.c	s/return \*eject_queued ? HVPCI_FN_LEAVE : HVPCI_FN_REMOVE;/return HVPCI_FN_REMOVE;/	unlisted function removed under its queued eject
EOF
)

fuzz=0
while [ $# -gt 0 ]; do
	case $1 in
	--fuzz) fuzz=1; shift ;;
	--list) printf '%s\n' "$mutations" | cut -f1,3; exit 0 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "$(basename "$0"): unknown argument: $1 (try --help)" >&2; exit 64 ;;
	esac
done

work=$(mktemp -d)
# The Makefiles run their programs as ./$(BUILD)/...: a relative build
# folder (ignored by git) of its own.
build=build/mutant
trap 'rm -rf "$work" "$top/tests/unit/$build" "$top/tests/fuzz/$build"' EXIT
now() { date +%s; }
t0=$(now)

# judge DRIVER-DIR: build and run the tests against DRIVER-DIR; output in
# $work/out, status of the tests.
judge() {
	rm -rf "$top/tests/unit/$build" "$top/tests/fuzz/$build"
	if [ "$fuzz" -eq 1 ]; then
		make -s -C "$top/tests/fuzz" DRIVER="$1" BUILD="$build" \
			SMOKE_SECONDS="${FUZZ_SECONDS:-20}" \
			MSG_SMOKE_SECONDS="${FUZZ_SECONDS:-20}" smoke >"$work/out" 2>&1
	else
		make -s -C "$top/tests/unit" DRIVER="$1" BUILD="$build" check >"$work/out" 2>&1
	fi
}

n=0 survived=0
echo "1..$(($(printf '%s\n' "$mutations" | grep -c .) + 1))"
# The control: the unchanged copy passes, or no kill below means anything.
n=$((n + 1))
cp -r "$top/driver" "$work/control"
if judge "$work/control"; then
	echo "ok $n - control: the unchanged policy passes"
else
	echo "not ok $n - control: the unchanged policy fails: $(grep -m1 -E 'error|not ok|FAILED' "$work/out")"
	exit 1
fi
while IFS=$'\t' read -r file expr what; do
	[ -n "$file" ] || continue
	n=$((n + 1))
	rm -rf "$work/driver"
	cp -r "$top/driver" "$work/driver"
	# exactly one line changed, or the mutation is stale
	if ! sed -i "$expr" "$work/driver/$file" 2>"$work/out" ||
		[ "$(diff "$top/driver/$file" "$work/driver/$file" | grep -c '^>')" -ne 1 ]; then
		survived=$((survived + 1))
		echo "not ok $n - $what: the mutation no longer applies to driver/$file (update $(basename "$0"))"
		continue
	fi
	if judge "$work/driver"; then
		survived=$((survived + 1))
		echo "not ok $n - $what: survived, no test failed"
	elif grep -v 'runtime error:' "$work/out" | grep -q 'error:' &&
		! grep -qE '^not ok|fuzz smoke: FAILED' "$work/out"; then
		survived=$((survived + 1))
		echo "not ok $n - $what: the mutant does not build: $(grep -m1 'error:' "$work/out")"
	else
		# (the passing targets' own "ok" lines name their oracles too)
		killer=$(grep -v '^ok ' "$work/out" |
			grep -m1 -oE '^not ok [0-9]+ - [a-z0-9_]+|oracle[^(]*|deadly signal|ERROR: AddressSanitizer|runtime error' |
			head -n 1 || true)
		echo "ok $n - $what: killed (${killer:-failed}) [$(($(now) - t0))s]"
	fi
done <<<"$mutations"
[ "$survived" -eq 0 ]

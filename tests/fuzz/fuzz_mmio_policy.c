// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for driver/hvpci_mmio_policy.c.
 *
 * The input describes a layout (ranges, taken spans, framebuffer, boot
 * mode) and a list of requests.  Whatever the bytes, the policy must not
 * crash, and every placement it hands out must pass its own check, stay
 * out of the guard and the vTPM hole, keep its alignment and not overlap
 * an earlier placement.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hvpci_mmio_policy.h"

struct reader {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct reader *r, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--) {
		v <<= 8;
		if (r->n) {
			v |= *r->p++;
			r->n--;
		}
	}
	return v;
}

/* Addresses near the interesting places: 4 GiB, the vTPM hole, 2^64. */
static uint64_t take_addr(struct reader *r)
{
	static const uint64_t bases[] = {
		0, 0xc0000000ULL, 0xf8000000ULL, 0xfed40000ULL,
		0x100000000ULL, 0xfe0000000ULL, 0xfffffffffff00000ULL, 0x40000000ULL,
	};
	uint64_t sel = take(r, 1);

	if (sel & 0x80)
		return take(r, 8);
	return bases[sel & 7] + (take(r, 4) << 12);
}

static void check_text(const struct hvpci_mmio_map *map)
{
	char buf[64];
	int k;

	for (k = 0; k < HVPCI_MMIO_KIND_COUNT; k++)
		hvpci_mmio_describe_failure(map, k, 0x2000, buf, sizeof(buf));
	hvpci_mmio_describe(map, buf, sizeof(buf));
	hvpci_mmio_describe(map, NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct hvpci_span ranges[HVPCI_MAX_RANGES + 2], busy[8], todo[8];
	struct hvpci_span placed[64];
	struct hvpci_mmio_input in = { 0 };
	static struct hvpci_mmio_map map;
	unsigned int i, nr_placed = 0;

	in.nr_ranges = take(&r, 1) % (HVPCI_MAX_RANGES + 2);
	for (i = 0; i < in.nr_ranges; i++) {
		ranges[i].start = take_addr(&r);
		ranges[i].len = take(&r, 4) << (take(&r, 1) & 15);
	}
	in.ranges = ranges;
	in.nr_busy = take(&r, 1) % 8;
	for (i = 0; i < in.nr_busy; i++) {
		busy[i].start = take_addr(&r);
		busy[i].len = take(&r, 4) << 8;
	}
	in.busy = busy;
	if (take(&r, 1) & 1) {
		in.fb_start = take_addr(&r);
		in.fb_len = take(&r, 4) << 8;
	}
	in.boot = take(&r, 1) % 4;

	if (hvpci_mmio_map_init(&map, &in)) {
		check_text(&map);
		return 0;
	}
	hvpci_mmio_guard_todo(&map, todo, 8);
	check_text(&map);

	while (r.n && nr_placed < 64) {
		enum hvpci_mmio_kind kind = take(&r, 1) % HVPCI_MMIO_KIND_COUNT;
		uint64_t len = (take(&r, 2) + 1) << (take(&r, 1) % 40);
		uint64_t align = 1ULL << (take(&r, 1) % 64);
		u64 start;
		unsigned int j;

		if (hvpci_mmio_place(&map, kind, len, align, &start))
			continue;
		if (hvpci_mmio_check(&map, kind, start, len) ||
		    hvpci_mmio_in_guard(&map, start, len) || start % align ||
		    (start < 0x100000000ULL && start + len > HVPCI_VTPM_START) ||
		    (kind == HVPCI_MMIO_BAR32 && start + len > 0x100000000ULL))
			abort();
		for (j = 0; j < nr_placed; j++)
			if (start < placed[j].start + placed[j].len &&
			    placed[j].start < start + len)
				abort();
		if (hvpci_mmio_claim(&map, start, len))
			break;
		placed[nr_placed].start = start;
		placed[nr_placed++].len = len;
		if (take(&r, 1) == 0xff) {
			nr_placed--;
			if (hvpci_mmio_release(&map, start, len))
				abort();
		}
	}
	check_text(&map);
	return 0;
}

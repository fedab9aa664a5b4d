// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of the MMIO policy's placement against a reference measured
 * in the same run: a naive first fit that steps through each range by
 * the alignment and tests every candidate, the way vmbus_allocate_mmio()
 * walks its ranges.  Prints figures and ratios; there is no pass/fail
 * threshold, timings depend on the machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hvpci_mmio_policy.h"

#define SZ_4K	0x1000ULL
#define SZ_8K	0x2000ULL
#define SZ_1M	0x100000ULL

void *hvpci_mmio_alloc(size_t size)
{
	return malloc(size);
}

void hvpci_mmio_free(void *p)
{
	free(p);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int blocked(const struct hvpci_mmio_map *m, u64 s, u64 len, int low)
{
	unsigned int i;

	for (i = 0; i < m->nr_guard; i++)
		if (s < m->guard[i].start + m->guard[i].len &&
		    m->guard[i].start < s + len)
			return 1;
	for (i = 0; i < m->nr_busy; i++)
		if (s < m->busy[i].start + m->busy[i].len &&
		    m->busy[i].start < s + len)
			return 1;
	return low && s + len > HVPCI_VTPM_START;
}

/* The reference: step by @align from each range's start. */
static int naive_place(const struct hvpci_mmio_map *m, int allow_high,
		       u64 len, u64 align, u64 *out)
{
	unsigned int i;
	u64 s;

	for (i = 0; allow_high && i < m->nr_high; i++)
		for (s = (m->high[i].start + align - 1) & ~(align - 1);
		     s + len <= m->high[i].start + m->high[i].len; s += align)
			if (!blocked(m, s, len, 0)) {
				*out = s;
				return 0;
			}
	for (i = 0; i < m->nr_low; i++)
		for (s = (m->low[i].start + align - 1) & ~(align - 1);
		     s + len <= m->low[i].start + m->low[i].len; s += align)
			if (!blocked(m, s, len, 1)) {
				*out = s;
				return 0;
			}
	return -1;
}

struct scenario {
	const char *name;
	struct hvpci_span ranges[2];
	unsigned int nr_ranges;
	enum hvpci_mmio_kind kind;
	u64 len, align;
	unsigned int count;	/* placements per round */
};

static const struct scenario scenarios[] = {
	/* (config windows go to a gap's least-cutting end, not first fit) */
	{ "azure, no high MMIO, 32 x 8 KiB 64-bit windows",
	  { { 0x40000000ULL, 0x80000000ULL } }, 1,
	  HVPCI_MMIO_BAR64, SZ_8K, SZ_4K, 32 },
	{ "hyper-v gen2, high MMIO, 32 x 8 KiB 64-bit windows",
	  { { 0xf8000000ULL, 0x06d40000ULL }, { 0xfe0000000ULL, 0x20000000ULL } },
	  2, HVPCI_MMIO_BAR64, SZ_8K, SZ_4K, 32 },
	{ "hyper-v gen2, 100 x 64 KiB 32-bit BAR windows",
	  { { 0xf8000000ULL, 0x06d40000ULL } }, 1,
	  HVPCI_MMIO_BAR32, 64 * 1024, 64 * 1024, 100 },
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median over @rounds rounds of one round's ns per placement. */
static double run(const struct scenario *sc, int naive, unsigned int rounds,
		  u64 *checksum)
{
	struct hvpci_mmio_input in = {
		.ranges = sc->ranges, .nr_ranges = sc->nr_ranges,
		.boot = HVPCI_BOOT_EFI,
	};
	static struct hvpci_mmio_map map;
	double *per_round = calloc(rounds, sizeof(*per_round)), median;
	unsigned int r, i;
	u64 s;

	if (!per_round)
		abort();
	for (r = 0; r < rounds; r++) {
		double t0 = now_ns();

		if (hvpci_mmio_map_init(&map, &in))
			abort();
		for (i = 0; i < sc->count; i++) {
			int ret = naive ?
				naive_place(&map, sc->kind != HVPCI_MMIO_BAR32,
					    sc->len, sc->align, &s) :
				hvpci_mmio_place(&map, sc->kind, sc->len,
						 sc->align, &s);
			if (ret || hvpci_mmio_claim(&map, s, sc->len))
				abort();
			*checksum += s;
		}
		per_round[r] = (now_ns() - t0) / sc->count;
	}
	qsort(per_round, rounds, sizeof(*per_round), cmp_double);
	median = rounds % 2 ? per_round[rounds / 2] :
		(per_round[rounds / 2 - 1] + per_round[rounds / 2]) / 2;
	free(per_round);
	return median;
}

int main(int argc, char **argv)
{
	unsigned int rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 20;
	unsigned int i;

	if (!rounds)
		rounds = 1;
	printf("# MMIO policy placement: median over %u rounds of ns per placement; ratio policy/naive\n",
	       rounds);
	printf("%-48s %12s %12s %8s\n", "scenario", "policy", "naive", "ratio");
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		u64 sum_p = 0, sum_n = 0;
		double p = run(&scenarios[i], 0, rounds, &sum_p);
		double n = run(&scenarios[i], 1, rounds, &sum_n);

		/* both must pick the same addresses, or the figures mean nothing */
		if (sum_p != sum_n) {
			fprintf(stderr, "%s: policy and reference disagree\n",
				scenarios[i].name);
			return 1;
		}
		printf("%-48s %12.0f %12.0f %8.3fx\n", scenarios[i].name, p, n,
		       p / n);
	}
	return 0;
}

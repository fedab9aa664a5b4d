// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for driver/hvpci_mmio_policy.c.
 *
 * The input describes a layout (ranges, taken spans, framebuffer, boot
 * mode) and a list of requests.  Whatever the bytes, the policy must not
 * crash, and every placement it hands out must pass its own check, stay
 * out of the guard and the vTPM hole, keep its alignment and not overlap
 * an earlier placement.
 *
 * Every answer, refusals included, must also equal an oracle's: a naive
 * first fit for BAR space (the benchmark's reference, made exact: it
 * tries every start where a first fit can begin), and for config windows
 * the end of a free gap that cuts the smallest aligned block (lower on
 * a tie), over a layout it builds itself from the input and from
 * Hyper-V's numbers written out below, never from the policy's map or
 * macros.  A policy that refuses what fits, or guards the wrong area,
 * disagrees with it.
 *
 * Inputs whose first byte is odd describe instead a small space (a few
 * pages of low and high MMIO, some taken) and a set of up to three
 * windows: hvpci_mmio_place_set() must find a layout exactly when brute
 * force over every start finds one, and a valid one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvpci_mmio_policy.h"

/* Hyper-V's numbers; sources in tests/unit/test_mmio_policy.c. */
#define FOUR_G		0x100000000ULL
#define ONE_M		0x100000ULL
#define VTPM_HOLE	0xfed40000ULL	/* [this, 4 GiB) unusable */
#define GEN1_FB		0xf8000000ULL	/* Gen1 framebuffer ... */
#define GEN1_FB_LEN	0x4000000ULL	/* ... 64 MiB long */
#define FB_LARGEST	0x8000000ULL	/* 128 MiB */
#define VRAM_MIN	0x800000ULL	/* 8 MiB */

typedef unsigned __int128 u128;

struct ospan {
	u128 start, end;
};

/* The oracle's own view of the layout. */
struct oracle {
	struct ospan low[HVPCI_MAX_RANGES + 2], high[HVPCI_MAX_RANGES + 2];
	struct ospan avoid[4 + 8 + 64];	/* guard areas, then taken spans */
	unsigned int nr_low, nr_high, nr_avoid;
};

static void oracle_add(struct oracle *o, u128 start, u128 len)
{
	o->avoid[o->nr_avoid].start = start;
	o->avoid[o->nr_avoid++].end = start + len;
}

static void oracle_del(struct oracle *o, u128 start, u128 len)
{
	unsigned int i;

	for (i = 0; i < o->nr_avoid; i++)
		if (o->avoid[i].start == start && o->avoid[i].end == start + len) {
			o->avoid[i] = o->avoid[--o->nr_avoid];
			return;
		}
	abort();
}

static bool ospan_overlap(u128 a, u128 aend, u128 b, u128 bend)
{
	return a < bend && b < aend;
}

/* Gen2: min((4 GiB - base) / 2, 128 MiB) from a base below 4 GiB */
static u128 gen2_rule(u128 base)
{
	u128 len = base < FOUR_G ? (FOUR_G - base) / 2 : 0;

	return len < FB_LARGEST ? len : FB_LARGEST;
}

/* Ranges that touch are one range. */
static void oracle_join(struct ospan *tab, unsigned int *n)
{
	unsigned int i, j;

	for (i = 0; i < *n; i++)
		for (j = 0; j < *n; j++)
			if (i != j && tab[i].end == tab[j].start) {
				tab[i].end = tab[j].end;
				tab[j] = tab[--*n];
				i = (unsigned int)-1;
				break;
			}
}

static void oracle_init(struct oracle *o, const struct hvpci_mmio_input *in)
{
	u128 base = FOUR_G;
	unsigned int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < in->nr_ranges; i++) {
		u128 start = in->ranges[i].start;
		u128 end = start + in->ranges[i].len;

		/* the last byte of the address space is never handed out */
		if (end > (u128)UINT64_MAX)
			end = UINT64_MAX;

		if (end <= ONE_M)
			continue;
		if (start < FOUR_G) {
			o->low[o->nr_low].start = start;
			o->low[o->nr_low++].end = end < FOUR_G ? end : FOUR_G;
			if (start < base)
				base = start;
		}
		if (end > FOUR_G) {
			o->high[o->nr_high].start = start > FOUR_G ? start : FOUR_G;
			o->high[o->nr_high++].end = end;
		}
	}
	oracle_join(o->low, &o->nr_low);
	oracle_join(o->high, &o->nr_high);
	/* Gen2: the rule at the lowest low base */
	if (o->nr_low)
		oracle_add(o, base, gen2_rule(base));
	/* Gen1's fixed framebuffer, unless the boot was through EFI */
	if (in->boot != HVPCI_BOOT_EFI)
		for (i = 0; i < o->nr_low; i++)
			if (ospan_overlap(GEN1_FB, GEN1_FB + GEN1_FB_LEN,
					  o->low[i].start, o->low[i].end)) {
				oracle_add(o, GEN1_FB, GEN1_FB_LEN);
				break;
			}
	/*
	 * the framebuffer screen_info names: its size, at least the VRAM
	 * minimum and at least the Gen2 rule from its base
	 */
	if (in->fb_start) {
		u128 len = in->fb_len > VRAM_MIN ? in->fb_len : VRAM_MIN;

		if (gen2_rule(in->fb_start) > len)
			len = gen2_rule(in->fb_start);
		oracle_add(o, in->fb_start, len);
	}
	for (i = 0; i < in->nr_busy; i++)
		oracle_add(o, in->busy[i].start, in->busy[i].len);
}

static bool oracle_free(const struct oracle *o, u128 s, u128 len, bool low)
{
	unsigned int i;

	if (low && ospan_overlap(s, s + len, VTPM_HOLE, FOUR_G))
		return false;
	for (i = 0; i < o->nr_avoid; i++)
		if (ospan_overlap(s, s + len, o->avoid[i].start, o->avoid[i].end))
			return false;
	return true;
}

static u128 up(u128 v, u128 align)
{
	return (v + align - 1) / align * align;
}

/*
 * Lowest free start in @tab.  A lowest start is either a range's own
 * (aligned) start or the aligned end of something in the way, so those
 * are the only candidates to try.
 */
static bool oracle_fit(const struct oracle *o, const struct ospan *tab,
		       unsigned int n, bool low, u128 len, u128 align,
		       u128 *best)
{
	unsigned int i, j;
	bool found = false;

	for (i = 0; i < n; i++) {
		for (j = 0; j <= o->nr_avoid + 1; j++) {
			u128 c;

			if (j == o->nr_avoid + 1)
				c = up(tab[i].start, align);
			else if (j == o->nr_avoid)
				c = up(FOUR_G, align);	/* end of the vTPM hole */
			else
				c = up(o->avoid[j].end, align);
			if (c < tab[i].start || c + len > tab[i].end ||
			    (found && c >= *best) || !oracle_free(o, c, len, low))
				continue;
			*best = c;
			found = true;
		}
	}
	return found;
}

static bool oracle_blocked(const struct oracle *o, u128 at, bool low)
{
	return !oracle_free(o, at, 1, low);
}

/* The blocks [gap, end) splits into, greedily from its start: the largest
 * one [start, start + len) cuts. */
static u128 oracle_damage(u128 gap, u128 end, u128 start, u128 len)
{
	u128 worst = 0, pos = gap;

	while (pos < end && pos < start + len) {
		u128 block = (u128)1 << 64;

		while (pos % block)
			block /= 2;
		while (pos + block > end)
			block /= 2;
		if (pos + block > start && block > worst)
			worst = block;
		pos += block;
	}
	return worst;
}

/* Config windows: an end of a free gap, smallest damage, then lowest. */
static bool oracle_spare(const struct oracle *o, const struct ospan *tab,
			 unsigned int n, bool low, u128 len, u128 align,
			 u128 *best)
{
	u128 best_damage = 0;
	bool found = false;
	unsigned int i, j, k;

	for (i = 0; i < n; i++) {
		for (j = 0; j <= o->nr_avoid; j++) {
			u128 g = j == o->nr_avoid ? tab[i].start : o->avoid[j].end;
			u128 e = tab[i].end, c[2];

			/* a gap starts at a free address after a blocked one */
			if (g < tab[i].start || g >= tab[i].end ||
			    oracle_blocked(o, g, low) ||
			    (g > tab[i].start && !oracle_blocked(o, g - 1, low)))
				continue;
			for (k = 0; k < o->nr_avoid; k++)
				if (o->avoid[k].start > g && o->avoid[k].start < e)
					e = o->avoid[k].start;
			if (low && VTPM_HOLE > g && VTPM_HOLE < e)
				e = VTPM_HOLE;
			c[0] = up(g, align);
			if (c[0] + len > e)
				continue;
			c[1] = (e - len) / align * align;
			for (k = 0; k < 2; k++) {
				u128 d = oracle_damage(g, e, c[k], len);

				if (!found || d < best_damage ||
				    (d == best_damage && c[k] < *best)) {
					*best = c[k];
					best_damage = d;
					found = true;
				}
			}
		}
	}
	return found;
}

static bool oracle_place(const struct oracle *o, enum hvpci_mmio_kind kind,
			 u128 len, u128 align, u128 *start)
{
	if (kind == HVPCI_MMIO_CFG_WINDOW)
		return oracle_spare(o, o->high, o->nr_high, false, len, align,
				    start) ||
		       oracle_spare(o, o->low, o->nr_low, true, len, align,
				    start);
	if (kind != HVPCI_MMIO_BAR32 &&
	    oracle_fit(o, o->high, o->nr_high, false, len, align, start))
		return true;
	return oracle_fit(o, o->low, o->nr_low, true, len, align, start);
}

/* The policy's table of taken spans grows through these. */
void *hvpci_mmio_alloc(size_t size)
{
	return malloc(size);
}

void hvpci_mmio_free(void *p)
{
	free(p);
}

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

/*
 * The small space: a guarded low range out of the way, then LOW pages of
 * low MMIO at a page offset from 0xc0000000 and HIGH pages of high MMIO
 * at a page offset from 64 GiB, with taken pages.
 */
#define SMALL_LOW	0xc0000000ULL
#define SMALL_HIGH	0x1000000000ULL
#define PAGE		0x1000ULL

struct small {
	uint64_t base[2], end[2];	/* low, high */
	unsigned int taken;		/* bit i: page i of low, then high */
	unsigned int pages[2];
};

static bool small_free(const struct small *sm, uint64_t s, uint64_t len)
{
	unsigned int b = s >= FOUR_G, first = b ? sm->pages[0] : 0;
	uint64_t i;

	if (s < sm->base[b] || s + len > sm->end[b])
		return false;
	for (i = (s - sm->base[b]) / PAGE; i < (s + len - sm->base[b]) / PAGE; i++)
		if (sm->taken & (1U << (first + i)))
			return false;
	return true;
}

static bool small_layout(const struct small *sm,
			 const struct hvpci_mmio_req *req, unsigned int n,
			 unsigned int i, uint64_t *at)
{
	unsigned int b, j;
	uint64_t s;

	if (i == n)
		return true;
	for (b = 0; b < 2; b++) {
		if (b && req[i].kind == HVPCI_MMIO_BAR32)
			continue;
		for (s = sm->base[b]; s < sm->end[b]; s += PAGE) {
			if (s % req[i].align || !small_free(sm, s, req[i].len))
				continue;
			for (j = 0; j < i; j++)
				if (s < at[j] + req[j].len && at[j] < s + req[i].len)
					break;
			if (j < i)
				continue;
			at[i] = s;
			if (small_layout(sm, req, n, i + 1, at))
				return true;
		}
	}
	return false;
}

static void small_space(struct reader *r, struct hvpci_mmio_map *map)
{
	struct hvpci_span ranges[3] = { { 0x80000000ULL, ONE_M } };
	struct hvpci_span busy[16];
	struct hvpci_mmio_input in = { .ranges = ranges, .busy = busy,
				       .boot = HVPCI_BOOT_EFI };
	struct hvpci_mmio_req req[3];
	struct small sm;
	uint64_t at[3];
	unsigned int b, i, j, n;
	bool exists;
	int ret;

	in.nr_ranges = 1;
	for (b = 0; b < 2; b++) {
		sm.pages[b] = take(r, 1) % 9;
		sm.base[b] = (b ? SMALL_HIGH : SMALL_LOW) + (take(r, 1) % 8) * PAGE;
		sm.end[b] = sm.base[b] + sm.pages[b] * PAGE;
		if (sm.pages[b]) {
			ranges[in.nr_ranges].start = sm.base[b];
			ranges[in.nr_ranges++].len = sm.pages[b] * PAGE;
		}
	}
	sm.taken = take(r, 2) & ((1U << (sm.pages[0] + sm.pages[1])) - 1);
	for (i = 0; i < sm.pages[0] + sm.pages[1]; i++)
		if (sm.taken & (1U << i)) {
			b = i >= sm.pages[0];
			busy[in.nr_busy].start = sm.base[b] +
				(i - (b ? sm.pages[0] : 0)) * PAGE;
			busy[in.nr_busy++].len = PAGE;
		}
	if (hvpci_mmio_map_init(map, &in))
		abort();
	n = take(r, 1) % 3 + 1;
	for (i = 0; i < n; i++) {
		req[i].kind = take(r, 1) % HVPCI_MMIO_KIND_COUNT;
		req[i].len = (take(r, 1) % 8 + 1) * PAGE;
		req[i].align = PAGE << (take(r, 1) % 4);
	}
	exists = small_layout(&sm, req, n, 0, at);
	ret = hvpci_mmio_place_set(map, req, n);
	if (exists != !ret) {
		fprintf(stderr, "oracle: a set of %u windows: brute force %s, the set says %s\n",
			n, exists ? "finds a layout" : "finds none",
			hvpci_mmio_strerror(ret));
		abort();
	}
	for (i = 0; !ret && i < n; i++) {
		if (hvpci_mmio_check(map, req[i].kind, req[i].start, req[i].len) ||
		    req[i].start % req[i].align)
			abort();
		for (j = 0; j < i; j++)
			if (req[i].start < req[j].start + req[j].len &&
			    req[j].start < req[i].start + req[i].len)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct hvpci_span ranges[HVPCI_MAX_RANGES + 2], busy[8], todo[8];
	struct hvpci_span placed[64];
	struct hvpci_mmio_input in = { 0 };
	static struct hvpci_mmio_map map;
	static struct oracle oracle;
	unsigned int i, nr_placed = 0;

	if (size && (data[0] & 1)) {
		r.p++;
		r.n--;
		small_space(&r, &map);
		return 0;
	}
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
	oracle_init(&oracle, &in);

	while (r.n && nr_placed < 64) {
		enum hvpci_mmio_kind kind = take(&r, 1) % HVPCI_MMIO_KIND_COUNT;
		uint64_t len = (take(&r, 2) + 1) << (take(&r, 1) % 40);
		uint64_t align = 1ULL << (take(&r, 1) % 64);
		u64 start;
		u128 want = 0;
		unsigned int j;
		bool fits = oracle_place(&oracle, kind, len, align, &want);
		int ret = hvpci_mmio_place(&map, kind, len, align, &start);

		if (ret && !(ret == -HVPCI_MMIO_ENOSPC && !fits)) {
			fprintf(stderr, "oracle: %s of %#llx aligned %#llx: policy says %s, oracle %s %#llx\n",
				hvpci_mmio_kind_name(kind), (unsigned long long)len,
				(unsigned long long)align, hvpci_mmio_strerror(ret),
				fits ? "places it at" : "finds no room either",
				(unsigned long long)want);
			abort();
		}
		if (ret)
			continue;
		if (!fits || want != start) {
			fprintf(stderr, "oracle: %s of %#llx aligned %#llx: policy places it at %#llx, oracle %s %#llx\n",
				hvpci_mmio_kind_name(kind), (unsigned long long)len,
				(unsigned long long)align, (unsigned long long)start,
				fits ? "at" : "finds no room", (unsigned long long)want);
			abort();
		}
		if (hvpci_mmio_check(&map, kind, start, len) ||
		    hvpci_mmio_in_guard(&map, start, len) || start % align ||
		    (start < FOUR_G && start + len > VTPM_HOLE) ||
		    (kind == HVPCI_MMIO_BAR32 && start + len > FOUR_G))
			abort();
		for (j = 0; j < nr_placed; j++)
			if (start < placed[j].start + placed[j].len &&
			    placed[j].start < start + len)
				abort();
		if (hvpci_mmio_claim(&map, start, len))
			break;
		oracle_add(&oracle, start, len);
		placed[nr_placed].start = start;
		placed[nr_placed++].len = len;
		if (take(&r, 1) == 0xff) {
			nr_placed--;
			if (hvpci_mmio_release(&map, start, len))
				abort();
			oracle_del(&oracle, start, len);
		}
	}
	check_text(&map);
	return 0;
}

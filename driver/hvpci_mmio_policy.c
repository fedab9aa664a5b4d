// SPDX-License-Identifier: GPL-2.0
/*
 * hvpci MMIO policy.  See hvpci_mmio_policy.h for the contract.
 *
 * Why a guard: the host keeps the framebuffer at the bottom of the low
 * MMIO range (Gen2) or at 4 GiB - 128 MiB (Gen1) whether or not this
 * kernel knows about it.  A config window placed there makes the host
 * refuse D0 entry, so no placement made here may touch that area, even
 * when screen_info is empty, as it is in many kdump kernels.
 */
#include "hvpci_mmio_policy.h"

static u64 span_end(const struct hvpci_span *s)
{
	return s->start + s->len;
}

static bool spans_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* Valid when non-empty and not wrapping past 2^64. */
static bool span_valid(u64 start, u64 len)
{
	return len && start + len > start;
}

static bool is_pow2(u64 v)
{
	return v && !(v & (v - 1));
}

/* Round @v up to @align; false on overflow. */
static bool align_up(u64 v, u64 align, u64 *out)
{
	u64 r = (v + align - 1) & ~(align - 1);

	if (r < v)
		return false;
	*out = r;
	return true;
}

static void sort_spans(struct hvpci_span *s, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		struct hvpci_span key = s[i];

		for (j = i; j > 0 && s[j - 1].start > key.start; j--)
			s[j] = s[j - 1];
		s[j] = key;
	}
}

/* Sort and merge overlapping or touching spans in place. */
static unsigned int merge_spans(struct hvpci_span *s, unsigned int n)
{
	unsigned int i, out = 0;

	sort_spans(s, n);
	for (i = 0; i < n; i++) {
		if (out && s[i].start <= span_end(&s[out - 1])) {
			u64 end = span_end(&s[i]);

			if (end > span_end(&s[out - 1]))
				s[out - 1].len = end - s[out - 1].start;
			continue;
		}
		s[out++] = s[i];
	}
	return out;
}

static int add_span(struct hvpci_span *tab, unsigned int *n,
		    unsigned int max, u64 start, u64 len)
{
	if (*n >= max)
		return -HVPCI_MMIO_ETOOMANY;
	tab[*n].start = start;
	tab[*n].len = len;
	(*n)++;
	return 0;
}

static bool overlaps_table(const struct hvpci_span *tab, unsigned int n,
			   u64 start, u64 len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (spans_overlap(tab[i].start, tab[i].len, start, len))
			return true;
	return false;
}

/* Sort, refuse overlaps and merge ranges that touch. */
static int tidy_ranges(struct hvpci_span *tab, unsigned int *n)
{
	unsigned int i, out = 0;

	sort_spans(tab, *n);
	for (i = 0; i < *n; i++) {
		if (out && tab[i].start < span_end(&tab[out - 1]))
			return -HVPCI_MMIO_EINVAL;
		if (out && tab[i].start == span_end(&tab[out - 1])) {
			tab[out - 1].len += tab[i].len;
			continue;
		}
		tab[out++] = tab[i];
	}
	*n = out;
	return 0;
}

static int add_ranges(struct hvpci_mmio_map *map,
		      const struct hvpci_mmio_input *in)
{
	unsigned int i;
	int ret;

	for (i = 0; i < in->nr_ranges; i++) {
		u64 start = in->ranges[i].start;
		u64 len = in->ranges[i].len;
		u64 end;

		/*
		 * A range up to 2^64 - 1 ends where a u64 wraps to 0: keep it,
		 * less its last byte, which no aligned placement can use.
		 */
		if (len && start + len == 0)
			len--;
		if (!span_valid(start, len))
			return -HVPCI_MMIO_EINVAL;
		end = start + len;
		/* Like VMBus itself, ignore ranges that end below 1 MiB. */
		if (end <= HVPCI_SZ_1M)
			continue;
		if (start < HVPCI_SZ_4G) {
			u64 low_end = end < HVPCI_SZ_4G ? end : HVPCI_SZ_4G;

			ret = add_span(map->low, &map->nr_low, HVPCI_MAX_RANGES,
				       start, low_end - start);
			if (ret)
				return ret;
		}
		if (end > HVPCI_SZ_4G) {
			u64 high_start = start > HVPCI_SZ_4G ? start : HVPCI_SZ_4G;

			ret = add_span(map->high, &map->nr_high,
				       HVPCI_MAX_RANGES, high_start,
				       end - high_start);
			if (ret)
				return ret;
		}
	}
	ret = tidy_ranges(map->low, &map->nr_low);
	if (!ret)
		ret = tidy_ranges(map->high, &map->nr_high);
	return ret;
}

static bool overlaps_low(const struct hvpci_mmio_map *map, u64 start, u64 len)
{
	return overlaps_table(map->low, map->nr_low, start, len);
}

/* The Gen2 host rule for a framebuffer at @base below 4 GiB. */
static u64 gen2_rule(u64 base)
{
	u64 len;

	if (base >= HVPCI_SZ_4G)
		return 0;
	len = (HVPCI_SZ_4G - base) / 2;
	return len < HVPCI_FB_MAX ? len : HVPCI_FB_MAX;
}

/*
 * The guard is the union of every place the host framebuffer may be:
 *  - Gen2: from the low MMIO base, min((4 GiB - base) / 2, 128 MiB).  A
 *    framebuffer over 64 MiB moves the base down by twice its size, so
 *    this rule still covers it.
 *  - Gen1: 64 MiB at 4 GiB - 128 MiB.
 *  - whatever screen_info reports: its size tells the mode, not the VRAM
 *    the host keeps behind it, so at least the same rule from its base
 *    (and never less than 8 MiB).
 * A kernel that booted without EFI may still run on a Gen2 VM (kdump
 * kernels loaded without EFI information), so unless the boot was
 * through EFI both host rules apply.
 */
static int compute_guard(struct hvpci_mmio_map *map,
			 const struct hvpci_mmio_input *in)
{
	int ret;

	if (map->nr_low) {
		u64 base = map->low[0].start;
		u64 len = gen2_rule(base);

		if (len) {
			ret = add_span(map->guard, &map->nr_guard,
				       HVPCI_MAX_GUARDS, base, len);
			if (ret)
				return ret;
		}
	}

	if (in->boot != HVPCI_BOOT_EFI &&
	    overlaps_low(map, HVPCI_GEN1_FB_START, HVPCI_GEN1_FB_LEN)) {
		ret = add_span(map->guard, &map->nr_guard, HVPCI_MAX_GUARDS,
			       HVPCI_GEN1_FB_START, HVPCI_GEN1_FB_LEN);
		if (ret)
			return ret;
	}

	if (in->fb_start) {
		u64 len = in->fb_len > HVPCI_FB_MIN ? in->fb_len : HVPCI_FB_MIN;
		u64 rule = gen2_rule(in->fb_start);

		if (rule > len)
			len = rule;
		if (!span_valid(in->fb_start, len))
			return -HVPCI_MMIO_EINVAL;
		ret = add_span(map->guard, &map->nr_guard, HVPCI_MAX_GUARDS,
			       in->fb_start, len);
		if (ret)
			return ret;
	}

	map->nr_guard = merge_spans(map->guard, map->nr_guard);
	return 0;
}

int hvpci_mmio_map_init(struct hvpci_mmio_map *map,
			const struct hvpci_mmio_input *in)
{
	unsigned int i;
	int ret;

	hvpci_mmio_map_free(map);
	if (in->nr_ranges && !in->ranges)
		return -HVPCI_MMIO_EINVAL;
	if (in->nr_busy && !in->busy)
		return -HVPCI_MMIO_EINVAL;
	if (in->boot > HVPCI_BOOT_LEGACY)
		return -HVPCI_MMIO_EINVAL;

	ret = add_ranges(map, in);
	if (!ret)
		ret = compute_guard(map, in);
	for (i = 0; !ret && i < in->nr_busy; i++)
		ret = hvpci_mmio_claim(map, in->busy[i].start,
				       in->busy[i].len);
	if (ret)
		hvpci_mmio_map_free(map);
	return ret;
}

void hvpci_mmio_map_free(struct hvpci_mmio_map *map)
{
	hvpci_mmio_free(map->busy);
	memset(map, 0, sizeof(*map));
}

int hvpci_mmio_guard_todo(const struct hvpci_mmio_map *map,
			  struct hvpci_span *out, unsigned int max)
{
	unsigned int g, b, n = 0;
	int ret;

	for (g = 0; g < map->nr_guard; g++) {
		u64 pos = map->guard[g].start;
		u64 end = span_end(&map->guard[g]);

		/* busy[] is sorted by start; spans in it may overlap. */
		for (b = 0; b < map->nr_busy && pos < end; b++) {
			const struct hvpci_span *s = &map->busy[b];

			if (span_end(s) <= pos)
				continue;
			if (s->start >= end)
				break;
			if (s->start > pos) {
				ret = add_span(out, &n, max, pos, s->start - pos);
				if (ret)
					return ret;
			}
			pos = span_end(s);
		}
		if (pos < end) {
			ret = add_span(out, &n, max, pos, end - pos);
			if (ret)
				return ret;
		}
	}
	return n;
}

/* Spans placed earlier in the same plan, not yet in the map. */
struct pending {
	const struct hvpci_span *span;
	unsigned int nr;
};

static const struct hvpci_span *further(const struct hvpci_span *hit,
					const struct hvpci_span *s,
					u64 start, u64 len)
{
	if (spans_overlap(s->start, s->len, start, len) &&
	    (!hit || span_end(s) > span_end(hit)))
		return s;
	return hit;
}

/*
 * Of everything [start, start + len) must not touch, the span that
 * reaches furthest; NULL when nothing is in the way.
 */
static const struct hvpci_span *
first_obstacle(const struct hvpci_mmio_map *map, bool low, u64 start,
	       u64 len, const struct pending *p, struct hvpci_span *scratch)
{
	const struct hvpci_span *hit = NULL;
	unsigned int i;

	for (i = 0; i < map->nr_guard; i++)
		hit = further(hit, &map->guard[i], start, len);
	for (i = 0; i < map->nr_busy; i++) {
		if (map->busy[i].start >= start + len)
			break;
		hit = further(hit, &map->busy[i], start, len);
	}
	for (i = 0; p && i < p->nr; i++)
		hit = further(hit, &p->span[i], start, len);
	if (low) {
		scratch->start = HVPCI_VTPM_START;
		scratch->len = HVPCI_SZ_4G - HVPCI_VTPM_START;
		hit = further(hit, scratch, start, len);
	}
	return hit;
}

/* The lowest start of anything in the way in (@pos, @limit), or @limit. */
static u64 next_obstacle(const struct hvpci_mmio_map *map, bool low, u64 pos,
			 u64 limit)
{
	unsigned int i;

	for (i = 0; i < map->nr_guard; i++)
		if (map->guard[i].start > pos && map->guard[i].start < limit)
			limit = map->guard[i].start;
	for (i = 0; i < map->nr_busy; i++)
		if (map->busy[i].start > pos && map->busy[i].start < limit)
			limit = map->busy[i].start;
	if (low && HVPCI_VTPM_START > pos && HVPCI_VTPM_START < limit)
		limit = HVPCI_VTPM_START;
	return limit;
}

/* Lowest aligned start in @range that nothing is in the way of. */
static bool fit_in_range(const struct hvpci_mmio_map *map,
			 const struct hvpci_span *range, bool low,
			 u64 len, u64 align, const struct pending *p,
			 u64 *start)
{
	u64 end = span_end(range);
	struct hvpci_span scratch;
	const struct hvpci_span *hit;
	u64 cand;

	if (!align_up(range->start, align, &cand))
		return false;
	while (cand < end && len <= end - cand) {
		hit = first_obstacle(map, low, cand, len, p, &scratch);
		if (!hit) {
			*start = cand;
			return true;
		}
		if (!align_up(span_end(hit), align, &cand))
			return false;
	}
	return false;
}

static bool fit_in_table(const struct hvpci_mmio_map *map,
			 const struct hvpci_span *tab, unsigned int n,
			 bool low, u64 len, u64 align, const struct pending *p,
			 u64 *start)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (fit_in_range(map, &tab[i], low, len, align, p, start))
			return true;
	return false;
}

/* First fit: high ranges first where @kind may go there, then low. */
static bool first_fit(const struct hvpci_mmio_map *map,
		      enum hvpci_mmio_kind kind, u64 len, u64 align,
		      const struct pending *p, u64 *start)
{
	if (kind != HVPCI_MMIO_BAR32 &&
	    fit_in_table(map, map->high, map->nr_high, false, len, align, p,
			 start))
		return true;
	return fit_in_table(map, map->low, map->nr_low, true, len, align, p,
			    start);
}

/*
 * The largest block of the gap [gap, gap_end) that [start, start + len)
 * would cut, the gap seen as naturally aligned power-of-two blocks taken
 * greedily from its start: what a later, larger window loses.
 */
static u64 damage(u64 gap, u64 gap_end, u64 start, u64 len)
{
	u64 pos = gap, worst = 0, block;

	while (pos < gap_end && pos < start + len) {
		block = pos ? pos & -pos : 1ULL << 63;
		while (block > gap_end - pos)
			block >>= 1;
		if (pos + block > start && block > worst)
			worst = block;
		pos += block;
	}
	return worst;
}

struct spot {
	u64 start;
	u64 damage;
	bool found;
};

static void consider(struct spot *best, u64 gap, u64 gap_end, u64 start,
		     u64 len)
{
	u64 d = damage(gap, gap_end, start, len);

	if (!best->found || d < best->damage ||
	    (d == best->damage && start < best->start)) {
		best->start = start;
		best->damage = d;
		best->found = true;
	}
}

/*
 * A config window is placed before the BAR sizes are known: at an end of
 * a free gap, the end whose aligned blocks it cuts are the smallest, the
 * lower one on a tie (the base of an aligned high range, as before).  The
 * first free address is often the only one a large aligned window can
 * start at (the 32 MiB-aligned 0xfc000000 of Hyper-V's default low range).
 */
static bool spare_in_table(const struct hvpci_mmio_map *map,
			   const struct hvpci_span *tab, unsigned int n,
			   bool low, u64 len, u64 align, u64 *start)
{
	struct spot best = { };
	struct hvpci_span scratch;
	const struct hvpci_span *hit;
	unsigned int i;
	u64 pos, end, gap_end, cand;

	for (i = 0; i < n; i++) {
		pos = tab[i].start;
		end = span_end(&tab[i]);
		while (pos < end) {
			hit = first_obstacle(map, low, pos, 1, NULL, &scratch);
			if (hit) {
				pos = span_end(hit);
				if (!pos)
					break;
				continue;
			}
			gap_end = next_obstacle(map, low, pos, end);
			if (align_up(pos, align, &cand) && cand < gap_end &&
			    len <= gap_end - cand) {
				consider(&best, pos, gap_end, cand, len);
				cand = (gap_end - len) & ~(align - 1);
				consider(&best, pos, gap_end, cand, len);
			}
			pos = gap_end;
		}
	}
	*start = best.start;
	return best.found;
}

int hvpci_mmio_place(const struct hvpci_mmio_map *map,
		     enum hvpci_mmio_kind kind, u64 len, u64 align,
		     u64 *start)
{
	if (!len || !is_pow2(align) || kind >= HVPCI_MMIO_KIND_COUNT)
		return -HVPCI_MMIO_EINVAL;

	if (kind == HVPCI_MMIO_CFG_WINDOW) {
		if (spare_in_table(map, map->high, map->nr_high, false, len,
				   align, start) ||
		    spare_in_table(map, map->low, map->nr_low, true, len, align,
				   start))
			return 0;
		return -HVPCI_MMIO_ENOSPC;
	}
	if (first_fit(map, kind, len, align, NULL, start))
		return 0;
	return -HVPCI_MMIO_ENOSPC;
}

static bool next_order(unsigned int *perm, unsigned int n)
{
	unsigned int i, j, t;

	for (i = n - 1; i > 0 && perm[i - 1] >= perm[i]; i--)
		;
	if (!i)
		return false;
	for (j = n - 1; perm[j] <= perm[i - 1]; j--)
		;
	t = perm[i - 1];
	perm[i - 1] = perm[j];
	perm[j] = t;
	for (j = n - 1; i < j; i++, j--) {
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	return true;
}

/*
 * Why trying every order is enough: take any layout that fits, and its
 * windows in address order (high ranges before low ones).  First fit in
 * that order puts each window at or below its place in the layout, in
 * the same range, so it never covers the place of a later one: every
 * window fits.  Largest alignment first comes first, as it mostly fits.
 */
int hvpci_mmio_place_set(const struct hvpci_mmio_map *map,
			 struct hvpci_mmio_req *req, unsigned int n)
{
	unsigned int by_align[HVPCI_MAX_SET], perm[HVPCI_MAX_SET], i, j, t;
	struct hvpci_span taken[HVPCI_MAX_SET];
	struct pending p = { .span = taken };

	if (!n || n > HVPCI_MAX_SET)
		return -HVPCI_MMIO_EINVAL;
	for (i = 0; i < n; i++) {
		if (!req[i].len || !is_pow2(req[i].align) ||
		    req[i].kind >= HVPCI_MMIO_KIND_COUNT)
			return -HVPCI_MMIO_EINVAL;
		by_align[i] = i;
		perm[i] = i;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			const struct hvpci_mmio_req *a = &req[by_align[j - 1]];
			const struct hvpci_mmio_req *b = &req[by_align[j]];

			if (a->align > b->align ||
			    (a->align == b->align && a->len >= b->len))
				break;
			t = by_align[j];
			by_align[j] = by_align[j - 1];
			by_align[j - 1] = t;
		}

	do {
		for (p.nr = 0; p.nr < n; p.nr++) {
			struct hvpci_mmio_req *r = &req[by_align[perm[p.nr]]];

			if (!first_fit(map, r->kind, r->len, r->align, &p,
				       &r->start))
				break;
			taken[p.nr].start = r->start;
			taken[p.nr].len = r->len;
		}
		if (p.nr == n)
			return 0;
	} while (next_order(perm, n));
	return -HVPCI_MMIO_ENOSPC;
}

static bool inside_table(const struct hvpci_span *tab, unsigned int n,
			 u64 start, u64 len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (start >= tab[i].start && start + len <= span_end(&tab[i]))
			return true;
	return false;
}

int hvpci_mmio_check(const struct hvpci_mmio_map *map,
		     enum hvpci_mmio_kind kind, u64 start, u64 len)
{
	struct hvpci_span scratch;
	bool low;

	if (!span_valid(start, len) || kind >= HVPCI_MMIO_KIND_COUNT)
		return -HVPCI_MMIO_EINVAL;

	low = inside_table(map->low, map->nr_low, start, len);
	if (!low && (kind == HVPCI_MMIO_BAR32 ||
		     !inside_table(map->high, map->nr_high, start, len)))
		return -HVPCI_MMIO_EOUTSIDE;
	if (first_obstacle(map, low, start, len, NULL, &scratch))
		return -HVPCI_MMIO_EOVERLAP;
	return 0;
}

/* Double the table of taken spans; the module has no bound on buses. */
static int grow_busy(struct hvpci_mmio_map *map)
{
	unsigned int max = map->max_busy ? 2 * map->max_busy : HVPCI_BUSY_FIRST;
	struct hvpci_span *tab;

	if (max <= map->max_busy)
		return -HVPCI_MMIO_ETOOMANY;
	tab = hvpci_mmio_alloc(max * sizeof(*tab));
	if (!tab)
		return -HVPCI_MMIO_ETOOMANY;
	if (map->nr_busy)
		memcpy(tab, map->busy, map->nr_busy * sizeof(*tab));
	hvpci_mmio_free(map->busy);
	map->busy = tab;
	map->max_busy = max;
	return 0;
}

int hvpci_mmio_claim(struct hvpci_mmio_map *map, u64 start, u64 len)
{
	unsigned int i;

	if (!span_valid(start, len))
		return -HVPCI_MMIO_EINVAL;
	if (map->nr_busy == map->max_busy) {
		int ret = grow_busy(map);

		if (ret)
			return ret;
	}

	for (i = map->nr_busy; i > 0 && map->busy[i - 1].start > start; i--)
		map->busy[i] = map->busy[i - 1];
	map->busy[i].start = start;
	map->busy[i].len = len;
	map->nr_busy++;
	return 0;
}

int hvpci_mmio_release(struct hvpci_mmio_map *map, u64 start, u64 len)
{
	unsigned int i;

	for (i = 0; i < map->nr_busy; i++) {
		if (map->busy[i].start != start || map->busy[i].len != len)
			continue;
		map->nr_busy--;
		for (; i < map->nr_busy; i++)
			map->busy[i] = map->busy[i + 1];
		return 0;
	}
	return -HVPCI_MMIO_EINVAL;
}

bool hvpci_mmio_in_guard(const struct hvpci_mmio_map *map, u64 start, u64 len)
{
	return overlaps_table(map->guard, map->nr_guard, start, len);
}

const char *hvpci_mmio_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case HVPCI_MMIO_OK:
		return "success";
	case HVPCI_MMIO_EINVAL:
		return "invalid MMIO range or request";
	case HVPCI_MMIO_ENOSPC:
		return "no free MMIO space that fits";
	case HVPCI_MMIO_ETOOMANY:
		return "too many MMIO spans to track, or no memory for them";
	case HVPCI_MMIO_EOVERLAP:
		return "placement overlaps the framebuffer guard, the vTPM hole or a taken span";
	case HVPCI_MMIO_EOUTSIDE:
		return "placement is outside the MMIO ranges allowed for it";
	}
	return "unknown MMIO policy error";
}

const char *hvpci_mmio_kind_name(enum hvpci_mmio_kind kind)
{
	switch (kind) {
	case HVPCI_MMIO_CFG_WINDOW:
		return "config window";
	case HVPCI_MMIO_BAR64:
		return "64-bit BAR space";
	case HVPCI_MMIO_BAR32:
		return "32-bit BAR space";
	default:
		return "MMIO";
	}
}

/* snprintf() that keeps appending after truncation, counting as it goes. */
struct text {
	char *buf;
	size_t size;
	int len;
};

static void HVPCI_PRINTF(2, 3) text_add(struct text *t, const char *fmt, ...)
{
	size_t off = (size_t)t->len < t->size ? (size_t)t->len : t->size;
	va_list ap;

	va_start(ap, fmt);
	t->len += vsnprintf(t->buf ? t->buf + off : NULL, t->size - off, fmt,
			    ap);
	va_end(ap);
}

static void text_spans(struct text *t, const char *what,
		       const struct hvpci_span *tab, unsigned int n)
{
	unsigned int i;

	text_add(t, "%s", what);
	if (!n)
		text_add(t, " none");
	for (i = 0; i < n; i++)
		text_add(t, " [%#llx-%#llx]", tab[i].start,
			 span_end(&tab[i]) - 1);
}

int hvpci_mmio_describe(const struct hvpci_mmio_map *map, char *buf,
			size_t size)
{
	struct text t = { .buf = buf, .size = size };

	if (size)
		buf[0] = '\0';
	text_spans(&t, "low", map->low, map->nr_low);
	text_spans(&t, "; high", map->high, map->nr_high);
	text_spans(&t, "; fb guard", map->guard, map->nr_guard);
	text_add(&t, "; %u taken", map->nr_busy);
	return t.len;
}

int hvpci_mmio_describe_failure(const struct hvpci_mmio_map *map,
				enum hvpci_mmio_kind kind, u64 len,
				char *buf, size_t size)
{
	struct text t = { .buf = buf, .size = size };

	if (size)
		buf[0] = '\0';
	text_add(&t, "no room for %#llx bytes of %s", len,
		 hvpci_mmio_kind_name(kind));
	if (kind != HVPCI_MMIO_BAR32)
		text_spans(&t, " in high MMIO", map->high, map->nr_high);
	text_spans(&t, kind != HVPCI_MMIO_BAR32 ? " or low MMIO" :
		   " in low MMIO", map->low, map->nr_low);
	text_spans(&t, " outside fb guard", map->guard, map->nr_guard);
	text_add(&t, ", the vTPM hole [%#llx-%#llx] and %u taken spans",
		 HVPCI_VTPM_START, HVPCI_SZ_4G - 1, map->nr_busy);
	return t.len;
}

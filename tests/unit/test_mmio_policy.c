// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for driver/hvpci_mmio_policy.c, built from the same source
 * the kernel module uses.  Layouts are the ones Hyper-V and Azure give
 * guests (see docs in driver/README.md).
 *
 * Expectations come from facts outside the code under test: the host's
 * numbers are written out below as literals, never taken from the
 * policy's header, so that a wrong constant there fails a test here
 * (tests/unit/mutate.sh plants such mistakes and checks that they do).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "hvpci_mmio_policy.h"

#define SZ_4K	0x1000ULL
#define SZ_8K	0x2000ULL
#define SZ_1M	0x100000ULL
#define SZ_64M	0x4000000ULL
#define SZ_128M	0x8000000ULL
#define SZ_1G	0x40000000ULL
#define SZ_4G	0x100000000ULL
#define CFG_LEN	SZ_8K

/*
 * Hyper-V's numbers, as its maintainers measured and posted them (LKML,
 * April 2026, thread "PCI: hv: Allocate MMIO from above 4GB for the config
 * window"; summed up in the design brief's host facts):
 *  - [0xfed40000, 4 GiB) is the vTPM's and unusable;
 *  - Gen1: the framebuffer is fixed at 4 GiB - 128 MiB, 64 MiB long;
 *  - Gen2: the framebuffer starts at the low MMIO base, by default
 *    4 GiB - 128 MiB; a framebuffer over 64 MiB moves that base down by
 *    twice its excess (68 MiB gives 4 GiB - 136 MiB = 0xf7800000);
 *  - the largest framebuffer is 128 MiB (7680x4320);
 *  - the synthetic video device's VRAM is at least 8 MiB (hyperv_drm's
 *    default mmio_megabytes).
 * The kernel's fallback (7.1-rc8) reserves min((4 GiB - base) / 2,
 * 128 MiB) at the base, which covers every framebuffer above.
 */
#define VTPM_HOLE	0xfed40000ULL
#define GEN1_FB		0xf8000000ULL
#define GEN1_FB_LEN	0x4000000ULL
#define GEN2_BASE	0xf8000000ULL
#define FB_LARGEST	0x8000000ULL
#define VRAM_MIN	0x800000ULL

/* The Gen2 low MMIO base the host picks for a framebuffer of @fb bytes. */
static uint64_t gen2_base_for_fb(uint64_t fb)
{
	return fb <= SZ_64M ? GEN2_BASE : GEN2_BASE - 2 * (fb - SZ_64M);
}

/* The area at @base a Gen2 kernel must keep for the framebuffer. */
static uint64_t gen2_rule(uint64_t base)
{
	uint64_t len = (SZ_4G - base) / 2;

	return len < FB_LARGEST ? len : FB_LARGEST;
}

/* Local Hyper-V Gen2 default: low MMIO from 4 GiB - 128 MiB. */
static const struct hvpci_span gen2_ranges[] = {
	{ 0xf8000000ULL, 0xfed40000ULL - 0xf8000000ULL },
	{ 0xfe0000000ULL, 0x20000000ULL },	/* 512 MiB high */
};

static struct hvpci_mmio_map map;

/* The policy's table of taken spans grows through these. */
void *hvpci_mmio_alloc(size_t size)
{
	return malloc(size);
}

void hvpci_mmio_free(void *p)
{
	free(p);
}

static void init_ok(const struct hvpci_span *r, unsigned int n,
		    enum hvpci_boot boot, uint64_t fb, uint64_t fb_len)
{
	struct hvpci_mmio_input in = {
		.ranges = r, .nr_ranges = n, .boot = boot,
		.fb_start = fb, .fb_len = fb_len,
	};

	assert_int_equal(hvpci_mmio_map_init(&map, &in), 0);
}

static uint64_t place_ok(enum hvpci_mmio_kind kind, uint64_t len,
			 uint64_t align)
{
	u64 start = 0;

	assert_int_equal(hvpci_mmio_place(&map, kind, len, align, &start), 0);
	assert_int_equal(hvpci_mmio_check(&map, kind, start, len), 0);
	assert_int_equal(start % align, 0);
	assert_false(hvpci_mmio_in_guard(&map, start, len));
	assert_int_equal(hvpci_mmio_claim(&map, start, len), 0);
	return start;
}

static void test_gen2_guard_from_low_base(void **state)
{
	(void)state;
	init_ok(gen2_ranges, 2, HVPCI_BOOT_EFI, 0, 0);
	/* min((4G - 0xf8000000) / 2, 128M) = 64 MiB */
	assert_int_equal(map.nr_guard, 1);
	assert_int_equal(map.guard[0].start, 0xf8000000ULL);
	assert_int_equal(map.guard[0].len, SZ_64M);
}

static void test_guard_capped_at_128m(void **state)
{
	static const struct hvpci_span azure[] = {
		{ SZ_1G, 2 * SZ_1G },			/* Azure: 1 to 3 GiB */
		{ 0x1000000000ULL, 0x1000000000ULL },
	};

	(void)state;
	init_ok(azure, 2, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(map.nr_guard, 1);
	assert_int_equal(map.guard[0].start, SZ_1G);
	assert_int_equal(map.guard[0].len, SZ_128M);
}

static void test_cfg_window_goes_high(void **state)
{
	(void)state;
	init_ok(gen2_ranges, 2, HVPCI_BOOT_EFI, 0, 0);
	/* either end of the aligned 512 MiB cuts it: the lower end */
	assert_int_equal(place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K),
			 0xfe0000000ULL);
}

static void test_cfg_window_low_when_no_high(void **state)
{
	(void)state;
	init_ok(gen2_ranges, 1, HVPCI_BOOT_EFI, 0, 0);
	/* right below the vTPM hole, not at the 32 MiB-aligned 0xfc000000 */
	assert_int_equal(place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K),
			 VTPM_HOLE - CFG_LEN);
}

static void test_cfg_window_low_when_high_full(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xf8000000ULL, 0x06d40000ULL },
		{ 0x800000000ULL, SZ_4K },	/* high range, one page */
	};

	(void)state;
	init_ok(r, 2, HVPCI_BOOT_EFI, 0, 0);
	assert_true(place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K) < SZ_4G);
}

static void test_kdump_without_screen_info(void **state)
{
	(void)state;
	/* the bug: lfb_base is 0, the in-tree driver takes the low base */
	init_ok(gen2_ranges, 1, HVPCI_BOOT_EFI, 0, 0);
	assert_true(hvpci_mmio_in_guard(&map, 0xf8000000ULL, CFG_LEN));
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_CFG_WINDOW,
					  0xf8000000ULL, CFG_LEN),
			 -HVPCI_MMIO_EOVERLAP);
}

static void test_kdump_without_efi_guards_both_rules(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xe0000000ULL, 0x1ed40000ULL },
	};

	(void)state;
	/* a Gen2 VM whose kdump kernel booted without EFI */
	init_ok(r, 1, HVPCI_BOOT_LEGACY, 0, 0);
	assert_int_equal(map.nr_guard, 2);
	assert_int_equal(map.guard[0].start, 0xe0000000ULL);
	assert_int_equal(map.guard[0].len, SZ_128M);
	assert_int_equal(map.guard[1].start, GEN1_FB);
	assert_int_equal(map.guard[1].len, GEN1_FB_LEN);
}

static void test_gen1_fixed_fb(void **state)
{
	(void)state;
	init_ok(gen2_ranges, 2, HVPCI_BOOT_LEGACY, 0, 0);
	/* both rules give the same area at 4G - 128M: merged into one */
	assert_int_equal(map.nr_guard, 1);
	assert_int_equal(map.guard[0].start, GEN1_FB);
	assert_int_equal(map.guard[0].len, SZ_64M);
}

/*
 * A framebuffer over 64 MiB: the host moves the low MMIO base down by
 * twice the excess and puts the framebuffer there.  The layout is derived
 * from that rule, not handed in, for a first kernel that knows the
 * framebuffer (screen_info) and a kdump kernel that does not (lfb_base 0):
 * in both the guard must cover all of it, and the first config window (no
 * high MMIO) must land right after it.
 */
static void test_fb_larger_than_64m(void **state)
{
	static const uint64_t sizes[] = { 68 * SZ_1M, 100 * SZ_1M, SZ_128M };
	unsigned int i, known;

	(void)state;
	/* the rule against the host's own examples */
	assert_int_equal(gen2_base_for_fb(68 * SZ_1M), 0xf7800000ULL);
	assert_int_equal(gen2_base_for_fb(SZ_128M), 0xf0000000ULL);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t fb = sizes[i], base = gen2_base_for_fb(fb);
		struct hvpci_span r[] = { { base, VTPM_HOLE - base } };

		for (known = 0; known < 2; known++) {
			init_ok(r, 1, HVPCI_BOOT_EFI, known ? base : 0,
				known ? fb : 0);
			assert_int_equal(map.nr_guard, 1);
			assert_int_equal(map.guard[0].start, base);
			assert_int_equal(map.guard[0].len, gen2_rule(base));
			assert_true(map.guard[0].len >= fb);
			assert_true(hvpci_mmio_in_guard(&map, base + fb - SZ_4K,
							SZ_4K));
			assert_int_equal(place_ok(HVPCI_MMIO_BAR32, SZ_4K,
						  SZ_4K), base + fb);
		}
	}
}

/*
 * Two low ranges: the guard follows the lowest base, whatever lies above
 * it, and placements skip into the second range.  The Gen1 framebuffer
 * rule applies to the second range when the boot was not through EFI.
 */
static void test_two_low_ranges(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xf0000000ULL, 0x4000000ULL },		/* 64 MiB */
		{ 0xf8000000ULL, VTPM_HOLE - 0xf8000000ULL },	/* to the hole */
	};
	u64 start;

	(void)state;
	init_ok(r, 2, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(map.nr_low, 2);
	/* base 0xf0000000: min(128 MiB, 128 MiB), over both ranges */
	assert_int_equal(map.nr_guard, 1);
	assert_int_equal(map.guard[0].start, 0xf0000000ULL);
	assert_int_equal(map.guard[0].len, gen2_rule(0xf0000000ULL));
	assert_int_equal(place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K),
			 VTPM_HOLE - CFG_LEN);
	/* the rest of the second range up to it, and not a page more */
	assert_int_equal(place_ok(HVPCI_MMIO_BAR32,
				  VTPM_HOLE - CFG_LEN - 0xf8000000ULL, SZ_4K),
			 0xf0000000ULL + gen2_rule(0xf0000000ULL));
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR32, SZ_4K, SZ_4K,
					  &start), -HVPCI_MMIO_ENOSPC);

	/* legacy boot: Gen1's framebuffer guarded too, inside range two */
	init_ok(r + 1, 1, HVPCI_BOOT_LEGACY, 0, 0);
	assert_true(hvpci_mmio_in_guard(&map, GEN1_FB + GEN1_FB_LEN - SZ_4K,
					SZ_4K));
	assert_false(hvpci_mmio_in_guard(&map, GEN1_FB + GEN1_FB_LEN, SZ_4K));
}

static void test_fb_from_screen_info_beyond_rule(void **state)
{
	(void)state;
	/* screen_info says 96 MiB at the base: more than the 64 MiB rule */
	init_ok(gen2_ranges, 1, HVPCI_BOOT_EFI, 0xf8000000ULL,
		96 * SZ_1M);
	assert_int_equal(map.nr_guard, 1);
	assert_int_equal(map.guard[0].len, 96 * SZ_1M);
	assert_int_equal(place_ok(HVPCI_MMIO_BAR32, SZ_4K, SZ_4K),
			 0xf8000000ULL + 96 * SZ_1M);
}

static void test_fb_not_at_base(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xc0000000ULL, 0x3ed40000ULL },
	};

	(void)state;
	init_ok(r, 1, HVPCI_BOOT_EFI, 0xd0000000ULL, 4 * SZ_1M);
	/* rule area at the base plus the rule from the fb's own base */
	assert_int_equal(map.nr_guard, 2);
	assert_int_equal(map.guard[1].start, 0xd0000000ULL);
	assert_int_equal(map.guard[1].len, gen2_rule(0xd0000000ULL));
	assert_true(hvpci_mmio_in_guard(&map, 0xd07ff000ULL, SZ_4K));
	assert_true(hvpci_mmio_in_guard(&map, 0xd7fff000ULL, SZ_4K));
	assert_false(hvpci_mmio_in_guard(&map, 0xd8000000ULL, SZ_4K));
}

/*
 * screen_info's lfb_size is the mode's (1024x768x4 = 3 MiB), not the
 * VRAM the host keeps: a framebuffer away from the low base is guarded
 * by the Gen2 rule from its own base, min((4 GiB - fb) / 2, 128 MiB), as
 * the kernel's fallback guards the base, never by max(size, 8 MiB) alone.
 */
static void test_fb_guard_is_the_rule_from_fb_base(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xe0000000ULL, VTPM_HOLE - 0xe0000000ULL },
	};
	/* base 0xe0000000: rule 128 MiB; fb at 0xf4000000: rule 96 MiB */
	uint64_t fb = 0xf4000000ULL;

	(void)state;
	init_ok(r, 1, HVPCI_BOOT_EFI, fb, 3 * SZ_1M);
	assert_int_equal(map.nr_guard, 2);
	assert_int_equal(map.guard[1].start, fb);
	assert_int_equal(map.guard[1].len, 96 * SZ_1M);
	assert_true(hvpci_mmio_in_guard(&map, fb + 96 * SZ_1M - SZ_4K, SZ_4K));
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR32,
					  fb + 64 * SZ_1M, SZ_4K),
			 -HVPCI_MMIO_EOVERLAP);
	/* a framebuffer above 4 GiB keeps its own size, at least 8 MiB */
	init_ok(r, 1, HVPCI_BOOT_EFI, 0x800000000ULL, 3 * SZ_1M);
	assert_int_equal(map.guard[1].len, VRAM_MIN);
	/* screen_info larger than the rule: all of it */
	init_ok(r, 1, HVPCI_BOOT_EFI, 0xfc000000ULL, 40 * SZ_1M);
	assert_int_equal(map.guard[1].len, 40 * SZ_1M);
}

/*
 * ACPI may describe a high range up to 0xffffffffffffffff; its length,
 * end - start + 1, reaches 2^64 and wraps.  That must not refuse the
 * map (and with it every probe): the range is used, less its last byte.
 */
static void test_range_to_top_of_address_space(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xf8000000ULL, VTPM_HOLE - 0xf8000000ULL },
		{ 0xfffffff000000000ULL, 0x1000000000ULL },	/* to 2^64 - 1 */
	};
	u64 start;

	(void)state;
	init_ok(r, 2, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(map.nr_high, 1);
	assert_int_equal(place_ok(HVPCI_MMIO_BAR64, SZ_1G, SZ_1G),
			 0xfffffff000000000ULL);
	/* the last page would end at 2^64: not representable, not handed out */
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR64,
					  0xffffffffffffe000ULL, SZ_4K), 0);
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR64,
					  0xfffffffffffff000ULL, SZ_4K),
			 -HVPCI_MMIO_EINVAL);
	/* all of the range but its last page fits, all of it does not */
	init_ok(r, 2, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR64,
					  0x1000000000ULL, SZ_4K, &start),
			 -HVPCI_MMIO_ENOSPC);
	assert_int_equal(place_ok(HVPCI_MMIO_BAR64, 0x1000000000ULL - SZ_4K,
				  SZ_4K), 0xfffffff000000000ULL);
}

/*
 * Touching ranges are one: a window may span the seam.  Two 256 MiB high
 * ranges back to back hold a 512 MiB window aligned to 512 MiB.
 */
static void test_touching_ranges_merged(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xfc000000ULL, VTPM_HOLE - 0xfc000000ULL },
		{ 0xf8000000ULL, 0x04000000ULL },	/* ends where the first starts */
		{ 0xff0000000ULL, 0x10000000ULL },
		{ 0xfe0000000ULL, 0x10000000ULL },	/* ends where the third starts */
	};

	(void)state;
	init_ok(r, 4, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(map.nr_low, 1);
	assert_int_equal(map.nr_high, 1);
	assert_int_equal(map.low[0].start, 0xf8000000ULL);
	assert_int_equal(map.low[0].len, VTPM_HOLE - 0xf8000000ULL);
	assert_int_equal(place_ok(HVPCI_MMIO_BAR64, 2 * 256 * SZ_1M,
				  2 * 256 * SZ_1M), 0xfe0000000ULL);
	/* low: a 32-bit window across the seam at 0xfc000000 */
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR32,
					  0xfc000000ULL - SZ_4K, SZ_8K),
			 -HVPCI_MMIO_EOVERLAP);	/* the guard's last page */
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR32,
					  0xfc000000ULL, 2 * SZ_1M), 0);
}

static void test_guard_already_held(void **state)
{
	static const struct hvpci_span held[] = {
		{ 0xf8000000ULL, SZ_64M },	/* newer hv_vmbus */
	};
	struct hvpci_mmio_input in = {
		.ranges = gen2_ranges, .nr_ranges = 1, .boot = HVPCI_BOOT_EFI,
		.busy = held, .nr_busy = 1,
	};
	struct hvpci_span todo[4];

	(void)state;
	assert_int_equal(hvpci_mmio_map_init(&map, &in), 0);
	assert_int_equal(hvpci_mmio_guard_todo(&map, todo, 4), 0);
	assert_int_equal(place_ok(HVPCI_MMIO_BAR32, SZ_4K, SZ_4K),
			 0xf8000000ULL + SZ_64M);
}

static void test_guard_partly_held(void **state)
{
	static const struct hvpci_span held[] = {
		{ 0xf8000000ULL, 8 * SZ_1M },		/* efifb, 8 MiB */
		{ 0xf9000000ULL, SZ_1M },
	};
	struct hvpci_mmio_input in = {
		.ranges = gen2_ranges, .nr_ranges = 1, .boot = HVPCI_BOOT_EFI,
		.busy = held, .nr_busy = 2,
	};
	struct hvpci_span todo[4];

	(void)state;
	assert_int_equal(hvpci_mmio_map_init(&map, &in), 0);
	assert_int_equal(hvpci_mmio_guard_todo(&map, todo, 4), 2);
	assert_int_equal(todo[0].start, 0xf8800000ULL);
	assert_int_equal(todo[0].len, 0xf9000000ULL - 0xf8800000ULL);
	assert_int_equal(todo[1].start, 0xf9100000ULL);
	assert_int_equal(todo[1].start + todo[1].len, 0xfc000000ULL);
	assert_int_equal(hvpci_mmio_guard_todo(&map, todo, 1),
			 -HVPCI_MMIO_ETOOMANY);
}

static void test_guard_todo_unheld(void **state)
{
	struct hvpci_span todo[4];

	(void)state;
	init_ok(gen2_ranges, 1, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(hvpci_mmio_guard_todo(&map, todo, 4), 1);
	assert_int_equal(todo[0].start, 0xf8000000ULL);
	assert_int_equal(todo[0].len, SZ_64M);
}

static void test_vtpm_hole_skipped(void **state)
{
	/* low range reaching 4 GiB: the top must never be used */
	static const struct hvpci_span r[] = {
		{ 0xf8000000ULL, 0x08000000ULL },
	};
	u64 start;

	(void)state;
	init_ok(r, 1, HVPCI_BOOT_EFI, 0, 0);
	/* fill everything between the guard and the hole */
	assert_int_equal(place_ok(HVPCI_MMIO_BAR32,
				  VTPM_HOLE - 0xfc000000ULL, SZ_4K),
			 0xfc000000ULL);
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR32, SZ_4K,
					  SZ_4K, &start),
			 -HVPCI_MMIO_ENOSPC);
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR32,
					  0xfee00000ULL, SZ_4K),
			 -HVPCI_MMIO_EOVERLAP);
}

static void test_vtpm_hole_boundaries(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xf8000000ULL, 0x08000000ULL },
	};

	(void)state;
	init_ok(r, 1, HVPCI_BOOT_EFI, 0, 0);
	/* last page below the hole is fine, first page of it is not */
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR32,
					  VTPM_HOLE - SZ_4K, SZ_4K), 0);
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR32,
					  VTPM_HOLE, SZ_4K),
			 -HVPCI_MMIO_EOVERLAP);
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR32,
					  VTPM_HOLE - SZ_4K, SZ_8K),
			 -HVPCI_MMIO_EOVERLAP);
}

static void test_range_boundaries(void **state)
{
	(void)state;
	init_ok(gen2_ranges, 2, HVPCI_BOOT_EFI, 0, 0);
	/* a window ending exactly at the end of the high range fits */
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR64,
					  0xffffff000ULL, SZ_4K), 0);
	/* one byte past the end does not */
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR64,
					  0xffffff000ULL, SZ_4K + 1),
			 -HVPCI_MMIO_EOUTSIDE);
	/* just below the start of the high range */
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR64,
					  0xfdffff000ULL, SZ_8K),
			 -HVPCI_MMIO_EOUTSIDE);
	/* the first byte after the guard is usable, the last in it not */
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR32,
					  0xfc000000ULL, SZ_4K), 0);
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR32,
					  0xfbfff000ULL, SZ_4K),
			 -HVPCI_MMIO_EOVERLAP);
}

static void test_exact_fit_at_range_end(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xf8000000ULL, 0x06d40000ULL },
		{ 0x100000000ULL, 0x100000ULL },	/* 1 MiB at 4 GiB */
	};
	u64 start;

	(void)state;
	init_ok(r, 2, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(place_ok(HVPCI_MMIO_BAR64, SZ_1M, SZ_1M), SZ_4G);
	/* the high range is full: 64-bit BARs fall back to low */
	assert_true(place_ok(HVPCI_MMIO_BAR64, SZ_1M, SZ_1M) < SZ_4G);
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR64, SZ_4G,
					  SZ_4K), -HVPCI_MMIO_EOVERLAP);
	(void)start;
}

static void test_alignment(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xf8000000ULL, 0x06d40000ULL },
		{ 0x100001000ULL, 0x40000000ULL },	/* unaligned start */
	};
	u64 start;

	(void)state;
	init_ok(r, 2, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(place_ok(HVPCI_MMIO_BAR64, 16 * SZ_1M, 16 * SZ_1M),
			 0x101000000ULL);
	/* a 4K-aligned window takes the gap left below the 16 MiB block */
	assert_int_equal(place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K),
			 0x100001000ULL);
	/* the next 16 MiB-aligned slot follows the first block */
	assert_int_equal(place_ok(HVPCI_MMIO_BAR64, 16 * SZ_1M, 16 * SZ_1M),
			 0x102000000ULL);
	/* alignment must be a power of two */
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR64, SZ_4K,
					  3 * SZ_4K, &start),
			 -HVPCI_MMIO_EINVAL);
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR64, SZ_4K, 0,
					  &start), -HVPCI_MMIO_EINVAL);
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR64, 0, SZ_4K,
					  &start), -HVPCI_MMIO_EINVAL);
}

static void test_huge_alignment_no_overflow(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xfffffff000000000ULL, 0xfff000000ULL },
	};
	u64 start;

	(void)state;
	init_ok(r, 1, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR64, SZ_4K,
					  1ULL << 63, &start),
			 -HVPCI_MMIO_ENOSPC);
	assert_int_equal(place_ok(HVPCI_MMIO_BAR64, SZ_4K, SZ_4K),
			 0xfffffff000000000ULL);
}

static void test_bar32_never_high(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xfe0000000ULL, 0x20000000ULL },	/* only high MMIO */
	};
	u64 start;

	(void)state;
	init_ok(r, 1, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(map.nr_guard, 0);
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR32, SZ_4K,
					  SZ_4K, &start),
			 -HVPCI_MMIO_ENOSPC);
	assert_int_equal(hvpci_mmio_check(&map, HVPCI_MMIO_BAR32,
					  0xfe0000000ULL, SZ_4K),
			 -HVPCI_MMIO_EOUTSIDE);
	assert_int_equal(place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K),
			 0xfe0000000ULL);
}

static void test_bar32_next_to_nvme(void **state)
{
	uint64_t cfg, nvme, bar32;

	(void)state;
	init_ok(gen2_ranges, 2, HVPCI_BOOT_EFI, 0, 0);
	cfg = place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K);
	nvme = place_ok(HVPCI_MMIO_BAR64, 16 * 1024, 16 * 1024);
	bar32 = place_ok(HVPCI_MMIO_BAR32, SZ_1M, SZ_1M);
	assert_true(cfg >= SZ_4G && nvme >= SZ_4G);
	assert_int_equal(bar32, 0xfc000000ULL);
}

static void test_exhaustion_clear_error(void **state)
{
	char msg[512];
	u64 start;
	int n;

	(void)state;
	init_ok(gen2_ranges, 1, HVPCI_BOOT_EFI, 0, 0);
	/* 0xfc000000..0xfed40000 is 45.25 MiB: 64 MiB cannot fit */
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR32,
					  SZ_64M, SZ_4K, &start),
			 -HVPCI_MMIO_ENOSPC);
	n = hvpci_mmio_describe_failure(&map, HVPCI_MMIO_BAR32, SZ_64M,
					msg, sizeof(msg));
	assert_true(n > 0 && (size_t)n < sizeof(msg));
	assert_non_null(strstr(msg, "0x4000000 bytes of 32-bit BAR space"));
	assert_non_null(strstr(msg, "[0xf8000000-0xfed3ffff]"));
	assert_non_null(strstr(msg, "fb guard [0xf8000000-0xfbffffff]"));
}

static void test_many_devices(void **state)
{
	unsigned int i, j;
	uint64_t s, cfg[40];

	(void)state;
	init_ok(gen2_ranges, 2, HVPCI_BOOT_EFI, 0, 0);
	/* 40 buses: config window + 64-bit and 32-bit BAR space each */
	for (i = 0; i < 40; i++) {
		s = place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K);
		for (j = 0; j < i; j++)
			assert_true(s != cfg[j]);
		cfg[i] = s;
		place_ok(HVPCI_MMIO_BAR64, SZ_1M, SZ_1M);
		place_ok(HVPCI_MMIO_BAR32, 64 * 1024, 64 * 1024);
	}
	assert_int_equal(map.nr_busy, 120);
}

/*
 * The table of taken spans is no cap on buses: 128 entries used to allow
 * 42 buses of three spans.  256 buses with a config window, 64-bit and
 * 32-bit BAR space each, then the table is still in order.
 */
static void test_busy_table_no_bus_limit(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xc0000000ULL, VTPM_HOLE - 0xc0000000ULL },
		{ 0x1000000000ULL, 0x1000000000ULL },
	};
	unsigned int i;

	(void)state;
	init_ok(r, 2, HVPCI_BOOT_EFI, 0, 0);
	for (i = 0; i < 256; i++) {
		place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K);
		place_ok(HVPCI_MMIO_BAR64, SZ_1M, SZ_1M);
		place_ok(HVPCI_MMIO_BAR32, 64 * 1024, 64 * 1024);
	}
	assert_int_equal(map.nr_busy, 3 * 256);
	for (i = 1; i < map.nr_busy; i++)
		assert_true(map.busy[i - 1].start + map.busy[i - 1].len <=
			    map.busy[i].start);
	/* a second init starts from an empty table */
	init_ok(r, 2, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(map.nr_busy, 0);
}

static void test_small_low_range(void **state)
{
	/* confidential-VM-like: 80 MiB of low MMIO and nothing high */
	static const struct hvpci_span r[] = {
		{ 0xfb000000ULL, 0x05000000ULL },
	};
	uint64_t cfg;
	u64 start;

	(void)state;
	init_ok(r, 1, HVPCI_BOOT_EFI, 0, 0);
	/* (4G - 0xfb000000) / 2 = 40 MiB guard */
	assert_int_equal(map.guard[0].len, 40 * SZ_1M);
	cfg = place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K);
	assert_int_equal(cfg, VTPM_HOLE - CFG_LEN);
	/* 0xfd800000..0xfed3e000 remains: about 21 MiB, not 32 */
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR64,
					  32 * SZ_1M, SZ_4K, &start),
			 -HVPCI_MMIO_ENOSPC);
	/* 16 MiB aligned to 16 MiB would cross into the vTPM hole */
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR64,
					  16 * SZ_1M, 16 * SZ_1M, &start),
			 -HVPCI_MMIO_ENOSPC);
	assert_int_equal(place_ok(HVPCI_MMIO_BAR64, 16 * SZ_1M, SZ_1M),
			 0xfd800000ULL);
}

static void test_release_reuses_space(void **state)
{
	uint64_t a, b;

	(void)state;
	init_ok(gen2_ranges, 2, HVPCI_BOOT_EFI, 0, 0);
	a = place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K);
	assert_int_equal(hvpci_mmio_release(&map, a, CFG_LEN), 0);
	b = place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K);
	assert_int_equal(a, b);
	assert_int_equal(hvpci_mmio_release(&map, a + 1, CFG_LEN),
			 -HVPCI_MMIO_EINVAL);
}

static void test_range_split_at_4g(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xf8000000ULL, 0x10000000ULL },	/* crosses 4 GiB */
	};

	(void)state;
	init_ok(r, 1, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(map.nr_low, 1);
	assert_int_equal(map.nr_high, 1);
	assert_int_equal(map.low[0].start + map.low[0].len, SZ_4G);
	assert_int_equal(map.high[0].start, SZ_4G);
	assert_int_equal(place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K),
			 SZ_4G);
}

static void test_bad_input(void **state)
{
	static const struct hvpci_span empty[] = { { 0xf8000000ULL, 0 } };
	static const struct hvpci_span wrap[] = {
		{ 0xfffffffffffff000ULL, 0x2000 },
	};
	static const struct hvpci_span overlap[] = {
		{ 0xf8000000ULL, 0x1000000 }, { 0xf8800000ULL, 0x1000000 },
	};
	struct hvpci_mmio_input in = { .boot = HVPCI_BOOT_EFI };

	(void)state;
	in.ranges = empty;
	in.nr_ranges = 1;
	assert_int_equal(hvpci_mmio_map_init(&map, &in), -HVPCI_MMIO_EINVAL);
	in.ranges = wrap;
	assert_int_equal(hvpci_mmio_map_init(&map, &in), -HVPCI_MMIO_EINVAL);
	in.ranges = overlap;
	in.nr_ranges = 2;
	assert_int_equal(hvpci_mmio_map_init(&map, &in), -HVPCI_MMIO_EINVAL);
	/* a failed init leaves nothing half-configured */
	assert_int_equal(map.nr_low + map.nr_high + map.nr_guard, 0);
	in.ranges = gen2_ranges;
	in.fb_start = 0xfffffffffff00000ULL;
	in.fb_len = SZ_128M;
	assert_int_equal(hvpci_mmio_map_init(&map, &in), -HVPCI_MMIO_EINVAL);
	in.fb_start = 0;
	in.boot = (enum hvpci_boot)7;
	assert_int_equal(hvpci_mmio_map_init(&map, &in), -HVPCI_MMIO_EINVAL);
	assert_string_equal(hvpci_mmio_strerror(-HVPCI_MMIO_ENOSPC),
			    "no free MMIO space that fits");
}

static void test_ranges_below_1m_ignored(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0xa0000ULL, 0x20000ULL },		/* legacy VGA */
		{ 0xf8000000ULL, 0x06d40000ULL },
	};

	(void)state;
	init_ok(r, 2, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(map.nr_low, 1);
	assert_int_equal(map.guard[0].start, 0xf8000000ULL);
}

static void test_no_ranges_at_all(void **state)
{
	char msg[256];
	u64 start;

	(void)state;
	init_ok(NULL, 0, HVPCI_BOOT_UNKNOWN, 0, 0);
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_CFG_WINDOW, CFG_LEN,
					  SZ_4K, &start),
			 -HVPCI_MMIO_ENOSPC);
	hvpci_mmio_describe_failure(&map, HVPCI_MMIO_CFG_WINDOW, CFG_LEN, msg,
				    sizeof(msg));
	assert_non_null(strstr(msg, "in high MMIO none or low MMIO none"));
}

static void test_describe_layout_and_truncation(void **state)
{
	char big[512], small[16];
	int n;

	(void)state;
	init_ok(gen2_ranges, 2, HVPCI_BOOT_EFI, 0, 0);
	n = hvpci_mmio_describe(&map, big, sizeof(big));
	assert_string_equal(big,
			    "low [0xf8000000-0xfed3ffff]; high [0xfe0000000-0xfffffffff]; fb guard [0xf8000000-0xfbffffff]; 0 taken");
	assert_int_equal(n, (int)strlen(big));
	assert_int_equal(hvpci_mmio_describe(&map, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/*
 * The case: Hyper-V's default 128 MiB low range, no high MMIO, a
 * device alone on its bus with one 32 MiB 32-bit BAR and a 4 KiB one:
 * 0x2001000 bytes of 32-bit BAR space aligned to 32 MiB.  Past the
 * 64 MiB guard, 0xfc000000 is the only 32 MiB-aligned start with room
 * below the vTPM hole; the config window, placed first, must leave it.
 */
static void test_32m_bar_alone_on_its_bus(void **state)
{
	uint64_t cfg, bar;

	(void)state;
	init_ok(gen2_ranges, 1, HVPCI_BOOT_EFI, 0, 0);
	cfg = place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K);
	bar = place_ok(HVPCI_MMIO_BAR32, 0x2001000ULL, 0x2000000ULL);
	assert_int_equal(bar, 0xfc000000ULL);
	assert_true(cfg >= bar + 0x2001000ULL);
}

/*
 * BAR space of one bus, 32-bit and 64-bit, with no high MMIO: first fit
 * in the order the bus asks (32-bit first) puts a 4 KiB window on the
 * only 32 MiB-aligned start; the set places the larger alignment first.
 */
static void test_set_largest_alignment_first(void **state)
{
	struct hvpci_mmio_req req[] = {
		{ HVPCI_MMIO_BAR32, SZ_4K, SZ_4K, 0 },
		{ HVPCI_MMIO_BAR64, 0x2001000ULL, 0x2000000ULL, 0 },
	};
	struct hvpci_mmio_req bus[] = {
		{ HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K, 0 },
		{ HVPCI_MMIO_BAR32, 0x2001000ULL, 0x2000000ULL, 0 },
	};
	u64 start;

	(void)state;
	/* the bus, config window and BAR space together */
	init_ok(gen2_ranges, 1, HVPCI_BOOT_EFI, 0, 0);
	assert_int_equal(hvpci_mmio_place_set(&map, bus, 2), 0);
	assert_int_equal(bus[1].start, 0xfc000000ULL);
	assert_int_equal(bus[0].start, 0xfe001000ULL);

	place_ok(HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K);
	assert_int_equal(hvpci_mmio_place_set(&map, req, 2), 0);
	assert_int_equal(req[1].start, 0xfc000000ULL);
	assert_int_equal(req[0].start, 0xfe001000ULL);
	/* one at a time in the bus's order does not fit */
	place_ok(HVPCI_MMIO_BAR32, SZ_4K, SZ_4K);
	assert_int_equal(hvpci_mmio_place(&map, HVPCI_MMIO_BAR64, 0x2001000ULL,
					  0x2000000ULL, &start),
			 -HVPCI_MMIO_ENOSPC);
	/* both orders fit in high MMIO: the larger alignment comes first */
	init_ok(gen2_ranges, 2, HVPCI_BOOT_EFI, 0, 0);
	req[0] = (struct hvpci_mmio_req){ HVPCI_MMIO_BAR64, SZ_4K, SZ_4K, 0 };
	req[1] = (struct hvpci_mmio_req){ HVPCI_MMIO_BAR64, SZ_1M, SZ_1M, 0 };
	assert_int_equal(hvpci_mmio_place_set(&map, req, 2), 0);
	assert_int_equal(req[1].start, 0xfe0000000ULL);
	assert_int_equal(req[0].start, 0xfe0000000ULL + SZ_1M);
	/* bad sets */
	assert_int_equal(hvpci_mmio_place_set(&map, req, 0), -HVPCI_MMIO_EINVAL);
	assert_int_equal(hvpci_mmio_place_set(&map, req, HVPCI_MAX_SET + 1),
			 -HVPCI_MMIO_EINVAL);
	req[0].align = 3 * SZ_4K;
	assert_int_equal(hvpci_mmio_place_set(&map, req, 2), -HVPCI_MMIO_EINVAL);
}

/*
 * The small-space oracle.  A low range (past a guarded one) and a high
 * range of PAGES pages each, every pattern of taken pages over both, and
 * every set of two or three windows, 32-bit or 64-bit, of one to four
 * pages aligned as the bus aligns them (the largest power of two not
 * above the size).  Brute force over every start says whether a layout
 * exists; the set must then find one, and a valid one.
 */
#define PAGES		5
#define ORACLE_LOW	0xc0000000ULL
#define ORACLE_HIGH	0x1000003000ULL		/* 4 KiB-aligned only */

static uint64_t page_align(uint64_t pages)
{
	uint64_t a = 1;

	while (2 * a <= pages)
		a *= 2;
	return a * SZ_4K;
}

static bool oracle_free(unsigned int taken, uint64_t s, uint64_t len)
{
	uint64_t base = s >= SZ_4G ? ORACLE_HIGH : ORACLE_LOW;
	unsigned int shift = s >= SZ_4G ? PAGES : 0, i;

	if (s < base || s + len > base + PAGES * SZ_4K)
		return false;
	for (i = (s - base) / SZ_4K; i < (s + len - base) / SZ_4K; i++)
		if (taken & (1U << (i + shift)))
			return false;
	return true;
}

static bool oracle_layout(unsigned int taken, const struct hvpci_mmio_req *req,
			  unsigned int n, unsigned int i, uint64_t *at)
{
	static const uint64_t bases[] = { ORACLE_LOW, ORACLE_HIGH };
	unsigned int b, j;
	uint64_t s;

	if (i == n)
		return true;
	for (b = 0; b < 2; b++) {
		if (bases[b] >= SZ_4G && req[i].kind == HVPCI_MMIO_BAR32)
			continue;
		for (s = bases[b]; s < bases[b] + PAGES * SZ_4K; s += SZ_4K) {
			if (s % req[i].align || !oracle_free(taken, s, req[i].len))
				continue;
			for (j = 0; j < i; j++)
				if (s < at[j] + req[j].len && at[j] < s + req[i].len)
					break;
			if (j < i)
				continue;
			at[i] = s;
			if (oracle_layout(taken, req, n, i + 1, at))
				return true;
		}
	}
	return false;
}

static void test_set_finds_every_layout(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0x80000000ULL, SZ_1M },	/* the guard's range */
		{ ORACLE_LOW, PAGES * SZ_4K },
		{ ORACLE_HIGH, PAGES * SZ_4K },
	};
	struct hvpci_span busy[2 * PAGES];
	struct hvpci_mmio_req req[3];
	unsigned int taken, n, code, codes, i, j, found = 0, none = 0;
	uint64_t at[3];

	(void)state;
	for (taken = 0; taken < 1U << (2 * PAGES); taken++) {
		struct hvpci_mmio_input in = {
			.ranges = r, .nr_ranges = 3, .boot = HVPCI_BOOT_EFI,
			.busy = busy,
		};

		for (i = 0; i < 2 * PAGES; i++)
			if (taken & (1U << i)) {
				busy[in.nr_busy].start = (i < PAGES ? ORACLE_LOW :
					ORACLE_HIGH - PAGES * SZ_4K) + i * SZ_4K;
				busy[in.nr_busy++].len = SZ_4K;
			}
		assert_int_equal(hvpci_mmio_map_init(&map, &in), 0);
		for (n = 2; n <= 3; n++) {
			/* each window: 32 or 64-bit, 1 to 4 pages */
			codes = n == 2 ? 64 : 512;
			for (code = 0; code < codes; code++) {
				bool exists;
				int ret;

				for (i = 0; i < n; i++) {
					unsigned int c = (code >> (3 * i)) & 7;

					req[i].kind = c & 1 ? HVPCI_MMIO_BAR64 :
							      HVPCI_MMIO_BAR32;
					req[i].len = (c / 2 + 1) * SZ_4K;
					req[i].align = page_align(c / 2 + 1);
				}
				exists = oracle_layout(taken, req, n, 0, at);
				ret = hvpci_mmio_place_set(&map, req, n);
				if (exists != !ret)
					fail_msg("taken %#x, %u windows, code %#x: oracle %s, set says %d",
						 taken, n, code,
						 exists ? "finds a layout" : "finds none",
						 ret);
				if (ret) {
					none++;
					continue;
				}
				found++;
				for (i = 0; i < n; i++) {
					assert_int_equal(hvpci_mmio_check(&map,
						req[i].kind, req[i].start,
						req[i].len), 0);
					assert_int_equal(req[i].start % req[i].align, 0);
					for (j = 0; j < i; j++)
						assert_false(req[i].start < req[j].start + req[j].len &&
							     req[j].start < req[i].start + req[i].len);
				}
			}
		}
	}
	/* both answers occur often, or the oracle proves little */
	assert_true(found > 10000 && none > 10000);
}

/*
 * Why the set matters: a config window placed before the BAR sizes are
 * known cannot be right for every later request.  In a free gap of nine
 * pages, wherever it goes, some pair of BAR windows fits the gap together
 * with a config window elsewhere but not with it there.
 */
static void test_cfg_first_cannot_find_every_layout(void **state)
{
	static const struct hvpci_span r[] = {
		{ 0x1000000000ULL, 9 * SZ_4K },
	};
	struct hvpci_mmio_req all[3], bars[2];
	unsigned int c, l1, l2;
	bool beaten;

	(void)state;
	for (c = 0; c + 2 <= 9; c++) {
		beaten = false;
		for (l1 = 1; l1 <= 9 && !beaten; l1++)
			for (l2 = 1; l2 <= 9 && !beaten; l2++) {
				init_ok(r, 1, HVPCI_BOOT_EFI, 0, 0);
				all[0] = (struct hvpci_mmio_req){
					HVPCI_MMIO_CFG_WINDOW, CFG_LEN, SZ_4K, 0 };
				all[1] = (struct hvpci_mmio_req){
					HVPCI_MMIO_BAR64, l1 * SZ_4K,
					page_align(l1), 0 };
				all[2] = (struct hvpci_mmio_req){
					HVPCI_MMIO_BAR64, l2 * SZ_4K,
					page_align(l2), 0 };
				if (hvpci_mmio_place_set(&map, all, 3))
					continue;
				bars[0] = all[1];
				bars[1] = all[2];
				assert_int_equal(hvpci_mmio_claim(&map,
					0x1000000000ULL + c * SZ_4K, CFG_LEN), 0);
				beaten = hvpci_mmio_place_set(&map, bars, 2) != 0;
			}
		assert_true(beaten);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen2_guard_from_low_base),
		cmocka_unit_test(test_guard_capped_at_128m),
		cmocka_unit_test(test_cfg_window_goes_high),
		cmocka_unit_test(test_cfg_window_low_when_no_high),
		cmocka_unit_test(test_cfg_window_low_when_high_full),
		cmocka_unit_test(test_kdump_without_screen_info),
		cmocka_unit_test(test_kdump_without_efi_guards_both_rules),
		cmocka_unit_test(test_gen1_fixed_fb),
		cmocka_unit_test(test_fb_larger_than_64m),
		cmocka_unit_test(test_two_low_ranges),
		cmocka_unit_test(test_fb_from_screen_info_beyond_rule),
		cmocka_unit_test(test_fb_not_at_base),
		cmocka_unit_test(test_fb_guard_is_the_rule_from_fb_base),
		cmocka_unit_test(test_range_to_top_of_address_space),
		cmocka_unit_test(test_touching_ranges_merged),
		cmocka_unit_test(test_guard_already_held),
		cmocka_unit_test(test_guard_partly_held),
		cmocka_unit_test(test_guard_todo_unheld),
		cmocka_unit_test(test_vtpm_hole_skipped),
		cmocka_unit_test(test_vtpm_hole_boundaries),
		cmocka_unit_test(test_range_boundaries),
		cmocka_unit_test(test_exact_fit_at_range_end),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_huge_alignment_no_overflow),
		cmocka_unit_test(test_bar32_never_high),
		cmocka_unit_test(test_bar32_next_to_nvme),
		cmocka_unit_test(test_exhaustion_clear_error),
		cmocka_unit_test(test_many_devices),
		cmocka_unit_test(test_busy_table_no_bus_limit),
		cmocka_unit_test(test_small_low_range),
		cmocka_unit_test(test_release_reuses_space),
		cmocka_unit_test(test_range_split_at_4g),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_ranges_below_1m_ignored),
		cmocka_unit_test(test_no_ranges_at_all),
		cmocka_unit_test(test_describe_layout_and_truncation),
		cmocka_unit_test(test_32m_bar_alone_on_its_bus),
		cmocka_unit_test(test_set_largest_alignment_first),
		cmocka_unit_test(test_set_finds_every_layout),
		cmocka_unit_test(test_cfg_first_cannot_find_every_layout),
	};

	return cmocka_run_group_tests_name("mmio_policy", tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvpci MMIO policy: where config windows and BARs may go.
 *
 * Plain C without kernel calls.  The module feeds it the MMIO ranges of
 * the VMBus ACPI device, the framebuffer it knows of and what is already
 * taken; the policy answers with the area to keep free for the host's
 * framebuffer (the guard) and with placements that stay out of the guard
 * and out of the vTPM hole.  The same file is compiled into the unit
 * tests, the fuzzer and the benchmark.
 *
 * All spans are half-open: [start, start + len).
 */
#ifndef HVPCI_MMIO_POLICY_H
#define HVPCI_MMIO_POLICY_H

#include "hvpci_compat.h"

#define HVPCI_SZ_1M		0x100000ULL
#define HVPCI_SZ_8M		0x800000ULL
#define HVPCI_SZ_64M		0x4000000ULL
#define HVPCI_SZ_128M		0x8000000ULL
#define HVPCI_SZ_4G		0x100000000ULL

/* Hyper-V facts the policy is built on. */
#define HVPCI_VTPM_START	0xfed40000ULL	/* [this, 4 GiB) is unusable */
#define HVPCI_FB_MAX		HVPCI_SZ_128M	/* largest host framebuffer */
#define HVPCI_FB_MIN		HVPCI_SZ_8M	/* VRAM is never smaller */
#define HVPCI_GEN1_FB_START	(HVPCI_SZ_4G - HVPCI_SZ_128M)
#define HVPCI_GEN1_FB_LEN	HVPCI_SZ_64M

#define HVPCI_MAX_RANGES	8
#define HVPCI_MAX_GUARDS	4
#define HVPCI_BUSY_FIRST	16	/* first size of the taken-span table */

struct hvpci_span {
	u64 start;
	u64 len;
};

/* How the guest booted; decides which host framebuffer rules apply. */
enum hvpci_boot {
	HVPCI_BOOT_UNKNOWN = 0,
	HVPCI_BOOT_EFI,		/* Gen2 VM */
	HVPCI_BOOT_LEGACY,	/* Gen1 VM, or a kdump kernel started without EFI */
};

enum hvpci_mmio_kind {
	HVPCI_MMIO_CFG_WINDOW = 0,	/* high first, then low outside guard */
	HVPCI_MMIO_BAR64,		/* high first, then low outside guard */
	HVPCI_MMIO_BAR32,		/* low only, outside guard */
	HVPCI_MMIO_KIND_COUNT,
};

enum hvpci_mmio_err {
	HVPCI_MMIO_OK = 0,
	HVPCI_MMIO_EINVAL,	/* malformed input */
	HVPCI_MMIO_ENOSPC,	/* nothing fits */
	HVPCI_MMIO_ETOOMANY,	/* a table is full or cannot grow */
	HVPCI_MMIO_EOVERLAP,	/* placement hits guard, hole or a busy span */
	HVPCI_MMIO_EOUTSIDE,	/* placement is not inside an allowed range */
};

struct hvpci_mmio_input {
	const struct hvpci_span *ranges;	/* VMBus _CRS memory ranges */
	unsigned int nr_ranges;
	const struct hvpci_span *busy;		/* already taken by others */
	unsigned int nr_busy;
	u64 fb_start;				/* screen_info, 0 if unknown */
	u64 fb_len;
	enum hvpci_boot boot;
};

struct hvpci_mmio_map {
	struct hvpci_span low[HVPCI_MAX_RANGES];	/* below 4 GiB */
	struct hvpci_span high[HVPCI_MAX_RANGES];	/* at or above 4 GiB */
	struct hvpci_span guard[HVPCI_MAX_GUARDS];
	struct hvpci_span *busy;	/* sorted by start; grows as needed */
	unsigned int nr_low;
	unsigned int nr_high;
	unsigned int nr_guard;
	unsigned int nr_busy;
	unsigned int max_busy;
};

/*
 * Memory for the table of taken spans, which grows with the number of
 * buses.  Defined by the code the policy is built into: kmalloc() and
 * kfree() in the module, malloc() and free() in user space.
 */
void *hvpci_mmio_alloc(size_t size);
void hvpci_mmio_free(void *p);

/*
 * @map must be zeroed or initialized before: an initialized map's table
 * is freed first.  Adjacent ranges are merged; a range may end at the
 * top of the address space, whose last byte is never handed out.
 */
int hvpci_mmio_map_init(struct hvpci_mmio_map *map,
			const struct hvpci_mmio_input *in);
void hvpci_mmio_map_free(struct hvpci_mmio_map *map);

/*
 * Parts of the guard that nothing in the busy list covers yet: what the
 * caller still has to claim.  Returns the number of spans written, or
 * -HVPCI_MMIO_ETOOMANY when @max is too small.
 */
int hvpci_mmio_guard_todo(const struct hvpci_mmio_map *map,
			  struct hvpci_span *out, unsigned int max);

/*
 * A place for @len bytes aligned to @align (a power of two) following
 * the rules of @kind.  BAR space: first fit.  A config window, placed
 * before the BAR sizes are known: the end of a free gap that cuts the
 * smallest aligned block (the lower on a tie), so that large aligned
 * windows keep their room.
 * Does not record the placement.
 */
int hvpci_mmio_place(const struct hvpci_mmio_map *map,
		     enum hvpci_mmio_kind kind, u64 len, u64 align,
		     u64 *start);

#define HVPCI_MAX_SET		4

struct hvpci_mmio_req {
	enum hvpci_mmio_kind kind;
	u64 len;
	u64 align;
	u64 start;		/* out */
};

/*
 * Places up to HVPCI_MAX_SET windows together: whenever some layout of
 * all of them fits, one is found (largest alignment first, then every
 * other order, each by first fit).  Does not record the placements.
 */
int hvpci_mmio_place_set(const struct hvpci_mmio_map *map,
			 struct hvpci_mmio_req *req, unsigned int n);

/* Would [start, start + len) be an acceptable placement for @kind? */
int hvpci_mmio_check(const struct hvpci_mmio_map *map,
		     enum hvpci_mmio_kind kind, u64 start, u64 len);

/* Record or forget a taken span. */
int hvpci_mmio_claim(struct hvpci_mmio_map *map, u64 start, u64 len);
int hvpci_mmio_release(struct hvpci_mmio_map *map, u64 start, u64 len);

/* True when [start, start + len) overlaps the guard. */
bool hvpci_mmio_in_guard(const struct hvpci_mmio_map *map, u64 start, u64 len);

const char *hvpci_mmio_strerror(int err);
const char *hvpci_mmio_kind_name(enum hvpci_mmio_kind kind);

/*
 * Human-readable text.  Both return the length snprintf() would have
 * produced, like snprintf().
 */
int hvpci_mmio_describe(const struct hvpci_mmio_map *map, char *buf,
			size_t size);
int hvpci_mmio_describe_failure(const struct hvpci_mmio_map *map,
				enum hvpci_mmio_kind kind, u64 len,
				char *buf, size_t size);

#endif /* HVPCI_MMIO_POLICY_H */

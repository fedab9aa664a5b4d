/*
 * Hyper-V MMIO layout presets and the host's range checks for vPCI
 *
 * Plain C with no QEMU device dependencies, so that the same rules can be
 * used by the VMBus bridge (to describe its MMIO ranges) and by the vPCI
 * device (to accept or refuse what the guest asks for).
 *
 * Host facts (measured by Hyper-V's maintainers, April 2026):
 *  - Gen2: the low MMIO range starts at 4 GiB - 128 MiB and the framebuffer
 *    sits at its base; a framebuffer over 64 MiB moves the base down by
 *    twice the framebuffer size.
 *  - Gen1: the framebuffer is fixed at 4 GiB - 128 MiB, 64 MiB long.
 *  - [0xfed40000, 4 GiB) is unusable (vTPM and friends).
 *  - The largest framebuffer is 128 MiB.
 *  - Azure gives a low MMIO range of 1 GiB to 3 GiB.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_HYPERV_VPCI_LAYOUT_H
#define HW_HYPERV_VPCI_LAYOUT_H

#define HV_LAYOUT_4G                (1ULL << 32)
#define HV_LAYOUT_MIB               (1ULL << 20)
#define HV_LAYOUT_GEN2_LOW_BASE     (HV_LAYOUT_4G - 128 * HV_LAYOUT_MIB)
#define HV_LAYOUT_GEN1_FB_BASE      (HV_LAYOUT_4G - 128 * HV_LAYOUT_MIB)
#define HV_LAYOUT_GEN1_FB_SIZE      (64 * HV_LAYOUT_MIB)
#define HV_LAYOUT_FB_MAX            (128 * HV_LAYOUT_MIB)
#define HV_LAYOUT_FB_DEFAULT        (8 * HV_LAYOUT_MIB)
#define HV_LAYOUT_UNUSABLE_BASE     0xfed40000ULL
#define HV_LAYOUT_AZURE_LOW_BASE    (1ULL << 30)
#define HV_LAYOUT_AZURE_LOW_END     (3ULL << 30)

typedef enum HvLayoutPreset {
    HV_LAYOUT_GEN2,
    HV_LAYOUT_GEN1,
    HV_LAYOUT_AZURE,
    HV_LAYOUT_NONE,         /* no framebuffer, ranges only */
} HvLayoutPreset;

typedef struct HvVpciLayout {
    /* MMIO ranges the VMBus device describes; size 0 means absent */
    uint64_t low_base, low_size;
    uint64_t high_base, high_size;
    /* range the host considers in use by the framebuffer/VRAM */
    uint64_t fb_base, fb_size;
} HvVpciLayout;

typedef enum HvRangeVerdict {
    HV_RANGE_OK,
    HV_RANGE_EMPTY,             /* zero length or wraps around */
    HV_RANGE_OUTSIDE_MMIO,      /* not inside one VMBus MMIO range */
    HV_RANGE_UNUSABLE,          /* touches [0xfed40000, 4 GiB) */
    HV_RANGE_FRAMEBUFFER,       /* overlaps the in-use framebuffer range */
    HV_RANGE_BUSY,              /* overlaps another device's live range */
} HvRangeVerdict;

/* Parse "gen2", "gen1", "azure", "none"; returns -1 if unknown */
int hv_layout_preset_parse(const char *name);

/*
 * Fill @l with the preset's ranges for a framebuffer of @fb_size bytes
 * (0: the preset's default).  Returns false if @fb_size is not possible.
 */
bool hv_layout_preset(HvLayoutPreset preset, uint64_t fb_size,
                      HvVpciLayout *l);

/* Low MMIO base Hyper-V uses on Gen2 for a given framebuffer size */
uint64_t hv_layout_gen2_low_base(uint64_t fb_size);

/* Check [base, base + size) against the host's rules */
HvRangeVerdict hv_layout_check(const HvVpciLayout *l, uint64_t base,
                               uint64_t size);

const char *hv_range_verdict_str(HvRangeVerdict v);

#endif

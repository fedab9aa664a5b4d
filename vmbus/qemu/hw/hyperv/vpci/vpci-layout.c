/*
 * Hyper-V MMIO layout presets and the host's range checks for vPCI
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "hw/hyperv/vpci-layout.h"

static bool ranges_overlap64(uint64_t a, uint64_t alen,
                             uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

static bool range_inside(uint64_t base, uint64_t size,
                         uint64_t rbase, uint64_t rsize)
{
    return rsize && base >= rbase && base + size <= rbase + rsize;
}

int hv_layout_preset_parse(const char *name)
{
    static const char *const names[] = {
        [HV_LAYOUT_GEN2] = "gen2",
        [HV_LAYOUT_GEN1] = "gen1",
        [HV_LAYOUT_AZURE] = "azure",
        [HV_LAYOUT_NONE] = "none",
    };
    int i;

    for (i = 0; i < ARRAY_SIZE(names); i++) {
        if (name && !strcmp(name, names[i])) {
            return i;
        }
    }
    return -1;
}

uint64_t hv_layout_gen2_low_base(uint64_t fb_size)
{
    /* Up to 64 MiB the framebuffer fits in the default 128 MiB window */
    if (fb_size <= 64 * HV_LAYOUT_MIB) {
        return HV_LAYOUT_GEN2_LOW_BASE;
    }
    return HV_LAYOUT_GEN2_LOW_BASE - 2 * fb_size;
}

bool hv_layout_preset(HvLayoutPreset preset, uint64_t fb_size,
                      HvVpciLayout *l)
{
    memset(l, 0, sizeof(*l));

    if (fb_size > HV_LAYOUT_FB_MAX) {
        return false;
    }

    switch (preset) {
    case HV_LAYOUT_GEN2:
        fb_size = fb_size ? fb_size : HV_LAYOUT_FB_DEFAULT;
        l->low_base = hv_layout_gen2_low_base(fb_size);
        l->fb_base = l->low_base;
        l->fb_size = fb_size;
        break;
    case HV_LAYOUT_GEN1:
        if (fb_size && fb_size != HV_LAYOUT_GEN1_FB_SIZE) {
            return false;
        }
        l->low_base = HV_LAYOUT_GEN1_FB_BASE;
        l->fb_base = HV_LAYOUT_GEN1_FB_BASE;
        l->fb_size = HV_LAYOUT_GEN1_FB_SIZE;
        break;
    case HV_LAYOUT_AZURE:
        fb_size = fb_size ? fb_size : HV_LAYOUT_FB_DEFAULT;
        l->low_base = HV_LAYOUT_AZURE_LOW_BASE;
        l->low_size = HV_LAYOUT_AZURE_LOW_END - HV_LAYOUT_AZURE_LOW_BASE;
        l->fb_base = l->low_base;
        l->fb_size = fb_size;
        return true;
    case HV_LAYOUT_NONE:
        l->low_base = HV_LAYOUT_GEN2_LOW_BASE;
        break;
    default:
        return false;
    }
    l->low_size = HV_LAYOUT_UNUSABLE_BASE - l->low_base;
    return true;
}

HvRangeVerdict hv_layout_check(const HvVpciLayout *l, uint64_t base,
                               uint64_t size)
{
    if (!size || base + size < base) {
        return HV_RANGE_EMPTY;
    }
    if (ranges_overlap64(base, size, HV_LAYOUT_UNUSABLE_BASE,
                         HV_LAYOUT_4G - HV_LAYOUT_UNUSABLE_BASE)) {
        return HV_RANGE_UNUSABLE;
    }
    if (!range_inside(base, size, l->low_base, l->low_size) &&
        !range_inside(base, size, l->high_base, l->high_size)) {
        return HV_RANGE_OUTSIDE_MMIO;
    }
    if (ranges_overlap64(base, size, l->fb_base, l->fb_size)) {
        return HV_RANGE_FRAMEBUFFER;
    }
    return HV_RANGE_OK;
}

const char *hv_range_verdict_str(HvRangeVerdict v)
{
    switch (v) {
    case HV_RANGE_OK:
        return "ok";
    case HV_RANGE_EMPTY:
        return "empty or wrapping range";
    case HV_RANGE_OUTSIDE_MMIO:
        return "outside the VMBus MMIO ranges";
    case HV_RANGE_UNUSABLE:
        return "inside the unusable range [0xfed40000, 4 GiB)";
    case HV_RANGE_FRAMEBUFFER:
        return "overlaps the range in use by the framebuffer/VRAM";
    case HV_RANGE_BUSY:
        return "overlaps a range another vPCI device is using";
    }
    return "?";
}

/*
 * The range the Hyper-V stand-in considers in use by the guest's framebuffer
 *
 * The vPCI device refuses config windows and BARs that overlap this range
 * (status c0370048).  It keeps its copy in its layout; until it asks us,
 * we write our range into every vPCI bus whenever it changes.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qom/object.h"
#include "hw/hyperv/vpci.h"
#include "hv-video.h"
#include "trace.h"

static struct {
    bool gen1;                  /* a Gen1 PCI video device exists */
    uint64_t bar_base, bar_size;
    uint64_t gen2_base, gen2_size;
} in_use = {
    .bar_base = HV_VIDEO_UNMAPPED,
    .gen2_base = HV_VIDEO_UNMAPPED,
};

bool hv_video_in_use(uint64_t *base, uint64_t *size)
{
    if (in_use.gen1) {
        *base = in_use.bar_base;
        *size = in_use.bar_size;
    } else {
        *base = in_use.gen2_base;
        *size = in_use.gen2_size;
    }
    if (*base == HV_VIDEO_UNMAPPED) {
        *size = 0;
    }
    return *size != 0;
}

static int push_one(Object *obj, void *opaque)
{
    HvVpci *v = (HvVpci *)object_dynamic_cast(obj, TYPE_HV_VPCI);
    int *count = opaque;
    uint64_t base, size;

    if (!v) {
        return 0;
    }
    if (!hv_video_in_use(&base, &size)) {
        base = 0;
    }
    /*
     * fb_base is the bus's explicit-base property: setting it keeps the
     * bus from putting the range back at the low MMIO base when it
     * refreshes its layout.
     */
    v->fb_base = base;
    v->fb_size = size;
    v->layout.fb_base = base;
    v->layout.fb_size = size;
    (*count)++;
    return 0;
}

static void push_to_vpci(const char *source)
{
    uint64_t base, size;
    int count = 0;

    object_child_foreach_recursive(object_get_root(), push_one, &count);
    hv_video_in_use(&base, &size);
    trace_hv_video_in_use(source, base, size, count);
}

void hv_video_note_gen1_bar(uint64_t base, uint64_t size)
{
    in_use.gen1 = true;
    in_use.bar_base = base;
    in_use.bar_size = size;
    push_to_vpci("gen1 BAR0");
}

void hv_video_note_gen2(uint64_t base, uint64_t size)
{
    in_use.gen2_base = base;
    in_use.gen2_size = size;
    if (!in_use.gen1) {
        push_to_vpci("gen2 framebuffer");
    }
}

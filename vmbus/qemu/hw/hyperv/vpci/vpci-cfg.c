/*
 * Hyper-V virtual PCI bus: config window and BAR placement policy
 *
 * The guest announces an 8 KiB window in D0 entry.  The first page holds
 * the slot register, the second page is the config space of the function
 * the slot register selects, backed by QEMU's PCI core so that BAR writes
 * and the command register map BARs where the guest put them.
 *
 * BAR placement follows the host's rules: a BAR must lie in the VMBus MMIO
 * ranges, off the framebuffer's in-use range, and must not land on another
 * live device's range.  A BAR that breaks a rule keeps the value the guest
 * wrote (so the guest never loops re-writing it) but is not decoded until
 * the conflict is gone; the device that owned the range keeps it intact.
 *
 * Config accesses arrive from vCPU threads under the BQL, like the channel
 * work in the main loop, so they never interleave half-way.  Nothing here
 * waits for anything, so a pause request can always complete.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/range.h"
#include "exec/address-spaces.h"
#include "hw/pci/pci_host.h"
#include "vpci-internal.h"
#include "trace.h"

typedef struct VpciSpan {
    uint64_t base, size;
    const void *owner;
} VpciSpan;

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

static bool vpci_touches_rom(hwaddr off, unsigned size)
{
    return ranges_overlap(off, size, PCI_ROM_ADDRESS, 4);
}

static uint64_t vpci_cfg_read(void *opaque, hwaddr addr, unsigned size)
{
    HvVpci *v = opaque;
    HvVpciFunc *f;
    hwaddr off;
    uint64_t val;

    v->cfg_accesses++;
    if (addr < VPCI_CFG_SPACE_OFFSET) {
        val = addr < 4 ? (v->cfg_slot >> (addr * 8)) & size_mask(size) : 0;
        trace_vpci_cfg_slot_read(v->bus_index, addr, size, val);
        return val;
    }

    off = addr - VPCI_CFG_SPACE_OFFSET;
    f = vpci_func_by_wslot(v, v->cfg_slot);
    if (!f) {
        /* nothing at this slot: reads float high, as on a real bus */
        val = size_mask(size);
    } else if (vpci_touches_rom(off, size)) {
        /* vPCI exposes no option ROMs */
        val = 0;
    } else {
        val = pci_host_config_read_common(f->pdev, off,
                                          pci_config_size(f->pdev), size);
    }
    trace_vpci_cfg_read(v->bus_index, v->cfg_slot, off, size, val);
    return val;
}

static void vpci_cfg_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    HvVpci *v = opaque;
    HvVpciFunc *f;
    hwaddr off;

    v->cfg_accesses++;
    if (addr < VPCI_CFG_SPACE_OFFSET) {
        if (addr < 4) {
            unsigned len = MIN(size, 4 - addr);

            v->cfg_slot = deposit32(v->cfg_slot, addr * 8, len * 8, val);
        }
        trace_vpci_cfg_slot_write(v->bus_index, addr, size, val);
        return;
    }

    off = addr - VPCI_CFG_SPACE_OFFSET;
    f = vpci_func_by_wslot(v, v->cfg_slot);
    trace_vpci_cfg_write(v->bus_index, v->cfg_slot, off, size, val);
    if (!f || vpci_touches_rom(off, size)) {
        return;
    }
    /*
     * The PCI core maps a moved BAR at once; our policy may then refuse it.
     * One memory transaction for both, so no vCPU ever sees the BAR over
     * a range the policy keeps for another device.
     */
    memory_region_transaction_begin();
    pci_host_config_write_common(f->pdev, off, pci_config_size(f->pdev),
                                 val, size);
    if (ranges_overlap(off, size, PCI_COMMAND, 2) ||
        ranges_overlap(off, size, PCI_BASE_ADDRESS_0,
                       PCI_BASE_ADDRESS_5 + 4 - PCI_BASE_ADDRESS_0)) {
        vpci_bars_update(v);
    }
    memory_region_transaction_commit();
}

const MemoryRegionOps vpci_cfg_window_ops = {
    .read = vpci_cfg_read,
    .write = vpci_cfg_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

void vpci_cfg_window_map(HvVpci *v, uint64_t base)
{
    vpci_cfg_window_unmap(v);
    v->cfg_base = base;
    v->cfg_slot = 0;
    memory_region_add_subregion_overlap(get_system_memory(), base,
                                        &v->cfg_window, 2);
    v->cfg_mapped = true;
}

void vpci_cfg_window_unmap(HvVpci *v)
{
    if (v->cfg_mapped) {
        memory_region_del_subregion(get_system_memory(), &v->cfg_window);
        v->cfg_mapped = false;
    }
}

/* --- BAR policy -------------------------------------------------------- */

static bool vpci_bar_is_mem(PCIIORegion *r)
{
    return r->size && !(r->type & PCI_BASE_ADDRESS_SPACE_IO);
}

/* Every range a vPCI device is using right now: windows and live BARs */
static void vpci_collect_live(GArray *spans)
{
    HvVpci *v;
    int devfn, i;

    QTAILQ_FOREACH(v, &hv_vpci_buses, link) {
        if (v->cfg_mapped) {
            VpciSpan s = { v->cfg_base, VPCI_CFG_WINDOW_SIZE, v };

            g_array_append_val(spans, s);
        }
        for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
            HvVpciFunc *f = &v->funcs[devfn];

            if (!f->pdev) {
                continue;
            }
            for (i = 0; i < VPCI_NUM_BARS; i++) {
                PCIIORegion *r = &f->pdev->io_regions[i];

                if (vpci_bar_is_mem(r) && r->addr != PCI_BAR_UNMAPPED &&
                    r->addr == f->live_addr[i] &&
                    !(f->blocked_bars & (1 << i))) {
                    VpciSpan s = { r->addr, r->size, r };

                    g_array_append_val(spans, s);
                }
            }
        }
    }
}

/* Is @owner one of the BARs of @f? */
static bool vpci_span_of_func(const void *owner, HvVpciFunc *f)
{
    const PCIIORegion *r = owner;

    return f && f->pdev && r >= f->pdev->io_regions &&
           r < f->pdev->io_regions + PCI_NUM_REGIONS;
}

/* A span other than @self's, and not one of @func's BARs, meets the range */
static bool vpci_spans_hit(GArray *spans, uint64_t base, uint64_t size,
                           const void *self, HvVpciFunc *func)
{
    guint i;

    for (i = 0; i < spans->len; i++) {
        VpciSpan *s = &g_array_index(spans, VpciSpan, i);

        if (s->owner != self && !vpci_span_of_func(s->owner, func) &&
            ranges_overlap(base, size, s->base, s->size)) {
            return true;
        }
    }
    return false;
}

static HvRangeVerdict vpci_layout_verdict(HvVpci *v, uint64_t base,
                                          uint64_t size)
{
    HvVpciLayout l = v->layout;

    if (!v->ranges_known) {
        /* ranges unknown: still refuse the framebuffer and the vTPM hole */
        l.low_base = 0;
        l.low_size = UINT64_MAX;
        l.high_size = 0;
    }
    return hv_layout_check(&l, base, size);
}

HvRangeVerdict vpci_range_check(HvVpci *v, HvVpciFunc *f, uint64_t base,
                                uint64_t size, const char **why)
{
    g_autoptr(GArray) spans = g_array_new(false, false, sizeof(VpciSpan));
    HvRangeVerdict verdict = vpci_layout_verdict(v, base, size);

    if (verdict == HV_RANGE_OK) {
        vpci_collect_live(spans);
        if (vpci_spans_hit(spans, base, size, NULL, f)) {
            verdict = HV_RANGE_BUSY;
        }
    }
    *why = hv_range_verdict_str(verdict);
    return verdict;
}

static void vpci_bar_set(HvVpci *v, HvVpciFunc *f, int i, bool ok,
                         const char *why)
{
    PCIIORegion *r = &f->pdev->io_regions[i];
    bool logged = (f->blocked_bars & (1 << i)) &&
                  f->refused_addr[i] == r->addr;

    memory_region_set_enabled(r->memory, ok);
    if (ok) {
        f->blocked_bars &= ~(1 << i);
        f->live_addr[i] = r->addr;
        trace_vpci_bar_mapped(v->bus_index, f->pdev->devfn, i, r->addr,
                              r->size);
        return;
    }
    f->blocked_bars |= 1 << i;
    f->live_addr[i] = PCI_BAR_UNMAPPED;
    f->refused_addr[i] = r->addr;
    trace_vpci_bar_blocked(v->bus_index, f->pdev->devfn, i, r->addr,
                           r->size, why);
    /* once per place the guest tried (vpci_host_log caps the total) */
    if (!logged) {
        vpci_host_log(v, "BAR%d of slot 0x%x at 0x%" PRIx64 "+0x%" PRIx64
                      " not mapped: %s", i,
                      VPCI_WSLOT_FROM_DEVFN(f->pdev->devfn),
                      (uint64_t)r->addr, (uint64_t)r->size, why);
    }
}

/*
 * Re-evaluate every BAR of every vPCI bus after a config write that may
 * have moved or enabled one.  BARs that did not move keep their ranges;
 * moved or new ones are accepted if they break no rule.
 */
void vpci_bars_update(HvVpci *unused)
{
    g_autoptr(GArray) live = g_array_new(false, false, sizeof(VpciSpan));
    HvVpci *v;
    int devfn, i;

    vpci_collect_live(live);
    QTAILQ_FOREACH(v, &hv_vpci_buses, link) {
        for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
            HvVpciFunc *f = &v->funcs[devfn];

            if (!f->pdev) {
                continue;
            }
            for (i = 0; i < VPCI_NUM_BARS; i++) {
                PCIIORegion *r = &f->pdev->io_regions[i];
                HvRangeVerdict verdict;

                if (!vpci_bar_is_mem(r)) {
                    continue;
                }
                if (r->addr == PCI_BAR_UNMAPPED) {
                    /* not decoded: nothing to police until it is */
                    if (f->blocked_bars & (1 << i)) {
                        memory_region_set_enabled(r->memory, true);
                        f->blocked_bars &= ~(1 << i);
                    }
                    f->live_addr[i] = PCI_BAR_UNMAPPED;
                    continue;
                }
                if (r->addr == f->live_addr[i] &&
                    !(f->blocked_bars & (1 << i))) {
                    continue;
                }
                verdict = vpci_layout_verdict(v, r->addr, r->size);
                if (verdict == HV_RANGE_OK &&
                    vpci_spans_hit(live, r->addr, r->size, r, NULL)) {
                    verdict = HV_RANGE_BUSY;
                }
                vpci_bar_set(v, f, i, verdict == HV_RANGE_OK,
                             hv_range_verdict_str(verdict));
                if (verdict == HV_RANGE_OK) {
                    VpciSpan s = { r->addr, r->size, r };

                    g_array_append_val(live, s);
                }
            }
        }
    }
}

/* A function is going away: give its BAR regions back as they were */
void vpci_bars_forget(HvVpci *v, HvVpciFunc *f)
{
    int i;

    for (i = 0; i < VPCI_NUM_BARS; i++) {
        PCIIORegion *r = &f->pdev->io_regions[i];

        if ((f->blocked_bars & (1 << i)) && r->memory) {
            memory_region_set_enabled(r->memory, true);
        }
    }
    f->blocked_bars = 0;
}

/*
 * What the guest would read back from each BAR after writing all ones:
 * the size mask with the type bits, the upper half of a 64-bit BAR in the
 * following slot.  I/O BARs read as absent: vPCI has no I/O space (Hyper-V
 * does not report them, and pci-hyperv complains about one it is given).
 */
void vpci_probed_bars(PCIDevice *pdev, uint32_t bars[VPCI_NUM_BARS])
{
    int i;

    memset(bars, 0, sizeof(uint32_t) * VPCI_NUM_BARS);
    for (i = 0; i < VPCI_NUM_BARS; i++) {
        PCIIORegion *r = &pdev->io_regions[i];
        uint64_t mask;

        if (!r->size) {
            continue;
        }
        mask = ~((uint64_t)r->size - 1);
        if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
            continue;
        }
        bars[i] = ((uint32_t)mask & PCI_BASE_ADDRESS_MEM_MASK) | r->type;
        if ((r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) &&
            i + 1 < VPCI_NUM_BARS) {
            bars[++i] = mask >> 32;
        }
    }
}

/*
 * MMIO ranges of the VMBus ACPI device: presets and checks
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/boards.h"
#include "hw/i386/x86.h"
#include "cpu.h"
#include "hw/hyperv/vmbus-bridge.h"
#include "hw/hyperv/vmbus-mmio.h"
#include "trace.h"

/*
 * The low range stops at QEMU's IOAPIC (0xfec00000).  Hyper-V runs it up to
 * the vTPM at 0xfed40000; in QEMU the IOAPIC and HPET sit in between.
 */
#define VMBUS_LOW_MMIO_END      0xfec00000ull

typedef struct VMBusMmioPreset {
    const char *name;
    const char *what;
    VMBusMmioLayout layout;
} VMBusMmioPreset;

static const VMBusMmioPreset vmbus_mmio_presets[] = {
    {
        .name = "hyperv-gen2",
        .what = "local Hyper-V Gen2 VM: low range from 4 GiB - 128 MiB, "
                "512 MiB high range below 64 GiB",
        .layout = {
            .low = { 0xf8000000ull, VMBUS_LOW_MMIO_END - 0xf8000000ull },
            .high = { 0xfe0000000ull, 512 * MiB },
        },
    }, {
        .name = "azure",
        .what = "Azure VM: about 1 GiB low range from 3 GiB, "
                "64 GiB high range from 64 GiB",
        .layout = {
            .low = { 0xc0000000ull, VMBUS_LOW_MMIO_END - 0xc0000000ull },
            .high = { 64 * GiB, 64 * GiB },
        },
    }, {
        .name = "no-high",
        .what = "Gen2 low range and no range above 4 GiB",
        .layout = {
            .low = { 0xf8000000ull, VMBUS_LOW_MMIO_END - 0xf8000000ull },
            .high = { 0, 0 },
        },
    },
};

static const VMBusMmioPreset *vmbus_mmio_find_preset(const char *name)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(vmbus_mmio_presets); i++) {
        if (!strcmp(vmbus_mmio_presets[i].name, name)) {
            return &vmbus_mmio_presets[i];
        }
    }
    return NULL;
}

static bool vmbus_mmio_check(const VMBusMmioLayout *l, Error **errp)
{
    MachineState *ms = MACHINE(qdev_get_machine());
    X86MachineState *x86ms = (X86MachineState *)
        object_dynamic_cast(OBJECT(ms), TYPE_X86_MACHINE);
    uint64_t low_end = l->low.base + l->low.size;
    uint64_t high_end = l->high.base + l->high.size;

    if (!l->low.size) {
        error_setg(errp, "vmbus-bridge needs a low MMIO range "
                   "(low-mmio-size is 0)");
        return false;
    }
    if ((l->low.base | l->low.size | l->high.base | l->high.size) &
        (MiB - 1)) {
        error_setg(errp, "vmbus-bridge MMIO bases and sizes must be "
                   "multiples of 1 MiB");
        return false;
    }
    if (l->low.base < 16 * MiB || low_end > VMBUS_LOW_MMIO_END) {
        error_setg(errp, "low MMIO range [0x%" PRIx64 ", 0x%" PRIx64 ") "
                   "must lie within [16 MiB, 0x%llx)", l->low.base, low_end,
                   VMBUS_LOW_MMIO_END);
        return false;
    }
    if (x86ms && l->low.base < x86ms->below_4g_mem_size) {
        error_setg(errp, "low MMIO range starts at 0x%" PRIx64 " but RAM "
                   "below 4 GiB reaches 0x%" PRIx64, l->low.base,
                   (uint64_t)x86ms->below_4g_mem_size);
        error_append_hint(errp, "Use less memory or a higher "
                          "low-mmio-base.\n");
        return false;
    }
    if (l->high.size) {
        uint64_t ram_top = 4 * GiB + (x86ms ? x86ms->above_4g_mem_size : 0);
        CPUState *cs = first_cpu;
        unsigned phys_bits = cs ? X86_CPU(cs)->phys_bits : 36;

        if (high_end < l->high.base || l->high.base < ram_top) {
            error_setg(errp, "high MMIO range [0x%" PRIx64 ", 0x%" PRIx64
                       ") must start above RAM (0x%" PRIx64 ")",
                       l->high.base, high_end, ram_top);
            return false;
        }
        if (phys_bits < 64 && high_end > (1ull << phys_bits)) {
            error_setg(errp, "high MMIO range ends at 0x%" PRIx64 ", beyond "
                       "the vCPU's %u physical address bits", high_end,
                       phys_bits);
            return false;
        }
    }
    return true;
}

bool vmbus_mmio_resolve(VMBusBridge *bridge, Error **errp)
{
    const char *name = bridge->mmio_layout ? bridge->mmio_layout :
                       "hyperv-gen2";
    const VMBusMmioPreset *preset = vmbus_mmio_find_preset(name);
    VMBusMmioLayout l;
    size_t i;

    if (!preset) {
        error_setg(errp, "unknown mmio-layout '%s'", name);
        for (i = 0; i < ARRAY_SIZE(vmbus_mmio_presets); i++) {
            error_append_hint(errp, "  %s: %s\n", vmbus_mmio_presets[i].name,
                              vmbus_mmio_presets[i].what);
        }
        return false;
    }

    /* explicit properties override the preset, one value at a time */
    l = preset->layout;
    if (bridge->low_mmio_base != UINT64_MAX) {
        l.low.base = bridge->low_mmio_base;
    }
    if (bridge->low_mmio_size != UINT64_MAX) {
        l.low.size = bridge->low_mmio_size;
    }
    if (bridge->high_mmio_base != UINT64_MAX) {
        l.high.base = bridge->high_mmio_base;
    }
    if (bridge->high_mmio_size != UINT64_MAX) {
        l.high.size = bridge->high_mmio_size;
    }
    if (!l.high.size) {
        l.high.base = 0;
    }
    if (!vmbus_mmio_check(&l, errp)) {
        return false;
    }
    bridge->mmio = l;
    trace_vmbus_mmio_layout(name, l.low.base, l.low.size,
                            l.high.base, l.high.size);
    return true;
}

bool vmbus_mmio_get_layout(VMBusMmioLayout *layout)
{
    VMBusBridge *bridge = vmbus_bridge_find();

    if (!bridge) {
        return false;
    }
    *layout = bridge->mmio;
    return true;
}

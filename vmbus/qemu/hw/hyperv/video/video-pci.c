/*
 * Hyper-V Gen1 video: the "hv-video-pci" PCI device (1414:5353)
 *
 * A Gen1 VM on Hyper-V has an emulated PCI display whose BAR 0 is the
 * framebuffer.  A Linux guest booted without EFI finds the framebuffer
 * there: hv_vmbus reserves BAR 0 before any VMBus device allocates MMIO,
 * and hyperv_fb puts its VRAM inside it.  Only BAR 0 is modelled (RAM, so
 * the guest can draw into it); no VGA registers, no option ROM.
 *
 * Hyper-V keeps the Gen1 framebuffer at 4 GiB - 128 MiB, 64 MiB long; the
 * host considers BAR 0 in use wherever it is mapped (vram-in-use.c).
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "hv-video.h"
#include "trace.h"

#define TYPE_HV_VIDEO_PCI "hv-video-pci"
OBJECT_DECLARE_SIMPLE_TYPE(HvVideoPci, HV_VIDEO_PCI)

#define HV_PCI_VENDOR_MICROSOFT     0x1414
#define HV_PCI_DEVICE_VIDEO         0x5353

struct HvVideoPci {
    PCIDevice parent;

    uint32_t vram_mb;
    MemoryRegion vram;
    uint64_t last_addr;
};

static void hv_video_pci_track_bar(HvVideoPci *s)
{
    pcibus_t addr = pci_get_bar_addr(PCI_DEVICE(s), 0);
    uint64_t base = addr == PCI_BAR_UNMAPPED ? HV_VIDEO_UNMAPPED : addr;

    if (base == s->last_addr) {
        return;
    }
    s->last_addr = base;
    trace_hv_video_pci_bar(base, memory_region_size(&s->vram));
    hv_video_note_gen1_bar(base, memory_region_size(&s->vram));
}

static void hv_video_pci_write_config(PCIDevice *pdev, uint32_t addr,
                                      uint32_t val, int len)
{
    pci_default_write_config(pdev, addr, val, len);
    hv_video_pci_track_bar(HV_VIDEO_PCI(pdev));
}

static void hv_video_pci_reset(DeviceState *dev)
{
    HvVideoPci *s = HV_VIDEO_PCI(dev);

    /* the BAR is unmapped until the firmware programs it again */
    s->last_addr = 0;
    hv_video_pci_track_bar(s);
}

static void hv_video_pci_realize(PCIDevice *pdev, Error **errp)
{
    ERRP_GUARD();
    HvVideoPci *s = HV_VIDEO_PCI(pdev);

    if (s->vram_mb < 4 || s->vram_mb > 128 || !is_power_of_2(s->vram_mb)) {
        error_setg(errp, "hv-video-pci: vram-mb %u must be a power of two "
                   "from 4 to 128 (Hyper-V's Gen1 framebuffer is 64)",
                   s->vram_mb);
        return;
    }
    memory_region_init_ram(&s->vram, OBJECT(s), "hv-video-pci.vram",
                           (uint64_t)s->vram_mb * MiB, errp);
    if (*errp) {
        return;
    }
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &s->vram);
    s->last_addr = 0;
    hv_video_pci_track_bar(s);
}

static Property hv_video_pci_props[] = {
    DEFINE_PROP_UINT32("vram-mb", HvVideoPci, vram_mb, 64),
    DEFINE_PROP_END_OF_LIST()
};

static const VMStateDescription vmstate_hv_video_pci = {
    .name = TYPE_HV_VIDEO_PCI,
    .unmigratable = 1,
};

static void hv_video_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = hv_video_pci_realize;
    k->config_write = hv_video_pci_write_config;
    k->vendor_id = HV_PCI_VENDOR_MICROSOFT;
    k->device_id = HV_PCI_DEVICE_VIDEO;
    k->class_id = PCI_CLASS_DISPLAY_VGA;
    dc->reset = hv_video_pci_reset;
    dc->vmsd = &vmstate_hv_video_pci;
    dc->desc = "Hyper-V Gen1 video (1414:5353, BAR 0 is the framebuffer)";
    device_class_set_props(dc, hv_video_pci_props);
    set_bit(DEVICE_CATEGORY_DISPLAY, dc->categories);
}

static const TypeInfo hv_video_pci_info = {
    .name = TYPE_HV_VIDEO_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(HvVideoPci),
    .class_init = hv_video_pci_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { }
    },
};

static void hv_video_pci_register_types(void)
{
    type_register_static(&hv_video_pci_info);
}

type_init(hv_video_pci_register_types)

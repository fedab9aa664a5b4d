/*
 * Hyper-V virtual PCI bus: the "hv-vpci" VMBus device
 *
 * Lifecycle, properties, the private PCI Express root bus that carries the
 * functions, hot-plug (of functions: bus relations and ejects; of whole
 * buses: VMBus offers, ejects and a rescind), the D0 state Hyper-V keeps
 * across a guest crash, and the human-readable state dump.  Packet handling
 * is in vpci-msg.c, the config window and BAR policy in vpci-cfg.c,
 * interrupts in vpci-irq.c.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/qdev-properties.h"
#include "hw/hotplug.h"
#include "hw/sysbus.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pci_bridge.h"
#include "hw/hyperv/vmbus-mmio.h"
#include "exec/address-spaces.h"
#include "migration/vmstate.h"
#include "sysemu/reset.h"
#include "vpci-internal.h"
#include "trace.h"

HvVpciList hv_vpci_buses = QTAILQ_HEAD_INITIALIZER(hv_vpci_buses);
static uint32_t hv_vpci_count;

/* Refusals per bus and boot that reach stderr; the rest is a guest error */
#define VPCI_HOST_LOG_MAX   16

/*
 * A refusal Hyper-V would record in its host event log (the "PCI
 * Pass-through VSP failed D0 Entry" lines an administrator reads): a user of
 * the stand-in wants to see it without turning on traces.  The guest decides
 * how often it happens, so each bus prints the first VPCI_HOST_LOG_MAX per
 * boot on stderr; later ones go through -d guest_errors.
 */
void vpci_host_log(HvVpci *v, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (v->host_log_lines < VPCI_HOST_LOG_MAX) {
        v->host_log_lines++;
        warn_report("hv-vpci: vpci%u: %s%s", v->bus_index, msg,
                    v->host_log_lines == VPCI_HOST_LOG_MAX ?
                    " (further refusals only with -d guest_errors)" : "");
        return;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "hv-vpci: vpci%u: %s\n", v->bus_index,
                  msg);
}

HvVpciFunc *vpci_func_by_wslot(HvVpci *v, uint32_t wslot)
{
    HvVpciFunc *f;

    if (!VPCI_WSLOT_VALID(wslot)) {
        return NULL;
    }
    f = &v->funcs[VPCI_WSLOT_TO_DEVFN(wslot)];
    return f->pdev ? f : NULL;
}

/*
 * The guest's logical id for a function's interrupts is built from bytes
 * 4-7 of the bus instance GUID (in wire order) and the function number.
 */
uint64_t vpci_device_id_base(HvVpci *v)
{
    QemuUUID wire = qemu_uuid_bswap(VMBUS_DEVICE(v)->instanceid);
    const uint8_t *b = wire.data;

    return ((uint32_t)b[5] << 24) | ((uint32_t)b[4] << 16) |
           ((uint32_t)b[7] << 8) | (b[6] & 0xf8);
}

/* --- host-initiated packets ------------------------------------------- */

bool vpci_send_inband(HvVpci *v, void *msg, uint32_t len)
{
    VMBusChannel *chan = vmbus_device_channel(VMBUS_DEVICE(v), 0);

    if (!chan || !vmbus_channel_is_open(chan)) {
        return false;
    }
    if (vmbus_channel_reserve(chan, 0, len)) {
        /* the guest tells us when it has made room; we retry then */
        trace_vpci_send_deferred(v->bus_index, *(uint32_t *)msg, len);
        return false;
    }
    return vmbus_channel_send(chan, VMBUS_PACKET_DATA_INBAND, NULL, 0,
                              msg, len, false, 0) >= 0;
}

bool vpci_send_child_msg(HvVpci *v, uint32_t type, uint32_t wslot)
{
    VpciChildMsg msg = { .type = type, .wslot = wslot };

    return vpci_send_inband(v, &msg, sizeof(msg));
}

static void vpci_fill_desc(HvVpci *v, HvVpciFunc *f, VpciFuncDesc *d)
{
    PCIDevice *pdev = f->pdev;
    uint8_t *c = pdev->config;

    d->vendor_id = pci_get_word(c + PCI_VENDOR_ID);
    d->device_id = pci_get_word(c + PCI_DEVICE_ID);
    d->revision = c[PCI_REVISION_ID];
    d->prog_if = c[PCI_CLASS_PROG];
    d->subclass = c[PCI_CLASS_DEVICE];
    d->base_class = c[PCI_CLASS_DEVICE + 1];
    d->subsystem_id = pci_get_long(c + PCI_SUBSYSTEM_VENDOR_ID);
    d->wslot = VPCI_WSLOT_FROM_DEVFN(pdev->devfn);
    d->serial = f->serial;
}

/*
 * Tell the guest which functions are present: the list replaces whatever
 * the guest knew before.  Protocol 1.3 and later use the second form, which
 * carries the NUMA node.
 */
bool vpci_send_relations(HvVpci *v)
{
    bool v2 = v->version >= VPCI_VERSION_1_3;
    size_t esize = v2 ? sizeof(VpciFuncDesc2) : sizeof(VpciFuncDesc);
    g_autofree uint8_t *buf = NULL;
    VpciBusRelations *hdr;
    uint32_t count = 0, len;
    int devfn;

    buf = g_malloc0(sizeof(*hdr) + esize * VPCI_MAX_FUNCTIONS);
    hdr = (VpciBusRelations *)buf;
    hdr->type = v2 ? VPCI_MSG_BUS_RELATIONS2 : VPCI_MSG_BUS_RELATIONS;

    for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
        HvVpciFunc *f = &v->funcs[devfn];
        uint8_t *slot = buf + sizeof(*hdr) + esize * count;

        if (!f->pdev || f->eject_sent) {
            continue;
        }
        vpci_fill_desc(v, f, (VpciFuncDesc *)slot);
        if (v2) {
            VpciFuncDesc2 *d2 = (VpciFuncDesc2 *)slot;

            if (v->numa_node != UINT16_MAX) {
                d2->flags = VPCI_FUNC_FLAG_NUMA_AFFINITY;
                d2->numa_node = v->numa_node;
            }
        }
        count++;
    }
    hdr->count = count;
    len = sizeof(*hdr) + esize * count;

    if (!vpci_send_inband(v, buf, len)) {
        v->relations_pending = true;
        return false;
    }
    v->relations_pending = false;
    for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
        HvVpciFunc *f = &v->funcs[devfn];

        f->reported = f->pdev && !f->eject_sent;
    }
    trace_vpci_relations(v->bus_index, count, v2);
    return true;
}

/* --- layout ------------------------------------------------------------ */

/*
 * The MMIO ranges the guest may use are the ones the VMBus bridge puts in
 * its ACPI _CRS.  Read them from the bridge when it has them; otherwise the
 * preset's ranges stand in and the "inside the ranges" check is skipped.
 */
void vpci_refresh_layout(HvVpci *v)
{
    VMBusMmioLayout mmio;

    v->ranges_known = false;
    if (!vmbus_mmio_get_layout(&mmio) || (!mmio.low.size && !mmio.high.size)) {
        return;
    }
    v->layout.low_base = mmio.low.base;
    v->layout.low_size = mmio.low.size;
    v->layout.high_base = mmio.high.base;
    v->layout.high_size = mmio.high.size;
    if (v->fb_base == UINT64_MAX && v->layout.low_size &&
        strcmp(v->preset, "gen1") != 0) {
        v->layout.fb_base = v->layout.low_base;
    }
    v->ranges_known = true;
}

/* --- ejects ------------------------------------------------------------ */

static void vpci_send_eject(HvVpci *v, HvVpciFunc *f)
{
    uint8_t devfn = vpci_func_devfn(v, f);

    f->eject_sent = true;
    trace_vpci_eject_request(v->bus_index, devfn);
    if (!vpci_send_child_msg(v, VPCI_MSG_EJECT,
                             VPCI_WSLOT_FROM_DEVFN(devfn))) {
        v->eject_pending[devfn / 8] |= 1 << (devfn % 8);
    }
}

/*
 * Removal of the whole bus, as Hyper-V does it: every function the guest
 * knows is ejected first; once no eject is outstanding the VMBus offer is
 * rescinded, and the bus goes when the guest has released the channel.
 */
static void vpci_removal_step(HvVpci *v)
{
    int devfn;

    for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
        if (v->funcs[devfn].pdev && v->funcs[devfn].eject_sent) {
            return;
        }
    }
    trace_vpci_rescind(v->bus_index);
    vmbus_device_rescind(VMBUS_DEVICE(v));
}

void vpci_finish_eject(HvVpci *v, HvVpciFunc *f)
{
    DeviceState *dev = DEVICE(f->pdev);
    HotplugHandler *hh = qdev_get_hotplug_handler(dev);

    trace_vpci_eject_done(v->bus_index, vpci_func_devfn(v, f));
    hotplug_handler_unplug(hh, dev, &error_abort);
    object_unparent(OBJECT(dev));
    if (v->removing) {
        vpci_removal_step(v);
    }
}

static void vpci_eject_bh(void *opaque)
{
    HvVpci *v = opaque;
    int devfn;

    for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
        HvVpciFunc *f = &v->funcs[devfn];

        if (f->pdev && f->eject_sent) {
            vpci_finish_eject(v, f);
        }
    }
}

/* --- hot-plug handler of the private PCI bus --------------------------- */

static void vpci_pre_plug(HotplugHandler *hh, DeviceState *dev, Error **errp)
{
    if (object_dynamic_cast(OBJECT(dev), TYPE_PCI_BRIDGE)) {
        error_setg(errp, "hv-vpci: PCI bridges cannot sit behind vPCI");
    } else if (HV_VPCI(hh)->removing) {
        error_setg(errp, "hv-vpci: the bus is being removed");
    }
}

static void vpci_plug(HotplugHandler *hh, DeviceState *dev, Error **errp)
{
    HvVpci *v = HV_VPCI(hh);
    PCIDevice *pdev = PCI_DEVICE(dev);
    HvVpciFunc *f = &v->funcs[pdev->devfn];
    int i;

    memset(f, 0, sizeof(*f));
    f->pdev = pdev;
    f->serial = v->serial_base + pdev->devfn;
    f->power_state = VPCI_POWER_D0;
    for (i = 0; i < VPCI_NUM_BARS; i++) {
        f->live_addr[i] = PCI_BAR_UNMAPPED;
    }
    /* MSIs of this function go through our interrupt table */
    pdev->msi_trigger = vpci_msi_trigger;

    trace_vpci_plug(v->bus_index, pdev->devfn, object_get_typename(OBJECT(dev)),
                    dev->hotplugged);
    if (VMBUS_DEVICE(v)->offer_held) {
        /* a hot-added bus is offered with its first function on it */
        trace_vpci_offer(v->bus_index);
        vmbus_device_hold_offer(VMBUS_DEVICE(v), false);
    }
    if (dev->hotplugged && v->relations_requested &&
        v->state >= VPCI_BUS_NEGOTIATED) {
        vpci_send_relations(v);
    }
}

static void vpci_unplug_request(HotplugHandler *hh, DeviceState *dev,
                                Error **errp)
{
    HvVpci *v = HV_VPCI(hh);
    PCIDevice *pdev = PCI_DEVICE(dev);
    HvVpciFunc *f = &v->funcs[pdev->devfn];
    uint32_t wslot = VPCI_WSLOT_FROM_DEVFN(pdev->devfn);

    if (f->eject_sent) {
        error_setg(errp, "hv-vpci: eject of slot 0x%x already in progress",
                   wslot);
        return;
    }
    if (!f->reported || v->state == VPCI_BUS_CLOSED) {
        /* the guest never saw this function: take it away right now */
        trace_vpci_eject_unseen(v->bus_index, pdev->devfn);
        hotplug_handler_unplug(hh, dev, errp);
        object_unparent(OBJECT(dev));
        return;
    }
    vpci_send_eject(v, f);
}

static void vpci_unplug(HotplugHandler *hh, DeviceState *dev, Error **errp)
{
    HvVpci *v = HV_VPCI(hh);
    PCIDevice *pdev = PCI_DEVICE(dev);
    HvVpciFunc *f = &v->funcs[pdev->devfn];

    trace_vpci_unplug(v->bus_index, pdev->devfn);
    vpci_irq_release_func(v, pdev->devfn);
    vpci_bars_forget(v, f);
    vpci_block_forget(f);
    memset(f, 0, sizeof(*f));
    v->eject_pending[pdev->devfn / 8] &= ~(1 << (pdev->devfn % 8));
    qdev_unrealize(dev);
}

/* --- the PCI host bridge that owns the private root bus --------------- */

/* vPCI carries no INTx: functions must use MSI or MSI-X */
static void vpci_intx_set(void *opaque, int pin, int level)
{
}

static int vpci_intx_map(PCIDevice *pdev, int pin)
{
    return pin;
}

static const char *vpci_host_root_bus_path(PCIHostState *h, PCIBus *rootbus)
{
    return HV_VPCI_HOST(h)->path;
}

static void vpci_host_finalize(Object *obj)
{
    g_free(HV_VPCI_HOST(obj)->path);
}

static void vpci_host_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIHostBridgeClass *hc = PCI_HOST_BRIDGE_CLASS(klass);

    hc->root_bus_path = vpci_host_root_bus_path;
    dc->user_creatable = false;
    dc->fw_name = "hv-vpci";
}

static const TypeInfo vpci_host_info = {
    .name = TYPE_HV_VPCI_HOST,
    .parent = TYPE_PCI_HOST_BRIDGE,
    .instance_size = sizeof(HvVpciHost),
    .instance_finalize = vpci_host_finalize,
    .class_init = vpci_host_class_init,
};

/* --- VMBus device callbacks -------------------------------------------- */

static const char *vpci_state_name(HvVpciBusState s)
{
    switch (s) {
    case VPCI_BUS_CLOSED:
        return "closed";
    case VPCI_BUS_OPEN:
        return "open";
    case VPCI_BUS_NEGOTIATED:
        return "negotiated (D3)";
    case VPCI_BUS_D0:
        return "D0";
    }
    return "?";
}

static void vpci_machine_reset(void *opaque);

static bool vpci_parse_version(const char *s, uint32_t *out)
{
    unsigned major, minor;
    char tail;

    if (!s || sscanf(s, "%u.%u%c", &major, &minor, &tail) != 2 ||
        major != 1 || minor < 1 || minor > 4) {
        return false;
    }
    *out = VPCI_VERSION(major, minor);
    return true;
}

static void vpci_vmdev_realize(VMBusDevice *vdev, Error **errp)
{
    HvVpci *v = HV_VPCI(vdev);
    DeviceState *dev = DEVICE(vdev);
    g_autofree char *bus_name = NULL;
    int preset;
    uint64_t fb_size = v->fb_size;

    if (!vpci_parse_version(v->version_str, &v->max_version)) {
        error_setg(errp, "hv-vpci: version '%s' is not one of 1.1, 1.2, "
                   "1.3, 1.4", v->version_str ? v->version_str : "");
        return;
    }
    preset = hv_layout_preset_parse(v->preset);
    if (preset < 0) {
        error_setg(errp, "hv-vpci: preset '%s' is not one of gen2, gen1, "
                   "azure, none", v->preset ? v->preset : "");
        return;
    }
    if (fb_size > HV_LAYOUT_FB_MAX) {
        error_setg(errp, "hv-vpci: fb-size 0x%" PRIx64 " exceeds the largest "
                   "Hyper-V framebuffer (128 MiB)", fb_size);
        return;
    }
    if (!hv_layout_preset(preset, fb_size, &v->layout)) {
        error_setg(errp, "hv-vpci: fb-size 0x%" PRIx64 " is not possible "
                   "with preset %s (Gen1 has a fixed 64 MiB framebuffer)",
                   fb_size, v->preset);
        return;
    }
    if (v->fb_base != UINT64_MAX) {
        if (fb_size == 0 && preset == HV_LAYOUT_NONE) {
            error_setg(errp, "hv-vpci: fb-base needs fb-size with preset "
                       "none");
            return;
        }
        v->layout.fb_base = v->fb_base;
    }

    v->bus_index = hv_vpci_count++;
    if (!v->serial_base) {
        v->serial_base = 1 + 0x100 * v->bus_index;
    }

    memory_region_init(&v->bar_space, OBJECT(v), "hv-vpci-bars", UINT64_MAX);
    memory_region_init(&v->io_space, OBJECT(v), "hv-vpci-io", 0x10000);
    memory_region_init_io(&v->cfg_window, OBJECT(v), &vpci_cfg_window_ops, v,
                          "hv-vpci-cfg-window", VPCI_CFG_WINDOW_SIZE);

    v->host = HV_VPCI_HOST(qdev_new(TYPE_HV_VPCI_HOST));
    v->host->vpci = v;
    v->host->path = g_strdup_printf("vpci%u", v->bus_index);
    object_property_add_child(OBJECT(v), "host", OBJECT(v->host));

    bus_name = g_strdup_printf("%s.0", dev->id ? dev->id :
                               v->host->path);
    v->bus = pci_root_bus_new(DEVICE(v->host), bus_name, &v->bar_space,
                              &v->io_space, 0, TYPE_PCIE_BUS);
    PCI_HOST_BRIDGE(v->host)->bus = v->bus;
    pci_bus_irqs(v->bus, vpci_intx_set, vpci_intx_map, v, PCI_NUM_PINS);
    qbus_set_hotplug_handler(BUS(v->bus), OBJECT(v));
    if (!sysbus_realize_and_unref(SYS_BUS_DEVICE(v->host), errp)) {
        /* nothing of ours is in the memory map yet */
        pci_unregister_root_bus(v->bus);
        object_unparent(OBJECT(v->host));
        v->host = NULL;
        v->bus = NULL;
        return;
    }
    /* mapped only now that nothing can fail: a failed realize leaves none */
    memory_region_add_subregion_overlap(get_system_memory(), 0, &v->bar_space,
                                        -1);

    vpci_fault_init(v);
    v->eject_bh = qemu_bh_new_guarded(vpci_eject_bh, v,
                                      &DEVICE(v)->mem_reentrancy_guard);
    hyperv_tcg_add_retarget_handler(vpci_retarget, v);
    qemu_register_reset(vpci_machine_reset, v);
    if (dev->hotplugged) {
        /* Hyper-V offers a new vPCI bus with its device already on it */
        vmbus_device_hold_offer(vdev, true);
    }
    v->state = VPCI_BUS_CLOSED;
    QTAILQ_INSERT_TAIL(&hv_vpci_buses, v, link);
    vpci_refresh_layout(v);
    trace_vpci_realize(v->bus_index, bus_name, v->max_version,
                       v->layout.fb_base, v->layout.fb_size);
}

static void vpci_vmdev_unrealize(VMBusDevice *vdev)
{
    HvVpci *v = HV_VPCI(vdev);
    int devfn;

    QTAILQ_REMOVE(&hv_vpci_buses, v, link);
    qemu_unregister_reset(vpci_machine_reset, v);
    hyperv_tcg_remove_retarget_handler(vpci_retarget, v);
    vpci_cfg_window_unmap(v);
    vpci_irq_release_all(v);
    qemu_bh_delete(v->eject_bh);
    vpci_fault_finalize(v);
    for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
        vpci_block_forget(&v->funcs[devfn]);
    }
    /* functions still on the bus go with it (hot removal of the bus) */
    pci_unregister_root_bus(v->bus);
    object_unparent(OBJECT(v->host));
    memory_region_del_subregion(get_system_memory(), &v->bar_space);
}

/* The guest's side went away or the machine reset: back to a closed bus */
static void vpci_bus_down(HvVpci *v)
{
    int devfn;

    if (v->state == VPCI_BUS_D0 && !v->d0_kept && !v->removing) {
        /* no D0 exit came: the host keeps the bus in D0 (see d0_kept) */
        v->d0_kept = true;
        trace_vpci_d0_kept(v->bus_index, v->cfg_base);
    }
    vpci_cfg_window_unmap(v);
    vpci_irq_release_all(v);
    vpci_fault_reset(v);
    v->state = VPCI_BUS_CLOSED;
    v->version = 0;
    v->relations_requested = false;
    v->relations_pending = false;
    for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
        HvVpciFunc *f = &v->funcs[devfn];

        f->reported = false;
        f->resources_assigned = false;
        if (f->eject_sent) {
            /* nobody is left to acknowledge it */
            qemu_bh_schedule(v->eject_bh);
        }
    }
    memset(v->eject_pending, 0, sizeof(v->eject_pending));
}

void vpci_forget_d0(HvVpci *v, const char *why)
{
    if (v->d0_kept) {
        v->d0_kept = false;
        trace_vpci_d0_forgotten(v->bus_index, why);
    }
}

/*
 * A VM reset is a fresh start for the host too.  Registered at realize, so
 * it may run before or after the device tree's reset: take the bus down
 * first, so that the tree's reset finds nothing in D0 to keep.
 */
static void vpci_machine_reset(void *opaque)
{
    HvVpci *v = opaque;

    vpci_bus_down(v);
    vpci_forget_d0(v, "VM reset");
    v->host_log_lines = 0;
}

/*
 * device_del of the bus: eject what the guest knows, then rescind (see
 * vpci_removal_step).  Functions the guest never saw go with the bus.
 */
static void vpci_vmdev_unplug_request(VMBusDevice *vdev, Error **errp)
{
    HvVpci *v = HV_VPCI(vdev);
    int devfn;

    if (v->removing) {
        error_setg(errp, "hv-vpci: vpci%u is already being removed",
                   v->bus_index);
        return;
    }
    v->removing = true;
    trace_vpci_remove(v->bus_index, vpci_state_name(v->state));
    for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
        HvVpciFunc *f = &v->funcs[devfn];

        if (f->pdev && f->reported && !f->eject_sent) {
            vpci_send_eject(v, f);
        }
    }
    vpci_removal_step(v);
}

static void vpci_vmdev_reset(VMBusDevice *vdev)
{
    HvVpci *v = HV_VPCI(vdev);

    trace_vpci_reset(v->bus_index);
    vpci_bus_down(v);
}

static int vpci_open_channel(VMBusChannel *chan)
{
    HvVpci *v = HV_VPCI(vmbus_channel_device(chan));

    trace_vpci_channel_open(v->bus_index);
    vpci_bus_down(v);
    vpci_fault_arm(v);
    v->state = VPCI_BUS_OPEN;
    vpci_refresh_layout(v);
    return 0;
}

static void vpci_close_channel(VMBusChannel *chan)
{
    HvVpci *v = HV_VPCI(vmbus_channel_device(chan));

    trace_vpci_channel_close(v->bus_index);
    vpci_bus_down(v);
}

/* --- state dump -------------------------------------------------------- */

static void vpci_format(HvVpci *v, GString *s)
{
    char uuid[UUID_FMT_LEN + 1];
    int devfn, i;

    qemu_uuid_unparse(&VMBUS_DEVICE(v)->instanceid, uuid);
    g_string_append_printf(s, "vpci%u: id %s instance %s bus %s\n",
                           v->bus_index, DEVICE(v)->id ? DEVICE(v)->id : "-",
                           uuid, BUS(v->bus)->name);
    g_string_append_printf(s, "  state %s, protocol %u.%u (host max %u.%u)\n",
                           vpci_state_name(v->state), v->version >> 16,
                           v->version & 0xffff, v->max_version >> 16,
                           v->max_version & 0xffff);
    if (v->d0_kept || v->d0_kept_refusals) {
        g_string_append_printf(s, "  D0 kept from before the guest "
                               "reconnected: %s, %u D0 entries refused\n",
                               v->d0_kept ? "yes" : "no",
                               v->d0_kept_refusals);
    }
    if (v->removing) {
        g_string_append(s, "  being removed (eject, then rescind)\n");
    }
    if (v->cfg_mapped) {
        g_string_append_printf(s, "  config window 0x%" PRIx64 "-0x%" PRIx64
                               ", slot register 0x%x, %" PRIu64
                               " accesses\n", v->cfg_base,
                               v->cfg_base + VPCI_CFG_WINDOW_SIZE - 1,
                               v->cfg_slot, v->cfg_accesses);
    } else {
        g_string_append_printf(s, "  config window none, %" PRIu64
                               " accesses\n", v->cfg_accesses);
    }
    g_string_append_printf(s, "  MMIO ranges %s: low 0x%" PRIx64 "+0x%" PRIx64
                           " high 0x%" PRIx64 "+0x%" PRIx64 "\n",
                           v->ranges_known ? "(from vmbus-bridge)" :
                           "(preset, not checked)",
                           v->layout.low_base, v->layout.low_size,
                           v->layout.high_base, v->layout.high_size);
    g_string_append_printf(s, "  in use (framebuffer) 0x%" PRIx64 "+0x%" PRIx64
                           "\n", v->layout.fb_base, v->layout.fb_size);

    for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
        HvVpciFunc *f = &v->funcs[devfn];
        PCIDevice *pdev = f->pdev;

        if (!pdev) {
            continue;
        }
        g_string_append_printf(s, "  function wslot 0x%x (%02x.%x) %s id %s "
                               "serial %u %04x:%04x%s%s%s\n",
                               VPCI_WSLOT_FROM_DEVFN(devfn), PCI_SLOT(devfn),
                               PCI_FUNC(devfn),
                               object_get_typename(OBJECT(pdev)),
                               DEVICE(pdev)->id ? DEVICE(pdev)->id : "-",
                               f->serial,
                               pci_get_word(pdev->config + PCI_VENDOR_ID),
                               pci_get_word(pdev->config + PCI_DEVICE_ID),
                               f->reported ? " reported" : "",
                               f->resources_assigned ? " assigned" : "",
                               f->eject_sent ? " ejecting" : "");
        for (i = 0; i < VPCI_NUM_BARS; i++) {
            PCIIORegion *r = &pdev->io_regions[i];

            if (!r->size) {
                continue;
            }
            g_string_append_printf(s, "    BAR%d size 0x%" PRIx64 "%s%s at ",
                                   i, (uint64_t)r->size,
                                   r->type & PCI_BASE_ADDRESS_MEM_TYPE_64 ?
                                   " 64-bit" : "",
                                   r->type & PCI_BASE_ADDRESS_MEM_PREFETCH ?
                                   " prefetchable" : "");
            if (r->addr == PCI_BAR_UNMAPPED) {
                g_string_append(s, "unmapped\n");
            } else {
                g_string_append_printf(s, "0x%" PRIx64 "%s\n",
                                       (uint64_t)r->addr,
                                       f->blocked_bars & (1 << i) ?
                                       " BLOCKED" : "");
            }
        }
    }
    for (i = 0; i < HV_VPCI_IRQ_TABLE_SIZE; i++) {
        HvVpciIrq *irq = &v->irqs[i];

        if (!irq->used) {
            continue;
        }
        g_string_append_printf(s, "  irq data 0x%x wslot 0x%x -> vector 0x%x "
                               "vp %u mode %u, %" PRIu64 " delivered\n",
                               HV_VPCI_IRQ_DATA_BASE + i,
                               VPCI_WSLOT_FROM_DEVFN(irq->devfn), irq->vector,
                               irq->target_vp, irq->delivery_mode,
                               irq->deliveries);
    }
}

char *hv_vpci_format_all(void)
{
    GString *s = g_string_new("");
    HvVpci *v;

    QTAILQ_FOREACH(v, &hv_vpci_buses, link) {
        vpci_format(v, s);
    }
    if (!s->len) {
        g_string_append(s, "no vPCI buses\n");
    }
    return g_string_free(s, false);
}

static char *vpci_get_info(Object *obj, Error **errp)
{
    GString *s = g_string_new("");

    vpci_format(HV_VPCI(obj), s);
    return g_string_free(s, false);
}

static char *vpci_get_faults(Object *obj, Error **errp)
{
    HvVpci *v = HV_VPCI(obj);

    return g_strdup(v->fault_plan ? v->fault_plan : "");
}

static void vpci_set_faults(Object *obj, const char *plan, Error **errp)
{
    vpci_fault_set_plan(HV_VPCI(obj), plan, errp);
}

static void vpci_set_cfg_block(Object *obj, const char *spec, Error **errp)
{
    vpci_block_host_write(HV_VPCI(obj), spec, errp);
}

static void vpci_get_cfg_accesses(Object *obj, Visitor *vis, const char *name,
                                  void *opaque, Error **errp)
{
    uint64_t val = HV_VPCI(obj)->cfg_accesses;

    visit_type_uint64(vis, name, &val, errp);
}

/* --- QOM --------------------------------------------------------------- */

static DeviceRealize vpci_parent_realize;

static void vpci_realize(DeviceState *dev, Error **errp)
{
    VMBusDevice *vdev = VMBUS_DEVICE(dev);

    /* every bus needs its own instance GUID; make one up if none given */
    if (qemu_uuid_is_null(&vdev->instanceid)) {
        qemu_uuid_generate(&vdev->instanceid);
    }
    vpci_parent_realize(dev, errp);
}

static Property vpci_props[] = {
    DEFINE_PROP_STRING("version", HvVpci, version_str),
    DEFINE_PROP_UINT32("serial-base", HvVpci, serial_base, 0),
    DEFINE_PROP_UINT16("numa-node", HvVpci, numa_node, UINT16_MAX),
    DEFINE_PROP_STRING("preset", HvVpci, preset),
    DEFINE_PROP_UINT64("fb-base", HvVpci, fb_base, UINT64_MAX),
    DEFINE_PROP_UINT64("fb-size", HvVpci, fb_size, 0),
    DEFINE_PROP_END_OF_LIST()
};

static void vpci_instance_init(Object *obj)
{
    HvVpci *v = HV_VPCI(obj);

    v->version_str = g_strdup("1.4");
    v->preset = g_strdup("gen2");
    object_property_add_str(obj, "info", vpci_get_info, NULL);
    /* host faults on demand: see vpci-fault.c; settable with qom-set */
    object_property_add_str(obj, "faults", vpci_get_faults, vpci_set_faults);
    /* the PF side writes a config block: see vpci-block.c */
    object_property_add_str(obj, "config-block", NULL, vpci_set_cfg_block);
    object_property_add(obj, "cfg-accesses", "uint64", vpci_get_cfg_accesses,
                        NULL, NULL, NULL);
}

static const VMStateDescription vmstate_hv_vpci = {
    .name = TYPE_HV_VPCI,
    .unmigratable = 1,
};

static void vpci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);
    HotplugHandlerClass *hc = HOTPLUG_HANDLER_CLASS(klass);

    qemu_uuid_parse(VPCI_CLASS_GUID, &vdc->classid);
    vdc->vmdev_realize = vpci_vmdev_realize;
    vdc->vmdev_unrealize = vpci_vmdev_unrealize;
    vdc->vmdev_reset = vpci_vmdev_reset;
    vdc->open_channel = vpci_open_channel;
    vdc->close_channel = vpci_close_channel;
    vdc->chan_notify_cb = vpci_chan_notify;
    vdc->unplug_request = vpci_vmdev_unplug_request;

    device_class_set_parent_realize(dc, vpci_realize, &vpci_parent_realize);
    device_class_set_props(dc, vpci_props);
    dc->vmsd = &vmstate_hv_vpci;
    dc->desc = "Hyper-V virtual PCI bus (vPCI VSP)";
    set_bit(DEVICE_CATEGORY_BRIDGE, dc->categories);

    hc->pre_plug = vpci_pre_plug;
    hc->plug = vpci_plug;
    hc->unplug_request = vpci_unplug_request;
    hc->unplug = vpci_unplug;
}

static const TypeInfo vpci_info = {
    .name = TYPE_HV_VPCI,
    .parent = TYPE_VMBUS_DEVICE,
    .instance_size = sizeof(HvVpci),
    .instance_init = vpci_instance_init,
    .class_init = vpci_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_HOTPLUG_HANDLER },
        { }
    },
};

static void vpci_register_types(void)
{
    type_register_static(&vpci_host_info);
    type_register_static(&vpci_info);
}

type_init(vpci_register_types)

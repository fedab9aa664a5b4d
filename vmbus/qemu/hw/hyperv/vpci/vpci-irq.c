/*
 * Hyper-V virtual PCI bus: interrupt remapping
 *
 * The guest asks for an interrupt with a vector and a set of target VPs;
 * the host answers with an address/data pair for the device to write.  Like
 * Hyper-V's remapping, the pair is a handle: every MSI or MSI-X message a
 * function sends is caught before it reaches memory, looked up in the bus's
 * table and delivered to the local APIC of the VP the guest asked for,
 * with the vector it asked for.  Delete and the retarget hypercall edit the
 * table, so the device never needs reprogramming.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "exec/address-spaces.h"
#include "hw/core/cpu.h"
#include "hw/pci/msi.h"
#include "hw/hyperv/hyperv-proto.h"
#include "cpu.h"
#include "vpci-internal.h"
#include "trace.h"

/* x86 MSI encoding, used for the final write to the local APIC */
#define VPCI_APIC_MSI_BASE      0xfee00000u
#define VPCI_APIC_DEST_SHIFT    12
#define VPCI_MSI_DELIVERY_SHIFT 8
#define VPCI_VECTOR_MIN         0x10
#define VPCI_VECTOR_MAX         0xff

static HvVpci *vpci_of_pdev(PCIDevice *pdev)
{
    BusState *bus = BUS(pci_get_bus(pdev));

    return HV_VPCI_HOST(bus->parent)->vpci;
}

uint32_t vpci_vps_from_mask(uint64_t mask, uint32_t *vps)
{
    uint32_t n = 0;
    int bit;

    for (bit = 0; bit < 64 && n < VPCI_MAX_PROCESSORS_IN_DESC; bit++) {
        if (mask & (1ULL << bit)) {
            vps[n++] = bit;
        }
    }
    return n;
}

/* The first VP of the set that exists; VP index equals QEMU's cpu_index */
static int vpci_pick_vp(const uint32_t *vps, unsigned nr_vps)
{
    unsigned i;

    for (i = 0; i < nr_vps; i++) {
        if (qemu_get_cpu(vps[i])) {
            return vps[i];
        }
    }
    return -1;
}

static HvVpciIrq *vpci_irq_lookup(HvVpci *v, uint64_t address, uint32_t data)
{
    uint32_t idx = data - HV_VPCI_IRQ_DATA_BASE;

    if (address != HV_VPCI_MSI_ADDRESS || data < HV_VPCI_IRQ_DATA_BASE ||
        idx >= HV_VPCI_IRQ_TABLE_SIZE || !v->irqs[idx].used) {
        return NULL;
    }
    return &v->irqs[idx];
}

/* Find @count free entries in a row, aligned to @count (multi-MSI) */
static int vpci_irq_alloc(HvVpci *v, unsigned count)
{
    unsigned base, i;

    for (base = 0; base + count <= HV_VPCI_IRQ_TABLE_SIZE; base += count) {
        for (i = 0; i < count && !v->irqs[base + i].used; i++) {
            continue;
        }
        if (i == count) {
            return base;
        }
    }
    return -1;
}

uint32_t vpci_irq_create(HvVpci *v, HvVpciFunc *f, uint32_t vector,
                         uint8_t delivery_mode, uint16_t count,
                         const uint32_t *vps, unsigned nr_vps,
                         VpciMsiRemapped *out)
{
    uint8_t devfn = f->pdev->devfn;
    int vp, base;
    unsigned i;

    if (count == 0 || count > 32 || (count & (count - 1))) {
        trace_vpci_irq_refused(v->bus_index, devfn, vector, count,
                               "vector count not a power of two up to 32");
        return VPCI_STATUS_INVALID_PARAMETER;
    }
    /* CREATE_INTERRUPT3 has a 32-bit vector: no vector + count - 1 wrap */
    if (vector < VPCI_VECTOR_MIN || vector > VPCI_VECTOR_MAX ||
        count - 1 > VPCI_VECTOR_MAX - vector) {
        trace_vpci_irq_refused(v->bus_index, devfn, vector, count,
                               "vector outside 0x10-0xff");
        return VPCI_STATUS_INVALID_PARAMETER;
    }
    if (delivery_mode != VPCI_DELIVERY_FIXED &&
        delivery_mode != VPCI_DELIVERY_LOWEST) {
        trace_vpci_irq_refused(v->bus_index, devfn, vector, count,
                               "delivery mode neither fixed nor lowest");
        return VPCI_STATUS_INVALID_PARAMETER;
    }
    vp = vpci_pick_vp(vps, nr_vps);
    if (vp < 0) {
        trace_vpci_irq_refused(v->bus_index, devfn, vector, count,
                               "no existing VP in the target set");
        return VPCI_STATUS_INVALID_PARAMETER;
    }
    base = vpci_irq_alloc(v, count);
    if (base < 0) {
        trace_vpci_irq_refused(v->bus_index, devfn, vector, count,
                               "interrupt table full");
        return VPCI_STATUS_INSUFFICIENT_RESOURCES;
    }

    for (i = 0; i < count; i++) {
        HvVpciIrq *irq = &v->irqs[base + i];

        irq->used = true;
        irq->devfn = devfn;
        irq->vector = vector + i;
        irq->delivery_mode = delivery_mode;
        irq->target_vp = vp;
        irq->deliveries = 0;
        irq->block = i ? 0 : count;
        irq->head = base;
    }
    out->reserved = 0;
    out->vector_count = count;
    out->data = HV_VPCI_IRQ_DATA_BASE + base;
    out->address = HV_VPCI_MSI_ADDRESS;
    trace_vpci_irq_create(v->bus_index, devfn, vector, count, vp, out->data);
    return VPCI_STATUS_SUCCESS;
}

uint32_t vpci_irq_delete(HvVpci *v, HvVpciFunc *f, uint64_t address,
                         uint32_t data)
{
    HvVpciIrq *irq = vpci_irq_lookup(v, address, data);
    unsigned i, n, head;

    if (!irq || irq->devfn != f->pdev->devfn) {
        trace_vpci_irq_refused(v->bus_index, f->pdev->devfn, data, 0,
                               "delete of an unknown interrupt");
        return VPCI_STATUS_INVALID_PARAMETER;
    }
    /*
     * Deleting a block's first entry deletes the block: the entries still
     * in it.  One of them deleted earlier may since belong to another
     * interrupt, even another function's; that one stays.
     */
    head = irq - v->irqs;
    n = irq->block ? irq->block : 1;
    for (i = 0; i < n && head + i < HV_VPCI_IRQ_TABLE_SIZE; i++) {
        if (irq[i].used && irq[i].head == head) {
            irq[i].used = false;
        }
    }
    trace_vpci_irq_delete(v->bus_index, f->pdev->devfn, data);
    return VPCI_STATUS_SUCCESS;
}

void vpci_irq_release_func(HvVpci *v, uint8_t devfn)
{
    int i;

    for (i = 0; i < HV_VPCI_IRQ_TABLE_SIZE; i++) {
        if (v->irqs[i].used && v->irqs[i].devfn == devfn) {
            v->irqs[i].used = false;
        }
    }
}

void vpci_irq_release_all(HvVpci *v)
{
    memset(v->irqs, 0, sizeof(v->irqs));
}

/* @handle: the MSI data the device wrote, the pair's half we handed out */
static void vpci_irq_deliver(HvVpci *v, HvVpciIrq *irq, uint32_t handle)
{
    CPUState *cs = qemu_get_cpu(irq->target_vp);
    uint32_t apic_id, addr, data;

    if (!cs) {
        trace_vpci_msi_dropped(v->bus_index, irq->devfn, irq->vector,
                               "target VP gone");
        return;
    }
    apic_id = X86_CPU(cs)->apic_id;
    addr = VPCI_APIC_MSI_BASE | ((apic_id & 0xff) << VPCI_APIC_DEST_SHIFT);
    data = irq->vector | (irq->delivery_mode << VPCI_MSI_DELIVERY_SHIFT);
    irq->deliveries++;
    trace_vpci_msi_deliver(v->bus_index, irq->devfn, handle, irq->vector,
                           irq->target_vp);
    address_space_stl_le(&address_space_memory, addr, data,
                         MEMTXATTRS_UNSPECIFIED, NULL);
}

/* Replaces the PCI core's MSI write for every function behind vPCI */
void vpci_msi_trigger(PCIDevice *pdev, MSIMessage msg)
{
    HvVpci *v = vpci_of_pdev(pdev);
    HvVpciIrq *irq;

    if (!(pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        trace_vpci_msi_dropped(v->bus_index, pdev->devfn, msg.data,
                               "bus mastering off");
        return;
    }
    irq = vpci_irq_lookup(v, msg.address, msg.data);
    if (!irq || irq->devfn != pdev->devfn) {
        trace_vpci_msi_dropped(v->bus_index, pdev->devfn, msg.data,
                               "address/data not handed out to this "
                               "function");
        return;
    }
    vpci_irq_deliver(v, irq, msg.data);
}

/*
 * HvRetargetDeviceInterrupt: the guest moves an interrupt to another vector
 * or VP.  It names the interrupt by the address/data pair we handed out and
 * the device by an id built from the bus GUID and the function number.
 */
bool vpci_retarget(void *opaque, const HvRetargetInterruptRequest *req,
                   uint16_t *status)
{
    HvVpci *v = opaque;
    uint32_t vps[VPCI_MAX_PROCESSORS_IN_DESC];
    unsigned nr_vps;
    HvVpciIrq *irq;
    int vp;

    if ((req->device_id & ~7ULL) != vpci_device_id_base(v)) {
        return false;
    }
    irq = vpci_irq_lookup(v, req->msi_address, req->msi_data);
    if (!irq || PCI_FUNC(irq->devfn) != (req->device_id & 7)) {
        /* another bus may share the GUID bytes the id is built from */
        trace_vpci_retarget_unknown(req->device_id, req->msi_address,
                                    req->msi_data);
        return false;
    }
    nr_vps = vpci_vps_from_mask(req->vp_mask, vps);
    vp = vpci_pick_vp(vps, nr_vps);
    if (req->vector < VPCI_VECTOR_MIN || req->vector > VPCI_VECTOR_MAX ||
        vp < 0) {
        trace_vpci_irq_refused(v->bus_index, irq->devfn, req->vector, 1,
                               "retarget to a bad vector or VP set");
        *status = HV_STATUS_INVALID_PARAMETER;
        return true;
    }
    irq->vector = req->vector;
    irq->target_vp = vp;
    trace_vpci_irq_retarget(v->bus_index, irq->devfn, req->msi_data,
                            req->vector, vp);
    *status = HV_STATUS_SUCCESS;
    return true;
}

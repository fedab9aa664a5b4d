/*
 * libFuzzer harness: the vPCI host's guest-packet handling (hw/hyperv/vpci/
 * vpci-msg.c and the interrupt table of vpci-irq.c, the real files) fed
 * packet streams through a stub VMBus channel, with no guest and no QEMU.
 *
 * Input: records of [flags:1][len:2 LE][len bytes of packet].  flags bit 0:
 * the guest wants a completion; bit 1: not an in-band data packet; bit 2:
 * the host's send ring is full for this packet's completion (it must stay
 * in the ring and come back later); bit 3: the host fault plan (vpci-fault.c,
 * the real file) faults this packet, with kind 1 + (flags >> 4) % 6 (error,
 * drop, late, twice, eject, rescind) at the step its message belongs to.  A late
 * answer is sent after the pass that held it.  Four functions sit on the bus at
 * devfn 0x00, 0x01, 0x08 and 0x10; the bus starts open.
 *
 * Checked after every packet and pass, besides ASan/UBSan:
 *  - a completion is exactly as long as the space reserved for it;
 *  - one vpci_chan_notify() pass handles at most VPCI_PACKETS_PER_PASS
 *    packets (a guest that keeps queueing cannot hold the main loop);
 *  - every used interrupt entry belongs to a function on the bus, has a
 *    vector in 0x10-0xff and a block head of the same function;
 *  - deleting an interrupt of one function never frees another's entries;
 *  - a message newer than the agreed protocol version is never a success.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "hw/qdev-core.h"
#include "../../qemu/hw/hyperv/vpci/vpci-internal.h"

#define FUZZ_NR_CPUS        4
#define FUZZ_PASS_MAX       64      /* VPCI_PACKETS_PER_PASS in vpci-msg.c */
#define FUZZ_MAX_PACKETS    4096

typedef struct FuzzPacket {
    uint8_t flags;
    uint32_t len;
    const uint8_t *data;
    bool ring_full_once;
    bool fault;
} FuzzPacket;

struct VMBusChannel {
    FuzzPacket pkts[FUZZ_MAX_PACKETS];
    unsigned n, head;
    unsigned handled_this_pass; /* packets popped in one notify call */
    uint32_t reserved;      /* completion size reserved for the current one */
    bool kicked;            /* recv_done saw packets left (patch 0110) */
};

static void fuzz_arm_fault(const FuzzPacket *p);

static VMBusChannel chan;
static HvVpci *bus;
static HvVpciHost host;
static PCIBus pci_bus;
static PCIDevice pdevs[4];
static const uint8_t fuzz_devfns[4] = { 0x00, 0x01, 0x08, 0x10 };
static X86CPU cpus[FUZZ_NR_CPUS];
AddressSpace address_space_memory;
HvVpciList hv_vpci_buses = QTAILQ_HEAD_INITIALIZER(hv_vpci_buses);

/* --- QEMU and vpci.c stand-ins ------------------------------------------ */

void warn_report(const char *fmt, ...)
{
}

void info_report(const char *fmt, ...)
{
}

CPUState *qemu_get_cpu(int index)
{
    return index >= 0 && index < FUZZ_NR_CPUS ? &cpus[index].parent : NULL;
}

void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          int attrs, void *result)
{
}

VMBusDevice *vmbus_channel_device(VMBusChannel *c)
{
    return &bus->parent;
}

int vmbus_channel_recv_start(VMBusChannel *c)
{
    return 0;
}

void *vmbus_channel_recv_peek(VMBusChannel *c, uint32_t size)
{
    FuzzPacket *p;

    if (c->head == c->n) {
        return NULL;
    }
    p = &c->pkts[c->head];
    fuzz_arm_fault(p);
    return fuzz_chan_req(c, size, p->data, p->len, p->flags);
}

void vmbus_channel_recv_pop(VMBusChannel *c)
{
    assert(c->head < c->n);
    c->head++;
    c->handled_this_pass++;
    c->reserved = 0;
}

ssize_t vmbus_channel_recv_done(VMBusChannel *c)
{
    c->kicked = c->head != c->n;
    return 0;
}

/*
 * Arm the fault plan for this packet, at whichever step (if any) its message
 * type belongs to: the step table stays vpci-fault.c's own.
 */
static void fuzz_arm_fault(const FuzzPacket *p)
{
    uint32_t type;
    int step;

    if (!p->fault || p->len < sizeof(type)) {
        return;
    }
    memcpy(&type, p->data, sizeof(type));
    bus->fault_kind = VPCI_FAULT_ERROR + (p->flags >> 4) % 6;
    for (step = VPCI_FAULT_STEP_VERSION; step <= VPCI_FAULT_STEP_D0_EXIT;
         step++) {
        bus->fault_step = step;
        if (vpci_fault_peek(bus, type) != VPCI_FAULT_NONE) {
            return;
        }
    }
    bus->fault_step = -1;
}

void qdev_unplug(DeviceState *dev, Error **errp)
{
    /* the harness keeps its four functions and its bus: the eject and the
     * rescind themselves are not fuzzed */
}

const char *error_get_pretty(const Error *err)
{
    return "";
}

void error_free(Error *err)
{
}

/* A held (late) request is answered once the pass that held it is over */
static void fuzz_fire_timer(HvVpci *v)
{
    QEMUTimer *t = v->fault_timer;

    if (t->armed) {
        t->armed = false;
        t->cb(t->opaque);
    }
}

void vmbus_free_req(void *r)
{
    fuzz_chan_req_free(r);
}

int vmbus_channel_reserve(VMBusChannel *c, uint32_t pktlen, uint32_t msglen)
{
    /* a late answer comes when the ring may already be empty */
    FuzzPacket *p = c->head < c->n ? &c->pkts[c->head] : NULL;

    if (p && p->ring_full_once) {
        /* full this time; the guest reads and signals, then there is room */
        p->ring_full_once = false;
        return -ENOSPC;
    }
    c->reserved = msglen;
    return 0;
}

/* Protocol version a message type exists from (0: every version) */
static uint32_t fuzz_msg_since(uint32_t type)
{
    switch (type) {
    case VPCI_MSG_RESOURCES_ASSIGNED2:
    case VPCI_MSG_CREATE_INTERRUPT2:
    case VPCI_MSG_DELETE_INTERRUPT2:
        return VPCI_VERSION_1_2;
    case VPCI_MSG_RESOURCES_ASSIGNED3:
    case VPCI_MSG_CREATE_INTERRUPT3:
        return VPCI_VERSION_1_4;
    default:
        return 0;
    }
}

ssize_t vmbus_channel_send_completion(VMBusChanReq *req, void *msg,
                                      uint32_t msglen)
{
    static uint8_t sink[65536];
    uint32_t type = 0, status;

    /* the reservation is what the guest's ring has room for */
    assert(msglen == chan.reserved);
    assert(msglen <= sizeof(sink) && msglen >= sizeof(status));
    memcpy(sink, msg, msglen);
    memcpy(&status, msg, sizeof(status));
    if (req->msglen >= sizeof(type)) {
        memcpy(&type, req->msg, sizeof(type));
    }
    if (status == VPCI_STATUS_SUCCESS && fuzz_msg_since(type) > bus->version) {
        fprintf(stderr, "message 0x%x succeeded on protocol 0x%x\n", type,
                bus->version);
        abort();
    }
    return msglen;
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

bool vpci_send_relations(HvVpci *v)
{
    v->relations_pending = false;
    return true;
}

bool vpci_send_inband(HvVpci *v, void *msg, uint32_t len)
{
    return true;
}

bool vpci_send_child_msg(HvVpci *v, uint32_t type, uint32_t wslot)
{
    return true;
}

void vpci_finish_eject(HvVpci *v, HvVpciFunc *f)
{
    /* the function stays: the harness keeps its four */
    f->eject_sent = false;
}

void vpci_forget_d0(HvVpci *v, const char *why)
{
    v->d0_kept = false;
}

void vpci_refresh_layout(HvVpci *v)
{
}

uint64_t vpci_device_id_base(HvVpci *v)
{
    return 0x1234000000000000ull;
}

void vpci_host_log(HvVpci *v, const char *fmt, ...)
{
    v->host_log_lines++;
}

void vpci_cfg_window_map(HvVpci *v, uint64_t base)
{
    v->cfg_base = base;
    v->cfg_mapped = true;
}

void vpci_cfg_window_unmap(HvVpci *v)
{
    v->cfg_mapped = false;
}

HvRangeVerdict vpci_range_check(HvVpci *v, HvVpciFunc *f, uint64_t base,
                                uint64_t size, const char **why)
{
    HvRangeVerdict verdict = hv_layout_check(&v->layout, base, size);

    *why = hv_range_verdict_str(verdict);
    return verdict;
}

void vpci_probed_bars(PCIDevice *pdev, uint32_t bars[VPCI_NUM_BARS])
{
    memset(bars, 0, sizeof(uint32_t) * VPCI_NUM_BARS);
    bars[0] = 0xffffc004;
    bars[1] = 0xffffffff;
}

/* --- invariants --------------------------------------------------- */

static void check_irq_table(HvVpci *v)
{
    unsigned i;

    for (i = 0; i < HV_VPCI_IRQ_TABLE_SIZE; i++) {
        HvVpciIrq *irq = &v->irqs[i];

        if (!irq->used) {
            continue;
        }
        assert(v->funcs[irq->devfn].pdev);
        assert(irq->vector >= 0x10 && irq->vector <= 0xff);
        assert(irq->head <= i && irq->head < HV_VPCI_IRQ_TABLE_SIZE);
        assert(irq->target_vp < FUZZ_NR_CPUS);
    }
}

/* The real delete, checked: other functions' entries stay as they were */
uint32_t vpci_irq_delete(HvVpci *v, HvVpciFunc *f, uint64_t address,
                         uint32_t data)
{
    static bool before[HV_VPCI_IRQ_TABLE_SIZE];
    uint8_t devfn = f->pdev->devfn;
    uint32_t status;
    unsigned i;

    for (i = 0; i < HV_VPCI_IRQ_TABLE_SIZE; i++) {
        before[i] = v->irqs[i].used && v->irqs[i].devfn != devfn;
    }
    status = fuzz_real_irq_delete(v, f, address, data);
    for (i = 0; i < HV_VPCI_IRQ_TABLE_SIZE; i++) {
        if (before[i] && !v->irqs[i].used) {
            fprintf(stderr, "delete by devfn 0x%x (data 0x%x) freed entry %u "
                    "of devfn 0x%x\n", devfn, data, i, v->irqs[i].devfn);
            abort();
        }
    }
    return status;
}

/* --- the harness -------------------------------------------------- */

static void fuzz_setup_bus(void)
{
    unsigned i;

    if (!bus) {
        bus = g_new0(HvVpci, 1);
    } else {
        vpci_fault_finalize(bus);
        for (i = 0; i < VPCI_MAX_FUNCTIONS; i++) {
            vpci_block_forget(&bus->funcs[i]);
        }
    }
    memset(bus, 0, sizeof(*bus));
    vpci_fault_init(bus);
    host.vpci = bus;
    pci_bus.qbus.parent = &host;
    bus->host = &host;
    bus->bus = &pci_bus;
    bus->max_version = VPCI_VERSION_1_4;
    bus->state = VPCI_BUS_OPEN;
    /* Gen2 defaults: low MMIO below 4 GiB, framebuffer at its base */
    hv_layout_preset(HV_LAYOUT_GEN2, 0, &bus->layout);
    bus->ranges_known = true;
    for (i = 0; i < ARRAY_SIZE(pdevs); i++) {
        memset(&pdevs[i], 0, sizeof(pdevs[i]));
        pdevs[i].devfn = fuzz_devfns[i];
        pdevs[i].bus = &pci_bus;
        /* bus mastering on */
        pdevs[i].config[PCI_COMMAND] = PCI_COMMAND_MASTER;
        bus->funcs[fuzz_devfns[i]].pdev = &pdevs[i];
    }
    for (i = 0; i < FUZZ_NR_CPUS; i++) {
        cpus[i].parent.cpu_index = i;
        cpus[i].apic_id = i;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    unsigned passes = 0;

    fuzz_setup_bus();
    memset(&chan, 0, sizeof(chan));
    while (off + 3 <= size && chan.n < FUZZ_MAX_PACKETS) {
        FuzzPacket *p = &chan.pkts[chan.n++];
        uint32_t len = data[off + 1] | data[off + 2] << 8;

        p->flags = data[off];
        p->ring_full_once = p->flags & 4;
        p->fault = p->flags & 8;
        off += 3;
        p->len = MIN(len, size - off);
        p->data = data + off;
        off += p->len;
    }

    /* the main loop: a kick brings the channel back until the ring is empty */
    do {
        unsigned before = chan.head;

        chan.handled_this_pass = 0;
        vpci_chan_notify(&chan);
        fuzz_fire_timer(bus);
        assert(chan.handled_this_pass <= FUZZ_PASS_MAX);
        assert(chan.head - before == chan.handled_this_pass);
        check_irq_table(bus);
        passes++;
        assert(passes <= 2 * FUZZ_MAX_PACKETS + 2);
    } while (chan.head != chan.n);
    return 0;
}

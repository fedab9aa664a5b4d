/*
 * libFuzzer harness: QEMU's VMBus host (hw/hyperv/vmbus.c as our patches
 * leave it, copied from the staged source tree and #included: most of what
 * takes guest data is static) driven by a guest that posts messages, fills
 * ring buffers and signals events, with no guest and no rest of QEMU.
 *
 * Guest memory is FUZZ_RAM_PAGES pages of RAM at GPA 0; anything above is
 * not RAM and, as in QEMU's address_space_map, maps only through one bounce
 * buffer (page aligned, at most a page, NULL while in use): 64 pages of a
 * device's memory at 4 GiB (pfn 0x100000) that the guest can write, and
 * unassigned space that reads as all ones.  The SynIC
 * stand-in gives no route for a VP index without a vCPU, posts one message
 * at a time and lets the input choose how it lands (delivered, slot busy
 * until the guest's EOM, no message page).  One device with two channels
 * sits on the bus; its worker takes every packet and completes those that
 * ask, mapping the GPA ranges of GPA-direct packets.
 *
 * Input: operations [op:1][arguments]:
 *   0 post    [len:1][len bytes]   a message on the VMBus connection
 *   1 memory  [page:1][off:2 LE][len:1][len bytes]   write guest RAM
 *                                  (pages 0-63) or the device memory
 *                                  (64-127)
 *   2 signal  [chan:1]             the guest signals a channel's event
 *   3 signal                       the VMBus event (pre-Win8 interrupt page)
 *   4 mode    [how:1]              how the next message lands: 0 delivered,
 *                                  1 slot busy (until op 5), 2 no msg page
 *   5 EOM                          the guest frees its message slot: a
 *                                  message that waited reports -EAGAIN and
 *                                  is posted again, as in hyperv.c
 *   6 ring    [chan:1][len:1][len bytes]   a packet into a channel's
 *                                  receive ring (at the guest's write
 *                                  index, trailer added), then signal it
 *   7 ringhdr [chan:1][field:1][value:4 LE]  a receive or send ring header
 *                                  field (write/read index, interrupt mask,
 *                                  pending size)
 *   8 reset                        a machine reset: VMBus, then the SynICs
 * After each operation the main loop runs bottom halves, deliveries and
 * event handlers until idle (a bound catches a host that never idles).
 *
 * Checked besides ASan/UBSan/LeakSanitizer and vmbus.c's own asserts:
 *  - no unmap of what was never mapped (QEMU asserts), no map leaked;
 *  - no message posted, event flag set or SINT raised on a NULL route;
 *  - no allocation over libFuzzer's limit (-malloc_limit_mb);
 *  - hyperv.c's synic_reset check: after a machine reset's VMBus reset, a
 *    route left attached to a vCPU is one its sender abandoned with a
 *    message still on its way (patch 0113: before it, a message waiting
 *    for the guest's EOM kept its route and synic_reset asserted);
 *  - no callback for a message whose sender abandoned the route.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "vmbus.c"

#define FUZZ_NR_CPUS        2
#define FUZZ_RAM_PAGES      64
#define FUZZ_RAM_SIZE       (FUZZ_RAM_PAGES << TARGET_PAGE_BITS)
#define FUZZ_MMIO_BASE      0x100000000ULL  /* pfn 0x100000 */
#define FUZZ_MMIO_SIZE      FUZZ_RAM_SIZE
#define FUZZ_MAX_OPS        512
#define FUZZ_LOOP_MAX       4096
#define FUZZ_BHS            64
#define FUZZ_CONNS          16
#define FUZZ_CHANNELS       2

AddressSpace address_space_memory;
const void *vmstate_info_uint64;
Error *error_abort;
unsigned fuzz_guest_errors;

static uint8_t *ram;
static uint8_t *mmio;       /* a device's registers: reached by bounce only */

/* --- reports and errors -------------------------------------------------- */

void error_report(const char *fmt, ...)
{
}

void warn_report(const char *fmt, ...)
{
}

void info_report(const char *fmt, ...)
{
}

static bool fuzz_error_set;

void error_setg_shim(Error **errp)
{
    fuzz_error_set = true;
}

void error_propagate(Error **dst, Error *err)
{
}

static void G_GNUC_PRINTF_SHIM(1, 2) fuzz_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* --- guest memory ----------------------------------------------------------- */

static struct {
    void *buffer;
    hwaddr addr, len;
    bool is_write;
} bounce;
static int ram_maps;        /* RAM mappings not unmapped yet */

static void *fuzz_map(hwaddr addr, hwaddr *plen, bool is_write)
{
    hwaddr len = *plen;

    if (!len) {
        return NULL;
    }
    if (addr < FUZZ_RAM_SIZE) {
        *plen = MIN(len, FUZZ_RAM_SIZE - addr);
        ram_maps++;
        return ram + addr;
    }
    /* not RAM: QEMU's single bounce buffer */
    if (bounce.buffer) {
        *plen = 0;
        return NULL;
    }
    len = MIN(len, TARGET_PAGE_SIZE);
    if (addr >= FUZZ_MMIO_BASE && addr < FUZZ_MMIO_BASE + FUZZ_MMIO_SIZE) {
        /* a device's memory: the bounce buffer stops at the region's end */
        len = MIN(len, FUZZ_MMIO_BASE + FUZZ_MMIO_SIZE - addr);
    }
    /* exactly len bytes, page aligned (qemu_memalign), so ASan sees more */
    if (posix_memalign(&bounce.buffer, TARGET_PAGE_SIZE, len)) {
        abort();
    }
    if (addr >= FUZZ_MMIO_BASE && addr < FUZZ_MMIO_BASE + FUZZ_MMIO_SIZE) {
        memcpy(bounce.buffer, mmio + (addr - FUZZ_MMIO_BASE), len);
    } else {
        /* unassigned memory reads as all ones */
        memset(bounce.buffer, 0xff, len);
    }
    bounce.addr = addr;
    bounce.len = len;
    bounce.is_write = is_write;
    *plen = len;
    return bounce.buffer;
}

static void fuzz_unmap(void *buffer, hwaddr len, hwaddr access_len)
{
    if (buffer && buffer == bounce.buffer) {
        assert(access_len <= bounce.len);
        if (bounce.is_write && bounce.addr >= FUZZ_MMIO_BASE &&
            bounce.addr < FUZZ_MMIO_BASE + FUZZ_MMIO_SIZE) {
            memcpy(mmio + (bounce.addr - FUZZ_MMIO_BASE), bounce.buffer,
                   access_len);
        }
        free(bounce.buffer);
        bounce.buffer = NULL;
        return;
    }
    if (!buffer || (uint8_t *)buffer < ram ||
        (uint8_t *)buffer >= ram + FUZZ_RAM_SIZE) {
        /* address_space_unmap: memory_region_from_host() finds nothing */
        fuzz_fail("unmap of %p (len 0x%" PRIx64 "), never mapped: QEMU "
                  "asserts mr != NULL", buffer, len);
    }
    assert((uint8_t *)buffer + access_len <= ram + FUZZ_RAM_SIZE);
    assert(ram_maps > 0);
    ram_maps--;
}

void *dma_memory_map(AddressSpace *as, dma_addr_t addr, dma_addr_t *len,
                     DMADirection dir, MemTxAttrs attrs)
{
    hwaddr l = *len;
    void *p = fuzz_map(addr, &l, dir == DMA_DIRECTION_FROM_DEVICE);

    *len = l;
    return p;
}

void dma_memory_unmap(AddressSpace *as, void *buffer, dma_addr_t len,
                      DMADirection dir, dma_addr_t access_len)
{
    fuzz_unmap(buffer, len, access_len);
}

void *cpu_physical_memory_map(hwaddr addr, hwaddr *plen, bool is_write)
{
    return fuzz_map(addr, plen, is_write);
}

void cpu_physical_memory_unmap(void *buffer, hwaddr len, bool is_write,
                               hwaddr access_len)
{
    fuzz_unmap(buffer, len, access_len);
}

void qemu_sglist_init(QEMUSGList *qsg, DeviceState *dev, int alloc_hint,
                      AddressSpace *as)
{
    qsg->sg = g_new(ScatterGatherEntry, alloc_hint);
    qsg->nsg = 0;
    qsg->nalloc = alloc_hint;
    qsg->size = 0;
    qsg->dev = dev;
    qsg->as = as;
}

void qemu_sglist_add(QEMUSGList *qsg, dma_addr_t base, dma_addr_t len)
{
    if (qsg->nsg == qsg->nalloc) {
        qsg->nalloc = 2 * qsg->nalloc + 1;
        qsg->sg = g_renew(ScatterGatherEntry, qsg->sg, qsg->nalloc);
    }
    qsg->sg[qsg->nsg].base = base;
    qsg->sg[qsg->nsg].len = len;
    qsg->size += len;
    ++qsg->nsg;
}

void qemu_sglist_destroy(QEMUSGList *qsg)
{
    g_free(qsg->sg);
    memset(qsg, 0, sizeof(*qsg));
}

/* --- main loop: bottom halves and event notifiers -------------------------- */

static struct {
    QEMUBHFunc *cb;
    void *opaque;
} bhs[FUZZ_BHS];
static unsigned nr_bhs;

AioContext *qemu_get_aio_context(void)
{
    return NULL;
}

void aio_bh_schedule_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque)
{
    if (nr_bhs == FUZZ_BHS) {
        fuzz_fail("more than %d bottom halves pending", FUZZ_BHS);
    }
    bhs[nr_bhs].cb = cb;
    bhs[nr_bhs].opaque = opaque;
    nr_bhs++;
}

int event_notifier_init(EventNotifier *e, int active)
{
    assert(!e->initialized);
    e->initialized = true;
    e->set = active;
    e->handler = NULL;
    return 0;
}

void event_notifier_cleanup(EventNotifier *e)
{
    assert(e->initialized);
    memset(e, 0, sizeof(*e));
}

int event_notifier_set(EventNotifier *e)
{
    assert(e->initialized);
    e->set = true;
    return 0;
}

int event_notifier_test_and_clear(EventNotifier *e)
{
    bool was = e->set;

    e->set = false;
    return was;
}

void event_notifier_set_handler(EventNotifier *e, EventNotifierHandler *h)
{
    e->handler = h;
}

/* --- the SynIC (hw/hyperv/hyperv.c) ---------------------------------------- */

enum { DELIVER_OK, DELIVER_BUSY, DELIVER_NO_PAGE };

struct HvSintRoute {
    uint32_t vp_index;
    HvSintMsgCb cb;
    void *cb_data;
    unsigned refcount;
    bool staged;            /* a message posted, its status not reported */
    bool waiting_eom;       /* the guest's slot was busy */
    bool abandoned;         /* the sender let go: no callback */
};

static struct {
    HvMsgHandler handler;
    void *data;
} msg_handler;
static struct {
    uint32_t conn_id;
    EventNotifier *notifier;
} conns[FUZZ_CONNS];
static HvSintRoute *routes[64];
static unsigned nr_routes_alive;
static uint8_t deliver_mode;
static struct hyperv_message last_msg;

HvSintRoute *hyperv_sint_route_new(uint32_t vp_index, uint32_t sint,
                                   HvSintMsgCb cb, void *cb_data)
{
    HvSintRoute *r;
    unsigned i;

    /* hyperv_find_synic(): no vCPU with that VP index, no route */
    if (vp_index >= FUZZ_NR_CPUS) {
        return NULL;
    }
    r = g_new0(HvSintRoute, 1);
    r->vp_index = vp_index;
    r->cb = cb;
    r->cb_data = cb_data;
    r->refcount = 1;
    for (i = 0; i < ARRAY_SIZE(routes); i++) {
        if (!routes[i]) {
            routes[i] = r;
            nr_routes_alive++;
            return r;
        }
    }
    fuzz_fail("more than %zu SINT routes", ARRAY_SIZE(routes));
    return NULL;
}

void hyperv_sint_route_ref(HvSintRoute *r)
{
    if (!r) {
        fuzz_fail("hyperv_sint_route_ref(NULL): QEMU dereferences it");
    }
    r->refcount++;
}

void hyperv_sint_route_unref(HvSintRoute *r)
{
    unsigned i;

    if (!r) {
        return;
    }
    assert(r->refcount);
    if (--r->refcount) {
        return;
    }
    for (i = 0; i < ARRAY_SIZE(routes); i++) {
        if (routes[i] == r) {
            routes[i] = NULL;
            nr_routes_alive--;
        }
    }
    g_free(r);
}

/* As hyperv.c: a message waiting for an EOM is dropped, one on its way
 * completes without its callback */
void hyperv_sint_route_abandon(HvSintRoute *r)
{
    if (!r) {
        return;
    }
    if (r->staged) {
        r->abandoned = true;
        if (r->waiting_eom) {
            r->staged = false;
            r->waiting_eom = false;
            r->abandoned = false;
            hyperv_sint_route_unref(r);
        }
    }
    hyperv_sint_route_unref(r);
}

int hyperv_sint_route_set_sint(HvSintRoute *r)
{
    if (!r) {
        fuzz_fail("hyperv_sint_route_set_sint(NULL): QEMU dereferences it");
    }
    return 0;
}

int hyperv_set_event_flag(HvSintRoute *r, unsigned eventno)
{
    if (!r) {
        fuzz_fail("hyperv_set_event_flag(NULL, %u): QEMU dereferences it",
                  eventno);
    }
    return 0;
}

int hyperv_post_msg(HvSintRoute *r, struct hyperv_message *msg)
{
    if (!r) {
        fuzz_fail("hyperv_post_msg(NULL): QEMU dereferences the route");
    }
    /* only routes made with a callback have a staging area */
    assert(r->cb);
    if (r->staged) {
        return -EAGAIN;
    }
    /* the message in flight holds the route (async_run_on_cpu) */
    r->staged = true;
    r->refcount++;
    memcpy(&last_msg, msg, sizeof(last_msg));
    assert(msg->header.payload_size <= sizeof(msg->payload));
    return 0;
}

int hyperv_set_msg_handler(uint32_t conn_id, HvMsgHandler handler, void *data)
{
    assert(conn_id == VMBUS_MESSAGE_CONNECTION_ID);
    if (handler && msg_handler.handler) {
        return -EEXIST;
    }
    msg_handler.handler = handler;
    msg_handler.data = data;
    return 0;
}

int hyperv_set_event_flag_handler(uint32_t conn_id, EventNotifier *notifier)
{
    unsigned i;

    for (i = 0; i < FUZZ_CONNS; i++) {
        if (conns[i].notifier && conns[i].conn_id == conn_id) {
            if (notifier) {
                return -EEXIST;
            }
            conns[i].notifier = NULL;
            return 0;
        }
    }
    if (!notifier) {
        return -ENOENT;
    }
    for (i = 0; i < FUZZ_CONNS; i++) {
        if (!conns[i].notifier) {
            conns[i].conn_id = conn_id;
            conns[i].notifier = notifier;
            return 0;
        }
    }
    return -ENOSPC;
}

bool hyperv_is_synic_enabled(void)
{
    return true;
}

bool hyperv_are_vmbus_recommended_features_enabled(void)
{
    return true;
}

bool hyperv_tcg_prepare_vmbus(Error **errp)
{
    return true;
}

bool vmbus_mmio_resolve(VMBusBridge *bridge, Error **errp)
{
    return true;
}

/* Report a staged message's fate as hyperv.c's sint_msg_bh does */
static bool fuzz_deliver_one(bool eom)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(routes); i++) {
        HvSintRoute *r = routes[i];
        int status = 0;

        if (!r || !r->staged || (r->waiting_eom && !eom)) {
            continue;
        }
        if (!r->waiting_eom && deliver_mode == DELIVER_BUSY) {
            /* the slot is busy: the message waits for the guest's EOM */
            r->waiting_eom = true;
            deliver_mode = DELIVER_OK;
            continue;
        }
        if (r->waiting_eom) {
            /* hyperv.c: the EOM reports -EAGAIN and the sender posts again */
            status = -EAGAIN;
        } else if (deliver_mode == DELIVER_NO_PAGE) {
            status = -ENXIO;
        }
        deliver_mode = DELIVER_OK;
        r->staged = false;
        r->waiting_eom = false;
        if (!r->abandoned) {
            r->cb(r->cb_data, status);
        }
        r->abandoned = false;
        hyperv_sint_route_unref(r);
        return true;
    }
    return false;
}

/* --- QOM and qdev bits vmbus.c calls --------------------------------------- */

static VMBus *vmbus;
static VMBusDevice *vdev;
static DeviceClass dev_base_class;  /* vmbus_dev_class_init fills it */
static VMBusDeviceClass fuzz_vdc;
static BusClass bus_class;          /* vmbus_class_init fills it */
HotplugHandlerClass fuzz_hotplug_class;

void object_unparent(Object *obj)
{
}

char *qdev_get_dev_path(DeviceState *dev)
{
    return g_strdup("vmbus");
}

void qdev_unrealize(DeviceState *dev)
{
}

BusState *qbus_new(const char *typename, DeviceState *parent, const char *name)
{
    abort();
}

void qbus_set_bus_hotplug_handler(BusState *bus)
{
}

HotplugHandler *qdev_get_hotplug_handler(DeviceState *dev)
{
    return NULL;
}

void hotplug_handler_unplug(HotplugHandler *h, DeviceState *dev, Error **errp)
{
}

/* A device reset, as qdev's: the class's reset */
void device_cold_reset(DeviceState *dev)
{
    dev_base_class.reset(dev);
}

void qdev_reset_all(DeviceState *dev)
{
    device_cold_reset(dev);
}

/* A bus reset, as qdev's: the devices on it first, then the bus */
void bus_cold_reset(BusState *bus)
{
    device_cold_reset(DEVICE(vdev));
    bus_class.reset(bus);
}

void qbus_reset_all(BusState *bus)
{
    bus_cold_reset(bus);
}

/* --- the device on the bus --------------------------------------------------- */

static uint16_t fuzz_dev_num_channels(VMBusDevice *d)
{
    return FUZZ_CHANNELS;
}

static void fuzz_dev_notify(VMBusChannel *chan)
{
    VMBusChanReq *req;
    unsigned n = 0;

    if (vmbus_channel_recv_start(chan)) {
        return;
    }
    while (n++ < 64 && (req = vmbus_channel_recv_peek(chan, sizeof(*req)))) {
        uint64_t comp[2] = { req->transaction_id, req->msglen };

        if (req->sgl.dev) {
            struct iovec iov[4];
            int cnt = vmbus_map_sgl(req, DMA_DIRECTION_TO_DEVICE, iov,
                                    ARRAY_SIZE(iov), req->sgl.size, 0);

            if (cnt > 0) {
                vmbus_unmap_sgl(req, DMA_DIRECTION_TO_DEVICE, iov, cnt, 0);
            }
        }
        if (req->need_comp &&
            !vmbus_channel_reserve(chan, 0, sizeof(comp))) {
            vmbus_channel_send_completion(req, comp, sizeof(comp));
        }
        vmbus_channel_recv_pop(chan);
        vmbus_free_req(req);
    }
    vmbus_channel_recv_done(chan);
}

/* --- the harness ------------------------------------------------------------- */

static void fuzz_setup(void)
{
    static bool classes_done;
    Error *err = NULL;

    if (!classes_done) {
        vmbus_dev_class_init((ObjectClass *)&dev_base_class, NULL);
        vmbus_class_init((ObjectClass *)&bus_class, NULL);
        /* host pages line up with guest pages, as QEMU's RAM does */
        if (posix_memalign((void **)&ram, TARGET_PAGE_SIZE, FUZZ_RAM_SIZE)) {
            abort();
        }
        mmio = g_malloc(FUZZ_MMIO_SIZE);
        classes_done = true;
    }
    memset(ram, 0, FUZZ_RAM_SIZE);
    memset(mmio, 0, FUZZ_MMIO_SIZE);
    memset(&fuzz_vdc, 0, sizeof(fuzz_vdc));
    fuzz_vdc.num_channels = fuzz_dev_num_channels;
    fuzz_vdc.chan_notify_cb = fuzz_dev_notify;
    fuzz_vdc.mmio_size_mb = 0;
    deliver_mode = DELIVER_OK;
    nr_bhs = 0;

    vmbus = g_new0(VMBus, 1);
    vmbus->target_vp = (uint32_t)-1;
    fuzz_error_set = false;
    vmbus_realize(BUS(vmbus), &err);
    assert(!fuzz_error_set);

    vdev = g_new0(VMBusDevice, 1);
    vdev->parent.obj.klass = (ObjectClass *)&fuzz_vdc;
    vdev->parent.parent_bus = BUS(vmbus);
    vdev->instanceid.data[0] = 1;
    vdev->dma_as = &address_space_memory;
    create_channels(vmbus, vdev, &err);
    assert(!fuzz_error_set);
}

static bool fuzz_run_handlers(void)
{
    unsigned i;

    for (i = 0; i < FUZZ_CONNS; i++) {
        EventNotifier *e = conns[i].notifier;

        if (e && e->set && e->handler) {
            e->handler(e);
            return true;
        }
    }
    if (vmbus->notifier.set && vmbus->notifier.handler) {
        vmbus->notifier.handler(&vmbus->notifier);
        return true;
    }
    return false;
}

static void fuzz_main_loop(void)
{
    unsigned iter;

    for (iter = 0; iter < FUZZ_LOOP_MAX; iter++) {
        if (nr_bhs) {
            QEMUBHFunc *cb = bhs[0].cb;
            void *opaque = bhs[0].opaque;

            memmove(&bhs[0], &bhs[1], --nr_bhs * sizeof(bhs[0]));
            cb(opaque);
        } else if (!fuzz_deliver_one(false) && !fuzz_run_handlers()) {
            return;
        }
    }
    fuzz_fail("the main loop never idles (%d passes)", FUZZ_LOOP_MAX);
}

/* The guest's side of a machine reset: VMBus first, then every SynIC */
static void fuzz_machine_reset(void)
{
    unsigned i;

    /* the vCPUs are stopped: no bottom half runs between the two */
    vmbus_reset_all(vmbus);
    for (i = 0; i < ARRAY_SIZE(routes); i++) {
        /* hyperv.c synic_reset: only abandoned routes with a message on
         * its way (they go when it completes) */
        if (routes[i] && !(routes[i]->staged && routes[i]->abandoned)) {
            fuzz_fail("synic_reset: a SINT route still attached (%s)",
                      routes[i]->waiting_eom ? "its message waits for an EOM"
                                             : "no message in flight");
        }
    }
}

static VMBusChannel *fuzz_chan(uint8_t idx)
{
    return &vdev->channels[idx % FUZZ_CHANNELS];
}

/* Guest-side copy into the GPADL of an open channel (RAM pages only) */
static void fuzz_gpadl_write(VMBusGpadl *gpadl, uint32_t off, const void *buf,
                             uint32_t len)
{
    const uint8_t *p = buf;

    while (len) {
        uint32_t idx = off >> TARGET_PAGE_BITS;
        uint32_t in_page = off & ~TARGET_PAGE_MASK;
        uint32_t n = MIN(len, TARGET_PAGE_SIZE - in_page);
        uint64_t gpa;

        if (idx >= gpadl->num_gfns) {
            return;
        }
        gpa = (gpadl->gfns[idx] << TARGET_PAGE_BITS) + in_page;
        /* (a GFN near 2^52 puts gpa + n past 2^64: no sums) */
        if (gpa <= FUZZ_RAM_SIZE - n) {
            memcpy(ram + gpa, p, n);
        } else if (gpa >= FUZZ_MMIO_BASE &&
                   gpa - FUZZ_MMIO_BASE <= FUZZ_MMIO_SIZE - n) {
            memcpy(mmio + (gpa - FUZZ_MMIO_BASE), p, n);
        }
        off += n;
        p += n;
        len -= n;
    }
}

static vmbus_ring_buffer *fuzz_ring_hdr(VMBusChannel *chan, bool send)
{
    VMBusGpadl *gpadl = chan->gpadl;
    uint64_t gpa;

    if (!chan->is_open || !gpadl) {
        return NULL;
    }
    gpa = gpadl->gfns[send ? chan->ringbuf_send_offset : 0] <<
          TARGET_PAGE_BITS;
    if (gpa >= FUZZ_RAM_SIZE ||
        gpa + sizeof(vmbus_ring_buffer) > FUZZ_RAM_SIZE) {
        return NULL;
    }
    return (vmbus_ring_buffer *)(ram + gpa);
}

/* A packet into the receive ring at the guest's write index */
static void fuzz_ring_put(VMBusChannel *chan, const uint8_t *pkt, uint32_t len)
{
    vmbus_ring_buffer *rb = fuzz_ring_hdr(chan, false);
    VMBusRingBufCommon *c = &chan->recv_ringbuf.common;
    uint8_t buf[256 + 16] = { 0 };
    uint32_t total = QEMU_ALIGN_UP(len, 8) + 8, wr, first;

    if (!rb || !c->len || total >= c->len) {
        return;
    }
    memcpy(buf, pkt, len);
    wr = rb->write_index;
    if (wr >= c->len) {
        return;
    }
    first = MIN(total, c->len - wr);
    fuzz_gpadl_write(chan->gpadl, c->base + wr, buf, first);
    fuzz_gpadl_write(chan->gpadl, c->base, buf + first, total - first);
    rb->write_index = (wr + total) % c->len;
    event_notifier_set(&chan->notifier);
}

static void fuzz_ring_field(VMBusChannel *chan, uint8_t field, uint32_t value)
{
    vmbus_ring_buffer *rb = fuzz_ring_hdr(chan, field & 4);

    if (!rb) {
        return;
    }
    switch (field & 3) {
    case 0:
        rb->write_index = value;
        break;
    case 1:
        rb->read_index = value;
        break;
    case 2:
        rb->interrupt_mask = value;
        break;
    case 3:
        rb->pending_send_sz = value;
        break;
    }
}

static void fuzz_post(const uint8_t *payload, uint8_t len)
{
    struct hyperv_post_message_input in = {
        .connection_id = VMBUS_MESSAGE_CONNECTION_ID,
        .message_type = HV_MESSAGE_VMBUS,
    };

    len = MIN(len, sizeof(in.payload));
    in.payload_size = len;
    memcpy(in.payload, payload, len);
    if (msg_handler.handler) {
        msg_handler.handler(&in, msg_handler.data);
    }
}

static void fuzz_teardown(void)
{
    VMBusGpadl *gpadl, *tmp;
    unsigned i;

    /* a VMBus reset closes every channel and drops the guest's GPADLs */
    vmbus_reset_all(vmbus);
    nr_bhs = 0;
    for (i = 0; i < ARRAY_SIZE(routes); i++) {
        while (routes[i]) {
            routes[i]->staged = false;
            hyperv_sint_route_unref(routes[i]);
        }
    }
    for (i = 0; i < vdev->num_channels; i++) {
        vdev->channels[i].state = VMCHAN_INIT;
    }
    free_channels(vdev);
    g_free(vdev);
    vmbus_unrealize(BUS(vmbus));
    QTAILQ_FOREACH_SAFE(gpadl, &vmbus->gpadl_list, link, tmp) {
        free_gpadl(gpadl);
    }
    g_free(vmbus);
    if (bounce.buffer) {
        fuzz_fail("a bounce buffer mapping was never unmapped");
    }
    if (ram_maps) {
        fuzz_fail("%d RAM mappings were never unmapped", ram_maps);
    }
    memset(conns, 0, sizeof(conns));
    memset(&msg_handler, 0, sizeof(msg_handler));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    unsigned ops = 0;

    fuzz_setup();
    while (off < size && ops++ < FUZZ_MAX_OPS) {
        uint8_t op = data[off++] % 9;
        size_t left = size - off;

        switch (op) {
        case 0: {
            uint8_t len = left ? data[off] : 0;

            off += !!left;
            len = MIN(len, size - off);
            fuzz_post(data + off, len);
            off += len;
            break;
        }
        case 1: {
            uint32_t page, in_page, len;

            if (left < 4) {
                off = size;
                break;
            }
            /* pages 0-63 are RAM, 64-127 the device memory */
            page = data[off] % (2 * FUZZ_RAM_PAGES);
            in_page = (data[off + 1] | data[off + 2] << 8) % TARGET_PAGE_SIZE;
            len = MIN(data[off + 3], size - off - 4);
            off += 4;
            len = MIN(len, TARGET_PAGE_SIZE - in_page);
            memcpy((page < FUZZ_RAM_PAGES ? ram : mmio - FUZZ_RAM_SIZE) +
                   page * TARGET_PAGE_SIZE + in_page, data + off, len);
            off += len;
            break;
        }
        case 2:
            if (left) {
                VMBusChannel *chan = fuzz_chan(data[off++]);

                if (chan->is_open) {
                    event_notifier_set(&chan->notifier);
                }
            }
            break;
        case 3:
            event_notifier_set(&vmbus->notifier);
            break;
        case 4:
            if (left) {
                deliver_mode = data[off++] % 3;
            }
            break;
        case 5:
            fuzz_deliver_one(true);
            break;
        case 6: {
            VMBusChannel *chan;
            uint8_t len;

            if (left < 2) {
                off = size;
                break;
            }
            chan = fuzz_chan(data[off]);
            len = MIN(data[off + 1], size - off - 2);
            off += 2;
            fuzz_ring_put(chan, data + off, len);
            off += len;
            break;
        }
        case 7: {
            uint32_t value;

            if (left < 6) {
                off = size;
                break;
            }
            memcpy(&value, data + off + 2, sizeof(value));
            fuzz_ring_field(fuzz_chan(data[off]), data[off + 1], value);
            off += 6;
            break;
        }
        case 8:
            fuzz_machine_reset();
            break;
        }
        fuzz_main_loop();
    }
    fuzz_teardown();
    return 0;
}

/*
 * libFuzzer harness: the synthetic video host (hw/hyperv/video/synthvid.c,
 * the real file, #included: its handlers are static) fed guest packets
 * through a stub VMBus channel, with no guest and no QEMU.
 *
 * Input: [config:1] then records [flags:1][len:2 LE][len bytes of packet].
 * config bits 0-1: max-version (3.0, 3.2, 3.5, 3.5); bit 2: in-use=vram;
 * bit 3: an explicit fw-vram-base; bit 4: no vmbus-bridge (no low MMIO).
 * flags bit 1: not an in-band data packet; bit 2: the host's send ring is
 * full while this packet is handled; bit 4: the guest closes and reopens
 * the channel first; bit 5: a VMBus reset (unload, new contact) first;
 * bit 6: a machine reset first.  Packets between those events are handled
 * in one pass of the channel callback.
 *
 * Checked after every packet, besides ASan/UBSan:
 *  - every answer is an in-band data packet with a consistent video header,
 *    exactly the size reserved for it, sent only on an open channel;
 *  - nothing but a version answer before a version is agreed; a version is
 *    accepted only if it is 3.0, 3.2 or 3.5 and at most max-version;
 *  - a resolution list only on 3.5, with 1 to 64 entries, at most as many
 *    as the guest asked for, that fit the VRAM, its default among them;
 *  - the framebuffer range in use is the firmware's or a page-aligned VRAM
 *    location the guest set, never wrapping; a machine reset brings the
 *    firmware's back, a VMBus reset keeps the guest's;
 *  - at most SYNTHVID_VRAM_REPORTS_MAX lines on stderr per boot.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "../../qemu/hw/hyperv/video/synthvid.c"

#define FUZZ_MAX_PACKETS    1024
#define FUZZ_FW_BASE        0xf8000000ULL   /* fw-vram-base when explicit */
#define FUZZ_LOW_MMIO       0xc0000000ULL   /* the bridge's low MMIO base */

typedef struct FuzzPacket {
    uint8_t flags;
    uint32_t len;
    const uint8_t *data;
} FuzzPacket;

struct VMBusChannel {
    FuzzPacket pkts[FUZZ_MAX_PACKETS];
    unsigned n, head;
    bool open;
    bool ring_full;         /* for the packet being handled */
    uint32_t reserved;      /* msglen of the last reservation, 0: none */
};

static VMBusChannel chan;
static HvSynthvid dev;
static VMBusDeviceClass vdc;
static QEMUResetHandler *reset_handler;
static bool have_bridge;
static unsigned reports;    /* info_report lines this boot */
unsigned fuzz_guest_errors;
bool fuzz_realize_failed;

/* the range synthvid.c last put in use (vram-in-use.c's copy) */
static struct {
    uint64_t base, size;
    bool set;
} in_use;

/* --- QEMU stand-ins ------------------------------------------------------ */

void info_report(const char *fmt, ...)
{
    reports++;
}

void object_property_add_str(Object *obj, const char *name,
                             char *(*get)(Object *, Error **),
                             void (*set)(Object *, const char *, Error **))
{
}

void qemu_register_reset(QEMUResetHandler *func, void *opaque)
{
    reset_handler = func;
}

void qemu_unregister_reset(QEMUResetHandler *func, void *opaque)
{
    reset_handler = NULL;
}

void qemu_add_machine_init_done_notifier(Notifier *notify)
{
}

void qemu_remove_machine_init_done_notifier(Notifier *notify)
{
}

bool vmbus_mmio_get_layout(VMBusMmioLayout *layout)
{
    memset(layout, 0, sizeof(*layout));
    if (!have_bridge) {
        return false;
    }
    layout->low.base = FUZZ_LOW_MMIO;
    layout->low.size = 0x30000000;
    return true;
}

void hv_video_note_gen2(uint64_t base, uint64_t size)
{
    in_use.base = base;
    in_use.size = size;
    in_use.set = true;
}

VMBusChannel *vmbus_device_channel(VMBusDevice *d, uint32_t chan_idx)
{
    return chan_idx == 0 ? &chan : NULL;
}

VMBusDevice *vmbus_channel_device(VMBusChannel *c)
{
    return &dev.parent;
}

bool vmbus_channel_is_open(VMBusChannel *c)
{
    return c->open;
}

int vmbus_channel_recv_start(VMBusChannel *c)
{
    assert(c->open);
    return 0;
}

void *vmbus_channel_recv_peek(VMBusChannel *c, uint32_t size)
{
    FuzzPacket *p;

    if (c->head == c->n) {
        return NULL;
    }
    p = &c->pkts[c->head];
    c->ring_full = p->flags & 4;
    return fuzz_chan_req(c, size, p->data, p->len, p->flags);
}

void vmbus_channel_recv_pop(VMBusChannel *c)
{
    assert(c->head < c->n);
    c->head++;
}

ssize_t vmbus_channel_recv_done(VMBusChannel *c)
{
    return 0;
}

void vmbus_free_req(void *r)
{
    fuzz_chan_req_free(r);
}

int vmbus_channel_reserve(VMBusChannel *c, uint32_t desclen, uint32_t msglen)
{
    assert(c->open);
    assert(desclen == 0);
    if (c->ring_full) {
        return -ENOSPC;
    }
    c->reserved = msglen;
    return 0;
}

/* The guest's request being answered (the packet at the ring's head) */
static const uint8_t *fuzz_request(uint32_t *len)
{
    const FuzzPacket *p = &chan.pkts[chan.head];

    assert(chan.head < chan.n);
    *len = p->len;
    return p->data;
}

static void check_answer(const SvHeader *h, const void *p, uint32_t len)
{
    uint32_t req_len;
    const uint8_t *req = fuzz_request(&req_len);

    /* nothing but the version answer before a version is agreed */
    assert(h->type == SV_MSG_VERSION_RESP || dev.version);
    switch (h->type) {
    case SV_MSG_VERSION_RESP: {
        const SvVersionResp *r = p;

        assert(len == sizeof(*r));
        if (r->accepted) {
            assert(r->version == SYNTHVID_VER_WIN7 ||
                   r->version == SYNTHVID_VER_WIN8 ||
                   r->version == SYNTHVID_VER_WIN10);
            assert(r->version <= dev.max_version);
            assert(dev.version == r->version);
        }
        break;
    }
    case SV_MSG_RESOLUTION_RESP: {
        const SvResolutionResp *r = p;
        unsigned i;

        assert(len == sizeof(*r));
        /* a 3.5 message, and no more entries than the guest has room for */
        assert(dev.version >= SYNTHVID_VER_WIN10);
        assert(req_len > sizeof(*h));
        assert(r->count >= 1 && r->count <= req[sizeof(*h)]);
        assert(r->count <= SV_MAX_RESOLUTIONS);
        assert(r->default_index < r->count);
        for (i = 0; i < r->count; i++) {
            assert((uint64_t)r->res[i].width * r->res[i].height * 4 <=
                   synthvid_vram_size());
            assert(r->res[i].width && r->res[i].height);
        }
        break;
    }
    case SV_MSG_VRAM_ACK:
    case SV_MSG_SITUATION_ACK:
        assert(len == sizeof(SvAck));
        break;
    case SV_MSG_FEATURE_CHANGE:
        assert(len == sizeof(SvFeatureChange));
        break;
    default:
        fprintf(stderr, "the host sent message type %u\n", h->type);
        abort();
    }
}

ssize_t vmbus_channel_send(VMBusChannel *c, uint16_t pkt_type,
                           void *desc, uint32_t desclen,
                           void *msg, uint32_t msglen,
                           bool need_comp, uint64_t transaction_id)
{
    const SvHeader *h = msg;

    assert(c->open);
    assert(pkt_type == VMBUS_PACKET_DATA_INBAND && !desclen && !need_comp);
    /* exactly what was reserved, as vmbus.c asserts */
    assert(c->reserved && msglen == c->reserved);
    c->reserved = 0;
    assert(msglen >= sizeof(*h));
    assert(h->pipe_type == SYNTHVID_PIPE_DATA);
    assert(h->pipe_size == msglen - 2 * sizeof(uint32_t));
    assert(h->size == h->pipe_size);
    check_answer(h, (const uint8_t *)msg + sizeof(*h), msglen - sizeof(*h));
    return msglen;
}

/* --- invariants ---------------------------------------------------------- */

static uint64_t fuzz_fw_base(void)
{
    if (dev.fw_vram_base != HV_VIDEO_UNMAPPED) {
        return dev.fw_vram_base;
    }
    return have_bridge ? FUZZ_LOW_MMIO : HV_VIDEO_UNMAPPED;
}

static void check_in_use(void)
{
    assert(in_use.set);
    assert(reports <= SYNTHVID_VRAM_REPORTS_MAX);
    if (!dev.vram_guest_set) {
        assert(dev.vram_base == fuzz_fw_base());
        assert(in_use.base == fuzz_fw_base());
        assert(in_use.size == dev.fw_vram_size);
        return;
    }
    assert(dev.vram_base && !(dev.vram_base & 0xfff));
    assert(dev.vram_base + synthvid_vram_size() > dev.vram_base);
    if (dev.follow_vram) {
        assert(in_use.base == dev.vram_base);
        assert(in_use.size == synthvid_vram_size());
    } else {
        /* in-use=firmware: the range stays the firmware's */
        assert(in_use.base == fuzz_fw_base());
    }
}

/* --- the harness ---------------------------------------------------------- */

static void fuzz_setup(uint8_t config)
{
    static const uint32_t versions[] = {
        SYNTHVID_VER_WIN7, SYNTHVID_VER_WIN8, SYNTHVID_VER_WIN10,
        SYNTHVID_VER_WIN10,
    };

    if (dev.in_use) {
        vdc.vmdev_unrealize(&dev.parent);
        g_free(dev.in_use);
    }
    memset(&dev, 0, sizeof(dev));
    memset(&in_use, 0, sizeof(in_use));
    memset(&vdc, 0, sizeof(vdc));
    synthvid_class_init((ObjectClass *)&vdc, NULL);
    synthvid_instance_init((Object *)&dev);
    /* the properties' defaults, then the input's choices */
    dev.fw_vram_base = HV_VIDEO_UNMAPPED;
    dev.fw_vram_size = SYNTHVID_VRAM_MB * MiB;
    dev.width = 1024;
    dev.height = 768;
    dev.max_version = versions[config & 3];
    if (config & 4) {
        g_free(dev.in_use);
        dev.in_use = g_strdup("vram");
    }
    if (config & 8) {
        dev.fw_vram_base = FUZZ_FW_BASE;
    }
    have_bridge = !(config & 16);
    fuzz_realize_failed = false;
    vdc.vmdev_realize(&dev.parent, NULL);
    assert(!fuzz_realize_failed && reset_handler);
    synthvid_machine_done(&dev.machine_done, NULL);
    reports = 0;
    check_in_use();
    chan.open = vdc.open_channel(&chan) == 0;
    assert(chan.open);
}

/* Handle the packets queued so far in one pass of the channel callback */
static void fuzz_pass(void)
{
    if (chan.head == chan.n) {
        return;
    }
    vdc.chan_notify_cb(&chan);
    assert(chan.head == chan.n);
    chan.ring_full = false;
    check_in_use();
}

static void fuzz_event(uint8_t flags)
{
    uint64_t vram = dev.vram_base;
    bool guest_set = dev.vram_guest_set;

    if (flags & 0x10) {
        vdc.close_channel(&chan);
        chan.open = vdc.open_channel(&chan) == 0;
        assert(chan.open);
    }
    if (flags & 0x20) {
        /* the guest's VRAM location outlives its VMBus connection */
        vdc.close_channel(&chan);
        vdc.vmdev_reset(&dev.parent);
        assert(dev.vram_base == vram && dev.vram_guest_set == guest_set);
        chan.open = vdc.open_channel(&chan) == 0;
        assert(chan.open);
    }
    if (flags & 0x40) {
        vdc.close_channel(&chan);
        vdc.vmdev_reset(&dev.parent);
        reset_handler(&dev);
        reports = 0;
        assert(!dev.vram_guest_set && dev.vram_base == fuzz_fw_base());
        chan.open = vdc.open_channel(&chan) == 0;
        assert(chan.open);
    }
    check_in_use();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 1;

    if (size < 1) {
        return -1;
    }
    memset(&chan, 0, sizeof(chan));
    fuzz_setup(data[0]);
    while (off + 3 <= size && chan.n < FUZZ_MAX_PACKETS) {
        FuzzPacket *p = &chan.pkts[chan.n];
        uint32_t len = data[off + 1] | data[off + 2] << 8;

        if (data[off] & 0x70) {
            fuzz_pass();
            fuzz_event(data[off]);
        }
        p->flags = data[off];
        off += 3;
        p->len = MIN(len, size - off);
        p->data = data + off;
        off += p->len;
        chan.n++;
    }
    fuzz_pass();
    return 0;
}

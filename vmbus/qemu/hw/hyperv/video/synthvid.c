/*
 * Hyper-V synthetic video: the "hv-synthvid" VMBus device
 *
 * Enough of the host side for the guest's hyperv_fb (or hyperv_drm) to bind
 * and run: version negotiation, the list of resolutions, the VRAM location,
 * situation updates, pointer and dirt messages.  Nothing is displayed; what
 * matters to the stand-in is which range the host keeps in use for the
 * framebuffer (see vram-in-use.c): the firmware's framebuffer at the base
 * of low MMIO (default, "in-use=firmware"), or the VRAM location the guest
 * last set ("in-use=vram").
 *
 * Like Hyper-V, the VRAM location the guest sets outlives the guest's VMBus
 * connection: a kexec or a crash (VMBus unload, new contact) leaves it where
 * it was; only a machine reset brings back the firmware's location.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/error-report.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hw/hyperv/vmbus.h"
#include "hw/hyperv/vmbus-mmio.h"
#include "migration/vmstate.h"
#include "sysemu/reset.h"
#include "sysemu/sysemu.h"
#include "hv-video.h"
#include "trace.h"

#define TYPE_HV_SYNTHVID "hv-synthvid"
OBJECT_DECLARE_SIMPLE_TYPE(HvSynthvid, HV_SYNTHVID)

/* VRAM size offered to the guest (the VMBus offer's MMIO size) */
#define SYNTHVID_VRAM_MB        8

struct HvSynthvid {
    VMBusDevice parent;

    /* properties */
    uint64_t fw_vram_base;      /* firmware framebuffer; MAX: low MMIO base */
    uint64_t fw_vram_size;
    uint32_t width, height;     /* the default resolution we offer */
    uint32_t max_version;
    char *in_use;               /* "firmware" or "vram" */
    bool follow_vram;

    /* protocol state of the current connection */
    uint32_t version;
    SvOutput output;
    uint64_t dirt_msgs;
    uint64_t pointer_msgs;
    bool feature_sent;

    /* the VRAM location: survives VMBus resets, not machine resets */
    uint64_t vram_base;
    bool vram_guest_set;
    uint64_t fw_base_now;       /* the firmware's location this boot */
    /* VRAM moves reported on stderr this boot (the guest picks how many) */
    uint32_t vram_reports;

    Notifier machine_done;
};

/* VRAM moves reported on stderr per boot */
#define SYNTHVID_VRAM_REPORTS_MAX   8

static const SvResolution synthvid_modes[] = {
    { 1024, 768 }, { 1152, 864 }, { 1280, 720 }, { 1280, 1024 },
    { 1600, 900 }, { 1920, 1080 },
};

static uint64_t synthvid_vram_size(void)
{
    return (uint64_t)SYNTHVID_VRAM_MB << 20;
}

/* --- sending ------------------------------------------------------------ */

static bool synthvid_send(HvSynthvid *s, uint32_t type, const void *payload,
                          uint32_t len)
{
    VMBusChannel *chan = vmbus_device_channel(VMBUS_DEVICE(s), 0);
    g_autofree uint8_t *buf = g_malloc0(sizeof(SvHeader) + len);
    SvHeader *h = (SvHeader *)buf;
    uint32_t total = sizeof(*h) + len;

    if (!chan || !vmbus_channel_is_open(chan)) {
        return false;
    }
    h->pipe_type = SYNTHVID_PIPE_DATA;
    h->pipe_size = total - 2 * sizeof(uint32_t);
    h->type = type;
    h->size = h->pipe_size;
    memcpy(buf + sizeof(*h), payload, len);

    if (vmbus_channel_reserve(chan, 0, total)) {
        /* the ring is 256 KiB and the guest waits for each answer */
        trace_synthvid_bad_msg(type, total, "no room in the ring, dropped");
        return false;
    }
    return vmbus_channel_send(chan, VMBUS_PACKET_DATA_INBAND, NULL, 0,
                              buf, total, false, 0) >= 0;
}

/* --- the VRAM location ---------------------------------------------------- */

static uint64_t synthvid_fw_base(HvSynthvid *s)
{
    VMBusMmioLayout mmio;

    if (s->fw_vram_base != HV_VIDEO_UNMAPPED) {
        return s->fw_vram_base;
    }
    /* Gen2: the firmware framebuffer sits at the base of low MMIO */
    if (vmbus_mmio_get_layout(&mmio) && mmio.low.size) {
        return mmio.low.base;
    }
    return HV_VIDEO_UNMAPPED;
}

static void synthvid_set_vram(HvSynthvid *s, uint64_t base, uint64_t size)
{
    s->vram_base = base;
    if (s->follow_vram || !s->vram_guest_set) {
        hv_video_note_gen2(base, size);
    }
}

static void synthvid_machine_reset(void *opaque)
{
    HvSynthvid *s = opaque;

    s->vram_guest_set = false;
    s->vram_reports = 0;
    synthvid_set_vram(s, synthvid_fw_base(s), s->fw_vram_size);
    s->fw_base_now = s->vram_base;
    trace_synthvid_machine_reset(s->vram_base, s->fw_vram_size);
}

static void synthvid_machine_done(Notifier *n, void *data)
{
    HvSynthvid *s = container_of(n, HvSynthvid, machine_done);

    synthvid_machine_reset(s);
}

/*
 * The guest may put its VRAM anywhere page aligned below the top of the
 * guest physical address space; Gen1 guests even use RAM.
 */
static bool synthvid_vram_ok(uint64_t gpa)
{
    return gpa && !(gpa & 0xfff) && gpa + synthvid_vram_size() > gpa;
}

/* --- handlers ------------------------------------------------------------ */

static void synthvid_h_version(HvSynthvid *s, const void *p)
{
    const SvVersionReq *req = p;
    SvVersionResp resp = {
        .version = req->version,
        .max_outputs = 1,
    };
    uint32_t major = req->version & 0xffff, minor = req->version >> 16;

    resp.accepted = major == 3 &&
                    (minor == 0 || minor == 2 || minor == 5) &&
                    req->version <= s->max_version;
    if (resp.accepted) {
        s->version = req->version;
    }
    trace_synthvid_version(req->version, resp.accepted);
    synthvid_send(s, SV_MSG_VERSION_RESP, &resp, sizeof(resp));
}

static void synthvid_h_resolution(HvSynthvid *s, const void *p)
{
    g_autofree SvResolutionResp *resp = g_new0(SvResolutionResp, 1);
    const uint8_t *max = p;
    unsigned i, n = 0;

    if (!*max) {
        /* the answer must list at least one, and no more than this */
        qemu_log_mask(LOG_GUEST_ERROR, "hv-synthvid: resolution request for "
                      "at most 0 resolutions, dropped\n");
        return;
    }
    resp->standard = 0;
    /* our default first, then the fixed list, all fitting the VRAM */
    resp->res[n].width = s->width;
    resp->res[n].height = s->height;
    n++;
    for (i = 0; i < ARRAY_SIZE(synthvid_modes) && n < *max; i++) {
        const SvResolution *m = &synthvid_modes[i];

        if ((uint64_t)m->width * m->height * 4 > synthvid_vram_size() ||
            (m->width == s->width && m->height == s->height)) {
            continue;
        }
        resp->res[n++] = *m;
    }
    resp->count = n;
    resp->default_index = 0;
    trace_synthvid_resolutions(n, s->width, s->height);
    synthvid_send(s, SV_MSG_RESOLUTION_RESP, resp, sizeof(*resp));
}

static void synthvid_h_vram(HvSynthvid *s, const void *p)
{
    const SvVramLocation *req = p;
    SvAck ack = { .user_ctx = req->user_ctx };
    uint64_t old = s->vram_base;
    bool ok = true;

    if (!req->gpa_specified) {
        /* the guest gives the choice back: the firmware's location */
        s->vram_guest_set = false;
        synthvid_set_vram(s, synthvid_fw_base(s), s->fw_vram_size);
    } else if (synthvid_vram_ok(req->gpa)) {
        s->vram_guest_set = true;
        synthvid_set_vram(s, req->gpa, synthvid_vram_size());
    } else {
        /* a user context that does not match tells the guest "refused" */
        ok = false;
        ack.user_ctx = ~req->user_ctx;
        qemu_log_mask(LOG_GUEST_ERROR, "hv-synthvid: VRAM location 0x%"
                      PRIx64 " refused\n", req->gpa);
    }
    trace_synthvid_vram(req->gpa, req->gpa_specified, ok);
    /*
     * A move is worth a line for the user (where the host now sees the
     * framebuffer), but the guest decides how often it sends this: the
     * first few per boot go to stderr, the rest only to the trace.
     */
    if (ok && old != s->vram_base &&
        s->vram_reports < SYNTHVID_VRAM_REPORTS_MAX) {
        s->vram_reports++;
        info_report("hv-synthvid: the guest moved VRAM from 0x%" PRIx64
                    " to 0x%" PRIx64 "-0x%" PRIx64 "%s", old, s->vram_base,
                    s->vram_base + synthvid_vram_size() - 1,
                    s->vram_reports == SYNTHVID_VRAM_REPORTS_MAX ?
                    " (further moves only in the trace)" : "");
    }
    synthvid_send(s, SV_MSG_VRAM_ACK, &ack, sizeof(ack));

    if (ok && !s->feature_sent) {
        /* ask for dirt rectangles and the pointer, as Hyper-V does */
        SvFeatureChange fc = {
            .dirt_needed = 1,
            .pointer_pos_needed = 1,
            .pointer_shape_needed = 1,
            .situation_needed = 1,
        };

        s->feature_sent = synthvid_send(s, SV_MSG_FEATURE_CHANGE, &fc,
                                        sizeof(fc));
    }
}

static void synthvid_h_situation(HvSynthvid *s, const void *p)
{
    const SvSituation *req = p;
    SvAck ack = { .user_ctx = req->user_ctx };

    if (req->output_count >= 1) {
        s->output = req->output[0];
        trace_synthvid_situation(s->output.width, s->output.height,
                                 s->output.depth, s->output.pitch);
    }
    synthvid_send(s, SV_MSG_SITUATION_ACK, &ack, sizeof(ack));
}

static void synthvid_h_dirt(HvSynthvid *s, const void *p)
{
    const SvDirt *d = p;

    s->dirt_msgs++;
    trace_synthvid_dirt(d->count, s->dirt_msgs);
}

static void synthvid_h_pointer(HvSynthvid *s, const void *p)
{
    s->pointer_msgs++;
}

typedef struct SvMsgSpec {
    uint32_t type;
    uint32_t min_len;           /* payload bytes after the video header */
    uint32_t since;             /* the version it needs (0: none agreed) */
    void (*handler)(HvSynthvid *s, const void *payload);
} SvMsgSpec;

static const SvMsgSpec synthvid_msgs[] = {
    { SV_MSG_VERSION_REQ, sizeof(SvVersionReq), 0, synthvid_h_version },
    { SV_MSG_RESOLUTION_REQ, 1, SYNTHVID_VER_WIN10, synthvid_h_resolution },
    { SV_MSG_VRAM_LOCATION, sizeof(SvVramLocation), SYNTHVID_VER_WIN7,
      synthvid_h_vram },
    { SV_MSG_SITUATION, sizeof(SvSituation), SYNTHVID_VER_WIN7,
      synthvid_h_situation },
    { SV_MSG_POINTER_POS, 0, SYNTHVID_VER_WIN7, synthvid_h_pointer },
    { SV_MSG_POINTER_SHAPE, 0, SYNTHVID_VER_WIN7, synthvid_h_pointer },
    { SV_MSG_DIRT, sizeof(SvDirt), SYNTHVID_VER_WIN7, synthvid_h_dirt },
};

static void synthvid_handle(HvSynthvid *s, VMBusChanReq *req)
{
    const SvHeader *h = req->msg;
    const SvMsgSpec *spec = NULL;
    uint32_t payload;
    int i;

    if (req->pkt_type != VMBUS_PACKET_DATA_INBAND ||
        req->msglen < sizeof(*h)) {
        trace_synthvid_bad_msg(0, req->msglen, "not an in-band video packet");
        return;
    }
    if (h->pipe_type != SYNTHVID_PIPE_DATA) {
        trace_synthvid_bad_msg(h->type, req->msglen, "not a pipe data packet");
        return;
    }
    payload = req->msglen - sizeof(*h);
    trace_synthvid_msg(h->type, req->msglen);
    for (i = 0; i < ARRAY_SIZE(synthvid_msgs); i++) {
        if (synthvid_msgs[i].type == h->type) {
            spec = &synthvid_msgs[i];
        }
    }
    if (!spec) {
        trace_synthvid_bad_msg(h->type, req->msglen, "unknown message");
        return;
    }
    if (payload < spec->min_len) {
        trace_synthvid_bad_msg(h->type, req->msglen, "payload too short");
        return;
    }
    /* versions compare as numbers: the minor sits in the high half */
    if (s->version < spec->since) {
        qemu_log_mask(LOG_GUEST_ERROR, "hv-synthvid: message type %u needs "
                      "protocol 0x%x, the channel has 0x%x; dropped\n",
                      h->type, spec->since, s->version);
        return;
    }
    spec->handler(s, (const uint8_t *)req->msg + sizeof(*h));
}

static void synthvid_notify(VMBusChannel *chan)
{
    HvSynthvid *s = HV_SYNTHVID(vmbus_channel_device(chan));
    VMBusChanReq *req;

    if (vmbus_channel_recv_start(chan)) {
        trace_synthvid_bad_msg(0, 0, "receive ring unusable");
        return;
    }
    while ((req = vmbus_channel_recv_peek(chan, sizeof(*req)))) {
        synthvid_handle(s, req);
        vmbus_channel_recv_pop(chan);
        vmbus_free_req(req);
    }
    vmbus_channel_recv_done(chan);
}

/* --- VMBus device callbacks ---------------------------------------------- */

static void synthvid_conn_reset(HvSynthvid *s)
{
    s->version = 0;
    s->feature_sent = false;
    memset(&s->output, 0, sizeof(s->output));
}

static int synthvid_open(VMBusChannel *chan)
{
    HvSynthvid *s = HV_SYNTHVID(vmbus_channel_device(chan));

    trace_synthvid_open();
    synthvid_conn_reset(s);
    return 0;
}

static void synthvid_close(VMBusChannel *chan)
{
    HvSynthvid *s = HV_SYNTHVID(vmbus_channel_device(chan));

    trace_synthvid_close();
    synthvid_conn_reset(s);
}

/* VMBus reset: unload, new contact or machine reset.  VRAM stays. */
static void synthvid_vmdev_reset(VMBusDevice *vdev)
{
    synthvid_conn_reset(HV_SYNTHVID(vdev));
}

static void synthvid_vmdev_realize(VMBusDevice *vdev, Error **errp)
{
    HvSynthvid *s = HV_SYNTHVID(vdev);

    if (s->max_version != SYNTHVID_VER_WIN7 &&
        s->max_version != SYNTHVID_VER_WIN8 &&
        s->max_version != SYNTHVID_VER_WIN10) {
        error_setg(errp, "hv-synthvid: max-version 0x%x is not one of 0x%x "
                   "(3.0), 0x%x (3.2), 0x%x (3.5)", s->max_version,
                   SYNTHVID_VER_WIN7, SYNTHVID_VER_WIN8, SYNTHVID_VER_WIN10);
        return;
    }
    if ((uint64_t)s->width * s->height * 4 > synthvid_vram_size() ||
        s->width < 640 || s->height < 480 || s->width > UINT16_MAX ||
        s->height > UINT16_MAX) {
        error_setg(errp, "hv-synthvid: resolution %ux%u does not fit: "
                   "640x480 at least, 32 bpp within %u MiB of VRAM",
                   s->width, s->height, SYNTHVID_VRAM_MB);
        return;
    }
    if (!s->fw_vram_size || s->fw_vram_size > 128 * MiB ||
        (s->fw_vram_size & 0xfffff)) {
        error_setg(errp, "hv-synthvid: fw-vram-size 0x%" PRIx64 " must be "
                   "a whole number of MiB, 1 to 128", s->fw_vram_size);
        return;
    }
    if (s->fw_vram_base != HV_VIDEO_UNMAPPED && (s->fw_vram_base & 0xfff)) {
        error_setg(errp, "hv-synthvid: fw-vram-base 0x%" PRIx64 " is not "
                   "page aligned", s->fw_vram_base);
        return;
    }
    if (!strcmp(s->in_use, "vram")) {
        s->follow_vram = true;
    } else if (strcmp(s->in_use, "firmware")) {
        error_setg(errp, "hv-synthvid: in-use '%s' is not one of firmware, "
                   "vram", s->in_use);
        return;
    }
    s->vram_base = HV_VIDEO_UNMAPPED;
    qemu_register_reset(synthvid_machine_reset, s);
    /* the first reset may run before every vPCI bus exists */
    s->machine_done.notify = synthvid_machine_done;
    qemu_add_machine_init_done_notifier(&s->machine_done);
}

static void synthvid_vmdev_unrealize(VMBusDevice *vdev)
{
    HvSynthvid *s = HV_SYNTHVID(vdev);

    qemu_unregister_reset(synthvid_machine_reset, s);
    qemu_remove_machine_init_done_notifier(&s->machine_done);
}

/* --- QOM ------------------------------------------------------------------ */

static char *synthvid_get_info(Object *obj, Error **errp)
{
    HvSynthvid *s = HV_SYNTHVID(obj);

    return g_strdup_printf("version 0x%x, VRAM 0x%" PRIx64 " (%s), firmware "
                           "framebuffer 0x%" PRIx64 ", in use: %s, output "
                           "%ux%u depth %u, %" PRIu64 " dirt, %" PRIu64
                           " pointer messages", s->version, s->vram_base,
                           s->vram_guest_set ? "set by the guest" :
                           "firmware", s->fw_base_now,
                           s->follow_vram ? "VRAM" : "firmware framebuffer",
                           s->output.width, s->output.height,
                           s->output.depth, s->dirt_msgs, s->pointer_msgs);
}

static Property synthvid_props[] = {
    DEFINE_PROP_UINT64("fw-vram-base", HvSynthvid, fw_vram_base,
                       HV_VIDEO_UNMAPPED),
    DEFINE_PROP_UINT64("fw-vram-size", HvSynthvid, fw_vram_size,
                       SYNTHVID_VRAM_MB * MiB),
    DEFINE_PROP_UINT32("width", HvSynthvid, width, 1024),
    DEFINE_PROP_UINT32("height", HvSynthvid, height, 768),
    DEFINE_PROP_UINT32("max-version", HvSynthvid, max_version,
                       SYNTHVID_VER_WIN10),
    DEFINE_PROP_STRING("in-use", HvSynthvid, in_use),
    DEFINE_PROP_END_OF_LIST()
};

static const VMStateDescription vmstate_hv_synthvid = {
    .name = TYPE_HV_SYNTHVID,
    .unmigratable = 1,
};

static void synthvid_instance_init(Object *obj)
{
    HV_SYNTHVID(obj)->in_use = g_strdup("firmware");
    object_property_add_str(obj, "info", synthvid_get_info, NULL);
}

static void synthvid_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);

    qemu_uuid_parse(SYNTHVID_CLASS_GUID, &vdc->classid);
    /* one synthetic video device per VM, as on Hyper-V */
    qemu_uuid_parse("02780ada-77e3-ac4a-8e77-0558eb1073f8", &vdc->instanceid);
    vdc->mmio_size_mb = SYNTHVID_VRAM_MB;
    vdc->vmdev_realize = synthvid_vmdev_realize;
    vdc->vmdev_unrealize = synthvid_vmdev_unrealize;
    vdc->vmdev_reset = synthvid_vmdev_reset;
    vdc->open_channel = synthvid_open;
    vdc->close_channel = synthvid_close;
    vdc->chan_notify_cb = synthvid_notify;

    device_class_set_props(dc, synthvid_props);
    dc->vmsd = &vmstate_hv_synthvid;
    dc->desc = "Hyper-V synthetic video (VMBus)";
    set_bit(DEVICE_CATEGORY_DISPLAY, dc->categories);
}

static const TypeInfo synthvid_info = {
    .name = TYPE_HV_SYNTHVID,
    .parent = TYPE_VMBUS_DEVICE,
    .instance_size = sizeof(HvSynthvid),
    .instance_init = synthvid_instance_init,
    .class_init = synthvid_class_init,
};

static void synthvid_register_types(void)
{
    type_register_static(&synthvid_info);
}

type_init(synthvid_register_types)

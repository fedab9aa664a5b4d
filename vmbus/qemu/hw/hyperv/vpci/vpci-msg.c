/*
 * Hyper-V virtual PCI bus: the packets the guest sends, as a host answers
 *
 * Every packet is checked for length, state and slot before it touches
 * anything; a bad one gets an error status (when the guest asked for a
 * completion) and a trace line, never an abort.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "vpci-internal.h"
#include "trace.h"

typedef struct VpciMsgCtx {
    HvVpci *v;
    uint32_t type;
    const void *msg;
    uint32_t len;
    uint8_t *reply;         /* zeroed, reply_len bytes; status goes first */
    uint32_t reply_len;
} VpciMsgCtx;

typedef uint32_t (*VpciHandler)(VpciMsgCtx *c);

/* Packets one channel pass handles before it yields to the main loop */
#define VPCI_PACKETS_PER_PASS   64

static uint32_t vpci_bad(VpciMsgCtx *c, uint32_t status, const char *why)
{
    trace_vpci_bad_msg(c->v->bus_index, c->type, c->len, status, why);
    return status;
}

/* Look up the function at a slot the message names */
static HvVpciFunc *vpci_msg_func_at(VpciMsgCtx *c, uint32_t wslot)
{
    HvVpciFunc *f = vpci_func_by_wslot(c->v, wslot);

    if (!f) {
        vpci_bad(c, VPCI_STATUS_NO_SUCH_DEVICE, "no function at this slot");
    }
    return f;
}

/* ... for the messages whose slot follows the type (VpciChildMsg) */
static HvVpciFunc *vpci_msg_func(VpciMsgCtx *c)
{
    return vpci_msg_func_at(c, ((const VpciChildMsg *)c->msg)->wslot);
}

static uint32_t vpci_h_version(VpciMsgCtx *c)
{
    const VpciVersionRequest *m = c->msg;
    VpciVersionReply *r = (VpciVersionReply *)c->reply;
    HvVpci *v = c->v;
    uint32_t major = m->version >> 16, minor = m->version & 0xffff;

    if (v->state == VPCI_BUS_D0) {
        return vpci_bad(c, VPCI_STATUS_INVALID_DEVICE_STATE,
                        "version request while in D0");
    }
    r->version = v->max_version;
    if (major != 1 || minor < 1 || minor > 4 || m->version > v->max_version) {
        trace_vpci_version(v->bus_index, m->version, v->max_version, false);
        return VPCI_STATUS_REVISION_MISMATCH;
    }
    v->version = m->version;
    v->state = VPCI_BUS_NEGOTIATED;
    r->version = m->version;
    trace_vpci_version(v->bus_index, m->version, v->max_version, true);
    return VPCI_STATUS_SUCCESS;
}

static uint32_t vpci_h_query_relations(VpciMsgCtx *c)
{
    HvVpci *v = c->v;

    if (v->state < VPCI_BUS_NEGOTIATED) {
        return vpci_bad(c, VPCI_STATUS_INVALID_DEVICE_STATE,
                        "relations asked before version negotiation");
    }
    v->relations_requested = true;
    vpci_send_relations(v);
    return VPCI_STATUS_SUCCESS;
}

static uint32_t vpci_h_d0_entry(VpciMsgCtx *c)
{
    const VpciD0Entry *m = c->msg;
    HvVpci *v = c->v;
    uint64_t base = m->cfg_window_base;
    const char *why = NULL;
    HvRangeVerdict verdict;

    if (v->state == VPCI_BUS_D0) {
        /* like Hyper-V after a crash: the guest must send D0 exit first */
        return vpci_bad(c, VPCI_STATUS_INVALID_DEVICE_STATE,
                        "D0 entry while already in D0");
    }
    if (v->state != VPCI_BUS_NEGOTIATED) {
        return vpci_bad(c, VPCI_STATUS_INVALID_DEVICE_STATE,
                        "D0 entry before version negotiation");
    }
    if (v->d0_kept) {
        /*
         * Hyper-V after a guest crash: the bus is still in D0 from the
         * kernel that went away; a D0 exit has to come first.
         */
        v->d0_kept_refusals++;
        trace_vpci_d0_entry(v->bus_index, base,
                            VPCI_STATUS_INVALID_DEVICE_STATE,
                            "bus still in D0 from before the guest "
                            "reconnected, D0 exit needed");
        return VPCI_STATUS_INVALID_DEVICE_STATE;
    }
    if (base & (VPCI_CFG_SPACE_SIZE - 1)) {
        trace_vpci_d0_entry(v->bus_index, base, VPCI_STATUS_INVALID_PARAMETER,
                            "config window not page aligned");
        vpci_host_log(v, "D0 entry refused: config window 0x%" PRIx64
                      " is not page aligned", base);
        return VPCI_STATUS_INVALID_PARAMETER;
    }

    vpci_refresh_layout(v);
    verdict = vpci_range_check(v, NULL, base, VPCI_CFG_WINDOW_SIZE, &why);
    if (verdict != HV_RANGE_OK) {
        uint32_t status = verdict == HV_RANGE_OUTSIDE_MMIO ||
                          verdict == HV_RANGE_EMPTY ?
                          VPCI_STATUS_INVALID_PARAMETER :
                          VPCI_STATUS_RANGE_IN_USE;

        trace_vpci_d0_entry(v->bus_index, base, status, why);
        vpci_host_log(v, "D0 entry refused with status 0x%x: config window "
                      "0x%" PRIx64 "-0x%" PRIx64 " %s", status, base,
                      base + VPCI_CFG_WINDOW_SIZE - 1, why);
        return status;
    }

    vpci_cfg_window_map(v, base);
    v->state = VPCI_BUS_D0;
    trace_vpci_d0_entry(v->bus_index, base, VPCI_STATUS_SUCCESS, "accepted");
    return VPCI_STATUS_SUCCESS;
}

static uint32_t vpci_h_d0_exit(VpciMsgCtx *c)
{
    HvVpci *v = c->v;
    int devfn;

    if (v->state < VPCI_BUS_NEGOTIATED) {
        return vpci_bad(c, VPCI_STATUS_INVALID_DEVICE_STATE,
                        "D0 exit before version negotiation");
    }
    vpci_cfg_window_unmap(v);
    vpci_irq_release_all(v);
    for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
        v->funcs[devfn].resources_assigned = false;
    }
    v->state = VPCI_BUS_NEGOTIATED;
    trace_vpci_d0_exit(v->bus_index);
    vpci_forget_d0(v, "D0 exit");
    return VPCI_STATUS_SUCCESS;
}

static uint32_t vpci_h_resource_reqs(VpciMsgCtx *c)
{
    VpciResourceReqsReply *r = (VpciResourceReqsReply *)c->reply;
    HvVpciFunc *f = vpci_msg_func(c);
    uint32_t bars[VPCI_NUM_BARS];

    if (!f) {
        return VPCI_STATUS_NO_SUCH_DEVICE;
    }
    vpci_probed_bars(f->pdev, bars);
    memcpy(r->probed_bar, bars, sizeof(bars));
    trace_vpci_resource_reqs(c->v->bus_index, f->pdev->devfn,
                             bars[0], bars[1], bars[2]);
    return VPCI_STATUS_SUCCESS;
}

/* Size of one MSI resource slot in a resources-assigned form */
static uint32_t vpci_assigned_res_size(uint32_t type)
{
    switch (type) {
    case VPCI_MSG_RESOURCES_ASSIGNED:
        return VPCI_MSI_RES1_SIZE;
    case VPCI_MSG_RESOURCES_ASSIGNED2:
        return VPCI_MSI_RES2_SIZE;
    default:
        return VPCI_MSI_RES3_SIZE;
    }
}

static uint64_t vpci_partial_res_len(const VpciPartialRes *p)
{
    uint64_t len = p->length;

    if (p->type != VPCI_RES_TYPE_MEMORY_LARGE) {
        return len;
    }
    if (p->flags & VPCI_RES_FLAG_LARGE_64) {
        return len << 32;
    }
    if (p->flags & VPCI_RES_FLAG_LARGE_48) {
        return len << 16;
    }
    if (p->flags & VPCI_RES_FLAG_LARGE_40) {
        return len << 8;
    }
    return len;
}

/* Create the interrupt one MSI resource of a resources-assigned asks for */
static uint32_t vpci_assigned_msi(VpciMsgCtx *c, HvVpciFunc *f, uint32_t type,
                                  const uint8_t *res, VpciMsiRemapped *out)
{
    uint32_t vps[VPCI_MAX_PROCESSORS_IN_DESC];
    const VpciMsiDesc1 *d1 = (const void *)res;
    const VpciMsiDesc2 *d2 = (const void *)res;
    const VpciMsiDesc3 *d3 = (const void *)res;
    unsigned i, n;

    switch (type) {
    case VPCI_MSG_RESOURCES_ASSIGNED:
        n = vpci_vps_from_mask(d1->cpu_mask, vps);
        return vpci_irq_create(c->v, f, d1->vector, d1->delivery_mode,
                               d1->vector_count, vps, n, out);
    case VPCI_MSG_RESOURCES_ASSIGNED2:
        n = MIN(d2->processor_count, VPCI_MAX_PROCESSORS_IN_DESC);
        for (i = 0; i < n; i++) {
            vps[i] = d2->processor_array[i];
        }
        return vpci_irq_create(c->v, f, d2->vector, d2->delivery_mode,
                               d2->vector_count, vps, n, out);
    default:
        n = MIN(d3->processor_count, VPCI_MAX_PROCESSORS_IN_DESC);
        for (i = 0; i < n; i++) {
            vps[i] = d3->processor_array[i];
        }
        return vpci_irq_create(c->v, f, d3->vector, d3->delivery_mode,
                               d3->vector_count, vps, n, out);
    }
}

static uint32_t vpci_h_resources_assigned(VpciMsgCtx *c)
{
    const VpciResourcesAssigned *m = c->msg;
    VpciResourcesAssignedReply *r = (VpciResourcesAssignedReply *)c->reply;
    HvVpci *v = c->v;
    HvVpciFunc *f = vpci_msg_func(c);
    uint32_t res_size = vpci_assigned_res_size(m->type);
    const uint8_t *msi = (const uint8_t *)(m + 1);
    uint32_t status = VPCI_STATUS_SUCCESS;
    uint32_t i;

    if (!f) {
        return VPCI_STATUS_NO_SUCH_DEVICE;
    }
    if (v->state != VPCI_BUS_D0) {
        return vpci_bad(c, VPCI_STATUS_INVALID_DEVICE_STATE,
                        "resources assigned outside D0");
    }
    if (m->msi_count > VPCI_MAX_MSI_IN_ASSIGNED ||
        c->len < sizeof(*m) + m->msi_count * res_size) {
        return vpci_bad(c, VPCI_STATUS_BAD_DATA,
                        "MSI resource count does not fit the packet");
    }

    r->wslot = m->wslot;
    for (i = 0; i < VPCI_NUM_BARS; i++) {
        const VpciPartialRes *p = &m->mmio[i];
        uint64_t len = vpci_partial_res_len(p);
        const char *why = NULL;
        HvRangeVerdict verdict;

        r->mmio[i] = *p;
        if ((p->type != VPCI_RES_TYPE_MEMORY &&
             p->type != VPCI_RES_TYPE_MEMORY_LARGE) || !len) {
            continue;
        }
        /* the function's own BARs may already sit there: that is fine */
        verdict = vpci_range_check(v, f, p->start, len, &why);
        if (verdict != HV_RANGE_OK) {
            vpci_host_log(v, "resources for slot 0x%x refused: BAR range "
                          "0x%" PRIx64 "+0x%" PRIx64 " %s", m->wslot,
                          p->start, len, why);
            return vpci_bad(c, VPCI_STATUS_RANGE_IN_USE, why);
        }
    }

    r->msi_count = m->msi_count;
    for (i = 0; i < m->msi_count; i++) {
        VpciMsiRemapped *out = (VpciMsiRemapped *)
            (c->reply + sizeof(*r) + i * res_size);

        status = vpci_assigned_msi(c, f, m->type, msi + i * res_size, out);
        if (status != VPCI_STATUS_SUCCESS) {
            /* undo the ones this packet created */
            while (i--) {
                out = (VpciMsiRemapped *)(c->reply + sizeof(*r) +
                                          i * res_size);
                vpci_irq_delete(v, f, out->address, out->data);
            }
            return vpci_bad(c, status, "MSI resource refused");
        }
    }

    f->resources_assigned = true;
    trace_vpci_resources_assigned(v->bus_index, m->wslot, m->type,
                                  m->msi_count);
    return VPCI_STATUS_SUCCESS;
}

static uint32_t vpci_h_resources_released(VpciMsgCtx *c)
{
    HvVpciFunc *f = vpci_msg_func(c);

    if (!f) {
        return VPCI_STATUS_NO_SUCH_DEVICE;
    }
    vpci_irq_release_func(c->v, f->pdev->devfn);
    f->resources_assigned = false;
    trace_vpci_resources_released(c->v->bus_index, f->pdev->devfn);
    return VPCI_STATUS_SUCCESS;
}

static uint32_t vpci_h_create_interrupt(VpciMsgCtx *c)
{
    VpciCreateInterruptReply *r = (VpciCreateInterruptReply *)c->reply;
    uint32_t type = c->type;
    uint32_t vps[VPCI_MAX_PROCESSORS_IN_DESC];
    HvVpciFunc *f = vpci_msg_func(c);
    uint32_t vector;
    uint8_t mode;
    uint16_t count;
    unsigned i, n;

    if (!f) {
        return VPCI_STATUS_NO_SUCH_DEVICE;
    }
    if (c->v->state != VPCI_BUS_D0) {
        return vpci_bad(c, VPCI_STATUS_INVALID_DEVICE_STATE,
                        "create interrupt outside D0");
    }

    if (type == VPCI_MSG_CREATE_INTERRUPT) {
        const VpciCreateInterrupt1 *m = c->msg;

        vector = m->desc.vector;
        mode = m->desc.delivery_mode;
        count = m->desc.vector_count;
        n = vpci_vps_from_mask(m->desc.cpu_mask, vps);
    } else if (type == VPCI_MSG_CREATE_INTERRUPT2) {
        const VpciCreateInterrupt2 *m = c->msg;

        vector = m->desc.vector;
        mode = m->desc.delivery_mode;
        count = m->desc.vector_count;
        n = MIN(m->desc.processor_count, VPCI_MAX_PROCESSORS_IN_DESC);
        for (i = 0; i < n; i++) {
            vps[i] = m->desc.processor_array[i];
        }
    } else {
        const VpciCreateInterrupt3 *m = c->msg;

        vector = m->desc.vector;
        mode = m->desc.delivery_mode;
        count = m->desc.vector_count;
        n = MIN(m->desc.processor_count, VPCI_MAX_PROCESSORS_IN_DESC);
        for (i = 0; i < n; i++) {
            vps[i] = m->desc.processor_array[i];
        }
    }

    return vpci_irq_create(c->v, f, vector, mode, count, vps, n, &r->remapped);
}

static uint32_t vpci_h_delete_interrupt(VpciMsgCtx *c)
{
    const VpciDeleteInterrupt *m = c->msg;
    HvVpciFunc *f = vpci_msg_func(c);

    if (!f) {
        return VPCI_STATUS_NO_SUCH_DEVICE;
    }
    return vpci_irq_delete(c->v, f, m->remapped.address, m->remapped.data);
}

static uint32_t vpci_h_power(VpciMsgCtx *c)
{
    const VpciPowerChange *m = c->msg;
    VpciPowerChangeReply *r = (VpciPowerChangeReply *)c->reply;
    HvVpciFunc *f = vpci_msg_func(c);

    if (!f) {
        return VPCI_STATUS_NO_SUCH_DEVICE;
    }
    if (m->state != VPCI_POWER_D0 && m->state != VPCI_POWER_D3) {
        return vpci_bad(c, VPCI_STATUS_INVALID_PARAMETER,
                        "unknown power state");
    }
    f->power_state = m->state;
    r->wslot = m->wslot;
    r->state = m->state;
    trace_vpci_power(c->v->bus_index, f->pdev->devfn, m->state);
    return VPCI_STATUS_SUCCESS;
}

static uint32_t vpci_h_eject_complete(VpciMsgCtx *c)
{
    HvVpciFunc *f = vpci_msg_func(c);

    if (!f) {
        return VPCI_STATUS_NO_SUCH_DEVICE;
    }
    if (!f->eject_sent) {
        return vpci_bad(c, VPCI_STATUS_INVALID_DEVICE_STATE,
                        "ejection complete without an eject");
    }
    vpci_finish_eject(c->v, f);
    return VPCI_STATUS_SUCCESS;
}

/* The reply's size is set by vpci_reply_len(): the status, then the bytes */
static uint32_t vpci_h_read_block(VpciMsgCtx *c)
{
    const VpciReadBlock *m = c->msg;
    HvVpciFunc *f = vpci_msg_func_at(c, m->wslot);

    if (!f) {
        return VPCI_STATUS_NO_SUCH_DEVICE;
    }
    return vpci_block_read(c->v, f, m->block_id, m->bytes_requested,
                           c->reply + sizeof(VpciStatusReply));
}

static uint32_t vpci_h_write_block(VpciMsgCtx *c)
{
    const VpciWriteBlock *m = c->msg;
    HvVpciFunc *f = vpci_msg_func_at(c, m->wslot);

    if (!f) {
        return VPCI_STATUS_NO_SUCH_DEVICE;
    }
    if (m->byte_count > c->len - sizeof(*m)) {
        return vpci_bad(c, VPCI_STATUS_INVALID_PARAMETER,
                        "block bytes do not fit the packet");
    }
    return vpci_block_write(c->v, f, m->block_id, (const uint8_t *)(m + 1),
                            m->byte_count);
}

static uint32_t vpci_h_unsupported(VpciMsgCtx *c)
{
    return vpci_bad(c, VPCI_STATUS_NOT_SUPPORTED, "message not supported");
}

typedef struct VpciMsgSpec {
    uint32_t type;
    uint32_t min_len;
    uint32_t reply_len;     /* fixed reply size, status included */
    VpciHandler handler;
    uint32_t since;         /* protocol version it exists from; 0: 1.1 */
} VpciMsgSpec;

static const VpciMsgSpec vpci_msgs[] = {
    { VPCI_MSG_QUERY_PROTOCOL_VERSION, sizeof(VpciVersionRequest),
      sizeof(VpciVersionReply), vpci_h_version },
    { VPCI_MSG_QUERY_BUS_RELATIONS, sizeof(VpciMsgHeader),
      sizeof(VpciStatusReply), vpci_h_query_relations },
    { VPCI_MSG_BUS_D0_ENTRY, sizeof(VpciD0Entry),
      sizeof(VpciStatusReply), vpci_h_d0_entry },
    { VPCI_MSG_BUS_D0_EXIT, sizeof(VpciMsgHeader),
      sizeof(VpciStatusReply), vpci_h_d0_exit },
    { VPCI_MSG_QUERY_RESOURCE_REQS, sizeof(VpciChildMsg),
      sizeof(VpciResourceReqsReply), vpci_h_resource_reqs },
    { VPCI_MSG_RESOURCES_ASSIGNED, sizeof(VpciResourcesAssigned),
      0, vpci_h_resources_assigned },
    { VPCI_MSG_RESOURCES_ASSIGNED2, sizeof(VpciResourcesAssigned),
      0, vpci_h_resources_assigned, VPCI_VERSION_1_2 },
    { VPCI_MSG_RESOURCES_ASSIGNED3, sizeof(VpciResourcesAssigned),
      0, vpci_h_resources_assigned, VPCI_VERSION_1_4 },
    { VPCI_MSG_RESOURCES_RELEASED, sizeof(VpciChildMsg),
      sizeof(VpciStatusReply), vpci_h_resources_released },
    { VPCI_MSG_CREATE_INTERRUPT, sizeof(VpciCreateInterrupt1),
      sizeof(VpciCreateInterruptReply), vpci_h_create_interrupt },
    { VPCI_MSG_CREATE_INTERRUPT2, sizeof(VpciCreateInterrupt2),
      sizeof(VpciCreateInterruptReply), vpci_h_create_interrupt,
      VPCI_VERSION_1_2 },
    { VPCI_MSG_CREATE_INTERRUPT3, sizeof(VpciCreateInterrupt3),
      sizeof(VpciCreateInterruptReply), vpci_h_create_interrupt,
      VPCI_VERSION_1_4 },
    { VPCI_MSG_DELETE_INTERRUPT, sizeof(VpciDeleteInterrupt),
      sizeof(VpciStatusReply), vpci_h_delete_interrupt },
    { VPCI_MSG_DELETE_INTERRUPT2, sizeof(VpciDeleteInterrupt),
      sizeof(VpciStatusReply), vpci_h_delete_interrupt, VPCI_VERSION_1_2 },
    { VPCI_MSG_POWER_STATE_CHANGE, sizeof(VpciPowerChange),
      sizeof(VpciPowerChangeReply), vpci_h_power },
    { VPCI_MSG_EJECTION_COMPLETE, sizeof(VpciChildMsg),
      sizeof(VpciStatusReply), vpci_h_eject_complete },
    { VPCI_MSG_READ_BLOCK, sizeof(VpciReadBlock), 0, vpci_h_read_block },
    { VPCI_MSG_WRITE_BLOCK, sizeof(VpciWriteBlock),
      sizeof(VpciStatusReply), vpci_h_write_block },
    { VPCI_MSG_QUERY_RESOURCES, sizeof(VpciMsgHeader),
      sizeof(VpciStatusReply), vpci_h_unsupported },
    { VPCI_MSG_QUERY_STOP, sizeof(VpciMsgHeader),
      sizeof(VpciStatusReply), vpci_h_unsupported },
    { VPCI_MSG_REENABLE, sizeof(VpciMsgHeader),
      sizeof(VpciStatusReply), vpci_h_unsupported },
    { VPCI_MSG_QUERY_STOP_FAILED, sizeof(VpciMsgHeader),
      sizeof(VpciStatusReply), vpci_h_unsupported },
};

static const VpciMsgSpec *vpci_msg_spec(uint32_t type)
{
    int i;

    for (i = 0; i < ARRAY_SIZE(vpci_msgs); i++) {
        if (vpci_msgs[i].type == type) {
            return &vpci_msgs[i];
        }
    }
    return NULL;
}

/* Exact size of the completion a well-formed packet will get */
static uint32_t vpci_reply_len(const VpciMsgSpec *spec, const void *msg,
                               uint32_t len)
{
    const VpciResourcesAssigned *ra = msg;
    const VpciReadBlock *rb = msg;
    uint32_t count;

    if (!spec || len < spec->min_len) {
        return sizeof(VpciStatusReply);
    }
    if (spec->reply_len) {
        return spec->reply_len;
    }
    if (spec->type == VPCI_MSG_READ_BLOCK) {
        /* the bytes follow the status; a read of no valid size gets none */
        return sizeof(VpciStatusReply) +
               (rb->bytes_requested <= VPCI_CFG_BLOCK_MAX ?
                rb->bytes_requested : 0);
    }
    /* resources assigned: the reply echoes one slot per MSI resource */
    count = ra->msi_count <= VPCI_MAX_MSI_IN_ASSIGNED ? ra->msi_count : 0;
    return sizeof(VpciResourcesAssignedReply) +
           count * vpci_assigned_res_size(ra->type);
}

static void vpci_flush_pending(HvVpci *v);

/* What became of a packet */
typedef enum VpciReqOutcome {
    VPCI_REQ_DONE,      /* handled (or refused): pop it */
    VPCI_REQ_RETRY,     /* no room for the completion yet: leave it */
    VPCI_REQ_HELD,      /* a late answer (vpci-fault.c) keeps it: pop it */
} VpciReqOutcome;

/*
 * Handle one packet.  @late: it was held back by a "late" fault and is
 * answered now, from the fault timer.  A fault planned for this message
 * (vpci-fault.c) applies here: no answer, a late one, an error status, the
 * answer twice, or an eject first.
 */
static VpciReqOutcome vpci_handle_req(HvVpci *v, VMBusChanReq *req,
                                      bool late)
{
    VMBusChannel *chan = req->chan;
    uint32_t type = 0, status;
    const VpciMsgSpec *spec = NULL;
    VpciMsgCtx c = { .v = v, .msg = req->msg, .len = req->msglen };
    g_autofree uint8_t *reply = NULL;
    VpciFaultKind fault;

    if (req->pkt_type != VMBUS_PACKET_DATA_INBAND) {
        trace_vpci_bad_msg(v->bus_index, 0, req->msglen, 0,
                           "not an in-band data packet");
        return VPCI_REQ_DONE;
    }
    if (req->msglen >= sizeof(uint32_t)) {
        type = *(const uint32_t *)req->msg;
        spec = vpci_msg_spec(type);
    }

    fault = late ? VPCI_FAULT_NONE : vpci_fault_peek(v, type);
    if (fault == VPCI_FAULT_LATE) {
        vpci_fault_consume(v, type);
        vpci_fault_hold(v, req);
        return VPCI_REQ_HELD;
    }
    if (fault == VPCI_FAULT_DROP) {
        vpci_fault_consume(v, type);
        return VPCI_REQ_DONE;
    }

    c.type = type;
    c.reply_len = req->need_comp ? vpci_reply_len(spec, req->msg,
                                                  req->msglen) : 0;
    if (c.reply_len && (vmbus_channel_reserve(chan, 0, c.reply_len) ||
                        (fault == VPCI_FAULT_TWICE &&
                         vmbus_channel_reserve(chan, 0, c.reply_len)))) {
        if (late) {
            /* the guest cannot signal for a packet it already gave us */
            trace_vpci_fault_late_lost(v->bus_index, type);
            return VPCI_REQ_DONE;
        }
        trace_vpci_send_deferred(v->bus_index, type, c.reply_len);
        return VPCI_REQ_RETRY;
    }
    /* error, twice, eject: taken once the packet is sure to be handled */
    vpci_fault_consume(v, type);
    reply = g_malloc0(MAX(c.reply_len, sizeof(VpciResourcesAssignedReply) +
                          VPCI_MAX_MSI_IN_ASSIGNED * VPCI_MSI_RES3_SIZE));
    c.reply = reply;

    trace_vpci_msg(v->bus_index, type, req->msglen, req->need_comp);
    if (req->msglen < sizeof(uint32_t)) {
        status = vpci_bad(&c, VPCI_STATUS_BAD_DATA, "packet too short");
    } else if (!spec) {
        status = vpci_bad(&c, VPCI_STATUS_NOT_SUPPORTED, "unknown message");
    } else if (req->msglen < spec->min_len) {
        status = vpci_bad(&c, VPCI_STATUS_BAD_DATA,
                          "packet shorter than its message");
    } else if (spec->since > v->version) {
        /* e.g. CREATE_INTERRUPT3 on a bus that agreed on 1.1 */
        status = vpci_bad(&c, VPCI_STATUS_NOT_SUPPORTED,
                          "message newer than the agreed protocol version");
    } else if (fault == VPCI_FAULT_ERROR) {
        status = VPCI_STATUS_UNSUCCESSFUL;
    } else {
        status = spec->handler(&c);
        if (fault == VPCI_FAULT_TWICE && !c.reply_len) {
            /* no completion to repeat (relations): act twice */
            status = spec->handler(&c);
        }
    }

    if (c.reply_len) {
        memcpy(reply, &status, sizeof(status));
        vmbus_channel_send_completion(req, reply, c.reply_len);
        if (fault == VPCI_FAULT_TWICE) {
            vmbus_channel_send_completion(req, reply, c.reply_len);
        }
        trace_vpci_reply(v->bus_index, type, status, c.reply_len);
    }
    return VPCI_REQ_DONE;
}

void vpci_answer_late(HvVpci *v, VMBusChanReq *req)
{
    vpci_handle_req(v, req, true);
    vpci_flush_pending(v);
}

/* Send what the host still owes the guest: relations, ejects */
static void vpci_flush_pending(HvVpci *v)
{
    int devfn;

    if (v->relations_pending && !vpci_send_relations(v)) {
        return;
    }
    for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
        uint8_t bit = 1 << (devfn % 8);

        if (!(v->eject_pending[devfn / 8] & bit)) {
            continue;
        }
        if (!vpci_send_child_msg(v, VPCI_MSG_EJECT,
                                 VPCI_WSLOT_FROM_DEVFN(devfn))) {
            return;
        }
        v->eject_pending[devfn / 8] &= ~bit;
    }
}

/*
 * One pass handles at most VPCI_PACKETS_PER_PASS packets, then publishes the
 * read index and returns to the main loop: a guest that keeps queueing
 * packets cannot hold the main loop (QMP, "stop" included).  Packets left in
 * the ring, or queued by the guest during the pass without a signal (it
 * signals only into an empty ring), bring us back: vmbus_channel_recv_done()
 * kicks the channel again when the ring is not empty (patch 0110).
 */
void vpci_chan_notify(VMBusChannel *chan)
{
    HvVpci *v = HV_VPCI(vmbus_channel_device(chan));
    VMBusChanReq *req;
    unsigned n = 0;

    if (vmbus_channel_recv_start(chan)) {
        trace_vpci_bad_msg(v->bus_index, 0, 0, 0, "receive ring unusable");
        return;
    }
    while (n < VPCI_PACKETS_PER_PASS &&
           (req = vmbus_channel_recv_peek(chan, sizeof(*req)))) {
        VpciReqOutcome out = vpci_handle_req(v, req, false);

        if (out == VPCI_REQ_RETRY) {
            /* no room for the completion: the guest signals when there is */
            vmbus_free_req(req);
            break;
        }
        vmbus_channel_recv_pop(chan);
        n++;
        if (out == VPCI_REQ_DONE) {
            vmbus_free_req(req);
        }
    }
    vmbus_channel_recv_done(chan);
    trace_vpci_pass(v->bus_index, n);
    vpci_flush_pending(v);
}

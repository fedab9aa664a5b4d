/*
 * The VMBus channel calls a device makes (hw/hyperv/vmbus.h), for the
 * targets whose harness stands in for VMBus with a channel of its own
 * (vpci, synthvid).  Each harness implements the ones its device calls;
 * its shim defines struct VMBusDevice.
 */
#ifndef FUZZ_VMBUS_CHAN_H
#define FUZZ_VMBUS_CHAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

typedef struct VMBusDevice VMBusDevice;
typedef struct VMBusChannel VMBusChannel;

#define VMBUS_PACKET_DATA_INBAND 0x6
typedef struct VMBusChanReq {
    VMBusChannel *chan;
    uint16_t pkt_type;
    uint32_t msglen;
    void *msg;
    uint64_t transaction_id;
    bool need_comp;
} VMBusChanReq;

VMBusChannel *vmbus_device_channel(VMBusDevice *dev, uint32_t chan_idx);
VMBusDevice *vmbus_channel_device(VMBusChannel *chan);
bool vmbus_channel_is_open(VMBusChannel *chan);
int vmbus_channel_recv_start(VMBusChannel *chan);
void *vmbus_channel_recv_peek(VMBusChannel *chan, uint32_t size);
void vmbus_channel_recv_pop(VMBusChannel *chan);
ssize_t vmbus_channel_recv_done(VMBusChannel *chan);
void vmbus_free_req(void *req);
int vmbus_channel_reserve(VMBusChannel *chan, uint32_t desclen,
                          uint32_t msglen);
ssize_t vmbus_channel_send(VMBusChannel *chan, uint16_t pkt_type,
                           void *desc, uint32_t desclen,
                           void *msg, uint32_t msglen,
                           bool need_comp, uint64_t transaction_id);
ssize_t vmbus_channel_send_completion(VMBusChanReq *req, void *msg,
                                      uint32_t msglen);

/*
 * The request a stub channel's recv_peek hands the device for one fuzzed
 * packet (SIZE is what the device asked for: its request struct, which
 * starts with a VMBusChanReq).  FLAGS bit 0: a completion is wanted; bit
 * 1: a non-inband packet type.  The payload is an exact-size copy, so
 * that ASan sees any read past the packet.
 */
static inline VMBusChanReq *fuzz_chan_req(VMBusChannel *chan, uint32_t size,
                                          const uint8_t *data, uint32_t len,
                                          uint8_t flags)
{
    VMBusChanReq *req = g_malloc0(size);

    req->chan = chan;
    req->pkt_type = (flags & 2) ? 0x7 : VMBUS_PACKET_DATA_INBAND;
    req->need_comp = flags & 1;
    req->msglen = len;
    req->msg = g_memdup2(data, len);
    return req;
}

/* vmbus_free_req for a request of fuzz_chan_req() */
static inline void fuzz_chan_req_free(void *r)
{
    VMBusChanReq *req = r;

    g_free(req->msg);
    g_free(req);
}

#endif

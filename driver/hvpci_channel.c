// SPDX-License-Identifier: GPL-2.0
/*
 * hvpci channel layer: the VMBus ring, requests that wait for the host's
 * completion, and messages the host sends on its own (bus relations,
 * eject, config block invalidation), which it checks with hvpci_msg.c and
 * hands to the bus's on_message callback.  A leaf: it calls no other layer.
 *
 * A request lives on its sender's stack.  VMBus hands the host an opaque
 * transaction id for it; the completion finds the request again through
 * the request id table (the channel's requestor, see hvpci_kapi.h), so a
 * request that timed out or whose channel was rescinded is taken back out
 * of the table before its memory goes away.
 *
 * While the channel is closed (hibernation, teardown) nothing touches the
 * ring or the table, which VMBus frees at close: a sender gets -ENODEV.
 * Senders look at bus->closed under rcu_read_lock(), and the close waits
 * for them before it hands the channel back to VMBus.
 */
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "hvpci.h"

static unsigned int request_timeout_ms = 60000;
module_param(request_timeout_ms, uint, 0644);
MODULE_PARM_DESC(request_timeout_ms,
		 "How long to wait for the host to answer a request or send bus relations, in ms (default 60000)");

#define HVPCI_RING_SIZE		VMBUS_RING_SIZE(SZ_16K)
/* Pause between polls of the ring while interrupts are off, in us. */
#define HVPCI_POLL_DELAY_US	100
#define HVPCI_POLLS_PER_MS	(1000 / HVPCI_POLL_DELAY_US)
/* Longest spin for an answer with interrupts off, in ms. */
#define HVPCI_POLL_MAX_MS	10000U

static const u32 hvpci_versions[] = {
	HVPCI_PROTO_1_4,
	HVPCI_PROTO_1_3,
	HVPCI_PROTO_1_2,
	HVPCI_PROTO_1_1,
};

/* The packet layout hvpci_msg.c was written against is the kernel's. */
static_assert(sizeof(struct hvpci_vmpkt) == sizeof(struct vmpacket_descriptor));
static_assert(HVPCI_VMPKT_DATA_INBAND == VM_PKT_DATA_INBAND);
static_assert(HVPCI_VMPKT_COMP == VM_PKT_COMP);
static_assert(HVPCI_BLOCK_MAX == HV_CONFIG_BLOCK_SIZE_MAX);
static_assert(HVPCI_NUM_BARS == PCI_STD_NUM_BARS);

static const char *hvpci_req_status(struct hvpci_req *req, const void *reply,
				    u32 len)
{
	const char *why;

	if (hvpci_msg_status(reply, len, &req->status, &why))
		return why;
	return NULL;
}

void hvpci_req_init(struct hvpci_req *req,
		    const char *(*handle)(struct hvpci_req *req,
					  const void *reply, u32 len))
{
	req->handle = handle ? handle : hvpci_req_status;
	req->status = 0;
	init_completion(&req->done);
}

/*
 * Take @req back from the requestor table.  If the completion got there
 * first it has already finished (it runs under the requestor lock), so
 * either way nothing will touch @req afterwards.
 */
static void hvpci_req_forget(struct hvpci_bus *bus, u64 trans_id,
			     struct hvpci_req *req)
{
	rcu_read_lock();
	/* A closed channel's table is gone, and @req with it. */
	if (!READ_ONCE(bus->closed))
		hvpci_rq_forget(bus->hdev->channel, &bus->rq, trans_id,
				(unsigned long)req);
	rcu_read_unlock();
}

static int hvpci_send(struct hvpci_bus *bus, void *msg, u32 len,
		      struct hvpci_req *req, u64 *trans_id)
{
	int ret = -ENODEV;

	rcu_read_lock();
	if (!READ_ONCE(bus->closed))
		ret = hvpci_rq_send(bus->hdev->channel, &bus->rq, msg, len,
				    (unsigned long)req, trans_id);
	rcu_read_unlock();
	return ret;
}

/* Send @msg and sleep until the host completes it, it is rescinded or late. */
int hvpci_send_wait(struct hvpci_bus *bus, void *msg, u32 len,
		    struct hvpci_req *req)
{
	struct vmbus_channel *chan = bus->hdev->channel;
	unsigned long deadline;
	u64 trans_id;
	int ret;

	ret = hvpci_send(bus, msg, len, req, &trans_id);
	if (ret)
		return ret;

	deadline = jiffies + hvpci_answer_timeout();
	/* VMBus has no rescind notification for drivers: poll for it. */
	while (!wait_for_completion_timeout(&req->done, HZ / 10)) {
		if (chan->rescind || READ_ONCE(bus->closed)) {
			ret = -ENODEV;
			break;
		}
		if (time_after(jiffies, deadline)) {
			dev_err(&bus->hdev->device,
				"host did not answer message %#x within %u ms\n",
				((struct hvpci_msg_hdr *)msg)->type,
				request_timeout_ms);
			ret = -ETIMEDOUT;
			break;
		}
	}
	if (ret)
		hvpci_req_forget(bus, trans_id, req);
	return ret;
}

/*
 * Send @msg and spin for the answer: for callers that hold interrupt
 * descriptor locks and cannot sleep.  The channel tasklet is held off and
 * the ring drained from here instead.  @gone, when given, is asked on
 * every turn so that a device the host took away does not spin forever.
 */
int hvpci_send_poll(struct hvpci_bus *bus, void *msg, u32 len,
		    struct hvpci_req *req, bool (*gone)(void *ctx), void *ctx)
{
	struct vmbus_channel *chan = bus->hdev->channel;
	unsigned long flags;
	u64 trans_id, polls;
	int ret;

	ret = hvpci_send(bus, msg, len, req, &trans_id);
	if (ret)
		return ret;

	/*
	 * Counted, not timed: with interrupts off on the CPU that keeps
	 * jiffies they would not move.  Capped so that a host that never
	 * answers costs one device its interrupt, not a CPU.
	 */
	polls = min(request_timeout_ms, HVPCI_POLL_MAX_MS) * 1000ULL /
		HVPCI_POLL_DELAY_US;
	tasklet_disable_in_atomic(&chan->callback_event);
	while (!try_wait_for_completion(&req->done)) {
		/*
		 * A function the host took away reads all ones; looked at
		 * every millisecond, not on every turn, as each look is a
		 * trap to the host.
		 */
		if (chan->rescind || READ_ONCE(bus->closed) ||
		    (gone && !(polls % HVPCI_POLLS_PER_MS) && gone(ctx))) {
			ret = -ENODEV;
			break;
		}
		if (!polls--) {
			ret = -ETIMEDOUT;
			break;
		}
		/* sched_lock keeps the ring alive while the channel closes. */
		spin_lock_irqsave(&chan->sched_lock, flags);
		if (!chan->onchannel_callback) {
			spin_unlock_irqrestore(&chan->sched_lock, flags);
			ret = -ENODEV;
			break;
		}
		hvpci_channel_callback(bus);
		spin_unlock_irqrestore(&chan->sched_lock, flags);
		/* Atomic context (irq descriptor lock held): cannot sleep. */
		udelay(HVPCI_POLL_DELAY_US);
	}
	tasklet_enable(&chan->callback_event);

	if (ret)
		hvpci_req_forget(bus, trans_id, req);
	return ret;
}

/* How long any answer of the host may take (request_timeout_ms), in jiffies */
unsigned long hvpci_answer_timeout(void)
{
	return msecs_to_jiffies(request_timeout_ms);
}

int hvpci_send_oneway(struct hvpci_bus *bus, void *msg, u32 len)
{
	int ret = -ENODEV;

	rcu_read_lock();
	if (!READ_ONCE(bus->closed))
		ret = vmbus_sendpacket(bus->hdev->channel, msg, len, 0,
				       VM_PKT_DATA_INBAND, 0);
	rcu_read_unlock();
	return ret;
}

/*
 * @reply is NULL when the completion packet itself was refused: the
 * request still completes, as failed, rather than waiting for a timeout.
 */
static void hvpci_on_completion(struct hvpci_bus *bus, const void *reply,
				u32 len, u64 trans_id)
{
	struct vmbus_channel *chan = bus->hdev->channel;
	const char *why = "bad completion packet";
	struct hvpci_req *req;
	unsigned long flags;
	u64 addr;

	hvpci_rq_lock(chan, &bus->rq, flags);
	addr = __hvpci_rq_take(chan, &bus->rq, trans_id, HVPCI_RQ_ANY);
	if (addr == HVPCI_RQ_NONE) {
		hvpci_rq_unlock(chan, &bus->rq, flags);
		dev_err_ratelimited(&bus->hdev->device,
				    "completion for unknown transaction %#llx\n",
				    trans_id);
		return;
	}
	req = (struct hvpci_req *)(unsigned long)addr;
	if (reply)
		why = req->handle(req, reply, len);
	if (why)
		req->status = HVPCI_STATUS_BAD_REPLY;
	complete(&req->done);
	hvpci_rq_unlock(chan, &bus->rq, flags);
	if (why)
		dev_err_ratelimited(&bus->hdev->device,
				    "refused the host's completion (%u bytes): %s\n",
				    len, why);
}

/* What the host sends on its own: checked here, handled by the bus's owner. */
static void hvpci_on_host_message(struct hvpci_bus *bus, const void *data,
				  u32 len)
{
	struct hvpci_msg_in in;
	const char *why;
	int err;

	err = hvpci_msg_incoming(data, len, bus->version, &in, &why);
	if (err) {
		dev_err_ratelimited(&bus->hdev->device,
				    "refused host message %#x (%u bytes): %s\n",
				    in.type, len, why);
		return;
	}
	bus->on_message(bus, &in);
}

/* Drain the ring.  Runs in the channel tasklet or from hvpci_send_poll(). */
void hvpci_channel_callback(void *context)
{
	struct hvpci_bus *bus = context;
	struct vmbus_channel *chan = bus->hdev->channel;
	u8 small[256] __aligned(8);
	u32 size = sizeof(small), got;
	struct hvpci_pkt pkt;
	u8 *buf = small;
	const char *why;
	u64 trans_id;
	int ret;

	for (;;) {
		ret = vmbus_recvpacket_raw(chan, buf, size, &got, &trans_id);
		if (ret == -ENOBUFS) {
			/* Large bus relations: grow the buffer and retry. */
			if (buf != small)
				kfree(buf);
			buf = kmalloc(got, GFP_ATOMIC);
			if (!buf)
				return;
			size = got;
			continue;
		}
		if (ret || !got)
			break;

		if (hvpci_msg_packet(buf, got, &pkt, &why)) {
			dev_err_ratelimited(&bus->hdev->device,
					    "refused a host packet (%u bytes): %s\n",
					    got, why);
			/* Its sender should not wait for the timeout. */
			if (got >= sizeof(struct hvpci_vmpkt) &&
			    ((struct hvpci_vmpkt *)buf)->type == HVPCI_VMPKT_COMP)
				hvpci_on_completion(bus, NULL, 0, trans_id);
			continue;
		}
		if (pkt.type == HVPCI_VMPKT_COMP)
			hvpci_on_completion(bus, pkt.data, pkt.len, trans_id);
		else
			hvpci_on_host_message(bus, pkt.data, pkt.len);
	}
	if (buf != small)
		kfree(buf);
}

/*
 * Agree on the newest protocol both sides speak; with @same only on the
 * one in use before (resume: the bus's state was built on it).
 */
int hvpci_negotiate(struct hvpci_bus *bus, bool same)
{
	struct hvpci_msg_version msg = {
		.hdr.type = HVPCI_MSG_QUERY_PROTOCOL,
	};
	const u32 *versions = same ? &bus->version : hvpci_versions;
	unsigned int i, n = same ? 1 : ARRAY_SIZE(hvpci_versions);
	struct hvpci_req req;
	int ret;

	for (i = 0; i < n; i++) {
		msg.version = versions[i];
		hvpci_req_init(&req, NULL);
		ret = hvpci_send_wait(bus, &msg, sizeof(msg), &req);
		if (ret) {
			dev_err(&bus->hdev->device,
				"version request failed: %d\n", ret);
			return ret;
		}
		if (req.status >= 0) {
			bus->version = msg.version;
			dev_info(&bus->hdev->device,
				 "vPCI protocol %u.%u\n", msg.version >> 16,
				 msg.version & 0xffff);
			return 0;
		}
		if ((u32)req.status != HVPCI_STATUS_REVISION_MISMATCH) {
			dev_err(&bus->hdev->device,
				"host refused version %#x: status %#x\n",
				msg.version, req.status);
			return -EPROTO;
		}
	}
	if (same)
		dev_err(&bus->hdev->device,
			"host no longer supports vPCI protocol %u.%u\n",
			bus->version >> 16, bus->version & 0xffff);
	else
		dev_err(&bus->hdev->device,
			"host supports none of vPCI protocol 1.1 to 1.4\n");
	return -EPROTO;
}

int hvpci_channel_open(struct hvpci_bus *bus)
{
	struct vmbus_channel *chan = bus->hdev->channel;
	int ret;

	ret = hvpci_rq_setup(chan, &bus->rq);
	if (ret)
		return ret;
	ret = vmbus_open(chan, HVPCI_RING_SIZE, HVPCI_RING_SIZE, NULL, 0,
			 hvpci_channel_callback, bus);
	if (!ret)
		WRITE_ONCE(bus->closed, false);
	return ret;
}

/*
 * Close the channel once, however many of probe unwind, suspend, remove
 * and shutdown get here: senders see -ENODEV from now on, and any sender
 * already past its check is done with the ring before VMBus frees it.
 */
void hvpci_channel_close(struct hvpci_bus *bus)
{
	if (READ_ONCE(bus->closed))
		return;
	WRITE_ONCE(bus->closed, true);
	synchronize_rcu();
	vmbus_close(bus->hdev->channel);
}

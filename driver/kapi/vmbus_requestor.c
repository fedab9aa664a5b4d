// SPDX-License-Identifier: GPL-2.0
/*
 * The VMBus requestor API as hvpci uses it: the channel translates request
 * addresses to transaction ids, tells the sender the id, and lets a sender
 * take its request back (added between 5.16 and 6.0; 5.10 has none of it).
 */
#include <linux/hyperv.h>

static int __maybe_unused hvpci_probe_rqstor(struct vmbus_channel *chan,
					     void *msg)
{
	unsigned long flags;
	u64 id;
	int ret;

	chan->next_request_id_callback = vmbus_next_request_id;
	chan->request_addr_callback = vmbus_request_addr;
	chan->rqstor_size = 1;
	ret = vmbus_sendpacket_getid(chan, msg, 8, 1, &id, VM_PKT_DATA_INBAND,
				     VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	lock_requestor(chan, flags);
	id = __vmbus_request_addr_match(chan, id, VMBUS_RQST_ADDR_ANY);
	unlock_requestor(chan, flags);
	return ret + (vmbus_request_addr_match(chan, id, 1) == VMBUS_RQST_ERROR);
}

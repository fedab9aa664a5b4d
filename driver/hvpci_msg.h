/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvpci message decoder: every packet the host sends is read here first.
 *
 * Plain C without kernel calls, like the MMIO policy: the module, the unit
 * tests and the fuzzer build the same file.  Each function takes bytes as
 * they came off the ring and either fills a decoded view whose every field
 * has been checked, or returns an HVPCI_MSG_E* code and points @why at a
 * short sentence saying what was wrong.  The rest of the driver reads the
 * views, never the raw packet.
 *
 * What is checked:
 *  - the VMBus descriptor: its data offset and length are read, not
 *    assumed, and must agree with what was received;
 *  - lengths and counts: no message is read past its end, and a bus
 *    relations list must fit the bytes that carry it;
 *  - slot numbers: the 24 reserved bits are zero, and no slot appears
 *    twice in one bus relations list;
 *  - BARs: each probe value is a valid size (contiguous address bits,
 *    no reserved memory type, 32-bit ones at most 2 GiB), a 64-bit BAR
 *    does not start at BAR 5, and sums do not wrap.  I/O BARs are not
 *    placed: Hyper-V's vPCI has no I/O port space.  They are reported
 *    in the view's @io mask and count for nothing;
 *  - interrupts: the address the host hands out lies in the x86 MSI
 *    window and a multi-MSI block's data does not wrap;
 *  - protocol: bus relations 2 only once 1.3 is negotiated.
 */
#ifndef HVPCI_MSG_H
#define HVPCI_MSG_H

#include "hvpci_compat.h"
#include "hvpci_wire.h"

enum hvpci_msg_err {
	HVPCI_MSG_OK = 0,
	HVPCI_MSG_ESHORT,	/* shorter than the message it claims to be */
	HVPCI_MSG_EPACKET,	/* VMBus descriptor disagrees with the packet */
	HVPCI_MSG_ETYPE,	/* unknown or unexpected type */
	HVPCI_MSG_EVERSION,	/* not part of the negotiated protocol */
	HVPCI_MSG_ECOUNT,	/* count does not fit the length */
	HVPCI_MSG_ESLOT,	/* slot number with reserved bits set */
	HVPCI_MSG_EDUP,		/* one slot twice in one list */
	HVPCI_MSG_EBAR,		/* BAR probe values that are no valid BAR */
	HVPCI_MSG_EINT,		/* unusable interrupt descriptor */
	HVPCI_MSG_ERR_COUNT,
};

/* Smallest BAR hvpci places: one x86 page. */
#define HVPCI_MSG_BAR_MIN	0x1000ULL

/* The x86 MSI address window, [0xfee00000, 0xfef00000). */
#define HVPCI_MSG_MSI_BASE	0xfee00000ULL
#define HVPCI_MSG_MSI_LEN	0x100000ULL

/* A packet as received. */
struct hvpci_pkt {
	const void *data;	/* at the descriptor's data offset */
	u32 len;		/* bytes from there to the packet's end */
	u16 type;		/* HVPCI_VMPKT_DATA_INBAND or _COMP */
	u64 trans_id;
};

/*
 * A message the host sends on its own.  @type is one of
 * HVPCI_MSG_BUS_RELATIONS, HVPCI_MSG_BUS_RELATIONS2, HVPCI_MSG_EJECT and
 * HVPCI_MSG_INVALIDATE_BLOCK.
 */
struct hvpci_msg_in {
	u32 type;
	u32 wslot;		/* eject, invalidate */
	u64 block_mask;		/* invalidate */
	u32 count;		/* relations: entries, slots valid and distinct */
	u32 stride;		/* relations: bytes per entry */
	const u8 *funcs;	/* relations: the first entry */
};

/* A function's BARs, from the resource requirements reply. */
struct hvpci_bars {
	u64 size[HVPCI_NUM_BARS];	/* memory BAR i, >= 4 KiB; 0: none */
	u8 mem64;			/* bit i: BAR i is 64-bit, i + 1 its top */
	u8 io;				/* bit i: BAR i is I/O (not placed) */
	u64 need32;			/* sum of the 32-bit sizes */
	u64 need64;			/* sum of the 64-bit sizes */
};

int hvpci_msg_packet(const void *buf, u32 got, struct hvpci_pkt *pkt,
		     const char **why);
int hvpci_msg_incoming(const void *data, u32 len, u32 version,
		       struct hvpci_msg_in *in, const char **why);
/* Entry @i (< in->count) of a decoded bus relations list. */
void hvpci_msg_func(const struct hvpci_msg_in *in, u32 i,
		    struct hvpci_wire_func2 *out);

/* Completions: @status is the host's; the rest is filled when it is >= 0. */
int hvpci_msg_status(const void *data, u32 len, s32 *status,
		     const char **why);
int hvpci_msg_resource_reqs(const void *data, u32 len, s32 *status,
			    struct hvpci_bars *bars, const char **why);
int hvpci_msg_create_int(const void *data, u32 len, u16 vectors,
			 s32 *status, struct hvpci_wire_int *desc,
			 const char **why);
int hvpci_msg_read_block(const void *data, u32 len, u32 wanted, s32 *status,
			 const u8 **bytes, u32 *got, const char **why);

/* BAR probe values as a function reports them. */
int hvpci_msg_bars(const u32 probed[HVPCI_NUM_BARS], struct hvpci_bars *bars,
		   const char **why);
/* Add a function's needs to a bus's totals; refused when a sum would wrap. */
int hvpci_msg_need_add(u64 *need32, u64 *need64,
		       const struct hvpci_bars *bars, const char **why);

/*
 * A function's life as the host drives it: what the driver does when the
 * host ejects a function, or sends bus relations that no longer list it,
 * given whether its eject is already queued (@eject_queued, updated).
 */
enum hvpci_fn_event {
	HVPCI_FN_EJECT,		/* EJECT for the function */
	HVPCI_FN_UNLISTED,	/* bus relations without it */
};

enum hvpci_fn_action {
	HVPCI_FN_QUEUE_EJECT,	/* queue the eject work */
	HVPCI_FN_REPEAT,	/* eject already queued: ignore, say so once */
	HVPCI_FN_REMOVE,	/* remove it now */
	HVPCI_FN_LEAVE,		/* leave it to the queued eject */
};

enum hvpci_fn_action hvpci_msg_fn_step(bool *eject_queued,
				       enum hvpci_fn_event ev);

bool hvpci_msg_wslot_valid(u32 wslot);
const char *hvpci_msg_strerror(int err);

#endif /* HVPCI_MSG_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * hvpci message decoder.  See hvpci_msg.h for the contract.
 *
 * Every length below is compared before the bytes it covers are read, in
 * 64-bit arithmetic where a product or sum of host values is involved.
 * The wire structs are packed, so reading them through a pointer into the
 * receive buffer needs no alignment.
 */
#include "hvpci_msg.h"

#define HVPCI_BAR_IO		0x1U	/* PCI_BASE_ADDRESS_SPACE_IO */
#define HVPCI_BAR_TYPE		0x6U	/* PCI_BASE_ADDRESS_MEM_TYPE_MASK */
#define HVPCI_BAR_TYPE_32	0x0U
#define HVPCI_BAR_TYPE_64	0x4U
#define HVPCI_BAR_FLAGS		0xfU	/* ~PCI_BASE_ADDRESS_MEM_MASK */
#define HVPCI_BAR32_MAX		0x80000000ULL	/* bit 31 is the top one */
#define HVPCI_SPACE32		0x100000000ULL

static int refuse(const char **why, int err, const char *text)
{
	*why = text;
	return err;
}

static int accept(const char **why)
{
	*why = "";
	return HVPCI_MSG_OK;
}

bool hvpci_msg_wslot_valid(u32 wslot)
{
	return !(wslot & HVPCI_WSLOT_RESERVED);
}

int hvpci_msg_packet(const void *buf, u32 got, struct hvpci_pkt *pkt,
		     const char **why)
{
	const struct hvpci_vmpkt *d = buf;
	u32 offset, end;

	if (got < sizeof(*d))
		return refuse(why, HVPCI_MSG_ESHORT,
			      "packet shorter than its VMBus descriptor");
	offset = (u32)d->offset8 * 8;
	end = (u32)d->len8 * 8;
	if (end != got)
		return refuse(why, HVPCI_MSG_EPACKET,
			      "VMBus descriptor length differs from the bytes received");
	if (offset < sizeof(*d) || offset > end)
		return refuse(why, HVPCI_MSG_EPACKET,
			      "VMBus data offset outside the packet");
	if (d->type != HVPCI_VMPKT_DATA_INBAND && d->type != HVPCI_VMPKT_COMP)
		return refuse(why, HVPCI_MSG_ETYPE,
			      "VMBus packet neither in-band data nor a completion");
	pkt->data = (const u8 *)buf + offset;
	pkt->len = end - offset;
	pkt->type = d->type;
	pkt->trans_id = d->trans_id;
	return accept(why);
}

static int decode_relations(const u8 *data, u32 len, bool v2,
			    struct hvpci_msg_in *in, const char **why)
{
	const struct hvpci_in_relations *r = (const void *)data;
	u32 seen[HVPCI_WSLOTS / 32] = { 0 };
	const struct hvpci_wire_func *f;
	u32 i, wslot;

	if (len < sizeof(*r))
		return refuse(why, HVPCI_MSG_ESHORT,
			      "bus relations shorter than their header");
	in->count = r->count;
	in->stride = v2 ? sizeof(struct hvpci_wire_func2) :
			  sizeof(struct hvpci_wire_func);
	in->funcs = data + sizeof(*r);
	if ((u64)in->count * in->stride > len - sizeof(*r))
		return refuse(why, HVPCI_MSG_ECOUNT,
			      "bus relations list more functions than the message holds");

	for (i = 0; i < in->count; i++) {
		f = (const void *)(in->funcs + (u64)i * in->stride);
		wslot = f->wslot;
		if (!hvpci_msg_wslot_valid(wslot))
			return refuse(why, HVPCI_MSG_ESLOT,
				      "bus relations name a slot with reserved bits set");
		if (seen[wslot / 32] & (1U << (wslot % 32)))
			return refuse(why, HVPCI_MSG_EDUP,
				      "bus relations list one slot twice");
		seen[wslot / 32] |= 1U << (wslot % 32);
	}
	return accept(why);
}

int hvpci_msg_incoming(const void *data, u32 len, u32 version,
		       struct hvpci_msg_in *in, const char **why)
{
	const struct hvpci_msg_hdr *hdr = data;
	const struct hvpci_in_invalidate *inv = data;
	const struct hvpci_in_child *c = data;

	memset(in, 0, sizeof(*in));
	if (len < sizeof(*hdr))
		return refuse(why, HVPCI_MSG_ESHORT,
			      "message shorter than its type");
	in->type = hdr->type;

	switch (hdr->type) {
	case HVPCI_MSG_BUS_RELATIONS:
		return decode_relations(data, len, false, in, why);
	case HVPCI_MSG_BUS_RELATIONS2:
		if (version < HVPCI_PROTO_1_3)
			return refuse(why, HVPCI_MSG_EVERSION,
				      "bus relations 2 before protocol 1.3");
		return decode_relations(data, len, true, in, why);
	case HVPCI_MSG_EJECT:
		if (len < sizeof(*c))
			return refuse(why, HVPCI_MSG_ESHORT,
				      "eject shorter than its slot number");
		in->wslot = c->wslot;
		break;
	case HVPCI_MSG_INVALIDATE_BLOCK:
		if (len < sizeof(*inv))
			return refuse(why, HVPCI_MSG_ESHORT,
				      "config block invalidation shorter than its mask");
		in->wslot = inv->wslot;
		in->block_mask = inv->block_mask;
		break;
	default:
		return refuse(why, HVPCI_MSG_ETYPE,
			      "message type hvpci does not handle");
	}
	if (!hvpci_msg_wslot_valid(in->wslot))
		return refuse(why, HVPCI_MSG_ESLOT,
			      "slot number with reserved bits set");
	return accept(why);
}

void hvpci_msg_func(const struct hvpci_msg_in *in, u32 i,
		    struct hvpci_wire_func2 *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, in->funcs + (u64)i * in->stride, in->stride);
}

int hvpci_msg_status(const void *data, u32 len, s32 *status,
		     const char **why)
{
	const struct hvpci_reply *r = data;

	if (len < sizeof(*r))
		return refuse(why, HVPCI_MSG_ESHORT,
			      "completion shorter than its status");
	*status = r->status;
	return accept(why);
}

/* The size a 32-bit or 64-bit memory BAR's probe @mask stands for, or 0. */
static u64 bar_size(u64 mask)
{
	u64 size = ~mask + 1;

	if (!mask || (size & (size - 1)))
		return 0;
	return size;
}

static bool add_ok(u64 *sum, u64 add)
{
	if (*sum + add < *sum)
		return false;
	*sum += add;
	return true;
}

int hvpci_msg_bars(const u32 probed[HVPCI_NUM_BARS], struct hvpci_bars *bars,
		   const char **why)
{
	u64 mask, size;
	bool is64;
	u32 lo;
	int i;

	memset(bars, 0, sizeof(*bars));
	for (i = 0; i < HVPCI_NUM_BARS; i++) {
		lo = probed[i];
		if (!lo)
			continue;
		if (lo & HVPCI_BAR_IO) {
			bars->io |= 1U << i;
			continue;
		}
		switch (lo & HVPCI_BAR_TYPE) {
		case HVPCI_BAR_TYPE_32:
			is64 = false;
			mask = 0xffffffff00000000ULL | (lo & ~HVPCI_BAR_FLAGS);
			break;
		case HVPCI_BAR_TYPE_64:
			if (i == HVPCI_NUM_BARS - 1)
				return refuse(why, HVPCI_MSG_EBAR,
					      "64-bit BAR 5 has no upper half");
			is64 = true;
			mask = (u64)probed[i + 1] << 32 |
			       (lo & ~HVPCI_BAR_FLAGS);
			break;
		default:
			return refuse(why, HVPCI_MSG_EBAR,
				      "BAR of a reserved memory type");
		}
		size = bar_size(mask);
		if (!size)
			return refuse(why, HVPCI_MSG_EBAR,
				      "BAR probe value is no power-of-two size");
		if (!is64 && size > HVPCI_BAR32_MAX)
			return refuse(why, HVPCI_MSG_EBAR,
				      "32-bit BAR larger than 2 GiB");
		if (size < HVPCI_MSG_BAR_MIN)
			size = HVPCI_MSG_BAR_MIN;
		bars->size[i] = size;
		if (is64) {
			bars->mem64 |= 1U << i;
			if (!add_ok(&bars->need64, size))
				return refuse(why, HVPCI_MSG_EBAR,
					      "64-bit BAR sizes add up past 2^64");
			i++;	/* the upper half */
		} else {
			bars->need32 += size;	/* six times 2 GiB at most */
		}
	}
	if (bars->need32 > HVPCI_SPACE32)
		return refuse(why, HVPCI_MSG_EBAR,
			      "32-bit BARs add up past 4 GiB");
	return accept(why);
}

int hvpci_msg_resource_reqs(const void *data, u32 len, s32 *status,
			    struct hvpci_bars *bars, const char **why)
{
	const struct hvpci_reply_resource_reqs *r = data;
	u32 probed[HVPCI_NUM_BARS];
	int ret;

	memset(bars, 0, sizeof(*bars));
	ret = hvpci_msg_status(data, len, status, why);
	if (ret || *status < 0)
		return ret;
	if (len < sizeof(*r))
		return refuse(why, HVPCI_MSG_ESHORT,
			      "resource requirements shorter than six BARs");
	memcpy(probed, r->probed_bar, sizeof(probed));
	return hvpci_msg_bars(probed, bars, why);
}

int hvpci_msg_need_add(u64 *need32, u64 *need64,
		       const struct hvpci_bars *bars, const char **why)
{
	u64 n32 = *need32, n64 = *need64;

	if (!add_ok(&n32, bars->need32) || n32 > HVPCI_SPACE32)
		return refuse(why, HVPCI_MSG_EBAR,
			      "the bus's 32-bit BARs add up past 4 GiB");
	if (!add_ok(&n64, bars->need64))
		return refuse(why, HVPCI_MSG_EBAR,
			      "the bus's 64-bit BARs add up past 2^64");
	*need32 = n32;
	*need64 = n64;
	return accept(why);
}

int hvpci_msg_create_int(const void *data, u32 len, u16 vectors,
			 s32 *status, struct hvpci_wire_int *desc,
			 const char **why)
{
	const struct hvpci_reply_create_int *r = data;
	int ret;

	ret = hvpci_msg_status(data, len, status, why);
	if (ret || *status < 0)
		return ret;
	if (len < sizeof(*r))
		return refuse(why, HVPCI_MSG_ESHORT,
			      "create interrupt reply shorter than its descriptor");
	if (r->desc.address < HVPCI_MSG_MSI_BASE ||
	    r->desc.address >= HVPCI_MSG_MSI_BASE + HVPCI_MSG_MSI_LEN)
		return refuse(why, HVPCI_MSG_EINT,
			      "interrupt address outside the MSI window");
	if (vectors && (u64)r->desc.data + vectors - 1 > 0xffffffffULL)
		return refuse(why, HVPCI_MSG_EINT,
			      "interrupt data of the vector block wraps");
	*desc = r->desc;
	return accept(why);
}

int hvpci_msg_read_block(const void *data, u32 len, u32 wanted, s32 *status,
			 const u8 **bytes, u32 *got, const char **why)
{
	const struct hvpci_reply_read_block *r = data;
	int ret;
	u32 n;

	*got = 0;
	ret = hvpci_msg_status(data, len, status, why);
	if (ret || *status)
		return ret;
	n = len - sizeof(r->r);
	if (!n)
		return refuse(why, HVPCI_MSG_ESHORT,
			      "config block reply without data");
	if (wanted > HVPCI_BLOCK_MAX)
		wanted = HVPCI_BLOCK_MAX;
	*bytes = r->bytes;
	*got = n < wanted ? n : wanted;
	return accept(why);
}

enum hvpci_fn_action hvpci_msg_fn_step(bool *eject_queued,
				       enum hvpci_fn_event ev)
{
	if (ev == HVPCI_FN_EJECT) {
		if (*eject_queued)
			return HVPCI_FN_REPEAT;
		*eject_queued = true;
		return HVPCI_FN_QUEUE_EJECT;
	}
	/* The eject work removes it and answers EJECTION_COMPLETE. */
	return *eject_queued ? HVPCI_FN_LEAVE : HVPCI_FN_REMOVE;
}

const char *hvpci_msg_strerror(int err)
{
	static const char * const names[] = {
		[HVPCI_MSG_OK] = "ok",
		[HVPCI_MSG_ESHORT] = "short",
		[HVPCI_MSG_EPACKET] = "bad VMBus descriptor",
		[HVPCI_MSG_ETYPE] = "unexpected type",
		[HVPCI_MSG_EVERSION] = "not in the negotiated protocol",
		[HVPCI_MSG_ECOUNT] = "count does not fit",
		[HVPCI_MSG_ESLOT] = "bad slot number",
		[HVPCI_MSG_EDUP] = "duplicate slot",
		[HVPCI_MSG_EBAR] = "bad BAR",
		[HVPCI_MSG_EINT] = "bad interrupt descriptor",
	};

	if (err < 0 || err >= HVPCI_MSG_ERR_COUNT)
		return "unknown error";
	return names[err];
}

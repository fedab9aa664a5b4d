// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for driver/hvpci_msg.c, the decoder of every packet the
 * host sends.
 *
 * The first input byte picks the negotiated protocol version and what the
 * rest is: a whole VMBus packet (decoded as the channel callback does,
 * then handed to the incoming-message or every completion decoder), an
 * incoming message, a completion, six BAR probe values, or (bit 4) a
 * sequence of ejects and bus relations without a function, for eight
 * functions, fed to the function lifetime step.  Whatever the
 * bytes, the decoder must not read outside them (ASan), and every verdict,
 * refusals included, must equal an oracle's: a second reading of the same
 * bytes at the protocol's offsets, written out below from the protocol
 * (see tests/unit/test_msg.c for the facts), never from the decoder's
 * structs or macros.  The BAR oracle sizes a BAR by its lowest address
 * bit, where the decoder inverts the mask.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvpci_msg.h"

#define PKT_INBAND	6
#define PKT_COMP	11
#define T_RELATIONS	0x42490000u
#define T_EJECT		0x4249000bu
#define T_INVALIDATE	0x42490012u
#define T_RELATIONS2	0x42490019u

static const uint32_t versions[4] = {
	0x00010001, 0x00010002, 0x00010003, 0x00010004,
};

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "oracle: " __VA_ARGS__);	\
			fprintf(stderr, " (%s:%d)\n", __FILE__, __LINE__); \
			abort();					\
		}							\
	} while (0)

static uint64_t rd(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void check_why(int err, const char *why)
{
	CHECK(why, "no reason given");
	CHECK(err == HVPCI_MSG_OK ? !why[0] : why[0] != '\0',
	      "reason '%s' does not match verdict %d", why, err);
	CHECK(hvpci_msg_strerror(err)[0], "empty error name");
}

/* Incoming messages */

static int expect_relations(const uint8_t *d, uint32_t len, bool v2)
{
	uint32_t stride = v2 ? 28 : 20, count, i, j, si, sj;

	if (len < 8)
		return HVPCI_MSG_ESHORT;
	count = (uint32_t)rd(d + 4, 4);
	if ((uint64_t)count * stride > len - 8)
		return HVPCI_MSG_ECOUNT;
	for (i = 0; i < count; i++) {
		si = (uint32_t)rd(d + 8 + i * stride + 12, 4);
		if (si > 0xff)
			return HVPCI_MSG_ESLOT;
		for (j = 0; j < i; j++) {
			sj = (uint32_t)rd(d + 8 + j * stride + 12, 4);
			if (si == sj)
				return HVPCI_MSG_EDUP;
		}
	}
	return HVPCI_MSG_OK;
}

static int expect_incoming(const uint8_t *d, uint32_t len, uint32_t version)
{
	uint32_t type, need;

	if (len < 4)
		return HVPCI_MSG_ESHORT;
	type = (uint32_t)rd(d, 4);
	switch (type) {
	case T_RELATIONS:
		return expect_relations(d, len, false);
	case T_RELATIONS2:
		if (version < 0x00010003)
			return HVPCI_MSG_EVERSION;
		return expect_relations(d, len, true);
	case T_EJECT:
		need = 8;
		break;
	case T_INVALIDATE:
		need = 16;
		break;
	default:
		return HVPCI_MSG_ETYPE;
	}
	if (len < need)
		return HVPCI_MSG_ESHORT;
	return rd(d + 4, 4) > 0xff ? HVPCI_MSG_ESLOT : HVPCI_MSG_OK;
}

static void fuzz_incoming(const uint8_t *d, uint32_t len, uint32_t version)
{
	struct hvpci_wire_func2 f;
	struct hvpci_msg_in in;
	const char *why = NULL;
	uint32_t i, stride;
	int err, want;

	err = hvpci_msg_incoming(d, len, version, &in, &why);
	check_why(err, why);
	want = expect_incoming(d, len, version);
	CHECK(err == want, "incoming %u bytes: decoder says %d, oracle %d",
	      len, err, want);
	if (err)
		return;

	CHECK(in.type == rd(d, 4), "type %#x", in.type);
	if (in.type == T_EJECT || in.type == T_INVALIDATE) {
		CHECK(in.wslot == rd(d + 4, 4), "slot %#x", in.wslot);
		if (in.type == T_INVALIDATE)
			CHECK(in.block_mask == rd(d + 8, 8), "block mask");
		return;
	}
	stride = in.type == T_RELATIONS2 ? 28 : 20;
	CHECK(in.stride == stride, "stride %u", in.stride);
	CHECK(in.count == rd(d + 4, 4), "count %u", in.count);
	CHECK(in.funcs == d + 8, "entries not right after the count");
	for (i = 0; i < in.count; i++) {
		const uint8_t *e = d + 8 + i * stride;

		hvpci_msg_func(&in, i, &f);
		CHECK(f.f.vendor == rd(e, 2) && f.f.device == rd(e + 2, 2),
		      "entry %u ids", i);
		CHECK(f.f.revision == e[4] && f.f.prog_if == e[5] &&
		      f.f.subclass == e[6] && f.f.base_class == e[7],
		      "entry %u class", i);
		CHECK(f.f.subsystem == rd(e + 8, 4), "entry %u subsystem", i);
		CHECK(f.f.wslot == rd(e + 12, 4) && f.f.wslot <= 0xff,
		      "entry %u slot", i);
		CHECK(f.f.serial == rd(e + 16, 4), "entry %u serial", i);
		if (stride == 28)
			CHECK(f.flags == rd(e + 20, 4) &&
			      f.numa_node == rd(e + 24, 2),
			      "entry %u NUMA", i);
		else
			CHECK(!f.flags && !f.numa_node, "entry %u v1 flags", i);
	}
}

/* BARs */

struct obars {
	int err;
	uint64_t size[6], need32, need64;
	unsigned int mem64, io;
};

/* The oracle: a BAR's size is its mask's lowest set bit. */
static void expect_bars(const uint32_t p[6], struct obars *o)
{
	unsigned __int128 sum64 = 0;
	uint64_t mask, size;
	int i, type;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < 6; i++) {
		if (!p[i])
			continue;
		if (p[i] & 1) {
			o->io |= 1u << i;
			continue;
		}
		type = (p[i] >> 1) & 3;
		if (type == 1 || type == 3) {
			o->err = HVPCI_MSG_EBAR;
			return;
		}
		if (type == 2 && i == 5) {
			o->err = HVPCI_MSG_EBAR;
			return;
		}
		mask = p[i] & 0xfffffff0u;
		if (type == 2)
			mask |= (uint64_t)p[i + 1] << 32;
		else
			mask |= 0xffffffff00000000ULL;
		if (!mask) {
			o->err = HVPCI_MSG_EBAR;
			return;
		}
		size = mask & -mask;
		if (mask != (uint64_t)-size ||
		    (type == 0 && size > 0x80000000ULL)) {
			o->err = HVPCI_MSG_EBAR;
			return;
		}
		if (size < 4096)
			size = 4096;
		o->size[i] = size;
		if (type == 2) {
			o->mem64 |= 1u << i;
			sum64 += size;
			if (sum64 > UINT64_MAX) {
				o->err = HVPCI_MSG_EBAR;
				return;
			}
			i++;
		} else {
			o->need32 += size;
		}
	}
	if (o->need32 > 0x100000000ULL)
		o->err = HVPCI_MSG_EBAR;
	o->need64 = (uint64_t)sum64;
}

static void check_bars(const uint32_t p[6], int err,
		       const struct hvpci_bars *b)
{
	struct obars o;
	int i;

	expect_bars(p, &o);
	CHECK(err == o.err, "BARs %08x %08x %08x %08x %08x %08x: decoder says %d, oracle %d",
	      p[0], p[1], p[2], p[3], p[4], p[5], err, o.err);
	if (err)
		return;
	for (i = 0; i < 6; i++)
		CHECK(b->size[i] == o.size[i], "BAR %d size %#llx, oracle %#llx",
		      i, (unsigned long long)b->size[i],
		      (unsigned long long)o.size[i]);
	CHECK(b->mem64 == o.mem64 && b->io == o.io, "BAR kinds");
	CHECK(b->need32 == o.need32 && b->need64 == o.need64, "BAR sums");
	CHECK(!(b->mem64 & 0x20), "64-bit BAR 5");
}

static void fuzz_need_add(const struct hvpci_bars *b, const uint8_t *d,
			  uint32_t len)
{
	u64 n32 = 0, n64 = 0, o32, o64;
	const char *why = NULL;
	unsigned __int128 s32, s64;
	int err;

	if (len >= 16) {
		n32 = rd(d, 8) & 0x1ffffffffULL;
		n64 = rd(d + 8, 8);
	}
	o32 = n32;
	o64 = n64;
	err = hvpci_msg_need_add(&n32, &n64, b, &why);
	check_why(err, why);
	s32 = (unsigned __int128)o32 + b->need32;
	s64 = (unsigned __int128)o64 + b->need64;
	if (s32 > 0x100000000ULL || s64 > UINT64_MAX) {
		CHECK(err == HVPCI_MSG_EBAR, "bus totals wrap, accepted");
		CHECK(n32 == o32 && n64 == o64, "refused totals changed");
	} else {
		CHECK(err == HVPCI_MSG_OK, "bus totals fit, refused");
		CHECK(n32 == s32 && n64 == s64, "bus totals");
	}
}

/* Completions */

static void fuzz_replies(const uint8_t *d, uint32_t len, uint16_t vectors)
{
	struct hvpci_wire_int desc;
	struct hvpci_bars b;
	const uint8_t *bytes;
	const char *why = NULL;
	uint32_t probed[6];
	s32 status;
	u32 got, wanted;
	int err, i;

	err = hvpci_msg_status(d, len, &status, &why);
	check_why(err, why);
	CHECK(err == (len < 4 ? HVPCI_MSG_ESHORT : HVPCI_MSG_OK), "status");
	if (err)
		return;
	CHECK((uint32_t)status == rd(d, 4), "status value");

	err = hvpci_msg_resource_reqs(d, len, &status, &b, &why);
	check_why(err, why);
	if (status < 0) {
		CHECK(!err, "failed resource requirements refused");
	} else if (len < 28) {
		CHECK(err == HVPCI_MSG_ESHORT, "short BARs accepted");
	} else {
		for (i = 0; i < 6; i++)
			probed[i] = (uint32_t)rd(d + 4 + 4 * i, 4);
		check_bars(probed, err, &b);
		if (!err)
			fuzz_need_add(&b, d + 28, len - 28);
	}

	err = hvpci_msg_create_int(d, len, vectors, &status, &desc, &why);
	check_why(err, why);
	if (status < 0) {
		CHECK(!err, "failed create interrupt refused");
	} else if (len < 24) {
		CHECK(err == HVPCI_MSG_ESHORT, "short interrupt accepted");
	} else {
		uint64_t addr = rd(d + 16, 8);
		uint32_t data = (uint32_t)rd(d + 12, 4);
		bool ok = addr >= 0xfee00000ULL && addr < 0xfef00000ULL &&
			  (!vectors || (uint64_t)data + vectors - 1 <= 0xffffffffULL);

		CHECK(err == (ok ? HVPCI_MSG_OK : HVPCI_MSG_EINT),
		      "interrupt %#llx/%#x x%u: %d", (unsigned long long)addr,
		      data, vectors, err);
		if (ok)
			CHECK(desc.address == addr && desc.data == data &&
			      desc.vector_count == rd(d + 10, 2),
			      "interrupt descriptor");
	}

	wanted = vectors % 200;
	err = hvpci_msg_read_block(d, len, wanted, &status, &bytes, &got, &why);
	check_why(err, why);
	if (status) {
		CHECK(!err && !got, "failed read block");
	} else if (len == 4) {
		CHECK(err == HVPCI_MSG_ESHORT, "empty block accepted");
	} else {
		uint32_t n = len - 4;

		if (n > wanted)
			n = wanted;
		if (n > 128)
			n = 128;
		CHECK(!err && got == n && bytes == d + 4, "read block");
	}
}

/* Whole packets, as the channel callback sees them */

static void fuzz_packet(const uint8_t *buf, uint32_t got, uint32_t version,
			uint16_t vectors)
{
	struct hvpci_pkt pkt;
	const char *why = NULL;
	uint32_t off, end, type;
	int err, want;

	err = hvpci_msg_packet(buf, got, &pkt, &why);
	check_why(err, why);
	if (got < 16) {
		want = HVPCI_MSG_ESHORT;
	} else {
		type = (uint32_t)rd(buf, 2);
		off = (uint32_t)rd(buf + 2, 2) * 8;
		end = (uint32_t)rd(buf + 4, 2) * 8;
		if (end != got || off < 16 || off > end)
			want = HVPCI_MSG_EPACKET;
		else if (type != PKT_INBAND && type != PKT_COMP)
			want = HVPCI_MSG_ETYPE;
		else
			want = HVPCI_MSG_OK;
	}
	CHECK(err == want, "packet of %u bytes: decoder says %d, oracle %d",
	      got, err, want);
	if (err)
		return;
	CHECK(pkt.data == buf + rd(buf + 2, 2) * 8 && pkt.len == got - rd(buf + 2, 2) * 8,
	      "packet data");
	CHECK(pkt.trans_id == rd(buf + 8, 8), "transaction id");
	if (pkt.type == PKT_INBAND)
		fuzz_incoming(pkt.data, pkt.len, version);
	else
		fuzz_replies(pkt.data, pkt.len, vectors);
}

/*
 * Function lifetime: each byte is an event (bit 0: eject or unlisted) for
 * one of eight functions (bits 1-3).  The model: an eject is queued once,
 * repeats are ignored, and an unlisted function is removed only when no
 * eject of it is queued; a removed function's slot may come back.
 */
static void fuzz_lifetime(const uint8_t *d, uint32_t len)
{
	bool queued[8] = { false }, model[8] = { false };
	enum hvpci_fn_action act, want;
	uint32_t i;
	int fn;

	for (i = 0; i < len; i++) {
		fn = (d[i] >> 1) & 7;
		if (d[i] & 1) {
			want = model[fn] ? HVPCI_FN_REPEAT : HVPCI_FN_QUEUE_EJECT;
			model[fn] = true;
			act = hvpci_msg_fn_step(&queued[fn], HVPCI_FN_EJECT);
		} else {
			want = model[fn] ? HVPCI_FN_LEAVE : HVPCI_FN_REMOVE;
			act = hvpci_msg_fn_step(&queued[fn], HVPCI_FN_UNLISTED);
		}
		CHECK(act == want, "event %u (%#x): action %d, model %d", i,
		      d[i], act, want);
		CHECK(queued[fn] == model[fn], "event %u: eject state", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hvpci_bars b;
	const char *why = NULL;
	uint32_t version, probed[6] = { 0 };
	uint16_t vectors;
	uint32_t len;
	int err, mode;

	if (size < 3 || size > 65536)
		return 0;
	version = versions[data[0] & 3];
	mode = (data[0] >> 2) & 3;
	vectors = data[1];
	len = (uint32_t)size - 2;
	data += 2;

	if (data[-2] & 0x10) {
		fuzz_lifetime(data, len);
		return 0;
	}

	switch (mode) {
	case 0:
		fuzz_packet(data, len, version, vectors);
		break;
	case 1:
		fuzz_incoming(data, len, version);
		break;
	case 2:
		fuzz_replies(data, len, vectors);
		break;
	case 3:
		memcpy(probed, data, len < sizeof(probed) ? len : sizeof(probed));
		err = hvpci_msg_bars(probed, &b, &why);
		check_why(err, why);
		check_bars(probed, err, &b);
		if (!err && len > sizeof(probed))
			fuzz_need_add(&b, data + sizeof(probed),
				      len - sizeof(probed));
		break;
	}
	return 0;
}

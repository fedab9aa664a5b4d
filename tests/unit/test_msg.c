// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for driver/hvpci_msg.c, the decoder of everything the host
 * sends, built from the same source the kernel module uses.
 *
 * Packets are laid out byte by byte from the protocol as written below,
 * never from the driver's structs or macros, so that a wrong offset, size
 * or constant in hvpci_wire.h or hvpci_msg.c fails a test here.  Each
 * refusal has a test that an accepting decoder would fail
 * (tests/unit/mutate.sh removes the checks one at a time).
 *
 * Protocol facts (the VMBus and vPCI protocols as the in-tree
 * pci-hyperv.c and the Hyper-V headers define them, and the PCI spec):
 *  - VMBus packet descriptor, 16 bytes: u16 type, u16 data offset in
 *    8-byte units, u16 packet length in 8-byte units, u16 flags, u64
 *    transaction id.  In-band data is type 6, a completion type 11.
 *  - vPCI messages start with a u32 type: bus relations 0x42490000,
 *    eject 0x4249000b, config block invalidation 0x42490012, bus
 *    relations 2 0x42490019 (protocol 1.3, version word 0x00010003).
 *  - bus relations: type, u32 count, then 20-byte entries: u16 vendor,
 *    u16 device, u8 revision, prog-if, subclass, base class, u32
 *    subsystem, u32 slot, u32 serial.  Bus relations 2 entries add u32
 *    flags, u16 NUMA node and u16 reserved: 28 bytes.
 *  - slot: device number in bits 0-4, function in bits 5-7, bits 8-31
 *    reserved.
 *  - completions: s32 NT status first.  Resource requirements: then six
 *    u32 BAR probe values.  Create interrupt: then u32 reserved, u16
 *    reserved, u16 vector count, u32 data, u64 address.  Read block: then
 *    the bytes, at most 128.
 *  - PCI BAR probe value: bit 0 set is I/O; for memory, bits 2:1 are the
 *    type (00 32-bit, 10 64-bit, 01 and 11 reserved), bit 3 prefetchable,
 *    the rest the size mask; a 64-bit BAR's next BAR holds the upper half
 *    of its mask.  BAR 5 is the last one (config offset 0x24): a 64-bit
 *    BAR 5 would spill into 0x28.
 *  - x86 MSI addresses lie in [0xfee00000, 0xfef00000).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "hvpci_msg.h"

#define PKT_INBAND	6
#define PKT_COMP	11
#define T_RELATIONS	0x42490000u
#define T_EJECT		0x4249000bu
#define T_INVALIDATE	0x42490012u
#define T_RELATIONS2	0x42490019u
#define T_POWER		0x42490004u
#define V1_2		0x00010002u
#define V1_3		0x00010003u
#define V1_4		0x00010004u

/* A little-endian byte buffer to lay packets out in. */
struct buf {
	uint8_t b[1024];
	uint32_t len;
};

static void put(struct buf *p, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p->b[p->len++] = (uint8_t)(v >> (8 * i));
}

static void put8(struct buf *p, uint8_t v) { put(p, v, 1); }
static void put16(struct buf *p, uint16_t v) { put(p, v, 2); }
static void put32(struct buf *p, uint32_t v) { put(p, v, 4); }
static void put64(struct buf *p, uint64_t v) { put(p, v, 8); }

static void put_desc(struct buf *p, uint16_t type, uint16_t off8,
		     uint16_t len8, uint64_t trans)
{
	put16(p, type);
	put16(p, off8);
	put16(p, len8);
	put16(p, 0);
	put64(p, trans);
}

/* One bus relations entry; @v2 adds flags and NUMA node. */
static void put_func(struct buf *p, bool v2, uint16_t vendor,
		     uint16_t device, uint32_t wslot, uint32_t serial)
{
	put16(p, vendor);
	put16(p, device);
	put8(p, 0x01);		/* revision */
	put8(p, 0x02);		/* prog-if */
	put8(p, 0x08);		/* subclass */
	put8(p, 0x01);		/* base class */
	put32(p, 0xabcd1414);	/* subsystem */
	put32(p, wslot);
	put32(p, serial);
	if (v2) {
		put32(p, 1);	/* NUMA flag */
		put16(p, 3);	/* node */
		put16(p, 0);
	}
}

static int incoming(const struct buf *p, uint32_t version,
		    struct hvpci_msg_in *in)
{
	const char *why = NULL;
	int err = hvpci_msg_incoming(p->b, p->len, version, in, &why);

	assert_non_null(why);
	if (err)
		assert_true(why[0] != '\0');
	return err;
}

/* VMBus descriptor */

static void test_packet_data_offset_is_read(void **state)
{
	struct hvpci_pkt pkt;
	const char *why;
	struct buf p = { .len = 0 };

	(void)state;
	/* Data at 24 bytes (offset8 3), packet 40 bytes (len8 5). */
	put_desc(&p, PKT_INBAND, 3, 5, 0x1122334455667788ULL);
	put64(&p, 0xeeeeeeeeeeeeeeeeULL);	/* 8 bytes before the data */
	put32(&p, T_EJECT);
	put32(&p, 0x21);
	put64(&p, 0);
	assert_int_equal(p.len, 40);
	assert_int_equal(hvpci_msg_packet(p.b, p.len, &pkt, &why), HVPCI_MSG_OK);
	assert_ptr_equal(pkt.data, p.b + 24);
	assert_int_equal(pkt.len, 16);
	assert_int_equal(pkt.type, PKT_INBAND);
	assert_true(pkt.trans_id == 0x1122334455667788ULL);
}

static void test_packet_completion(void **state)
{
	struct hvpci_pkt pkt;
	const char *why;
	struct buf p = { .len = 0 };

	(void)state;
	put_desc(&p, PKT_COMP, 2, 3, 7);
	put32(&p, 0xc0000184);
	put32(&p, 0);
	assert_int_equal(hvpci_msg_packet(p.b, p.len, &pkt, &why), HVPCI_MSG_OK);
	assert_ptr_equal(pkt.data, p.b + 16);
	assert_int_equal(pkt.len, 8);
	assert_int_equal(pkt.type, PKT_COMP);
	assert_true(pkt.trans_id == 7);
}

static void test_packet_refusals(void **state)
{
	struct hvpci_pkt pkt;
	const char *why;
	struct buf p = { .len = 0 };

	(void)state;
	put_desc(&p, PKT_INBAND, 2, 4, 0);
	put64(&p, 0);
	put64(&p, 0);
	assert_int_equal(p.len, 32);
	/* Shorter than a descriptor. */
	assert_int_equal(hvpci_msg_packet(p.b, 15, &pkt, &why), HVPCI_MSG_ESHORT);
	/* Length field says 32, 40 bytes arrived, and the reverse. */
	assert_int_equal(hvpci_msg_packet(p.b, 40, &pkt, &why), HVPCI_MSG_EPACKET);
	p.b[4] = 5;
	assert_int_equal(hvpci_msg_packet(p.b, 32, &pkt, &why), HVPCI_MSG_EPACKET);
	p.b[4] = 4;
	/* Data offset inside the descriptor. */
	p.b[2] = 1;
	assert_int_equal(hvpci_msg_packet(p.b, 32, &pkt, &why), HVPCI_MSG_EPACKET);
	p.b[2] = 0;
	assert_int_equal(hvpci_msg_packet(p.b, 32, &pkt, &why), HVPCI_MSG_EPACKET);
	/* Data offset past the end; at the very end is an empty message. */
	p.b[2] = 5;
	assert_int_equal(hvpci_msg_packet(p.b, 32, &pkt, &why), HVPCI_MSG_EPACKET);
	p.b[2] = 4;
	assert_int_equal(hvpci_msg_packet(p.b, 32, &pkt, &why), HVPCI_MSG_OK);
	assert_int_equal(pkt.len, 0);
	p.b[2] = 2;
	/* Transfer-page data (7) and anything else is not for hvpci. */
	p.b[0] = 7;
	assert_int_equal(hvpci_msg_packet(p.b, 32, &pkt, &why), HVPCI_MSG_ETYPE);
	p.b[0] = PKT_INBAND;
	assert_int_equal(hvpci_msg_packet(p.b, 32, &pkt, &why), HVPCI_MSG_OK);
}

/* Bus relations */

static void test_relations_v1(void **state)
{
	struct hvpci_wire_func2 f;
	struct hvpci_msg_in in;
	struct buf p = { .len = 0 };

	(void)state;
	put32(&p, T_RELATIONS);
	put32(&p, 2);
	put_func(&p, false, 0x1af4, 0x1000, 0x00, 11);
	put_func(&p, false, 0x8086, 0x10ed, 0xff, 22);	/* device 31, fn 7 */
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_OK);
	assert_int_equal(in.type, T_RELATIONS);
	assert_int_equal(in.count, 2);
	assert_int_equal(in.stride, 20);
	hvpci_msg_func(&in, 1, &f);
	assert_int_equal(f.f.vendor, 0x8086);
	assert_int_equal(f.f.device, 0x10ed);
	assert_int_equal(f.f.revision, 0x01);
	assert_int_equal(f.f.prog_if, 0x02);
	assert_int_equal(f.f.subclass, 0x08);
	assert_int_equal(f.f.base_class, 0x01);
	assert_int_equal(f.f.subsystem, 0xabcd1414);
	assert_int_equal(f.f.wslot, 0xff);
	assert_int_equal(f.f.serial, 22);
	assert_int_equal(f.flags, 0);
	assert_int_equal(f.numa_node, 0);
	/* Padding after the list, as VMBus rounds packets to 8 bytes. */
	put32(&p, 0);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_OK);
	/* An empty list: every function is gone. */
	p.len = 0;
	put32(&p, T_RELATIONS);
	put32(&p, 0);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_OK);
	assert_int_equal(in.count, 0);
}

static void test_relations_v2(void **state)
{
	struct hvpci_wire_func2 f;
	struct hvpci_msg_in in;
	struct buf p = { .len = 0 };

	(void)state;
	put32(&p, T_RELATIONS2);
	put32(&p, 2);
	put_func(&p, true, 0x1b36, 0x0010, 0x01, 5);
	put_func(&p, true, 0x1b36, 0x0011, 0x02, 6);
	assert_int_equal(incoming(&p, V1_3, &in), HVPCI_MSG_OK);
	assert_int_equal(in.stride, 28);
	hvpci_msg_func(&in, 1, &f);
	assert_int_equal(f.f.device, 0x0011);
	assert_int_equal(f.f.wslot, 0x02);
	assert_int_equal(f.f.serial, 6);
	assert_int_equal(f.flags, 1);
	assert_int_equal(f.numa_node, 3);
	assert_int_equal(incoming(&p, V1_4, &in), HVPCI_MSG_OK);
	/* Bus relations 2 came with 1.3. */
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_EVERSION);
}

static void test_relations_count_must_fit(void **state)
{
	struct hvpci_msg_in in;
	struct buf p = { .len = 0 };

	(void)state;
	put32(&p, T_RELATIONS);
	put32(&p, 3);
	put_func(&p, false, 0x1af4, 0x1000, 0x00, 1);
	put_func(&p, false, 0x1af4, 0x1000, 0x01, 2);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_ECOUNT);
	/* Two v2 entries (56 bytes) read as three v1 ones (60) do not fit. */
	p.len = 0;
	put32(&p, T_RELATIONS);
	put32(&p, 3);
	put_func(&p, true, 0x1af4, 0x1000, 0x00, 1);
	put_func(&p, true, 0x1af4, 0x1000, 0x01, 2);
	assert_int_equal(incoming(&p, V1_3, &in), HVPCI_MSG_ECOUNT);
	/* 0x0ccccccd entries of 20 bytes are 2^32 + 4 bytes, not 4. */
	p.len = 0;
	put32(&p, T_RELATIONS);
	put32(&p, 0x0ccccccd);
	put_func(&p, false, 0x1af4, 0x1000, 0x00, 1);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_ECOUNT);
	p.len = 0;
	put32(&p, T_RELATIONS);
	put32(&p, 0xffffffff);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_ECOUNT);
	/* No room for the count itself. */
	p.len = 0;
	put32(&p, T_RELATIONS);
	put16(&p, 0);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_ESHORT);
}

static void test_relations_reserved_slot_bits(void **state)
{
	static const uint32_t bad[] = { 0x100, 0x80000000, 0xffffffff, 0x1000 };
	struct hvpci_msg_in in;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf p = { .len = 0 };

		put32(&p, T_RELATIONS);
		put32(&p, 2);
		put_func(&p, false, 0x1af4, 0x1000, 0x00, 1);
		put_func(&p, false, 0x1af4, 0x1000, bad[i], 2);
		assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_ESLOT);
	}
}

static void test_relations_duplicate_slot(void **state)
{
	struct hvpci_msg_in in;
	struct buf p = { .len = 0 };

	(void)state;
	/* Device 1 function 0 and device 1 function 1 are different slots. */
	put32(&p, T_RELATIONS);
	put32(&p, 3);
	put_func(&p, false, 0x1af4, 0x1000, 0x01, 1);
	put_func(&p, false, 0x1af4, 0x1000, 0x21, 2);
	put_func(&p, false, 0x1af4, 0x1000, 0xe1, 3);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_OK);
	/* Slot 0x21 again, as another device: refused. */
	p.len = 0;
	put32(&p, T_RELATIONS);
	put32(&p, 3);
	put_func(&p, false, 0x1af4, 0x1000, 0x21, 1);
	put_func(&p, false, 0x1af4, 0x1000, 0x01, 2);
	put_func(&p, false, 0x8086, 0x1234, 0x21, 3);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_EDUP);
	/* The highest slot twice, in bus relations 2. */
	p.len = 0;
	put32(&p, T_RELATIONS2);
	put32(&p, 2);
	put_func(&p, true, 0x1af4, 0x1000, 0xff, 1);
	put_func(&p, true, 0x1af4, 0x1000, 0xff, 1);
	assert_int_equal(incoming(&p, V1_3, &in), HVPCI_MSG_EDUP);
}

/* Eject, invalidation, other types */

static void test_eject(void **state)
{
	struct hvpci_msg_in in;
	struct buf p = { .len = 0 };

	(void)state;
	put32(&p, T_EJECT);
	put32(&p, 0x43);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_OK);
	assert_int_equal(in.type, T_EJECT);
	assert_int_equal(in.wslot, 0x43);
	p.len = 4;
	put16(&p, 0);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_ESHORT);
	p.len = 4;
	put32(&p, 0x143);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_ESLOT);
}

static void test_invalidate(void **state)
{
	struct hvpci_msg_in in;
	struct buf p = { .len = 0 };

	(void)state;
	put32(&p, T_INVALIDATE);
	put32(&p, 0x05);
	put64(&p, 0x8000000000000003ULL);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_OK);
	assert_int_equal(in.wslot, 0x05);
	assert_true(in.block_mask == 0x8000000000000003ULL);
	p.len = 12;
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_ESHORT);
	p.len = 4;
	put32(&p, 0x00010005);
	put64(&p, 1);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_ESLOT);
}

static void test_unknown_type(void **state)
{
	struct hvpci_msg_in in;
	struct buf p = { .len = 0 };

	(void)state;
	put32(&p, T_POWER);
	put32(&p, 0);
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_ETYPE);
	assert_int_equal(in.type, T_POWER);
	p.len = 3;
	assert_int_equal(incoming(&p, V1_2, &in), HVPCI_MSG_ESHORT);
}

/* Completions */

static void test_status(void **state)
{
	const char *why;
	s32 status = 0;
	struct buf p = { .len = 0 };

	(void)state;
	put32(&p, 0xc0000059);
	assert_int_equal(hvpci_msg_status(p.b, 4, &status, &why), HVPCI_MSG_OK);
	assert_int_equal((uint32_t)status, 0xc0000059);
	assert_true(status < 0);
	assert_int_equal(hvpci_msg_status(p.b, 3, &status, &why), HVPCI_MSG_ESHORT);
}

static int bars(const uint32_t probed[6], struct hvpci_bars *b)
{
	const char *why;

	return hvpci_msg_bars(probed, b, &why);
}

static void test_bars_valid(void **state)
{
	/* 1 MiB 32-bit; 16 KiB 64-bit; 8 GiB 64-bit prefetchable; 16 bytes. */
	const uint32_t probed[6] = {
		0xfff00000, 0xffffc004, 0xffffffff, 0x0000000c, 0xfffffffe,
		0xfffffff0,
	};
	struct hvpci_bars b;

	(void)state;
	assert_int_equal(bars(probed, &b), HVPCI_MSG_OK);
	assert_true(b.size[0] == 0x100000);
	assert_true(b.size[1] == 0x4000);
	assert_true(b.size[2] == 0);
	assert_true(b.size[3] == 0x200000000ULL);
	assert_true(b.size[4] == 0);
	assert_true(b.size[5] == 0x1000);	/* 16 bytes take a page */
	assert_int_equal(b.mem64, (1 << 1) | (1 << 3));
	assert_int_equal(b.io, 0);
	assert_true(b.need32 == 0x100000 + 0x1000);
	assert_true(b.need64 == 0x4000 + 0x200000000ULL);
}

static void test_bars_not_a_size(void **state)
{
	const uint32_t holes32[6] = { 0xfff0f000 };
	const uint32_t holes64[6] = { 0, 0xfff0000c, 0x7fffffff };
	const uint32_t no_bits[6] = { 0x00000008 };	/* 4 GiB 32-bit */
	const uint32_t zero64[6] = { 0x00000004, 0x00000000 };
	const uint32_t ok64[6] = { 0x00000004, 0x80000000 };
	struct hvpci_bars b;

	(void)state;
	assert_int_equal(bars(holes32, &b), HVPCI_MSG_EBAR);
	assert_int_equal(bars(holes64, &b), HVPCI_MSG_EBAR);
	assert_int_equal(bars(no_bits, &b), HVPCI_MSG_EBAR);
	assert_int_equal(bars(zero64, &b), HVPCI_MSG_EBAR);
	assert_int_equal(bars(ok64, &b), HVPCI_MSG_OK);
	assert_true(b.size[0] == 0x8000000000000000ULL);
}

static void test_bars_reserved_type(void **state)
{
	const uint32_t below1m[6] = { 0xfffff002 };
	const uint32_t type11[6] = { 0xfffff006 };
	struct hvpci_bars b;

	(void)state;
	assert_int_equal(bars(below1m, &b), HVPCI_MSG_EBAR);
	assert_int_equal(bars(type11, &b), HVPCI_MSG_EBAR);
}

static void test_bars_64bit_bar5(void **state)
{
	const uint32_t bar5[6] = { 0, 0, 0, 0, 0, 0xfff0000c };
	const uint32_t bar4[6] = { 0, 0, 0, 0, 0xfff0000c, 0xffffffff };
	struct hvpci_bars b;

	(void)state;
	assert_int_equal(bars(bar5, &b), HVPCI_MSG_EBAR);
	assert_int_equal(bars(bar4, &b), HVPCI_MSG_OK);
	assert_true(b.size[4] == 0x100000);
	assert_int_equal(b.mem64, 1 << 4);
}

static void test_bars_io_ignored(void **state)
{
	/*
	 * An I/O BAR of 256 ports whose bit 2 is an address bit: not a
	 * 64-bit memory BAR, so BAR 1 is a BAR of its own.
	 */
	const uint32_t probed[6] = { 0xffffff05, 0xfff00000, 0xffffffe1 };
	struct hvpci_bars b;

	(void)state;
	assert_int_equal(bars(probed, &b), HVPCI_MSG_OK);
	assert_int_equal(b.io, (1 << 0) | (1 << 2));
	assert_int_equal(b.mem64, 0);
	assert_true(b.size[0] == 0);
	assert_true(b.size[1] == 0x100000);
	assert_true(b.size[2] == 0);
	assert_true(b.need32 == 0x100000);
	assert_true(b.need64 == 0);
}

static void test_bars_sums(void **state)
{
	/* Two 64-bit BARs of 2^63: 2^64 does not fit. */
	const uint32_t wrap64[6] = { 0x4, 0x80000000, 0x4, 0x80000000 };
	/* Three 32-bit BARs of 2 GiB: 6 GiB of 32-bit space. */
	const uint32_t over32[6] = { 0x80000000, 0x80000000, 0x80000000 };
	/* Two of them: 4 GiB, which is all there is, but not past it. */
	const uint32_t all32[6] = { 0x80000000, 0x80000000 };
	struct hvpci_bars b, b2;
	const char *why;
	u64 n32, n64;

	(void)state;
	assert_int_equal(bars(wrap64, &b), HVPCI_MSG_EBAR);
	assert_int_equal(bars(over32, &b), HVPCI_MSG_EBAR);
	assert_int_equal(bars(all32, &b), HVPCI_MSG_OK);
	assert_true(b.need32 == 0x100000000ULL);

	/* Bus totals. */
	n32 = 0x1000;
	n64 = 0;
	assert_int_equal(hvpci_msg_need_add(&n32, &n64, &b, &why),
			 HVPCI_MSG_EBAR);
	assert_true(n32 == 0x1000);	/* unchanged when refused */
	memset(&b2, 0, sizeof(b2));
	b2.need32 = 0x2000;
	b2.need64 = 0x8000000000000000ULL;
	n32 = 0x1000;
	n64 = 0x8000000000000000ULL;
	assert_int_equal(hvpci_msg_need_add(&n32, &n64, &b2, &why),
			 HVPCI_MSG_EBAR);
	assert_true(n32 == 0x1000 && n64 == 0x8000000000000000ULL);
	n64 = 0x10000;
	assert_int_equal(hvpci_msg_need_add(&n32, &n64, &b2, &why),
			 HVPCI_MSG_OK);
	assert_true(n32 == 0x3000);
	assert_true(n64 == 0x8000000000010000ULL);
}

static void test_resource_reqs(void **state)
{
	struct hvpci_bars b;
	const char *why;
	s32 status = 1;
	struct buf p = { .len = 0 };
	int i;

	(void)state;
	put32(&p, 0);
	put32(&p, 0xffffc00c);
	put32(&p, 0xffffffff);
	for (i = 0; i < 4; i++)
		put32(&p, 0);
	assert_int_equal(p.len, 28);
	assert_int_equal(hvpci_msg_resource_reqs(p.b, 28, &status, &b, &why),
			 HVPCI_MSG_OK);
	assert_int_equal(status, 0);
	assert_true(b.size[0] == 0x4000);
	assert_true(b.need64 == 0x4000);
	/* Five BARs are not six. */
	assert_int_equal(hvpci_msg_resource_reqs(p.b, 24, &status, &b, &why),
			 HVPCI_MSG_ESHORT);
	/* A failure needs only its status. */
	p.len = 0;
	put32(&p, 0xc0000001);
	assert_int_equal(hvpci_msg_resource_reqs(p.b, 4, &status, &b, &why),
			 HVPCI_MSG_OK);
	assert_int_equal((uint32_t)status, 0xc0000001);
	assert_true(b.need32 == 0 && b.need64 == 0);
	assert_int_equal(hvpci_msg_resource_reqs(p.b, 2, &status, &b, &why),
			 HVPCI_MSG_ESHORT);
	/* BAR checks apply to the reply. */
	p.len = 0;
	put32(&p, 0);
	for (i = 0; i < 5; i++)
		put32(&p, 0);
	put32(&p, 0xffff000c);
	assert_int_equal(hvpci_msg_resource_reqs(p.b, 28, &status, &b, &why),
			 HVPCI_MSG_EBAR);
}

static void put_int_reply(struct buf *p, uint32_t status, uint16_t count,
			  uint32_t data, uint64_t address)
{
	p->len = 0;
	put32(p, status);
	put32(p, 0);
	put16(p, 0);
	put16(p, count);
	put32(p, data);
	put64(p, address);
}

static void test_create_int(void **state)
{
	struct hvpci_wire_int d;
	const char *why;
	s32 status;
	struct buf p = { .len = 0 };

	(void)state;
	put_int_reply(&p, 0, 1, 0x4041, 0xfee01000);
	assert_int_equal(p.len, 24);
	assert_int_equal(hvpci_msg_create_int(p.b, 24, 1, &status, &d, &why),
			 HVPCI_MSG_OK);
	assert_int_equal(d.vector_count, 1);
	assert_int_equal(d.data, 0x4041);
	assert_true(d.address == 0xfee01000);
	assert_int_equal(hvpci_msg_create_int(p.b, 23, 1, &status, &d, &why),
			 HVPCI_MSG_ESHORT);
	/* The edges of the MSI window. */
	put_int_reply(&p, 0, 1, 0x4041, 0xfeefffff);
	assert_int_equal(hvpci_msg_create_int(p.b, 24, 1, &status, &d, &why),
			 HVPCI_MSG_OK);
	put_int_reply(&p, 0, 1, 0x4041, 0xfef00000);
	assert_int_equal(hvpci_msg_create_int(p.b, 24, 1, &status, &d, &why),
			 HVPCI_MSG_EINT);
	put_int_reply(&p, 0, 1, 0x4041, 0xfedfffff);
	assert_int_equal(hvpci_msg_create_int(p.b, 24, 1, &status, &d, &why),
			 HVPCI_MSG_EINT);
	put_int_reply(&p, 0, 1, 0x4041, 0);
	assert_int_equal(hvpci_msg_create_int(p.b, 24, 1, &status, &d, &why),
			 HVPCI_MSG_EINT);
	put_int_reply(&p, 0, 1, 0x4041, 0x1fee00000ULL);
	assert_int_equal(hvpci_msg_create_int(p.b, 24, 1, &status, &d, &why),
			 HVPCI_MSG_EINT);
	/* A 4-vector block from 0xfffffffe would wrap its data; 2 do not. */
	put_int_reply(&p, 0, 4, 0xfffffffe, 0xfee00000);
	assert_int_equal(hvpci_msg_create_int(p.b, 24, 4, &status, &d, &why),
			 HVPCI_MSG_EINT);
	assert_int_equal(hvpci_msg_create_int(p.b, 24, 2, &status, &d, &why),
			 HVPCI_MSG_OK);
	/* A refusal carries just its status. */
	p.len = 0;
	put32(&p, 0xc000009a);
	assert_int_equal(hvpci_msg_create_int(p.b, 4, 1, &status, &d, &why),
			 HVPCI_MSG_OK);
	assert_int_equal((uint32_t)status, 0xc000009a);
}

static void test_read_block(void **state)
{
	const uint8_t *bytes;
	const char *why;
	u32 got;
	s32 status;
	struct buf p = { .len = 0 };
	int i;

	(void)state;
	put32(&p, 0);
	for (i = 0; i < 130; i++)
		put8(&p, (uint8_t)i);
	assert_int_equal(hvpci_msg_read_block(p.b, 14, 4, &status, &bytes,
					      &got, &why), HVPCI_MSG_OK);
	assert_int_equal(got, 4);
	assert_ptr_equal(bytes, p.b + 4);
	/* Never more than a block of 128 bytes. */
	assert_int_equal(hvpci_msg_read_block(p.b, p.len, 200, &status, &bytes,
					      &got, &why), HVPCI_MSG_OK);
	assert_int_equal(got, 128);
	/* Success without data. */
	assert_int_equal(hvpci_msg_read_block(p.b, 4, 4, &status, &bytes,
					      &got, &why),
			 HVPCI_MSG_ESHORT);
	p.b[3] = 0xc0;
	assert_int_equal(hvpci_msg_read_block(p.b, 4, 4, &status, &bytes,
					      &got, &why), HVPCI_MSG_OK);
	assert_int_equal(got, 0);
	assert_true(status < 0);
}

/* Function lifetime */

static void test_repeated_eject_ignored(void **state)
{
	bool queued = false;

	(void)state;
	assert_int_equal(hvpci_msg_fn_step(&queued, HVPCI_FN_EJECT),
			 HVPCI_FN_QUEUE_EJECT);
	assert_true(queued);
	/* Queueing it again would re-init the pending work. */
	assert_int_equal(hvpci_msg_fn_step(&queued, HVPCI_FN_EJECT),
			 HVPCI_FN_REPEAT);
	assert_int_equal(hvpci_msg_fn_step(&queued, HVPCI_FN_EJECT),
			 HVPCI_FN_REPEAT);
	assert_true(queued);
}

static void test_unlisted_function(void **state)
{
	bool queued = false;

	(void)state;
	/* Gone from bus relations, nothing queued: removed now. */
	assert_int_equal(hvpci_msg_fn_step(&queued, HVPCI_FN_UNLISTED),
			 HVPCI_FN_REMOVE);
	assert_false(queued);
	/*
	 * Its eject queued: removing it here as well would unlink it twice
	 * and free it under the eject work.
	 */
	assert_int_equal(hvpci_msg_fn_step(&queued, HVPCI_FN_EJECT),
			 HVPCI_FN_QUEUE_EJECT);
	assert_int_equal(hvpci_msg_fn_step(&queued, HVPCI_FN_UNLISTED),
			 HVPCI_FN_LEAVE);
	assert_true(queued);
	/* And a repeated eject after that is still a repeat. */
	assert_int_equal(hvpci_msg_fn_step(&queued, HVPCI_FN_EJECT),
			 HVPCI_FN_REPEAT);
}

static void test_strerror(void **state)
{
	int e;

	(void)state;
	for (e = 0; e < HVPCI_MSG_ERR_COUNT; e++)
		assert_non_null(hvpci_msg_strerror(e));
	assert_string_equal(hvpci_msg_strerror(-1), "unknown error");
	assert_string_equal(hvpci_msg_strerror(HVPCI_MSG_ERR_COUNT),
			    "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packet_data_offset_is_read),
		cmocka_unit_test(test_packet_completion),
		cmocka_unit_test(test_packet_refusals),
		cmocka_unit_test(test_relations_v1),
		cmocka_unit_test(test_relations_v2),
		cmocka_unit_test(test_relations_count_must_fit),
		cmocka_unit_test(test_relations_reserved_slot_bits),
		cmocka_unit_test(test_relations_duplicate_slot),
		cmocka_unit_test(test_eject),
		cmocka_unit_test(test_invalidate),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_bars_valid),
		cmocka_unit_test(test_bars_not_a_size),
		cmocka_unit_test(test_bars_reserved_type),
		cmocka_unit_test(test_bars_64bit_bar5),
		cmocka_unit_test(test_bars_io_ignored),
		cmocka_unit_test(test_bars_sums),
		cmocka_unit_test(test_resource_reqs),
		cmocka_unit_test(test_create_int),
		cmocka_unit_test(test_read_block),
		cmocka_unit_test(test_repeated_eject_ignored),
		cmocka_unit_test(test_unlisted_function),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests_name("hvpci_msg", tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Hyper-V virtual PCI (vPCI) protocol as seen on the VMBus channel:
 * versions, message numbers and the packed layout of every message this
 * driver sends or receives.  Nothing else lives here.
 *
 * Every message starts with a 32-bit type.  Everything the host sends is
 * a VMBus packet: a descriptor, then the data at the offset the descriptor
 * names.  Completions' data starts with a signed NT status.
 *
 * Kernel-free (hvpci_compat.h types), so that the message decoder
 * (hvpci_msg.c) builds in user space too.
 */
#ifndef HVPCI_WIRE_H
#define HVPCI_WIRE_H

#include "hvpci_compat.h"

/*
 * __packed is the kernel's attribute macro; user-space builds pass it with
 * -D (tests/unit/Makefile), as checkpatch wants the macro in kernel files.
 */
#if !defined(__KERNEL__) && !defined(__packed)
#error "user-space builds pass __packed with -D, see tests/unit/Makefile"
#endif

/* The VMBus packet descriptor (struct vmpacket_descriptor) and its types. */
struct hvpci_vmpkt {
	u16 type;
	u16 offset8;		/* data offset, in 8-byte units */
	u16 len8;		/* whole packet, in 8-byte units */
	u16 flags;
	u64 trans_id;
} __packed;

#define HVPCI_VMPKT_DATA_INBAND		6	/* VM_PKT_DATA_INBAND */
#define HVPCI_VMPKT_COMP		11	/* VM_PKT_COMP */

#define HVPCI_NUM_BARS			6	/* PCI_STD_NUM_BARS */
#define HVPCI_BLOCK_MAX			128	/* HV_CONFIG_BLOCK_SIZE_MAX */

#define HVPCI_VERSION(major, minor)	((u32)(((major) << 16) | (minor)))
#define HVPCI_PROTO_1_1			HVPCI_VERSION(1, 1)	/* Windows 10 */
#define HVPCI_PROTO_1_2			HVPCI_VERSION(1, 2)	/* RS1 */
#define HVPCI_PROTO_1_3			HVPCI_VERSION(1, 3)	/* Vibranium */
#define HVPCI_PROTO_1_4			HVPCI_VERSION(1, 4)	/* WS2022 */

/* NT status values the host answers with. */
#define HVPCI_STATUS_REVISION_MISMATCH	0xC0000059
#define HVPCI_STATUS_INVALID_DEV_STATE	0xC0000184	/* D0 entry after a crash */

/* Config window: one page selects the function, the next maps its space. */
#define HVPCI_CFG_WINDOW_LEN		0x2000
#define HVPCI_CFG_SPACE_OFFSET		0x1000
#define HVPCI_CFG_SPACE_LEN		(HVPCI_CFG_WINDOW_LEN - HVPCI_CFG_SPACE_OFFSET)

enum hvpci_msg_type {
	HVPCI_MSG_BASE			= 0x42490000,
	HVPCI_MSG_BUS_RELATIONS		= HVPCI_MSG_BASE + 0x00,
	HVPCI_MSG_QUERY_BUS_RELATIONS	= HVPCI_MSG_BASE + 0x01,
	HVPCI_MSG_POWER_STATE_CHANGE	= HVPCI_MSG_BASE + 0x04,
	HVPCI_MSG_QUERY_RESOURCE_REQS	= HVPCI_MSG_BASE + 0x05,
	HVPCI_MSG_QUERY_RESOURCES	= HVPCI_MSG_BASE + 0x06,
	HVPCI_MSG_BUS_D0_ENTRY		= HVPCI_MSG_BASE + 0x07,
	HVPCI_MSG_BUS_D0_EXIT		= HVPCI_MSG_BASE + 0x08,
	HVPCI_MSG_READ_BLOCK		= HVPCI_MSG_BASE + 0x09,
	HVPCI_MSG_WRITE_BLOCK		= HVPCI_MSG_BASE + 0x0a,
	HVPCI_MSG_EJECT			= HVPCI_MSG_BASE + 0x0b,
	HVPCI_MSG_QUERY_STOP		= HVPCI_MSG_BASE + 0x0c,
	HVPCI_MSG_REENABLE		= HVPCI_MSG_BASE + 0x0d,
	HVPCI_MSG_QUERY_STOP_FAILED	= HVPCI_MSG_BASE + 0x0e,
	HVPCI_MSG_EJECTION_COMPLETE	= HVPCI_MSG_BASE + 0x0f,
	HVPCI_MSG_RESOURCES_ASSIGNED	= HVPCI_MSG_BASE + 0x10,
	HVPCI_MSG_RESOURCES_RELEASED	= HVPCI_MSG_BASE + 0x11,
	HVPCI_MSG_INVALIDATE_BLOCK	= HVPCI_MSG_BASE + 0x12,
	HVPCI_MSG_QUERY_PROTOCOL	= HVPCI_MSG_BASE + 0x13,
	HVPCI_MSG_CREATE_INTERRUPT	= HVPCI_MSG_BASE + 0x14,
	HVPCI_MSG_DELETE_INTERRUPT	= HVPCI_MSG_BASE + 0x15,
	HVPCI_MSG_RESOURCES_ASSIGNED2	= HVPCI_MSG_BASE + 0x16,
	HVPCI_MSG_CREATE_INTERRUPT2	= HVPCI_MSG_BASE + 0x17,
	HVPCI_MSG_DELETE_INTERRUPT2	= HVPCI_MSG_BASE + 0x18,
	HVPCI_MSG_BUS_RELATIONS2	= HVPCI_MSG_BASE + 0x19,
	HVPCI_MSG_RESOURCES_ASSIGNED3	= HVPCI_MSG_BASE + 0x1a,
	HVPCI_MSG_CREATE_INTERRUPT3	= HVPCI_MSG_BASE + 0x1b,
};

/*
 * Windows slot number: device in bits 0-4, function in bits 5-7, the
 * other 24 bits reserved (zero).  Kept as a plain u32 on the wire; see
 * hvpci_devfn_to_wslot().
 */
#define HVPCI_WSLOT_DEV(w)		((w) & 0x1f)
#define HVPCI_WSLOT_FN(w)		(((w) >> 5) & 0x7)
#define HVPCI_WSLOT_RESERVED		0xffffff00U
#define HVPCI_WSLOTS			256

/* Function description, bus relations (1.1). */
struct hvpci_wire_func {
	u16 vendor;
	u16 device;
	u8 revision;
	u8 prog_if;
	u8 subclass;
	u8 base_class;
	u32 subsystem;
	u32 wslot;
	u32 serial;
} __packed;

#define HVPCI_FUNC_FLAG_NUMA		0x1

/* Function description, bus relations 2 (1.3 and later). */
struct hvpci_wire_func2 {
	struct hvpci_wire_func f;
	u32 flags;
	u16 numa_node;
	u16 reserved;
} __packed;

/* delivery_mode below is the local APIC's; hvpci always asks for fixed. */
#define HVPCI_DELIVERY_FIXED		0
/* Interrupt source of the retarget hypercall for MSI and MSI-X. */
#define HVPCI_HV_SOURCE_MSI		1

/* MSI descriptor for create interrupt (1.1): target is a 64-bit VP mask. */
struct hvpci_wire_msi1 {
	u8 vector;
	u8 delivery_mode;
	u16 vector_count;
	u32 reserved;
	u64 cpu_mask;
} __packed;

/* MSI descriptor for create interrupt 2 (1.2, 1.3): list of VP numbers. */
struct hvpci_wire_msi2 {
	u8 vector;
	u8 delivery_mode;
	u16 vector_count;
	u16 processor_count;
	u16 processor_array[32];
} __packed;

/* MSI descriptor for create interrupt 3 (1.4): 32-bit vector. */
struct hvpci_wire_msi3 {
	u32 vector;
	u8 delivery_mode;
	u8 reserved;
	u16 vector_count;
	u16 processor_count;
	u16 processor_array[32];
} __packed;

/* What the host maps an interrupt to: the device writes @data at @address. */
struct hvpci_wire_int {
	u16 reserved;
	u16 vector_count;
	u32 data;
	u64 address;
} __packed;

struct hvpci_msg_hdr {
	u32 type;
} __packed;

struct hvpci_msg_child {
	struct hvpci_msg_hdr hdr;
	u32 wslot;
} __packed;

struct hvpci_msg_version {
	struct hvpci_msg_hdr hdr;
	u32 version;
} __packed;

struct hvpci_msg_d0_entry {
	struct hvpci_msg_hdr hdr;
	u32 reserved;
	u64 mmio_base;		/* guest physical address of the config window */
} __packed;

/* RESOURCES_ASSIGNED: the ranges are unused by Linux guests. */
struct hvpci_msg_res_assigned {
	struct hvpci_msg_hdr hdr;
	u32 wslot;
	u8 memory_range[0x14][6];
	u32 msi_descriptors;
	u32 reserved[4];
} __packed;

struct hvpci_msg_res_assigned2 {
	struct hvpci_msg_hdr hdr;
	u32 wslot;
	u8 memory_range[0x14][6];
	u32 msi_descriptor_count;
	u8 reserved[70];
} __packed;

struct hvpci_msg_create_int1 {
	struct hvpci_msg_hdr hdr;
	u32 wslot;
	struct hvpci_wire_msi1 desc;
} __packed;

struct hvpci_msg_create_int2 {
	struct hvpci_msg_hdr hdr;
	u32 wslot;
	struct hvpci_wire_msi2 desc;
} __packed;

struct hvpci_msg_create_int3 {
	struct hvpci_msg_hdr hdr;
	u32 wslot;
	struct hvpci_wire_msi3 desc;
} __packed;

struct hvpci_msg_delete_int {
	struct hvpci_msg_hdr hdr;
	u32 wslot;
	struct hvpci_wire_int desc;
} __packed;

struct hvpci_msg_read_block {
	struct hvpci_msg_hdr hdr;
	u32 block_id;
	u32 wslot;
	u32 bytes_requested;
} __packed;

struct hvpci_msg_write_block {
	struct hvpci_msg_hdr hdr;
	u32 block_id;
	u32 wslot;
	u32 byte_count;
	u8 bytes[HVPCI_BLOCK_MAX];
} __packed;

struct hvpci_msg_eject_done {
	struct hvpci_msg_hdr hdr;
	u32 wslot;
	u32 status;
} __packed;

/* Host to guest, the data of an in-band packet. */
struct hvpci_in_relations {
	struct hvpci_msg_hdr hdr;
	u32 count;
	struct hvpci_wire_func func[];
} __packed;

struct hvpci_in_relations2 {
	struct hvpci_msg_hdr hdr;
	u32 count;
	struct hvpci_wire_func2 func[];
} __packed;

struct hvpci_in_child {
	struct hvpci_msg_hdr hdr;
	u32 wslot;
} __packed;

struct hvpci_in_invalidate {
	struct hvpci_msg_hdr hdr;
	u32 wslot;
	u64 block_mask;
} __packed;

/* Completions, the data of a completion packet. */
struct hvpci_reply {
	s32 status;		/* NT status; negative is failure */
} __packed;

struct hvpci_reply_resource_reqs {
	struct hvpci_reply r;
	u32 probed_bar[HVPCI_NUM_BARS];
} __packed;

struct hvpci_reply_create_int {
	struct hvpci_reply r;
	u32 reserved;
	struct hvpci_wire_int desc;
} __packed;

struct hvpci_reply_read_block {
	struct hvpci_reply r;
	u8 bytes[];
} __packed;

#endif /* HVPCI_WIRE_H */

/*
 * Hyper-V virtual PCI (vPCI) VMBus protocol: wire format
 *
 * Message numbers, status codes and layouts of the packets exchanged on a
 * vPCI channel.  Everything here is little-endian and packed; the device
 * logic lives in hw/hyperv/vpci/.  Versions in the comments say from which
 * protocol revision a message or field exists.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_HYPERV_VPCI_PROTO_H
#define HW_HYPERV_VPCI_PROTO_H

/* Class GUID of the vPCI channel, as the guest's driver matches it */
#define VPCI_CLASS_GUID "44c4f61d-4444-4400-9d52-802e27ede19f"

/* Protocol revisions: major in the high half, minor in the low half */
#define VPCI_VERSION(major, minor)  (((major) << 16) | (minor))
#define VPCI_VERSION_1_1            VPCI_VERSION(1, 1)
#define VPCI_VERSION_1_2            VPCI_VERSION(1, 2)
#define VPCI_VERSION_1_3            VPCI_VERSION(1, 3)
#define VPCI_VERSION_1_4            VPCI_VERSION(1, 4)

/* NTSTATUS values the host answers with (as signed 32-bit on the wire) */
#define VPCI_STATUS_SUCCESS             0x00000000u
#define VPCI_STATUS_UNSUCCESSFUL        0xC0000001u
#define VPCI_STATUS_INVALID_PARAMETER   0xC000000Du
#define VPCI_STATUS_REVISION_MISMATCH   0xC0000059u
#define VPCI_STATUS_NO_SUCH_DEVICE      0xC000000Eu
#define VPCI_STATUS_INVALID_DEVICE_STATE 0xC0000184u
#define VPCI_STATUS_BAD_DATA            0xC000090Bu
#define VPCI_STATUS_NOT_SUPPORTED       0xC00000BBu
#define VPCI_STATUS_INSUFFICIENT_RESOURCES 0xC000009Au
/* GPA range overlap refusal: the range is in use by someone else */
#define VPCI_STATUS_RANGE_IN_USE        0xC0370048u

/* Message types */
#define VPCI_MSG_BASE                   0x42490000u
enum {
    VPCI_MSG_BUS_RELATIONS          = VPCI_MSG_BASE + 0x00, /* host -> guest */
    VPCI_MSG_QUERY_BUS_RELATIONS    = VPCI_MSG_BASE + 0x01,
    VPCI_MSG_POWER_STATE_CHANGE     = VPCI_MSG_BASE + 0x04,
    VPCI_MSG_QUERY_RESOURCE_REQS    = VPCI_MSG_BASE + 0x05,
    VPCI_MSG_QUERY_RESOURCES        = VPCI_MSG_BASE + 0x06,
    VPCI_MSG_BUS_D0_ENTRY           = VPCI_MSG_BASE + 0x07,
    VPCI_MSG_BUS_D0_EXIT            = VPCI_MSG_BASE + 0x08,
    VPCI_MSG_READ_BLOCK             = VPCI_MSG_BASE + 0x09,
    VPCI_MSG_WRITE_BLOCK            = VPCI_MSG_BASE + 0x0a,
    VPCI_MSG_EJECT                  = VPCI_MSG_BASE + 0x0b, /* host -> guest */
    VPCI_MSG_QUERY_STOP             = VPCI_MSG_BASE + 0x0c,
    VPCI_MSG_REENABLE               = VPCI_MSG_BASE + 0x0d,
    VPCI_MSG_QUERY_STOP_FAILED      = VPCI_MSG_BASE + 0x0e,
    VPCI_MSG_EJECTION_COMPLETE      = VPCI_MSG_BASE + 0x0f,
    VPCI_MSG_RESOURCES_ASSIGNED     = VPCI_MSG_BASE + 0x10,
    VPCI_MSG_RESOURCES_RELEASED     = VPCI_MSG_BASE + 0x11,
    VPCI_MSG_INVALIDATE_BLOCK       = VPCI_MSG_BASE + 0x12, /* host -> guest */
    VPCI_MSG_QUERY_PROTOCOL_VERSION = VPCI_MSG_BASE + 0x13,
    VPCI_MSG_CREATE_INTERRUPT       = VPCI_MSG_BASE + 0x14,
    VPCI_MSG_DELETE_INTERRUPT       = VPCI_MSG_BASE + 0x15,
    VPCI_MSG_RESOURCES_ASSIGNED2    = VPCI_MSG_BASE + 0x16, /* 1.2 */
    VPCI_MSG_CREATE_INTERRUPT2      = VPCI_MSG_BASE + 0x17, /* 1.2 */
    VPCI_MSG_DELETE_INTERRUPT2      = VPCI_MSG_BASE + 0x18, /* 1.2 */
    VPCI_MSG_BUS_RELATIONS2         = VPCI_MSG_BASE + 0x19, /* 1.3 */
    VPCI_MSG_RESOURCES_ASSIGNED3    = VPCI_MSG_BASE + 0x1a, /* 1.4 */
    VPCI_MSG_CREATE_INTERRUPT3      = VPCI_MSG_BASE + 0x1b, /* 1.4 */
};

/* Config window: slot select register, then the selected function's space */
#define VPCI_CFG_WINDOW_SIZE        0x2000
#define VPCI_CFG_SLOT_REG           0x0000
#define VPCI_CFG_SPACE_OFFSET       0x1000
#define VPCI_CFG_SPACE_SIZE         0x1000

/*
 * Slot numbers are Windows-style: device in bits 0-4, function in bits 5-7;
 * the remaining bits must be zero.
 */
#define VPCI_WSLOT_DEV(w)           ((w) & 0x1f)
#define VPCI_WSLOT_FUNC(w)          (((w) >> 5) & 0x7)
#define VPCI_WSLOT_VALID(w)         (((w) & ~0xffu) == 0)
#define VPCI_WSLOT_FROM_DEVFN(d)    ((((d) >> 3) & 0x1f) | (((d) & 7) << 5))
#define VPCI_WSLOT_TO_DEVFN(w)      ((VPCI_WSLOT_DEV(w) << 3) | \
                                     VPCI_WSLOT_FUNC(w))

#define VPCI_NUM_BARS               6
#define VPCI_MAX_FUNCTIONS          256
/* Upper bound on MSI entries one function may hold */
#define VPCI_MAX_MSI_PER_FUNC       2048
/* Upper bound on MSI resources carried in one resources-assigned packet */
#define VPCI_MAX_MSI_IN_ASSIGNED    64

/* Config blocks (VF <-> PF side channel): ids are bits of a 64-bit mask */
#define VPCI_CFG_BLOCKS             64
#define VPCI_CFG_BLOCK_MAX          128

/* Power states in Windows terms */
#define VPCI_POWER_D0               1
#define VPCI_POWER_D3               4

/* Interrupt descriptor delivery modes (x86 APIC terms) */
#define VPCI_DELIVERY_FIXED         0
#define VPCI_DELIVERY_LOWEST        1

typedef struct QEMU_PACKED VpciMsgHeader {
    uint32_t type;
} VpciMsgHeader;

/* A message addressed to one function */
typedef struct QEMU_PACKED VpciChildMsg {
    uint32_t type;
    uint32_t wslot;
} VpciChildMsg;

typedef struct QEMU_PACKED VpciReadBlock {
    uint32_t type;
    uint32_t block_id;
    uint32_t wslot;
    uint32_t bytes_requested;
} VpciReadBlock;

/* Followed by byte_count bytes; the reply to a read is a status, then them */
typedef struct QEMU_PACKED VpciWriteBlock {
    uint32_t type;
    uint32_t block_id;
    uint32_t wslot;
    uint32_t byte_count;
} VpciWriteBlock;

/* Host to guest: the blocks in block_mask changed on the host's side */
typedef struct QEMU_PACKED VpciInvalidateBlock {
    uint32_t type;
    uint32_t wslot;
    uint64_t block_mask;
} VpciInvalidateBlock;

/* Generic completion: a status and nothing else */
typedef struct QEMU_PACKED VpciStatusReply {
    uint32_t status;
} VpciStatusReply;

typedef struct QEMU_PACKED VpciVersionRequest {
    uint32_t type;
    uint32_t version;
} VpciVersionRequest;

typedef struct QEMU_PACKED VpciVersionReply {
    uint32_t status;
    uint32_t version;
} VpciVersionReply;

typedef struct QEMU_PACKED VpciFuncDesc {
    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint8_t prog_if;
    uint8_t subclass;
    uint8_t base_class;
    uint32_t subsystem_id;      /* subsystem vendor in low 16 bits */
    uint32_t wslot;
    uint32_t serial;
} VpciFuncDesc;

#define VPCI_FUNC_FLAG_NUMA_AFFINITY 0x1

typedef struct QEMU_PACKED VpciFuncDesc2 {
    VpciFuncDesc base;
    uint32_t flags;
    uint16_t numa_node;
    uint16_t reserved;
} VpciFuncDesc2;

typedef struct QEMU_PACKED VpciBusRelations {
    uint32_t type;
    uint32_t count;
    /* followed by count VpciFuncDesc or VpciFuncDesc2 */
} VpciBusRelations;

typedef struct QEMU_PACKED VpciD0Entry {
    uint32_t type;
    uint32_t reserved;
    uint64_t cfg_window_base;
} VpciD0Entry;

typedef struct QEMU_PACKED VpciResourceReqsReply {
    uint32_t status;
    uint32_t probed_bar[VPCI_NUM_BARS];
} VpciResourceReqsReply;

typedef struct QEMU_PACKED VpciPowerChange {
    uint32_t type;
    uint32_t wslot;
    uint32_t state;
    uint32_t reserved;
} VpciPowerChange;

typedef struct QEMU_PACKED VpciPowerChangeReply {
    uint32_t status;
    uint32_t wslot;
    uint32_t state;
    uint32_t reserved;
} VpciPowerChangeReply;

/* CM partial resource descriptor as carried in resources-assigned */
#define VPCI_RES_TYPE_NULL          0
#define VPCI_RES_TYPE_MEMORY        3
#define VPCI_RES_TYPE_MEMORY_LARGE  7
#define VPCI_RES_FLAG_LARGE_40      (1u << 9)
#define VPCI_RES_FLAG_LARGE_48      (1u << 10)
#define VPCI_RES_FLAG_LARGE_64      (1u << 11)

typedef struct QEMU_PACKED VpciPartialRes {
    uint8_t type;
    uint8_t share;
    uint16_t flags;
    uint64_t start;
    uint32_t length;
    uint32_t reserved;
} VpciPartialRes;

/* MSI request descriptors, one per create-interrupt form */
typedef struct QEMU_PACKED VpciMsiDesc1 {
    uint8_t vector;
    uint8_t delivery_mode;
    uint16_t vector_count;
    uint32_t reserved;
    uint64_t cpu_mask;
} VpciMsiDesc1;

#define VPCI_MAX_PROCESSORS_IN_DESC 32

typedef struct QEMU_PACKED VpciMsiDesc2 {
    uint8_t vector;
    uint8_t delivery_mode;
    uint16_t vector_count;
    uint16_t processor_count;
    uint16_t processor_array[VPCI_MAX_PROCESSORS_IN_DESC];
} VpciMsiDesc2;

typedef struct QEMU_PACKED VpciMsiDesc3 {
    uint32_t vector;
    uint8_t delivery_mode;
    uint8_t reserved;
    uint16_t vector_count;
    uint16_t processor_count;
    uint16_t processor_array[VPCI_MAX_PROCESSORS_IN_DESC];
} VpciMsiDesc3;

/* What the host hands back: the address/data pair the device must write */
typedef struct QEMU_PACKED VpciMsiRemapped {
    uint16_t reserved;
    uint16_t vector_count;
    uint32_t data;
    uint64_t address;
} VpciMsiRemapped;

/* Sizes of one MSI resource slot in the three resources-assigned forms */
#define VPCI_MSI_RES1_SIZE          16
#define VPCI_MSI_RES2_SIZE          72
#define VPCI_MSI_RES3_SIZE          80

typedef struct QEMU_PACKED VpciResourcesAssigned {
    uint32_t type;
    uint32_t wslot;
    VpciPartialRes mmio[VPCI_NUM_BARS];
    uint32_t msi_count;
    uint32_t reserved;
    /* followed by msi_count MSI resources of the form's size */
} VpciResourcesAssigned;

typedef struct QEMU_PACKED VpciResourcesAssignedReply {
    uint32_t status;
    uint32_t wslot;
    VpciPartialRes mmio[VPCI_NUM_BARS];
    uint32_t msi_count;
    uint32_t reserved;
    /* followed by msi_count MSI resources, remapped */
} VpciResourcesAssignedReply;

typedef struct QEMU_PACKED VpciCreateInterrupt1 {
    uint32_t type;
    uint32_t wslot;
    VpciMsiDesc1 desc;
} VpciCreateInterrupt1;

typedef struct QEMU_PACKED VpciCreateInterrupt2 {
    uint32_t type;
    uint32_t wslot;
    VpciMsiDesc2 desc;
} VpciCreateInterrupt2;

typedef struct QEMU_PACKED VpciCreateInterrupt3 {
    uint32_t type;
    uint32_t wslot;
    VpciMsiDesc3 desc;
} VpciCreateInterrupt3;

typedef struct QEMU_PACKED VpciCreateInterruptReply {
    uint32_t status;
    uint32_t reserved;
    VpciMsiRemapped remapped;
} VpciCreateInterruptReply;

typedef struct QEMU_PACKED VpciDeleteInterrupt {
    uint32_t type;
    uint32_t wslot;
    VpciMsiRemapped remapped;
} VpciDeleteInterrupt;

typedef struct QEMU_PACKED VpciEjectComplete {
    uint32_t type;
    uint32_t wslot;
    uint32_t status;
} VpciEjectComplete;

#endif

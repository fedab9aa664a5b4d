/*
 * Hyper-V virtual PCI bus: host side of the vPCI VMBus channel
 *
 * An "hv-vpci" device sits on the VMBus and owns a private PCI Express root
 * bus.  Ordinary QEMU PCI devices plugged into that bus (-device nvme,
 * bus=<id>.0) are offered to the guest as vPCI functions.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_HYPERV_VPCI_H
#define HW_HYPERV_VPCI_H

#include "hw/hyperv/vmbus.h"
#include "hw/hyperv/vpci-proto.h"
#include "hw/hyperv/vpci-layout.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_host.h"
#include "qom/object.h"

#define TYPE_HV_VPCI "hv-vpci"
OBJECT_DECLARE_SIMPLE_TYPE(HvVpci, HV_VPCI)

#define TYPE_HV_VPCI_HOST "hv-vpci-host"
OBJECT_DECLARE_SIMPLE_TYPE(HvVpciHost, HV_VPCI_HOST)

/* Bus-level state of the protocol, as the host sees it */
typedef enum HvVpciBusState {
    VPCI_BUS_CLOSED,        /* channel not open */
    VPCI_BUS_OPEN,          /* channel open, version not agreed */
    VPCI_BUS_NEGOTIATED,    /* version agreed, bus in D3 */
    VPCI_BUS_D0,            /* D0 entry accepted, config window live */
} HvVpciBusState;

/* One interrupt the guest created; data is the handle the device writes */
typedef struct HvVpciIrq {
    bool used;
    uint8_t devfn;
    uint8_t delivery_mode;
    uint8_t block;          /* on the first entry of a multi-MSI block: size */
    uint16_t head;          /* table index of its block's first entry */
    uint32_t vector;
    uint32_t target_vp;
    uint64_t deliveries;
} HvVpciIrq;

#define HV_VPCI_IRQ_TABLE_SIZE  1024
/* MSI data handed out for table entry i is HV_VPCI_IRQ_DATA_BASE + i */
#define HV_VPCI_IRQ_DATA_BASE   0x1000
/* MSI address handed to the guest; writes to it are caught per device */
#define HV_VPCI_MSI_ADDRESS     0xfee00000ULL

typedef struct HvVpciFunc {
    PCIDevice *pdev;
    uint32_t serial;
    bool reported;          /* in the last relations packet sent */
    bool eject_sent;        /* PCI_EJECT sent, waiting for completion */
    bool resources_assigned;
    uint32_t power_state;
    /* BARs the host refused to map (bit per BAR) */
    uint8_t blocked_bars;
    /* address each BAR was last accepted at, PCI_BAR_UNMAPPED if none */
    pcibus_t live_addr[VPCI_NUM_BARS];
    /* address each blocked BAR was last refused at (logged once there) */
    pcibus_t refused_addr[VPCI_NUM_BARS];
    /* config blocks (vpci-block.c), allocated at first use */
    uint8_t *cfg_blocks;
} HvVpciFunc;

struct HvVpciHost {
    PCIHostState parent_obj;
    HvVpci *vpci;
    char *path;
};

struct HvVpci {
    VMBusDevice parent;

    /* properties */
    char *version_str;
    uint32_t serial_base;
    uint16_t numa_node;
    uint64_t fb_base;
    uint64_t fb_size;
    char *preset;

    /* derived from properties at realize */
    uint32_t max_version;
    HvVpciLayout layout;
    bool ranges_known;          /* layout's MMIO ranges come from the bridge */
    uint32_t bus_index;

    HvVpciHost *host;
    PCIBus *bus;
    MemoryRegion bar_space;     /* where the functions' BARs are mapped */
    MemoryRegion cfg_window;    /* the guest's config window trap */

    HvVpciBusState state;
    uint32_t version;           /* agreed protocol version */
    uint64_t cfg_base;          /* config window GPA while in D0 */
    bool cfg_mapped;
    uint32_t cfg_slot;          /* last value written to the slot register */
    uint64_t cfg_accesses;      /* config window MMIO accesses (stats) */
    uint32_t host_log_lines;    /* refusals reported on stderr (a cap) */

    /*
     * The guest's side went away (VMBus unload, reconnect, channel close)
     * while the bus was in D0.  Hyper-V keeps the bus's D0 state then, and
     * refuses D0 entry until the guest sends D0 exit; a VM reset forgets it.
     */
    bool d0_kept;
    uint32_t d0_kept_refusals;  /* D0 entries refused for that (stats) */
    /* device_del of the bus: functions are ejected, then the offer rescinded */
    bool removing;

    bool relations_requested;   /* the guest asked for relations once */
    bool relations_pending;     /* a relations packet still has to go out */
    uint8_t eject_pending[VPCI_MAX_FUNCTIONS / 8]; /* EJECT still to send */
    MemoryRegion io_space;      /* I/O space of the bus: never mapped */
    QEMUBH *eject_bh;           /* finishes ejects cut short by a reset */

    /* host faults on demand (vpci-fault.c): the plan, and this opening's */
    char *fault_plan;
    unsigned fault_openings;    /* channel openings since the plan was set */
    int fault_step;             /* VpciFaultStep still to fault, or -1 */
    int fault_kind;             /* VpciFaultKind */
    QEMUTimer *fault_timer;     /* answers a late request */
    VMBusChanReq *fault_late_req;

    HvVpciFunc funcs[VPCI_MAX_FUNCTIONS];
    HvVpciIrq irqs[HV_VPCI_IRQ_TABLE_SIZE];

    QTAILQ_ENTRY(HvVpci) link;
};

/* Human-readable state of every vPCI bus (functions, window, BARs, IRQs) */
char *hv_vpci_format_all(void);

#endif

/*
 * Hyper-V virtual PCI bus: declarations shared by the files of the device
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_HYPERV_VPCI_INTERNAL_H
#define HW_HYPERV_VPCI_INTERNAL_H

#include "hw/hyperv/vpci.h"
#include "hw/pci/msi.h"
#include "hw/hyperv/hv-tcg.h"

/* All vPCI buses of the machine, in realize order */
typedef QTAILQ_HEAD(, HvVpci) HvVpciList;
extern HvVpciList hv_vpci_buses;

/* vpci.c */
HvVpciFunc *vpci_func_by_wslot(HvVpci *v, uint32_t wslot);
bool vpci_send_relations(HvVpci *v);
bool vpci_send_inband(HvVpci *v, void *msg, uint32_t len);
bool vpci_send_child_msg(HvVpci *v, uint32_t type, uint32_t wslot);
void vpci_finish_eject(HvVpci *v, HvVpciFunc *f);
void vpci_forget_d0(HvVpci *v, const char *why);
void vpci_refresh_layout(HvVpci *v);
uint64_t vpci_device_id_base(HvVpci *v);
void G_GNUC_PRINTF(2, 3) vpci_host_log(HvVpci *v, const char *fmt, ...);

/* vpci-msg.c */
void vpci_chan_notify(VMBusChannel *chan);
void vpci_answer_late(HvVpci *v, VMBusChanReq *req);

/* vpci-fault.c: host faults on demand (the "faults" property) */
typedef enum VpciFaultStep {
    VPCI_FAULT_STEP_VERSION,
    VPCI_FAULT_STEP_RELATIONS,
    VPCI_FAULT_STEP_RESOURCES,
    VPCI_FAULT_STEP_D0_ENTRY,
    VPCI_FAULT_STEP_ASSIGNED,
    VPCI_FAULT_STEP_INTERRUPT,
    VPCI_FAULT_STEP_RELEASED,
    VPCI_FAULT_STEP_D0_EXIT,
} VpciFaultStep;

typedef enum VpciFaultKind {
    VPCI_FAULT_NONE,
    VPCI_FAULT_ERROR,
    VPCI_FAULT_DROP,
    VPCI_FAULT_LATE,
    VPCI_FAULT_TWICE,
    VPCI_FAULT_EJECT,
    VPCI_FAULT_RESCIND,
} VpciFaultKind;

/* how long a "late" answer waits, in guest (virtual clock) milliseconds */
#define VPCI_FAULT_LATE_MS  3000

bool vpci_fault_set_plan(HvVpci *v, const char *plan, Error **errp);
void vpci_fault_arm(HvVpci *v);
VpciFaultKind vpci_fault_peek(HvVpci *v, uint32_t type);
void vpci_fault_consume(HvVpci *v, uint32_t type);
void vpci_fault_hold(HvVpci *v, VMBusChanReq *req);
void vpci_fault_reset(HvVpci *v);
void vpci_fault_init(HvVpci *v);
void vpci_fault_finalize(HvVpci *v);

/* vpci-block.c: config blocks, the VF <-> PF side channel */
uint32_t vpci_block_read(HvVpci *v, HvVpciFunc *f, uint32_t id, uint32_t len,
                         uint8_t *out);
uint32_t vpci_block_write(HvVpci *v, HvVpciFunc *f, uint32_t id,
                          const uint8_t *bytes, uint32_t len);
void vpci_block_host_write(HvVpci *v, const char *spec, Error **errp);
void vpci_block_forget(HvVpciFunc *f);

/* vpci-cfg.c */
extern const MemoryRegionOps vpci_cfg_window_ops;
void vpci_cfg_window_map(HvVpci *v, uint64_t base);
void vpci_cfg_window_unmap(HvVpci *v);
void vpci_bars_update(HvVpci *v);
void vpci_bars_forget(HvVpci *v, HvVpciFunc *f);
HvRangeVerdict vpci_range_check(HvVpci *v, HvVpciFunc *f, uint64_t base,
                                uint64_t size, const char **why);
void vpci_probed_bars(PCIDevice *pdev, uint32_t bars[VPCI_NUM_BARS]);

/* vpci-irq.c */
void vpci_msi_trigger(PCIDevice *pdev, MSIMessage msg);
uint32_t vpci_irq_create(HvVpci *v, HvVpciFunc *f, uint32_t vector,
                         uint8_t delivery_mode, uint16_t count,
                         const uint32_t *vps, unsigned nr_vps,
                         VpciMsiRemapped *out);
uint32_t vpci_irq_delete(HvVpci *v, HvVpciFunc *f, uint64_t address,
                         uint32_t data);
void vpci_irq_release_func(HvVpci *v, uint8_t devfn);
void vpci_irq_release_all(HvVpci *v);
uint32_t vpci_vps_from_mask(uint64_t mask, uint32_t *vps);
bool vpci_retarget(void *opaque, const HvRetargetInterruptRequest *req,
                   uint16_t *status);

static inline uint8_t vpci_func_devfn(HvVpci *v, HvVpciFunc *f)
{
    return f - v->funcs;
}

#endif

/*
 * Hyper-V partition services of the hvpci stand-in under TCG
 *
 * Under KVM the kernel answers the guest's synthetic MSRs and hypercalls;
 * under TCG target/i386/hyperv-tcg.c does.  This header is what devices and
 * the generic hw/hyperv code need from it.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_HYPERV_HV_TCG_H
#define HW_HYPERV_HV_TCG_H

#include "qapi/error.h"
#include "hw/core/cpu.h"

/* Hypercall code of HvRetargetDeviceInterrupt */
#define HV_RETARGET_DEVICE_INTERRUPT            0x007e

/* partition_id value that names the calling partition */
#define HV_PARTITION_ID_SELF                    UINT64_MAX

/* hv_interrupt_entry.source */
#define HV_INTERRUPT_SOURCE_MSI                 1

/* HvRetargetInterruptRequest.flags */
#define HV_DEVICE_INTERRUPT_TARGET_MULTICAST    (1u << 0)
#define HV_DEVICE_INTERRUPT_TARGET_PROCESSOR_SET (1u << 1)

/* the stand-in's VP indexes fit one 64-bit bank */
#define HV_TCG_MAX_VPS                          64

/*
 * One HvRetargetDeviceInterrupt call, decoded from the guest's input page.
 * @vp_mask has bit N set when VP index N is a target; a processor set in
 * "all VPs" form arrives as every present VP.
 */
typedef struct HvRetargetInterruptRequest {
    uint64_t partition_id;
    uint64_t device_id;
    uint32_t source;
    uint32_t msi_address;
    uint32_t msi_data;
    uint32_t vector;
    uint32_t flags;
    uint64_t vp_mask;
    uint32_t caller_vp;
} HvRetargetInterruptRequest;

/*
 * A device's handler for HvRetargetDeviceInterrupt.  Runs in the calling
 * vCPU's thread with the BQL held.  Return false when @req->device_id is not
 * the device's (the next handler is asked); return true and set *status to a
 * HV_STATUS_* code otherwise.  When no handler claims the call the guest gets
 * HV_STATUS_INVALID_PARAMETER.
 */
typedef bool (*HvRetargetInterruptHandler)(
    void *opaque, const HvRetargetInterruptRequest *req, uint16_t *status);

void hyperv_tcg_add_retarget_handler(HvRetargetInterruptHandler handler,
                                     void *opaque);
void hyperv_tcg_remove_retarget_handler(HvRetargetInterruptHandler handler,
                                        void *opaque);

/*
 * Interrupt vCPU @cs with the vector that the guest programmed into its
 * SINT @sint.  A masked SINT, or a SynIC that is off, gets no interrupt;
 * the message or flag stays where it was put, as on Hyper-V.  Needs the BQL.
 * Returns 0, or -EINVAL for a SINT number out of range.
 */
int hyperv_tcg_deliver_sint(CPUState *cs, uint32_t sint);

/*
 * The guest wrote EOM (or unmasked a SINT) on @cs: senders waiting for a
 * free message slot retry.  In hw/hyperv/hyperv.c.  Needs the BQL.
 */
void hyperv_synic_eom(CPUState *cs);

/*
 * The guest sent @cs an INIT: reset its SynIC (pages unmapped and cleared)
 * while devices keep their SINT routes to it.  In hw/hyperv/hyperv.c (patch
 * 0111).  Needs the BQL.
 */
void hyperv_synic_init_reset(CPUState *cs);

/*
 * Called by vmbus-bridge before it needs SynIC: under TCG, when no vCPU asked
 * for Hyper-V enlightenments with -cpu hv-*, turn on the set VMBus needs
 * (hv-vpindex, hv-synic, hv-time, hv-relaxed) on every vCPU.
 * Does nothing under other accelerators.
 */
bool hyperv_tcg_prepare_vmbus(Error **errp);

#endif

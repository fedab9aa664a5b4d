/*
 * MMIO ranges that the VMBus ACPI device offers to the guest
 *
 * Hyper-V describes two windows in the _CRS of the VMBus device: one below
 * 4 GiB and one above.  Guest drivers for VMBus devices (vPCI BARs and config
 * windows, the synthetic framebuffer) carve their MMIO out of these.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_HYPERV_VMBUS_MMIO_H
#define HW_HYPERV_VMBUS_MMIO_H

#include "qapi/error.h"

typedef struct VMBusBridge VMBusBridge;

typedef struct VMBusMmioRange {
    uint64_t base;
    uint64_t size;      /* 0: no such range */
} VMBusMmioRange;

typedef struct VMBusMmioLayout {
    VMBusMmioRange low;
    VMBusMmioRange high;
} VMBusMmioLayout;

/*
 * Settle the bridge's ranges from its "mmio-layout" preset and explicit
 * "low-mmio-*"/"high-mmio-*" properties, and check them against the machine.
 */
bool vmbus_mmio_resolve(VMBusBridge *bridge, Error **errp);

/*
 * The ranges the guest is told about, for devices that must check the
 * addresses a guest gives them.  False when there is no vmbus-bridge.
 */
bool vmbus_mmio_get_layout(VMBusMmioLayout *layout);

#endif

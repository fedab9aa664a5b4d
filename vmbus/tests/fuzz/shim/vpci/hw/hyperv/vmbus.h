/* see qemu/osdep.h in this directory */
#ifndef FUZZ_SHIM_HW_HYPERV_VMBUS_H
#define FUZZ_SHIM_HW_HYPERV_VMBUS_H
#include "qemu/osdep.h"
#include "fuzz-shim.h"
#endif

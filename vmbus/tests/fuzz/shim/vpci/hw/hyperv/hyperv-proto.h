/* see qemu/osdep.h in this directory */
#ifndef FUZZ_SHIM_HW_HYPERV_HYPERV_PROTO_H
#define FUZZ_SHIM_HW_HYPERV_HYPERV_PROTO_H
#include "qemu/osdep.h"
#include "fuzz-shim.h"
#endif

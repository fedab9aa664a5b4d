/* see qemu/osdep.h in this directory */
#ifndef FUZZ_SHIM_HW_CORE_CPU_H
#define FUZZ_SHIM_HW_CORE_CPU_H
#include "qemu/osdep.h"
#include "fuzz-shim.h"
#endif

/* see qemu/osdep.h in this directory */
#ifndef FUZZ_SHIM_QEMU_LOG_H
#define FUZZ_SHIM_QEMU_LOG_H
#include "qemu/osdep.h"
#include "fuzz-shim.h"
#endif

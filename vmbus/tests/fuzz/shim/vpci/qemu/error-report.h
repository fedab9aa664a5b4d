/* see qemu/osdep.h in this directory */
#ifndef FUZZ_SHIM_QEMU_ERROR_REPORT_H
#define FUZZ_SHIM_QEMU_ERROR_REPORT_H
#include "qemu/osdep.h"
#include "fuzz-shim.h"
#endif

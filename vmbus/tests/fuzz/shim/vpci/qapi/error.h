/* see qemu/osdep.h in this directory */
#ifndef FUZZ_SHIM_QAPI_ERROR_H
#define FUZZ_SHIM_QAPI_ERROR_H
#include "qemu/osdep.h"
#include "fuzz-shim.h"
#endif

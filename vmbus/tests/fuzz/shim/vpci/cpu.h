/* see qemu/osdep.h in this directory */
#ifndef FUZZ_SHIM_CPU_H
#define FUZZ_SHIM_CPU_H
#include "qemu/osdep.h"
#include "fuzz-shim.h"
#endif

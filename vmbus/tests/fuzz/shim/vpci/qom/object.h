/* see qemu/osdep.h in this directory */
#ifndef FUZZ_SHIM_QOM_OBJECT_H
#define FUZZ_SHIM_QOM_OBJECT_H
#include "qemu/osdep.h"
#include "fuzz-shim.h"
#endif

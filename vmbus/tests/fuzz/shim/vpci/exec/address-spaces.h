/* see qemu/osdep.h in this directory */
#ifndef FUZZ_SHIM_EXEC_ADDRESS_SPACES_H
#define FUZZ_SHIM_EXEC_ADDRESS_SPACES_H
#include "qemu/osdep.h"
#include "fuzz-shim.h"
#endif

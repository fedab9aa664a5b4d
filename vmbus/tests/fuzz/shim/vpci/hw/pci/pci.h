/* see qemu/osdep.h in this directory */
#ifndef FUZZ_SHIM_HW_PCI_PCI_H
#define FUZZ_SHIM_HW_PCI_PCI_H
#include "qemu/osdep.h"
#include "fuzz-shim.h"
#endif

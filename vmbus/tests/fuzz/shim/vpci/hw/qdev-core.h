/* see qemu/osdep.h in this directory; qdev_unplug is in the harness */
#ifndef FUZZ_SHIM_HW_QDEV_CORE_H
#define FUZZ_SHIM_HW_QDEV_CORE_H
#include "qemu/osdep.h"
#include "fuzz-shim.h"

typedef struct DeviceState DeviceState;
#define DEVICE(obj) ((DeviceState *)(obj))
void qdev_unplug(DeviceState *dev, Error **errp);
#endif

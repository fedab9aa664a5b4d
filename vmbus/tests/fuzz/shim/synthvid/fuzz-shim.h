/*
 * The QEMU types and calls hw/hyperv/video/synthvid.c uses, reduced to what
 * the fuzz harness needs; every header synthvid.c includes comes here.  The
 * harness (fuzz_synthvid.c) implements the functions.
 */
#ifndef FUZZ_SV_SHIM_H
#define FUZZ_SV_SHIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <assert.h>
#include <inttypes.h>
#include <glib.h>

#include "fuzz-compiler.h"
#define MiB (1ULL << 20)

/* error-report.h, log.h: a guest error is counted, never fatal */
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
#define LOG_GUEST_ERROR 1
extern unsigned fuzz_guest_errors;
#define qemu_log_mask(mask, ...) do { fuzz_guest_errors++; } while (0)

/* qapi/error.h */
typedef struct Error Error;
extern bool fuzz_realize_failed;
#define error_setg(errp, ...) do { fuzz_realize_failed = true; } while (0)

/* QOM and qdev: one statically allocated device, no type registry */
typedef struct Object { int unused; } Object;
typedef struct ObjectClass { int unused; } ObjectClass;
typedef struct Notifier Notifier;
struct Notifier {
    void (*notify)(Notifier *notifier, void *data);
};
typedef struct Property {
    const char *name;
} Property;
#define DEFINE_PROP_UINT64(n, s, f, d) { .name = (n) }
#define DEFINE_PROP_UINT32(n, s, f, d) { .name = (n) }
#define DEFINE_PROP_STRING(n, s, f) { .name = (n) }
#define DEFINE_PROP_END_OF_LIST() { .name = NULL }
typedef struct VMStateDescription {
    const char *name;
    int unmigratable;
} VMStateDescription;
typedef struct DeviceClass {
    const char *desc;
    const VMStateDescription *vmsd;
    Property *props;
    unsigned long categories[1];
} DeviceClass;
#define DEVICE_CATEGORY_DISPLAY 3
#define set_bit(nr, addr) ((addr)[0] |= 1UL << (nr))
static inline void device_class_set_props(DeviceClass *dc, Property *props)
{
    dc->props = props;
}
typedef struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size;
    void (*instance_init)(Object *obj);
    void (*class_init)(ObjectClass *klass, void *data);
} TypeInfo;
#define TYPE_VMBUS_DEVICE "vmbus-dev"
static inline void type_register_static(const TypeInfo *info)
{
}
#define type_init(fn)
#define OBJECT_DECLARE_SIMPLE_TYPE(Instance, UPPER) \
    typedef struct Instance Instance; \
    static inline Instance *UPPER(const void *obj) \
    { \
        return (Instance *)obj; \
    }
void object_property_add_str(Object *obj, const char *name,
                             char *(*get)(Object *, Error **),
                             void (*set)(Object *, const char *, Error **));
typedef struct QemuUUID { uint8_t data[16]; } QemuUUID;
static inline int qemu_uuid_parse(const char *str, QemuUUID *uuid)
{
    return 0;
}

/* sysemu: the harness calls the reset handler and notifier itself */
typedef void QEMUResetHandler(void *opaque);
void qemu_register_reset(QEMUResetHandler *func, void *opaque);
void qemu_unregister_reset(QEMUResetHandler *func, void *opaque);
void qemu_add_machine_init_done_notifier(Notifier *notify);
void qemu_remove_machine_init_done_notifier(Notifier *notify);

/* VMBus: one channel whose ring the harness fills */
#include "fuzz-vmbus-chan.h"
struct VMBusDevice { Object obj; };
#define VMBUS_DEVICE(obj) ((VMBusDevice *)(obj))
typedef struct VMBusDeviceClass {
    DeviceClass parent;     /* DEVICE_CLASS() and VMBUS_DEVICE_CLASS() alias */
    QemuUUID classid;
    QemuUUID instanceid;
    uint16_t mmio_size_mb;
    void (*vmdev_realize)(VMBusDevice *vdev, Error **errp);
    void (*vmdev_unrealize)(VMBusDevice *vdev);
    void (*vmdev_reset)(VMBusDevice *vdev);
    int (*open_channel)(VMBusChannel *chan);
    void (*close_channel)(VMBusChannel *chan);
    void (*chan_notify_cb)(VMBusChannel *chan);
} VMBusDeviceClass;
#define DEVICE_CLASS(klass) ((DeviceClass *)(klass))
#define VMBUS_DEVICE_CLASS(klass) ((VMBusDeviceClass *)(klass))

/* vmbus-mmio.h */
typedef struct VMBusMmioRange { uint64_t base, size; } VMBusMmioRange;
typedef struct VMBusMmioLayout {
    VMBusMmioRange low;
    VMBusMmioRange high;
} VMBusMmioLayout;
bool vmbus_mmio_get_layout(VMBusMmioLayout *layout);

#endif

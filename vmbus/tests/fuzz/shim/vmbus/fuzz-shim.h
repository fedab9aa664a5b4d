/*
 * The QEMU types and calls hw/hyperv/vmbus.c uses, reduced to what the fuzz
 * harness needs; every header vmbus.c (and the real vmbus.h, vmbus-proto.h
 * and hyperv-proto.h, copied from the staged tree) includes comes here.
 * Guest memory, the SynIC (hyperv.c), bottom halves and event notifiers are
 * the harness's (fuzz_vmbus.c), modelled on QEMU's behaviour where it
 * matters for guest input: one bounce buffer for what is not RAM, a NULL
 * SINT route for a VP index without a vCPU.
 */
#ifndef FUZZ_VMBUS_SHIM_H
#define FUZZ_VMBUS_SHIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <sys/uio.h>
#include <glib.h>

/* osdep.h, compiler.h, bitops.h */
#include "fuzz-compiler.h"
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define QEMU_ALIGN_DOWN(n, m) ((n) / (m) * (m))
#define QEMU_ALIGN_UP(n, m) QEMU_ALIGN_DOWN((n) + (m) - 1, (m))
#define ROUND_UP(n, d) (((n) + (d) - 1) & -(0 ? (n) : (d)))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define BITS_PER_LONG (sizeof(unsigned long) * 8)
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BITS_TO_LONGS(nr) DIV_ROUND_UP(nr, BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]
#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define qatomic_fetch_or(p, v) __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST)
#define QEMU_BUILD_BUG_ON(x) _Static_assert(!(x), #x)
#define G_GNUC_PRINTF_SHIM(a, b) __attribute__((format(printf, a, b)))

static inline int test_and_set_bit(long nr, unsigned long *addr)
{
    unsigned long mask = BIT_MASK(nr), *p = addr + BIT_WORD(nr);
    unsigned long old = *p;

    *p = old | mask;
    return (old & mask) != 0;
}

static inline void clear_bit(long nr, unsigned long *addr)
{
    addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline void set_bit(long nr, unsigned long *addr)
{
    addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline unsigned long find_next_zero_bit(const unsigned long *addr,
                                               unsigned long size,
                                               unsigned long offset)
{
    for (; offset < size; offset++) {
        if (!(addr[BIT_WORD(offset)] & BIT_MASK(offset))) {
            return offset;
        }
    }
    return size;
}

static inline bool bitmap_test_and_clear_atomic(unsigned long *map, long start,
                                                long nr)
{
    bool was = map[BIT_WORD(start)] & BIT_MASK(start);

    assert(nr == 1);
    map[BIT_WORD(start)] &= ~BIT_MASK(start);
    return was;
}

/* qemu/queue.h: the BSD tail queue, as QEMU spells it */
#define QTAILQ_HEAD(name, type) \
    struct name { struct type *tqh_first; struct type **tqh_last; }
#define QTAILQ_ENTRY(type) \
    struct { struct type *tqe_next; struct type **tqe_prev; }
#define QTAILQ_INIT(head) do { \
        (head)->tqh_first = NULL; \
        (head)->tqh_last = &(head)->tqh_first; \
    } while (0)
#define QTAILQ_FIRST(head) ((head)->tqh_first)
#define QTAILQ_NEXT(elm, field) ((elm)->field.tqe_next)
#define QTAILQ_EMPTY(head) ((head)->tqh_first == NULL)
#define QTAILQ_INSERT_HEAD(head, elm, field) do { \
        if (((elm)->field.tqe_next = (head)->tqh_first) != NULL) { \
            (head)->tqh_first->field.tqe_prev = &(elm)->field.tqe_next; \
        } else { \
            (head)->tqh_last = &(elm)->field.tqe_next; \
        } \
        (head)->tqh_first = (elm); \
        (elm)->field.tqe_prev = &(head)->tqh_first; \
    } while (0)
#define QTAILQ_INSERT_TAIL(head, elm, field) do { \
        (elm)->field.tqe_next = NULL; \
        (elm)->field.tqe_prev = (head)->tqh_last; \
        *(head)->tqh_last = (elm); \
        (head)->tqh_last = &(elm)->field.tqe_next; \
    } while (0)
#define QTAILQ_REMOVE(head, elm, field) do { \
        if (((elm)->field.tqe_next) != NULL) { \
            (elm)->field.tqe_next->field.tqe_prev = (elm)->field.tqe_prev; \
        } else { \
            (head)->tqh_last = (elm)->field.tqe_prev; \
        } \
        *(elm)->field.tqe_prev = (elm)->field.tqe_next; \
        (elm)->field.tqe_prev = NULL; \
    } while (0)
#define QTAILQ_FOREACH(var, head, field) \
    for ((var) = ((head)->tqh_first); (var); (var) = ((var)->field.tqe_next))
#define QTAILQ_FOREACH_SAFE(var, head, field, next_var) \
    for ((var) = ((head)->tqh_first); \
         (var) && ((next_var) = ((var)->field.tqe_next), 1); \
         (var) = (next_var))

/* error-report.h, qapi/error.h */
void error_report(const char *fmt, ...) G_GNUC_PRINTF_SHIM(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF_SHIM(1, 2);
void info_report(const char *fmt, ...) G_GNUC_PRINTF_SHIM(1, 2);
#define LOG_GUEST_ERROR 1
extern unsigned fuzz_guest_errors;
#define qemu_log_mask(mask, ...) do { fuzz_guest_errors++; } while (0)
typedef struct Error Error;
extern Error *error_abort;
void error_setg_shim(Error **errp);
#define error_setg(errp, ...) error_setg_shim(errp)
void error_propagate(Error **dst, Error *err);

/* qemu/thread.h */
typedef struct QemuMutex { int unused; } QemuMutex;
#define qemu_mutex_init(m) do { } while (0)
#define qemu_mutex_destroy(m) do { } while (0)
#define qemu_mutex_lock(m) do { } while (0)
#define qemu_mutex_unlock(m) do { } while (0)

/* qemu/uuid.h */
typedef struct QemuUUID { uint8_t data[16]; } QemuUUID;
#define UUID_FMT_LEN 36
#define UUID_STR_LEN (UUID_FMT_LEN + 1)
static inline QemuUUID qemu_uuid_bswap(QemuUUID uuid)
{
    return uuid;
}
static inline bool qemu_uuid_is_null(const QemuUUID *uu)
{
    static const QemuUUID null;

    return !memcmp(uu, &null, sizeof(null));
}
static inline int qemu_uuid_is_equal(const QemuUUID *a, const QemuUUID *b)
{
    return !memcmp(a, b, sizeof(*a));
}
static inline void qemu_uuid_unparse(const QemuUUID *uuid, char *out)
{
    snprintf(out, UUID_STR_LEN, "uuid");
}

/* QOM and qdev: objects carry their class; no type registry */
typedef struct ObjectClass { int unused; } ObjectClass;
typedef struct Object { ObjectClass *klass; } Object;
typedef struct InterfaceInfo { const char *type; } InterfaceInfo;
typedef struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size;
    size_t class_size;
    bool abstract;
    void (*instance_init)(Object *obj);
    void (*class_init)(ObjectClass *klass, void *data);
    InterfaceInfo *interfaces;
} TypeInfo;
#define type_init(fn)
static inline void type_register_static(const TypeInfo *info)
{
}
#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CHECK(type, obj, name) ((type *)(obj))
#define OBJECT_CLASS_CHECK(type, klass, name) ((type *)(klass))
#define OBJECT_GET_CLASS(type, obj, name) ((type *)(OBJECT(obj)->klass))
#define OBJECT_DECLARE_SIMPLE_TYPE(Instance, UPPER) \
    typedef struct Instance Instance; \
    static inline Instance *UPPER(const void *obj) \
    { \
        return (Instance *)obj; \
    }
#define OBJECT_DECLARE_TYPE(Instance, Class, UPPER) \
    typedef struct Instance Instance; \
    typedef struct Class Class; \
    static inline Instance *UPPER(const void *obj) \
    { \
        return (Instance *)obj; \
    } \
    static inline Class *UPPER##_GET_CLASS(const void *obj) \
    { \
        return (Class *)((const Object *)obj)->klass; \
    } \
    static inline Class *UPPER##_CLASS(const void *klass) \
    { \
        return (Class *)klass; \
    }
Object *object_resolve_path_type(const char *path, const char *type,
                                 bool *ambiguous);
#define DECLARE_INSTANCE_CHECKER(Instance, UPPER, name) \
    static inline Instance *UPPER(const void *obj) \
    { \
        return (Instance *)obj; \
    }
void object_unparent(Object *obj);

typedef struct Property { const char *name; } Property;
#define DEFINE_PROP_UINT8(n, ...) { .name = (n) }
#define DEFINE_PROP_UINT64(n, ...) { .name = (n) }
#define DEFINE_PROP_STRING(n, ...) { .name = (n) }
#define DEFINE_PROP_UUID(n, ...) { .name = (n) }
#define DEFINE_PROP_END_OF_LIST() { .name = NULL }

typedef struct VMStateField { int unused; } VMStateField;
typedef struct VMStateDescription {
    const char *name;
    int unmigratable;
    int version_id;
    int minimum_version_id;
    int (*pre_load)(void *opaque);
    int (*post_load)(void *opaque, int version_id);
    int (*pre_save)(void *opaque);
    bool (*needed)(void *opaque);
    const VMStateField *fields;
    const struct VMStateDescription **subsections;
} VMStateDescription;
#define VMSTATE_FIELD_SHIM(...) { 0 }
#define VMSTATE_UINT8(...) VMSTATE_FIELD_SHIM()
#define VMSTATE_UINT16(...) VMSTATE_FIELD_SHIM()
#define VMSTATE_UINT32(...) VMSTATE_FIELD_SHIM()
#define VMSTATE_UINT64(...) VMSTATE_FIELD_SHIM()
#define VMSTATE_UINT8_ARRAY(...) VMSTATE_FIELD_SHIM()
#define VMSTATE_VARRAY_UINT32_ALLOC(...) VMSTATE_FIELD_SHIM()
#define VMSTATE_STRUCT_VARRAY_POINTER_UINT16(...) VMSTATE_FIELD_SHIM()
#define VMSTATE_STRUCT_ARRAY(...) VMSTATE_FIELD_SHIM()
#define VMSTATE_STRUCT_POINTER(...) VMSTATE_FIELD_SHIM()
#define VMSTATE_QTAILQ_V(...) VMSTATE_FIELD_SHIM()
#define VMSTATE_END_OF_LIST() VMSTATE_FIELD_SHIM()
extern const void *vmstate_info_uint64;

typedef struct BusState BusState;
typedef struct DeviceState DeviceState;
typedef struct BusChild {
    DeviceState *child;
    QTAILQ_ENTRY(BusChild) sibling;
} BusChild;
struct BusState {
    Object obj;
    DeviceState *parent;
    QTAILQ_HEAD(, BusChild) children;
};
struct DeviceState {
    Object obj;
    BusState *parent_bus;
    bool hotplugged;
};
typedef struct DeviceClass {
    ObjectClass parent;
    const char *desc;
    const char *fw_name;
    const char *bus_type;
    const VMStateDescription *vmsd;
    Property *props;
    bool user_creatable;
    unsigned long categories[1];
    void (*realize)(DeviceState *dev, Error **errp);
    void (*unrealize)(DeviceState *dev);
    void (*reset)(DeviceState *dev);
} DeviceClass;
typedef struct BusClass {
    ObjectClass parent;
    char *(*get_dev_path)(DeviceState *dev);
    char *(*get_fw_dev_path)(DeviceState *dev);
    void (*realize)(BusState *bus, Error **errp);
    void (*unrealize)(BusState *bus);
    void (*reset)(BusState *bus);
} BusClass;
#define DEVICE_CATEGORY_BRIDGE 0
#define DEVICE(obj) ((DeviceState *)(obj))
#define BUS(obj) ((BusState *)(obj))
#define DEVICE_CLASS(klass) ((DeviceClass *)(klass))
#define BUS_CLASS(klass) ((BusClass *)(klass))
#define TYPE_DEVICE "device"
#define TYPE_BUS "bus"
#define TYPE_SYS_BUS_DEVICE "sys-bus-device"
#define TYPE_HOTPLUG_HANDLER "hotplug-handler"
static inline void device_class_set_props(DeviceClass *dc, Property *props)
{
    dc->props = props;
}
static inline BusState *qdev_get_parent_bus(DeviceState *dev)
{
    return dev->parent_bus;
}
char *qdev_get_dev_path(DeviceState *dev);
static inline const char *qdev_fw_name(DeviceState *dev)
{
    return "vmbus";
}
void qdev_unrealize(DeviceState *dev);
/* the harness resets the bus and its device itself */
void bus_cold_reset(BusState *bus);
void qbus_reset_all(BusState *bus);
void device_cold_reset(DeviceState *dev);
void qdev_reset_all(DeviceState *dev);
BusState *qbus_new(const char *typename, DeviceState *parent,
                   const char *name);
void qbus_set_bus_hotplug_handler(BusState *bus);

/* hotplug */
typedef struct HotplugHandler { Object obj; } HotplugHandler;
typedef struct HotplugHandlerClass {
    ObjectClass parent;
    void (*plug)(HotplugHandler *h, DeviceState *dev, Error **errp);
    void (*unplug_request)(HotplugHandler *h, DeviceState *dev, Error **errp);
    void (*unplug)(HotplugHandler *h, DeviceState *dev, Error **errp);
} HotplugHandlerClass;
/* apart from the bus class it is an interface of (see fuzz_vmbus.c) */
extern HotplugHandlerClass fuzz_hotplug_class;
#define HOTPLUG_HANDLER_CLASS(klass) (&fuzz_hotplug_class)
HotplugHandler *qdev_get_hotplug_handler(DeviceState *dev);
void hotplug_handler_unplug(HotplugHandler *h, DeviceState *dev, Error **errp);

/* sysbus */
typedef struct SysBusDevice { DeviceState parent; } SysBusDevice;
typedef struct SysBusDeviceClass {
    DeviceClass parent;
    char *(*explicit_ofw_unit_address)(const SysBusDevice *dev);
} SysBusDeviceClass;
#define SYS_BUS_DEVICE_CLASS(klass) ((SysBusDeviceClass *)(klass))

/* sysemu: reset handlers are not run (the harness resets by hand) */
typedef void QEMUResetHandler(void *opaque);
static inline void qemu_register_reset(QEMUResetHandler *func, void *opaque)
{
}

/* memory and DMA: the harness's guest memory (fuzz_vmbus.c) */
typedef uint64_t hwaddr;
typedef uint64_t dma_addr_t;
typedef struct AddressSpace { int unused; } AddressSpace;
extern AddressSpace address_space_memory;
typedef enum DMADirection {
    DMA_DIRECTION_TO_DEVICE = 0,
    DMA_DIRECTION_FROM_DEVICE = 1,
} DMADirection;
typedef int MemTxAttrs;
#define MEMTXATTRS_UNSPECIFIED 0
void *dma_memory_map(AddressSpace *as, dma_addr_t addr, dma_addr_t *len,
                     DMADirection dir, MemTxAttrs attrs);
void dma_memory_unmap(AddressSpace *as, void *buffer, dma_addr_t len,
                      DMADirection dir, dma_addr_t access_len);
void *cpu_physical_memory_map(hwaddr addr, hwaddr *plen, bool is_write);
void cpu_physical_memory_unmap(void *buffer, hwaddr len, bool is_write,
                               hwaddr access_len);
typedef struct ScatterGatherEntry {
    dma_addr_t base;
    dma_addr_t len;
} ScatterGatherEntry;
typedef struct QEMUSGList {
    ScatterGatherEntry *sg;
    int nsg;
    int nalloc;
    dma_addr_t size;
    DeviceState *dev;
    AddressSpace *as;
} QEMUSGList;
void qemu_sglist_init(QEMUSGList *qsg, DeviceState *dev, int alloc_hint,
                      AddressSpace *as);
void qemu_sglist_add(QEMUSGList *qsg, dma_addr_t base, dma_addr_t len);
void qemu_sglist_destroy(QEMUSGList *qsg);

/* exec/target_page.h */
#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE (1 << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(int64_t)(TARGET_PAGE_SIZE - 1))

/* main loop: bottom halves and event notifiers run by the harness */
typedef struct AioContext AioContext;
typedef void QEMUBHFunc(void *opaque);
AioContext *qemu_get_aio_context(void);
void aio_bh_schedule_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque);
typedef struct EventNotifier EventNotifier;
typedef void EventNotifierHandler(EventNotifier *n);
struct EventNotifier {
    bool set;
    bool initialized;
    EventNotifierHandler *handler;
};
int event_notifier_init(EventNotifier *e, int active);
void event_notifier_cleanup(EventNotifier *e);
int event_notifier_set(EventNotifier *e);
int event_notifier_test_and_clear(EventNotifier *e);
void event_notifier_set_handler(EventNotifier *e, EventNotifierHandler *h);

/* cpu.h, hyperv.h (the SynIC): the harness's */
typedef struct CPUState { int cpu_index; } CPUState;
typedef struct HvSintRoute HvSintRoute;
typedef void (*HvSintMsgCb)(void *data, int status);
struct hyperv_message;
struct hyperv_post_message_input;
typedef uint16_t (*HvMsgHandler)(const struct hyperv_post_message_input *msg,
                                 void *data);
HvSintRoute *hyperv_sint_route_new(uint32_t vp_index, uint32_t sint,
                                   HvSintMsgCb cb, void *cb_data);
void hyperv_sint_route_ref(HvSintRoute *sint_route);
void hyperv_sint_route_unref(HvSintRoute *sint_route);
void hyperv_sint_route_abandon(HvSintRoute *sint_route);
int hyperv_sint_route_set_sint(HvSintRoute *sint_route);
int hyperv_post_msg(HvSintRoute *sint_route, struct hyperv_message *msg);
int hyperv_set_event_flag(HvSintRoute *sint_route, unsigned eventno);
int hyperv_set_msg_handler(uint32_t conn_id, HvMsgHandler handler, void *data);
int hyperv_set_event_flag_handler(uint32_t conn_id, EventNotifier *notifier);
bool hyperv_is_synic_enabled(void);
bool hyperv_are_vmbus_recommended_features_enabled(void);
bool hyperv_tcg_prepare_vmbus(Error **errp);

/* vmbus-mmio.h (patch 0104) */
typedef struct VMBusMmioRange { uint64_t base, size; } VMBusMmioRange;
typedef struct VMBusMmioLayout {
    VMBusMmioRange low;
    VMBusMmioRange high;
} VMBusMmioLayout;
typedef struct VMBusBridge VMBusBridge;
bool vmbus_mmio_resolve(VMBusBridge *bridge, Error **errp);

#endif

/*
 * Stand-ins for the few QEMU definitions the vPCI message and interrupt code
 * uses, so that it builds as plain C for the libFuzzer harness (no guest, no
 * QEMU).  Only what vpci-msg.c, vpci-irq.c and their headers need.
 */
#ifndef FUZZ_SHIM_OSDEP_H
#define FUZZ_SHIM_OSDEP_H

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
#include <glib.h>

#include "fuzz-compiler.h"

#define QTAILQ_HEAD(name, type) \
    struct name { struct type *tqh_first; struct type **tqh_last; }
#define QTAILQ_HEAD_INITIALIZER(head) { NULL, &(head).tqh_first }
#define QTAILQ_ENTRY(type) \
    struct { struct type *tqe_next; struct type **tqe_prev; }

typedef struct MemoryRegion { int unused; } MemoryRegion;
typedef struct MemoryRegionOps { int unused; } MemoryRegionOps;
typedef struct QEMUBH QEMUBH;
typedef struct QEMUTimer QEMUTimer;
typedef uint64_t hwaddr;

#define OBJECT_DECLARE_SIMPLE_TYPE(Instance, UPPER) \
    typedef struct Instance Instance; \
    static inline Instance *UPPER(const void *obj) \
    { \
        return (Instance *)obj; \
    }

#endif

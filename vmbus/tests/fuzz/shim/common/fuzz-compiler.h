/*
 * The compiler helpers of QEMU's osdep.h and compiler.h that every fuzz
 * target's shim needs.
 */
#ifndef FUZZ_COMPILER_H
#define FUZZ_COMPILER_H

#include <stddef.h>

#define QEMU_PACKED __attribute__((packed))
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

#endif

/* see qemu/osdep.h in this directory */
#ifndef FUZZ_SHIM_QEMU_CUTILS_H
#define FUZZ_SHIM_QEMU_CUTILS_H
#include "qemu/osdep.h"

/* QEMU's strict unsigned parse: all of the string, no sign, no overflow */
static inline int qemu_strtoui(const char *nptr, const char **endptr, int base,
                               unsigned int *result)
{
    char *end;
    unsigned long v;

    if (!nptr || !*nptr || *nptr == '-') {
        return -EINVAL;
    }
    errno = 0;
    v = strtoul(nptr, &end, base);
    if (errno || v > UINT_MAX || (!endptr && *end)) {
        return -EINVAL;
    }
    if (endptr) {
        *endptr = end;
    }
    *result = v;
    return 0;
}
#endif

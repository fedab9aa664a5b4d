/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by code that is built both into the kernel module and
 * into the user-space tests, fuzzer and benchmark.
 */
#ifndef HVPCI_COMPAT_H
#define HVPCI_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>	/* kernel.h brings va_list on every kernel */

#define HVPCI_PRINTF(fmt, args)	__printf(fmt, args)
#else
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef int s32;

/* Format strings are checked by the kernel build. */
#define HVPCI_PRINTF(fmt, args)
#endif

#endif /* HVPCI_COMPAT_H */

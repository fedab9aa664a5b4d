// SPDX-License-Identifier: GPL-2.0
/* hv_result_success() for hypercall status words (Linux 5.12). */
#include <asm/mshyperv.h>

static bool __maybe_unused hvpci_probe_result(u64 status)
{
	return hv_result_success(status);
}

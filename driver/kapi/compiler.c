// SPDX-License-Identifier: GPL-2.0
/* Nothing but a kernel header: fails only when no module builds at all. */
#include <linux/kernel.h>

static int __maybe_unused hvpci_probe_compiler(int x)
{
	return x + 1;
}

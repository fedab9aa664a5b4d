// SPDX-License-Identifier: GPL-2.0
/* tasklet_disable_in_atomic() (Linux 5.13; tasklet_disable() spun before). */
#include <linux/interrupt.h>

static void __maybe_unused hvpci_probe_tasklet(struct tasklet_struct *t)
{
	tasklet_disable_in_atomic(t);
}

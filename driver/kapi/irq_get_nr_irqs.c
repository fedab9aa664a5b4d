// SPDX-License-Identifier: GPL-2.0
/* irq_get_nr_irqs(): the number of interrupts, nr_irqs no longer global (Linux 6.13). */
#include <linux/irqnr.h>

static unsigned int __maybe_unused hvpci_probe_nr_irqs(void)
{
	return irq_get_nr_irqs();
}

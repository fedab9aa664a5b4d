// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI/MSI irq domain a host bridge creates itself (until 6.17 moved
 * host bridges to MSI parent domains).
 */
#include <linux/msi.h>

static __maybe_unused struct irq_domain *
hvpci_probe_legacy(struct fwnode_handle *fwnode, struct msi_domain_info *info,
		   struct irq_domain *parent)
{
	return pci_msi_create_irq_domain(fwnode, info, parent);
}

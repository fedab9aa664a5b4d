// SPDX-License-Identifier: GPL-2.0
/*
 * MSI parent irq domains for PCI host bridges (msi_create_parent_irq_domain,
 * Linux 6.17): the bridge provides a parent domain and the PCI core builds
 * a per-device MSI domain on top of it, as the in-tree pci-hyperv does.
 */
#include <linux/irq.h>
#include <linux/irqchip/irq-msi-lib.h>
#include <linux/irqdomain.h>
#include <linux/msi.h>

static const struct msi_parent_ops hvpci_probe_parent_ops __maybe_unused = {
	.required_flags		= MSI_FLAG_USE_DEF_DOM_OPS |
				  MSI_FLAG_PCI_MSI_MASK_PARENT,
	.supported_flags	= MSI_GENERIC_FLAGS_MASK | MSI_FLAG_PCI_MSIX_ALLOC_DYN,
	.bus_select_token	= DOMAIN_BUS_PCI_MSI,
	.chip_flags		= MSI_CHIP_FLAG_SET_ACK,
	.init_dev_msi_info	= msi_lib_init_dev_msi_info,
};

static __maybe_unused struct irq_domain *
hvpci_probe_parent(struct irq_domain_info *info)
{
	return msi_create_parent_irq_domain(info, &hvpci_probe_parent_ops);
}

static unsigned int hvpci_probe_move __maybe_unused = IRQCHIP_MOVE_DEFERRED;

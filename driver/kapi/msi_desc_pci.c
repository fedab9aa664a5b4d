// SPDX-License-Identifier: GPL-2.0
/* PCI data of an MSI descriptor in msi_desc.pci (Linux 5.17; msi_attrib before). */
#include <linux/msi.h>

static bool __maybe_unused hvpci_probe_msix(struct msi_desc *desc)
{
	return desc->pci.msi_attrib.is_msix;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * pci_bus_find_emul_domain_nr(): the PCI core hands out the domain numbers
 * of emulated host bridges and frees a bridge's number when it is released.
 */
#include <linux/pci.h>

static int __maybe_unused hvpci_probe_emul_domain(u32 wanted)
{
	return pci_bus_find_emul_domain_nr(wanted, 1, U16_MAX);
}

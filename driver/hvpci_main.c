// SPDX-License-Identifier: GPL-2.0
/*
 * hvpci: Hyper-V virtual PCI front end, built as a drop-in replacement
 * for the in-tree pci-hyperv module.  Module entry points and the config
 * block interface offered to other drivers through pci-hyperv-intf.
 */
#include <linux/module.h>
#include <asm/mshyperv.h>

#include "hvpci.h"

#define HVPCI_VERSION_STRING	"0.1.0"

static int __init hvpci_init(void)
{
	int ret;

	if (!hv_is_hyperv_initialized())
		return -ENODEV;

	hvpci_domains_init();
	ret = hvpci_mmio_init();
	if (ret)
		return ret;

	hvpci_block_ops.read_block = hvpci_read_block;
	hvpci_block_ops.write_block = hvpci_write_block;
	hvpci_block_ops.reg_blk_invalidate = hvpci_register_invalidate;

	ret = vmbus_driver_register(&hvpci_driver);
	if (ret)
		goto undo;
	pr_info("hvpci %s: Hyper-V vPCI front end with kdump-safe MMIO policy\n",
		HVPCI_VERSION_STRING);
	return 0;

undo:
	hvpci_block_ops.read_block = NULL;
	hvpci_block_ops.write_block = NULL;
	hvpci_block_ops.reg_blk_invalidate = NULL;
	hvpci_mmio_exit();
	return ret;
}

static void __exit hvpci_exit(void)
{
	vmbus_driver_unregister(&hvpci_driver);
	hvpci_block_ops.read_block = NULL;
	hvpci_block_ops.write_block = NULL;
	hvpci_block_ops.reg_blk_invalidate = NULL;
	hvpci_mmio_exit();
}

module_init(hvpci_init);
module_exit(hvpci_exit);

MODULE_DESCRIPTION("hvpci: Hyper-V virtual PCI front end (drop-in for pci-hyperv)");
MODULE_VERSION(HVPCI_VERSION_STRING);
MODULE_LICENSE("GPL");

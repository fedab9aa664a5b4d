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

/*
 * The config block hooks are one global.  Where a built-in pci-hyperv
 * still drives some buses (hvpci bound to others through driver_override),
 * its hooks are kept for the devices on its buses.
 */
static struct hyperv_pci_block_ops hvpci_prev_ops;

static int hvpci_ops_read_block(struct pci_dev *pdev, void *buf,
				unsigned int len, unsigned int block_id,
				unsigned int *bytes_returned)
{
	if (hvpci_owns(pdev))
		return hvpci_read_block(pdev, buf, len, block_id,
					bytes_returned);
	if (!hvpci_prev_ops.read_block)
		return -ENODEV;
	return hvpci_prev_ops.read_block(pdev, buf, len, block_id,
					 bytes_returned);
}

static int hvpci_ops_write_block(struct pci_dev *pdev, void *buf,
				 unsigned int len, unsigned int block_id)
{
	if (hvpci_owns(pdev))
		return hvpci_write_block(pdev, buf, len, block_id);
	if (!hvpci_prev_ops.write_block)
		return -ENODEV;
	return hvpci_prev_ops.write_block(pdev, buf, len, block_id);
}

static int hvpci_ops_reg_blk_invalidate(struct pci_dev *pdev, void *ctx,
					void (*cb)(void *ctx, u64 block_mask))
{
	if (hvpci_owns(pdev))
		return hvpci_register_invalidate(pdev, ctx, cb);
	if (!hvpci_prev_ops.reg_blk_invalidate)
		return -ENODEV;
	return hvpci_prev_ops.reg_blk_invalidate(pdev, ctx, cb);
}

static int __init hvpci_init(void)
{
	int ret;

	if (!hv_is_hyperv_initialized())
		return -ENODEV;

	hvpci_domains_init();
	ret = hvpci_mmio_init();
	if (ret)
		return ret;

	hvpci_prev_ops = hvpci_block_ops;
	hvpci_block_ops.read_block = hvpci_ops_read_block;
	hvpci_block_ops.write_block = hvpci_ops_write_block;
	hvpci_block_ops.reg_blk_invalidate = hvpci_ops_reg_blk_invalidate;

	ret = vmbus_driver_register(&hvpci_driver);
	if (ret)
		goto undo;
	pr_info("hvpci %s: Hyper-V vPCI front end with kdump-safe MMIO policy (VMBus driver %s)\n",
		HVPCI_VERSION_STRING, HVPCI_NAME);
	return 0;

undo:
	hvpci_block_ops = hvpci_prev_ops;
	hvpci_mmio_exit();
	return ret;
}

static void __exit hvpci_exit(void)
{
	vmbus_driver_unregister(&hvpci_driver);
	hvpci_block_ops = hvpci_prev_ops;
	hvpci_mmio_exit();
}

module_init(hvpci_init);
module_exit(hvpci_exit);

MODULE_DESCRIPTION("hvpci: Hyper-V virtual PCI front end (drop-in for pci-hyperv)");
MODULE_VERSION(HVPCI_VERSION_STRING);
MODULE_LICENSE("GPL");

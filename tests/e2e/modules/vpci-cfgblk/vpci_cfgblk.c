// SPDX-License-Identifier: GPL-2.0
/*
 * vpci_cfgblk: a test client of the vPCI config-block calls.
 *
 * A VF driver that talks to its PF driver on the host (mlx5 does) uses
 * hyperv_read_cfg_blk(), hyperv_write_cfg_blk() and
 * hyperv_reg_block_invalidate(); the vPCI front end (the in-tree
 * pci-hyperv, or hvpci) fills them in.  This module makes those calls on
 * the function named by its "dev" parameter, for the e2e scenario
 * vpci-config-blocks, through debugfs (vpci_cfgblk/):
 *
 *   block        block id of the next read or write
 *   size         bytes the next read asks for
 *   data         read: the block's bytes, in hex; write: hex bytes to store
 *   invalidated  the mask of blocks the host said it changed, in hex;
 *                reading it clears it
 *
 * It binds to nothing and leaves the device to its own driver.
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/hyperv.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/uaccess.h>

static char *cfgblk_dev_name;
module_param_named(dev, cfgblk_dev_name, charp, 0444);
MODULE_PARM_DESC(dev, "the vPCI function, as DOMAIN:BUS:DEV.FN");

static struct pci_dev *cfgblk_pdev;
static struct dentry *cfgblk_dir;
static u32 cfgblk_block;
static u32 cfgblk_size = HV_CONFIG_BLOCK_SIZE_MAX;
static atomic64_t cfgblk_changed = ATOMIC64_INIT(0);

static void cfgblk_invalidate(void *ctx, u64 mask)
{
	atomic64_or(mask, &cfgblk_changed);
	pr_info("vpci_cfgblk: host changed blocks %#llx\n", mask);
}

static ssize_t cfgblk_data_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	u8 bytes[HV_CONFIG_BLOCK_SIZE_MAX];
	char text[2 * HV_CONFIG_BLOCK_SIZE_MAX + 2];
	unsigned int got = 0, i;
	int ret;

	if (*ppos)
		return 0;
	ret = hyperv_read_cfg_blk(cfgblk_pdev, bytes,
				  min_t(u32, cfgblk_size, sizeof(bytes)),
				  cfgblk_block, &got);
	if (ret) {
		pr_info("vpci_cfgblk: read of block %u (%u bytes): %d\n",
			cfgblk_block, cfgblk_size, ret);
		return ret;
	}
	got = min_t(unsigned int, got, sizeof(bytes));
	for (i = 0; i < got; i++)
		snprintf(text + 2 * i, 3, "%02x", bytes[i]);
	text[2 * got] = '\n';
	return simple_read_from_buffer(ubuf, count, ppos, text, 2 * got + 1);
}

static ssize_t cfgblk_data_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char text[2 * HV_CONFIG_BLOCK_SIZE_MAX + 2] = { };
	u8 bytes[HV_CONFIG_BLOCK_SIZE_MAX];
	size_t len = count, i;
	int ret;

	if (len >= sizeof(text))
		return -EINVAL;
	if (copy_from_user(text, ubuf, len))
		return -EFAULT;
	if (len && text[len - 1] == '\n')
		len--;
	if (!len || len % 2)
		return -EINVAL;
	/* by pairs with kstrtou8(): hex2bin() moved header in 7.x */
	for (i = 0; i < len / 2; i++) {
		char pair[3] = { text[2 * i], text[2 * i + 1], 0 };

		if (kstrtou8(pair, 16, &bytes[i]))
			return -EINVAL;
	}
	ret = hyperv_write_cfg_blk(cfgblk_pdev, bytes, len / 2, cfgblk_block);
	if (ret) {
		pr_info("vpci_cfgblk: write of block %u (%zu bytes): %d\n",
			cfgblk_block, len / 2, ret);
		return ret;
	}
	return count;
}

static const struct file_operations cfgblk_data_fops = {
	.owner = THIS_MODULE,
	.read = cfgblk_data_read,
	.write = cfgblk_data_write,
	.llseek = default_llseek,
};

static ssize_t cfgblk_changed_read(struct file *file, char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	char text[20];
	int len;

	if (*ppos)
		return 0;
	len = scnprintf(text, sizeof(text), "%llx\n",
			(u64)atomic64_xchg(&cfgblk_changed, 0));
	return simple_read_from_buffer(ubuf, count, ppos, text, len);
}

static const struct file_operations cfgblk_changed_fops = {
	.owner = THIS_MODULE,
	.read = cfgblk_changed_read,
	.llseek = default_llseek,
};

static int __init cfgblk_init(void)
{
	unsigned int domain, bus, slot, fn;
	int ret;

	if (!cfgblk_dev_name ||
	    sscanf(cfgblk_dev_name, "%x:%x:%x.%x", &domain, &bus, &slot,
		   &fn) != 4) {
		pr_err("vpci_cfgblk: dev=DOMAIN:BUS:DEV.FN is required\n");
		return -EINVAL;
	}
	cfgblk_pdev = pci_get_domain_bus_and_slot(domain, bus,
						  PCI_DEVFN(slot, fn));
	if (!cfgblk_pdev) {
		pr_err("vpci_cfgblk: no PCI function %s\n", cfgblk_dev_name);
		return -ENODEV;
	}
	ret = hyperv_reg_block_invalidate(cfgblk_pdev, NULL,
					  cfgblk_invalidate);
	if (ret) {
		pr_err("vpci_cfgblk: cannot register for invalidations: %d\n",
		       ret);
		pci_dev_put(cfgblk_pdev);
		return ret;
	}
	cfgblk_dir = debugfs_create_dir("vpci_cfgblk", NULL);
	debugfs_create_u32("block", 0600, cfgblk_dir, &cfgblk_block);
	debugfs_create_u32("size", 0600, cfgblk_dir, &cfgblk_size);
	debugfs_create_file("data", 0600, cfgblk_dir, NULL, &cfgblk_data_fops);
	debugfs_create_file("invalidated", 0400, cfgblk_dir, NULL,
			    &cfgblk_changed_fops);
	pr_info("vpci_cfgblk: using %s\n", pci_name(cfgblk_pdev));
	return 0;
}

static void __exit cfgblk_exit(void)
{
	debugfs_remove_recursive(cfgblk_dir);
	hyperv_reg_block_invalidate(cfgblk_pdev, NULL, NULL);
	pci_dev_put(cfgblk_pdev);
}

module_init(cfgblk_init);
module_exit(cfgblk_exit);
MODULE_DESCRIPTION("Test client of the Hyper-V vPCI config-block calls");
MODULE_LICENSE("GPL");

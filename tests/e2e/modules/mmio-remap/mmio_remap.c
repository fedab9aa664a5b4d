// SPDX-License-Identifier: GPL-2.0
/*
 * mmio_remap: does an MMIO access reach its device while another CPU
 * changes the memory map?
 *
 * The guest side of scenario tcg-mmio-remap.  It needs three QEMU "edu"
 * devices (1234:11e8) and two CPUs.  An edu device's liveness register
 * (BAR 0, offset 4) reads back as the complement of the last value
 * written to it.
 *
 * Sorted by BAR 0 address the devices are low, mid and high.  For
 * "seconds", CPU 0 writes a counter to mid's register and reads it back,
 * while CPU 1 turns low's memory decoding off and on.  Each turn makes the
 * VMM rebuild its map of guest physical memory, and the ranges above
 * low's BAR, mid's among them, are renumbered.  A read-back that is not
 * the complement of the value just written is an access that went
 * somewhere else.  low's and high's registers hold a sentinel through the
 * run: if it changed, a write meant for mid reached a neighbour.
 *
 * Loading runs the test once and prints one line,
 *   mmio_remap: rounds=R toggles=T mismatches=M low=ok|hit high=ok|hit
 * or fails with a line that says what is missing.
 */

#include <linux/delay.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/pci.h>

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_LIVENESS	0x04
#define REMAP_SENTINEL	0x5a5a5a5aU
#define REMAP_DEVS	3

static unsigned int remap_seconds = 5;
module_param_named(seconds, remap_seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long both CPUs run, 1 to 15 (default 5)");

struct remap_dev {
	struct pci_dev *pdev;
	void __iomem *regs;
	bool enabled;
};

static struct remap_dev remap_devs[REMAP_DEVS];	/* low, mid, high */
static u64 remap_rounds, remap_toggles, remap_mismatches;
static u32 remap_first_wrote, remap_first_read;

/* CPU 0: write a counter to mid's liveness register, read it back */
static int remap_hammer(void *unused)
{
	void __iomem *reg = remap_devs[1].regs + EDU_LIVENESS;
	u32 val, got;

	while (!kthread_should_stop()) {
		val = (u32)remap_rounds;
		writel(val, reg);
		got = readl(reg);
		if (got != ~val) {
			if (!remap_mismatches) {
				remap_first_wrote = val;
				remap_first_read = got;
			}
			remap_mismatches++;
		}
		if (!(++remap_rounds & 1023))
			cond_resched();
	}
	return 0;
}

/* CPU 1: turn low's memory decoding off and on again */
static int remap_toggler(void *unused)
{
	struct pci_dev *low = remap_devs[0].pdev;
	u16 cmd;

	pci_read_config_word(low, PCI_COMMAND, &cmd);
	cmd |= PCI_COMMAND_MEMORY;
	while (!kthread_should_stop()) {
		pci_write_config_word(low, PCI_COMMAND,
				      cmd & ~PCI_COMMAND_MEMORY);
		pci_write_config_word(low, PCI_COMMAND, cmd);
		remap_toggles++;
		cond_resched();
	}
	return 0;
}

static void remap_release(void)
{
	int i;

	for (i = 0; i < REMAP_DEVS; i++) {
		struct remap_dev *d = &remap_devs[i];

		if (d->regs)
			pci_iounmap(d->pdev, d->regs);
		if (d->enabled)
			pci_disable_device(d->pdev);
		pci_dev_put(d->pdev);
		d->pdev = NULL;
		d->regs = NULL;
		d->enabled = false;
	}
}

/* Take the three edu devices, sorted by BAR 0 address, and map BAR 0 */
static int remap_find_devices(void)
{
	struct pci_dev *pdev = NULL;
	int n = 0, i, j, ret;

	while ((pdev = pci_get_device(EDU_VENDOR, EDU_DEVICE, pdev))) {
		if (n == REMAP_DEVS) {
			pci_dev_put(pdev);
			pr_err("mmio_remap: more than %d edu devices\n",
			       REMAP_DEVS);
			return -E2BIG;
		}
		remap_devs[n++].pdev = pci_dev_get(pdev);
	}
	if (n < REMAP_DEVS) {
		pr_err("mmio_remap: found %d edu devices, need %d\n", n,
		       REMAP_DEVS);
		return -ENODEV;
	}
	for (i = 1; i < REMAP_DEVS; i++) {
		for (j = i; j > 0; j--) {
			struct remap_dev *a = &remap_devs[j - 1];
			struct remap_dev *b = &remap_devs[j];

			if (pci_resource_start(a->pdev, 0) <
			    pci_resource_start(b->pdev, 0))
				break;
			swap(*a, *b);
		}
	}
	for (i = 0; i < REMAP_DEVS; i++) {
		struct remap_dev *d = &remap_devs[i];

		ret = pci_enable_device_mem(d->pdev);
		if (ret) {
			pr_err("mmio_remap: %s: cannot enable: %d\n",
			       pci_name(d->pdev), ret);
			return ret;
		}
		d->enabled = true;
		d->regs = pci_iomap(d->pdev, 0, PAGE_SIZE);
		if (!d->regs) {
			pr_err("mmio_remap: %s: cannot map BAR 0\n",
			       pci_name(d->pdev));
			return -ENOMEM;
		}
	}
	return 0;
}

static const char *remap_sentinel_state(struct remap_dev *d)
{
	return readl(d->regs + EDU_LIVENESS) == ~REMAP_SENTINEL ? "ok" : "hit";
}

static struct task_struct *remap_start(int (*fn)(void *), int cpu,
				       const char *name)
{
	struct task_struct *t = kthread_create(fn, NULL, "%s", name);

	if (!IS_ERR(t)) {
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
	return t;
}

static int __init remap_init(void)
{
	struct task_struct *hammer, *toggler;
	int i, ret;

	if (remap_seconds < 1 || remap_seconds > 15) {
		pr_err("mmio_remap: seconds=%u is not 1 to 15\n",
		       remap_seconds);
		return -EINVAL;
	}
	if (!cpu_online(0) || !cpu_online(1)) {
		pr_err("mmio_remap: needs CPUs 0 and 1 online\n");
		return -ENODEV;
	}
	ret = remap_find_devices();
	if (ret)
		goto out_release;
	for (i = 0; i < REMAP_DEVS; i++)
		pr_info("mmio_remap: %s %s BAR 0 at %pa\n",
			i == 0 ? "low" : i == 1 ? "mid" : "high",
			pci_name(remap_devs[i].pdev),
			&pci_resource_start(remap_devs[i].pdev, 0));
	writel(REMAP_SENTINEL, remap_devs[0].regs + EDU_LIVENESS);
	writel(REMAP_SENTINEL, remap_devs[2].regs + EDU_LIVENESS);

	hammer = remap_start(remap_hammer, 0, "mmio_remap_hammer");
	if (IS_ERR(hammer)) {
		ret = PTR_ERR(hammer);
		goto out_release;
	}
	toggler = remap_start(remap_toggler, 1, "mmio_remap_toggle");
	if (IS_ERR(toggler)) {
		kthread_stop(hammer);
		ret = PTR_ERR(toggler);
		goto out_release;
	}
	msleep(remap_seconds * 1000);
	kthread_stop(toggler);
	kthread_stop(hammer);

	pr_info("mmio_remap: rounds=%llu toggles=%llu mismatches=%llu low=%s high=%s\n",
		remap_rounds, remap_toggles, remap_mismatches,
		remap_sentinel_state(&remap_devs[0]),
		remap_sentinel_state(&remap_devs[2]));
	if (remap_mismatches)
		pr_info("mmio_remap: first mismatch: wrote %#x, read %#x\n",
			remap_first_wrote, remap_first_read);
	return 0;

out_release:
	remap_release();
	return ret;
}

static void __exit remap_exit(void)
{
	remap_release();
}

module_init(remap_init);
module_exit(remap_exit);
MODULE_DESCRIPTION("MMIO on one CPU while another changes the memory map (e2e test)");
MODULE_LICENSE("GPL");

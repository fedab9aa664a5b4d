// SPDX-License-Identifier: GPL-2.0
/*
 * What hvpci needs on every kernel and has no substitute for: VMBus with
 * MMIO allocation, the pci-hyperv-intf config block hooks, the Hyper-V
 * hypercall page and the x86 vector irq domain.  Without these the kernel
 * is not supported.
 */
#include <linux/hyperv.h>
#include <linux/pci.h>
#include <asm/irqdomain.h>
#include <asm/mshyperv.h>

static int __maybe_unused hvpci_probe_base(struct hv_device *hdev,
					   struct hv_vpset *vpset, void *buf)
{
	struct resource *res;
	struct pci_sysdata sd = { .domain = 0 };
	u32 got;
	u64 id;

	hvpci_block_ops.read_block = NULL;
	vmbus_recvpacket_raw(hdev->channel, buf, 8, &got, &id);
	vmbus_allocate_mmio(&res, hdev, 0, ~0ULL, 1, 1, false);
	cpumask_to_vpset(vpset, cpu_online_mask);
	return sd.domain + !!x86_vector_domain + !!*this_cpu_ptr(hyperv_pcpu_input_arg) +
	       (int)hv_do_hypercall(HVCALL_RETARGET_INTERRUPT, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvpci kernel API adaptation, the out-of-line part (see hvpci_kapi.h):
 * request ids where VMBus has no requestor API, the two ways of building
 * a bus's MSI irq domain, and the old remove() signature.
 */
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/msi.h>
#include <asm/irqdomain.h>

#include "hvpci.h"
#ifdef HVPCI_HAVE_MSI_PARENT_DOMAIN
#include <linux/irqchip/irq-msi-lib.h>
#endif

#ifndef HVPCI_HAVE_VOID_REMOVE
int hvpci_remove_int(struct hv_device *hdev)
{
	hvpci_remove(hdev);
	return 0;
}
#endif

#ifndef HVPCI_HAVE_VMBUS_REQUESTOR
/*
 * Ids are slot + 1 in the low byte and a generation above it, so that a
 * late completion for a request that was taken back does not complete
 * the next request in the same slot.
 */
int hvpci_rq_setup(struct vmbus_channel *chan, struct hvpci_rq_table *rq)
{
	memset(rq, 0, sizeof(*rq));
	spin_lock_init(&rq->lock);
	return 0;
}

int hvpci_rq_send(struct vmbus_channel *chan, struct hvpci_rq_table *rq,
		  void *msg, u32 len, u64 addr, u64 *trans_id)
{
	unsigned long flags;
	unsigned int i;
	u64 id = 0;
	int ret;

	spin_lock_irqsave(&rq->lock, flags);
	for (i = 0; i < HVPCI_RQ_SLOTS; i++) {
		if (!rq->id[i]) {
			rq->gen++;
			id = (u64)rq->gen << 8 | (i + 1);
			rq->id[i] = id;
			rq->addr[i] = addr;
			break;
		}
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (!id)
		return -EAGAIN;

	ret = vmbus_sendpacket(chan, msg, len, id, VM_PKT_DATA_INBAND,
			       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	if (ret) {
		hvpci_rq_forget(chan, rq, id, addr);
		return ret;
	}
	*trans_id = id;
	return 0;
}

u64 __hvpci_rq_take(struct vmbus_channel *chan, struct hvpci_rq_table *rq,
		    u64 trans_id, u64 addr)
{
	unsigned int i = (trans_id & 0xff) - 1;
	u64 got;

	lockdep_assert_held(&rq->lock);
	if (i >= HVPCI_RQ_SLOTS || rq->id[i] != trans_id)
		return HVPCI_RQ_NONE;
	got = rq->addr[i];
	if (addr != HVPCI_RQ_ANY && addr != got)
		return HVPCI_RQ_NONE;
	rq->id[i] = 0;
	return got;
}

void hvpci_rq_forget(struct vmbus_channel *chan, struct hvpci_rq_table *rq,
		     u64 trans_id, u64 addr)
{
	unsigned long flags;

	spin_lock_irqsave(&rq->lock, flags);
	__hvpci_rq_take(chan, rq, trans_id, addr);
	spin_unlock_irqrestore(&rq->lock, flags);
}
#endif

/* The hypervisor remaps every vector: multi-MSI needs no contiguous block. */
static int hvpci_msi_prepare(struct irq_domain *domain, struct device *dev,
			     int nvec, msi_alloc_info_t *info)
{
	int ret = pci_msi_prepare(domain, dev, nvec, info);

#ifdef HVPCI_HAVE_X86_IRQ_ALLOC_CONTIGUOUS
	if (info->type == X86_IRQ_ALLOC_TYPE_PCI_MSI)
		info->flags &= ~X86_IRQ_ALLOC_CONTIGUOUS_VECTORS;
#endif
	if (!ret && dev_is_pci(dev))
		ret = hvpci_irq_prepare(to_pci_dev(dev));
	return ret;
}

#ifdef HVPCI_HAVE_MSI_PARENT_DOMAIN
static bool hvpci_init_dev_msi_info(struct device *dev,
				    struct irq_domain *domain,
				    struct irq_domain *real_parent,
				    struct msi_domain_info *info)
{
	struct irq_chip *chip = info->chip;

	if (!msi_lib_init_dev_msi_info(dev, domain, real_parent, info))
		return false;
	info->ops->msi_prepare = hvpci_msi_prepare;
	/*
	 * As before parent domains: an affinity change goes down to the
	 * vector domain and the message stays (the unmask that follows
	 * retargets through the hypervisor); the irq core moves these
	 * interrupts from the interrupt itself.
	 */
	chip->irq_set_affinity = irq_chip_set_affinity_parent;
	chip->irq_retrigger = irq_chip_retrigger_hierarchy;
	chip->flags |= IRQCHIP_MOVE_DEFERRED;
	return true;
}

static const struct msi_parent_ops hvpci_msi_parent_ops = {
	.required_flags		= MSI_FLAG_USE_DEF_DOM_OPS |
				  MSI_FLAG_USE_DEF_CHIP_OPS |
				  MSI_FLAG_PCI_MSI_MASK_PARENT,
	.supported_flags	= MSI_GENERIC_FLAGS_MASK |
				  MSI_FLAG_MULTI_PCI_MSI | MSI_FLAG_PCI_MSIX |
				  MSI_FLAG_PCI_MSIX_ALLOC_DYN,
	.bus_select_token	= DOMAIN_BUS_PCI_MSI,
	.chip_flags		= MSI_CHIP_FLAG_SET_ACK,
	.prefix			= "hvpci-",
	.init_dev_msi_info	= hvpci_init_dev_msi_info,
};

static int hvpci_domain_alloc(struct irq_domain *d, unsigned int virq,
			      unsigned int nr_irqs, void *arg)
{
	unsigned int i;
	int ret;

	ret = irq_domain_alloc_irqs_parent(d, virq, nr_irqs, arg);
	if (ret < 0)
		return ret;
	for (i = 0; i < nr_irqs; i++) {
		irq_domain_set_hwirq_and_chip(d, virq + i, 0, &hvpci_msi_chip,
					      NULL);
		__irq_set_handler(virq + i, handle_edge_irq, 0, "edge");
	}
	return 0;
}

static void hvpci_domain_free(struct irq_domain *d, unsigned int virq,
			      unsigned int nr_irqs)
{
	unsigned int i;

	for (i = 0; i < nr_irqs; i++)
		hvpci_irq_release(d->host_data,
				  irq_domain_get_irq_data(d, virq + i));
	irq_domain_free_irqs_top(d, virq, nr_irqs);
}

static const struct irq_domain_ops hvpci_domain_ops = {
	.alloc	= hvpci_domain_alloc,
	.free	= hvpci_domain_free,
};

struct irq_domain *hvpci_msi_domain_create(struct hvpci_bus *bus,
					   struct fwnode_handle *fwnode)
{
	struct irq_domain_info info = {
		.fwnode		= fwnode,
		.ops		= &hvpci_domain_ops,
		.host_data	= bus,
		.parent		= x86_vector_domain,
	};

	return msi_create_parent_irq_domain(&info, &hvpci_msi_parent_ops);
}

void hvpci_msi_mask(struct irq_data *data)
{
}

void hvpci_msi_unmask(struct irq_data *data)
{
}
#else
static void hvpci_msi_free(struct irq_domain *domain,
			   struct msi_domain_info *info, unsigned int irq)
{
	hvpci_irq_release(info->data, irq_domain_get_irq_data(domain, irq));
}

static struct msi_domain_ops hvpci_msi_ops = {
	.msi_prepare	= hvpci_msi_prepare,
	.msi_free	= hvpci_msi_free,
};

struct irq_domain *hvpci_msi_domain_create(struct hvpci_bus *bus,
					   struct fwnode_handle *fwnode)
{
	struct msi_domain_info *info = &bus->msi_info;

	info->chip = &hvpci_msi_chip;
	info->ops = &hvpci_msi_ops;
	info->flags = MSI_FLAG_USE_DEF_DOM_OPS | MSI_FLAG_USE_DEF_CHIP_OPS |
		      MSI_FLAG_MULTI_PCI_MSI | MSI_FLAG_PCI_MSIX;
	info->handler = handle_edge_irq;
	info->handler_name = "edge";
	info->data = bus;
	return pci_msi_create_irq_domain(fwnode, info, x86_vector_domain);
}

void hvpci_msi_mask(struct irq_data *data)
{
	pci_msi_mask_irq(data);
}

void hvpci_msi_unmask(struct irq_data *data)
{
	pci_msi_unmask_irq(data);
}
#endif

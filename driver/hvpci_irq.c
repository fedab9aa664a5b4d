// SPDX-License-Identifier: GPL-2.0
/*
 * hvpci interrupt layer (x86): an MSI/MSI-X irq domain on top of the
 * x86 vector domain.
 *
 * Devices behind vPCI cannot write to the local APIC directly.  For every
 * vector the guest asks the host (create interrupt) for an address/data
 * pair that the hypervisor's interrupt remapping turns into that vector;
 * that pair is what goes into the device's MSI registers.  Moving the
 * interrupt to other CPUs is a retarget hypercall, made on unmask, which
 * the irq core calls after every affinity change.  How the domain is
 * built differs between kernels (MSI parent domain or not): that part is
 * in hvpci_kapi.c.
 */
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/slab.h>
#include <asm/apic.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>
#include <asm/mshyperv.h>

#include "hvpci.h"

/* First vector Linux hands out; the host ignores it for multi-MSI. */
#define HVPCI_MULTI_MSI_VECTOR	FIRST_EXTERNAL_VECTOR

static void hvpci_int_release(struct hvpci_child *child,
			      struct hvpci_wire_int *desc)
{
	struct hvpci_msg_delete_int msg = {
		.hdr.type = HVPCI_MSG_DELETE_INTERRUPT,
		.wslot = child->desc.f.wslot,
		.desc = *desc,
	};

	/* Only descriptors the host created (count != 0) are deleted. */
	if (desc->vector_count)
		hvpci_send_oneway(child->bus, &msg, sizeof(msg));
	kfree(desc);
}

static struct hvpci_bus *hvpci_irq_bus(struct irq_data *data,
				       struct pci_dev **pdev)
{
	*pdev = msi_desc_to_pci_dev(irq_data_get_msi_desc(data));
	return hvpci_bus_of((*pdev)->bus);
}

static u32 hvpci_device_id(struct hvpci_bus *bus, struct pci_dev *pdev)
{
	const guid_t *g = &bus->hdev->dev_instance;

	/* The hypervisor names a vPCI function by its bus GUID and function. */
	return (g->b[5] << 24) | (g->b[4] << 16) | (g->b[7] << 8) |
	       (g->b[6] & 0xf8) | PCI_FUNC(pdev->devfn);
}

static void hvpci_retarget(struct irq_data *data)
{
	struct hvpci_wire_int *desc = irq_data_get_irq_chip_data(data);
	const struct cpumask *dest = irq_data_get_effective_affinity_mask(data);
	struct hv_retarget_device_interrupt *params;
	struct hvpci_bus *bus;
	struct pci_dev *pdev;
	cpumask_var_t online;
	unsigned long flags;
	u64 status = HV_STATUS_INVALID_PARAMETER;
	int nr_bank, cpu, vp;
	u64 var_size = 0;

	bus = hvpci_irq_bus(data, &pdev);
	if (!desc) {
		dev_warn_ratelimited(&bus->hdev->device,
				     "irq %u unmasked before it was composed\n",
				     data->irq);
		return;
	}
	if (!alloc_cpumask_var(&online, GFP_ATOMIC))
		goto report;
	cpumask_and(online, dest, cpu_online_mask);

	local_irq_save(flags);
	params = hvpci_hv_input_page();
	memset(params, 0, sizeof(*params));
	params->partition_id = HV_PARTITION_ID_SELF;
	params->int_entry.source = HVPCI_HV_SOURCE_MSI;
	/* Address in the low half, data in the high half. */
	params->int_entry.msi_entry.as_uint64 =
		(u64)desc->data << 32 | lower_32_bits(desc->address);
	params->device_id = hvpci_device_id(bus, pdev);
	params->int_target.vector = irqd_cfg(data)->vector;

	if (bus->version >= HVPCI_PROTO_1_2) {
		/* A VP set: works past 64 vCPUs. */
		params->int_target.flags |= HV_DEVICE_INTERRUPT_TARGET_PROCESSOR_SET;
		nr_bank = cpumask_to_vpset(&params->int_target.vp_set, online);
		if (nr_bank <= 0) {
			local_irq_restore(flags);
			free_cpumask_var(online);
			goto report;
		}
		/* The variable header starts after vp_mask's format word. */
		var_size = 1 + nr_bank;
	} else {
		for_each_cpu(cpu, online) {
			vp = hv_cpu_number_to_vp_number(cpu);
			if (vp < 64)
				params->int_target.vp_mask |= BIT_ULL(vp);
		}
	}
	status = hv_do_hypercall(HVCALL_RETARGET_INTERRUPT | (var_size << 17),
				 params, NULL);
	local_irq_restore(flags);
	free_cpumask_var(online);

report:
	/* While the bus goes away the channel may already be closed. */
	if (!hv_result_success(status) && bus->state != HVPCI_BUS_REMOVING)
		dev_err_ratelimited(&bus->hdev->device,
				    "retargeting irq %u failed: %#llx\n",
				    data->irq, status);
}

static void hvpci_irq_mask(struct irq_data *data)
{
	hvpci_msi_mask(data);
	if (data->parent_data->chip->irq_mask)
		irq_chip_mask_parent(data);
}

static void hvpci_irq_unmask(struct irq_data *data)
{
	/*
	 * Without a descriptor from the host the device holds no message
	 * the host would remap (compose failed and wrote zeros): it stays
	 * masked rather than write to address zero.
	 */
	if (!irq_data_get_irq_chip_data(data)) {
		dev_err_ratelimited(&msi_desc_to_pci_dev(irq_data_get_msi_desc(data))->dev,
				    "irq %u has no interrupt from the host: left masked\n",
				    data->irq);
		return;
	}
	hvpci_retarget(data);
	if (data->parent_data->chip->irq_unmask)
		irq_chip_unmask_parent(data);
	hvpci_msi_unmask(data);
}

/* @req->ctx: the descriptor to fill, its vector_count what was asked for. */
static const char *hvpci_create_int_done(struct hvpci_req *req,
					 const void *reply, u32 len)
{
	struct hvpci_wire_int *desc = req->ctx;
	const char *why;

	if (hvpci_msg_create_int(reply, len, desc->vector_count, &req->status,
				 desc, &why))
		return why;
	return NULL;
}

/* Spread multi-MSI blocks over the CPUs; single vectors are retargeted. */
static int hvpci_next_cpu(void)
{
	static DEFINE_SPINLOCK(lock);
	static int last = -1;
	unsigned long flags;
	int cpu;

	spin_lock_irqsave(&lock, flags);
	cpu = cpumask_next(last, cpu_online_mask);
	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	last = cpu;
	spin_unlock_irqrestore(&lock, flags);
	return cpu;
}

union hvpci_create_int_msg {
	struct hvpci_msg_create_int1 v1;
	struct hvpci_msg_create_int2 v2;
	struct hvpci_msg_create_int3 v3;
};

static u32 hvpci_build_create_int(struct hvpci_bus *bus,
				  union hvpci_create_int_msg *m, u32 wslot,
				  u32 vector, u16 count, int cpu)
{
	u16 vp = hv_cpu_number_to_vp_number(cpu);

	memset(m, 0, sizeof(*m));
	switch (bus->version) {
	case HVPCI_PROTO_1_1:
		m->v1.hdr.type = HVPCI_MSG_CREATE_INTERRUPT;
		m->v1.wslot = wslot;
		m->v1.desc.vector = vector;
		m->v1.desc.vector_count = count;
		m->v1.desc.delivery_mode = HVPCI_DELIVERY_FIXED;
		/* Any CPU for now; unmask retargets it. */
		m->v1.desc.cpu_mask = U64_MAX;
		return sizeof(m->v1);
	case HVPCI_PROTO_1_2:
	case HVPCI_PROTO_1_3:
		m->v2.hdr.type = HVPCI_MSG_CREATE_INTERRUPT2;
		m->v2.wslot = wslot;
		m->v2.desc.vector = vector;
		m->v2.desc.vector_count = count;
		m->v2.desc.delivery_mode = HVPCI_DELIVERY_FIXED;
		m->v2.desc.processor_count = 1;
		m->v2.desc.processor_array[0] = vp;
		return sizeof(m->v2);
	default:
		m->v3.hdr.type = HVPCI_MSG_CREATE_INTERRUPT3;
		m->v3.wslot = wslot;
		m->v3.desc.vector = vector;
		m->v3.desc.vector_count = count;
		m->v3.desc.delivery_mode = HVPCI_DELIVERY_FIXED;
		m->v3.desc.processor_count = 1;
		m->v3.desc.processor_array[0] = vp;
		return sizeof(m->v3);
	}
}

static void hvpci_fill_msg(struct msi_msg *msg, const struct hvpci_wire_int *d)
{
	msg->address_hi = upper_32_bits(d->address);
	msg->address_lo = lower_32_bits(d->address);
	msg->data = d->data;
}

/* The host took the function away: its config space reads all ones. */
static bool hvpci_child_gone(void *ctx)
{
	return hvpci_cfg_vendor(ctx) == 0xffff;
}

/* Called with the irq descriptor locked: must not sleep. */
static void hvpci_compose_msi_msg(struct irq_data *data, struct msi_msg *msg)
{
	struct msi_desc *mdesc = irq_data_get_msi_desc(data);
	bool multi = !hvpci_msi_desc_is_msix(mdesc) && mdesc->nvec_used > 1;
	struct hvpci_wire_int *desc = irq_data_get_irq_chip_data(data);
	union hvpci_create_int_msg m;
	struct hvpci_child *child;
	struct hvpci_req req;
	struct hvpci_bus *bus;
	struct pci_dev *pdev;
	u16 count = 1;
	u32 vector, len;
	int cpu, ret;

	/* A multi-MSI block is created once, for all its vectors. */
	if (desc && multi) {
		hvpci_fill_msg(msg, desc);
		return;
	}

	bus = hvpci_irq_bus(data, &pdev);
	child = hvpci_child_get(bus, hvpci_devfn_to_wslot(pdev->devfn));
	if (!child)
		goto empty;

	if (desc) {
		data->chip_data = NULL;
		hvpci_int_release(child, desc);
	}
	desc = kzalloc(sizeof(*desc), GFP_ATOMIC);
	if (!desc)
		goto put;

	if (multi) {
		if (mdesc->irq != data->irq) {
			/* Not the first vector: follows the first one's data. */
			desc->address = (u64)mdesc->msg.address_hi << 32 |
					mdesc->msg.address_lo;
			desc->data = mdesc->msg.data + (data->irq - mdesc->irq);
			data->chip_data = desc;
			hvpci_fill_msg(msg, desc);
			hvpci_child_put(child);
			return;
		}
		vector = HVPCI_MULTI_MSI_VECTOR;
		count = mdesc->nvec_used;
		cpu = hvpci_next_cpu();
	} else {
		vector = irqd_cfg(data)->vector;
		cpu = cpumask_first_and(irq_data_get_effective_affinity_mask(data),
					cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}

	/* One spin per allocation at most: see hvpci_irq_prepare(). */
	if (READ_ONCE(bus->irq_stalled)) {
		kfree(desc);
		goto put;
	}
	len = hvpci_build_create_int(bus, &m, child->desc.f.wslot, vector, count,
				     cpu);
	hvpci_req_init(&req, hvpci_create_int_done);
	desc->vector_count = count;
	req.ctx = desc;
	ret = hvpci_send_poll(bus, &m, len, &req, hvpci_child_gone, child);
	if (ret == -ETIMEDOUT)
		WRITE_ONCE(bus->irq_stalled, true);
	if (ret || req.status < 0) {
		dev_err_ratelimited(&bus->hdev->device,
				    "slot %#x: host refused an interrupt: %d/%#x\n",
				    child->desc.f.wslot, ret, req.status);
		kfree(desc);
		goto put;
	}

	data->chip_data = desc;
	hvpci_fill_msg(msg, desc);
	hvpci_child_put(child);
	return;

put:
	hvpci_child_put(child);
empty:
	memset(msg, 0, sizeof(*msg));
}

/*
 * Before the vectors of an allocation are set up (sleepable; the compose of
 * each vector later is not): one create interrupt for the function, waited
 * for asleep, and deleted again.  A host that does not answer or refuses it
 * fails the allocation here, so the device's driver sees an error instead
 * of interrupts that spin with interrupts off in compose and end up
 * without a message.  A compose that still times out marks the bus so that
 * the rest of that allocation's vectors fail at once.
 */
int hvpci_irq_prepare(struct pci_dev *pdev)
{
	struct hvpci_bus *bus = hvpci_bus_of(pdev->bus);
	union hvpci_create_int_msg m;
	struct hvpci_wire_int *desc;
	struct hvpci_child *child;
	struct hvpci_req req;
	int ret;
	u32 len;

	child = hvpci_child_get(bus, hvpci_devfn_to_wslot(pdev->devfn));
	if (!child)
		return -ENODEV;
	desc = kzalloc(sizeof(*desc), GFP_KERNEL);
	if (!desc) {
		ret = -ENOMEM;
		goto put;
	}
	WRITE_ONCE(bus->irq_stalled, false);
	len = hvpci_build_create_int(bus, &m, child->desc.f.wslot,
				     HVPCI_MULTI_MSI_VECTOR, 1,
				     cpumask_first(cpu_online_mask));
	hvpci_req_init(&req, hvpci_create_int_done);
	desc->vector_count = 1;
	req.ctx = desc;
	ret = hvpci_send_wait(bus, &m, len, &req);
	if (!ret && req.status < 0)
		ret = -EIO;
	if (ret) {
		dev_err(&bus->hdev->device,
			"slot %#x: host does not create interrupts (%d/%#x): MSI allocation failed\n",
			child->desc.f.wslot, ret, req.status);
		kfree(desc);
		goto put;
	}
	hvpci_int_release(child, desc);
put:
	hvpci_child_put(child);
	return ret;
}

/*
 * Resume: the host forgot every interrupt at D0 exit, and the PCI core will
 * write the cached messages back into the devices.  Each vector of the bus
 * that had a descriptor gets a new one from the host, and its message is
 * cached for that.  The old descriptors go without a delete: the host has
 * none.  Vectors go in irq number order, so a multi-MSI block is created
 * with its first and the others follow its message.
 */
void hvpci_irq_restore(struct hvpci_bus *bus)
{
	unsigned int irq, nr = irq_get_nr_irqs(), n = 0, failed = 0;
	struct msi_desc *mdesc;
	struct irq_data *data;
	struct msi_msg msg;

	for (irq = 0; irq < nr; irq++) {
		data = irq_get_irq_data(irq);
		while (data && data->domain != bus->irq_domain)
			data = data->parent_data;
		if (!data || !data->chip_data)
			continue;
		kfree(data->chip_data);
		data->chip_data = NULL;
		hvpci_compose_msi_msg(data, &msg);
		mdesc = irq_data_get_msi_desc(data);
		if (mdesc && mdesc->irq == irq)
			mdesc->msg = msg;
		n++;
		if (!data->chip_data)
			failed++;
	}
	if (n)
		dev_info(&bus->hdev->device,
			 "resume: %u interrupts in use created again, %u failed\n",
			 n, failed);
}

/* An interrupt of @bus is freed: the host forgets its descriptor. */
void hvpci_irq_release(struct hvpci_bus *bus, struct irq_data *data)
{
	struct hvpci_wire_int *desc = irq_data_get_irq_chip_data(data);
	struct hvpci_child *child;
	struct pci_dev *pdev;

	if (!desc)
		return;
	data->chip_data = NULL;
	pdev = msi_desc_to_pci_dev(irq_data_get_msi_desc(data));
	child = hvpci_child_get(bus, hvpci_devfn_to_wslot(pdev->devfn));
	if (!child) {
		kfree(desc);
		return;
	}
	hvpci_int_release(child, desc);
	hvpci_child_put(child);
}

struct irq_chip hvpci_msi_chip = {
	.name			= "hvpci MSI",
	.irq_compose_msi_msg	= hvpci_compose_msi_msg,
	.irq_set_affinity	= irq_chip_set_affinity_parent,
	.irq_retrigger		= irq_chip_retrigger_hierarchy,
	.irq_ack		= irq_chip_ack_parent,
	.irq_mask		= hvpci_irq_mask,
	.irq_unmask		= hvpci_irq_unmask,
};

int hvpci_irq_domain_create(struct hvpci_bus *bus)
{
	bus->irq_domain = hvpci_msi_domain_create(bus, bus->fwnode);
	if (!bus->irq_domain) {
		dev_err(&bus->hdev->device, "cannot create the MSI irq domain\n");
		return -ENODEV;
	}
	/*
	 * Newer PCI cores give the root bus the MSI domain set on the host
	 * bridge device; 5.10 looks it up only by the fwnode in x86's
	 * pci_sysdata.  Without that the devices get the native x86 MSI
	 * domain: no create interrupt is sent, and the host drops every
	 * message with an address/data it never handed out.
	 */
	bus->sysdata.fwnode = bus->fwnode;
	dev_set_msi_domain(&bus->bridge->dev, bus->irq_domain);
	return 0;
}

void hvpci_irq_domain_remove(struct hvpci_bus *bus)
{
	irq_domain_remove(bus->irq_domain);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvpci hot-plug layer: bus relations (which functions exist) and eject.
 *
 * The host sends the complete list of functions each time something
 * changes.  Lists are queued from the channel callback and handled in the
 * bus's ordered workqueue; only the newest list matters, older ones that
 * are still queued are dropped.  A function missing from the newest list
 * is gone: its pci_dev is removed on the next scan.  An eject request
 * removes the pci_dev at once and then tells the host it is done.
 */
#include <linux/slab.h>

#include "hvpci.h"

struct hvpci_relations_work {
	struct work_struct work;
	struct hvpci_bus *bus;
};

static void hvpci_resource_reqs_done(struct hvpci_req *req,
				     const struct hvpci_resp *resp, u32 len)
{
	const struct hvpci_resp_resource_reqs *r = (const void *)resp;
	struct hvpci_child *child = req->ctx;

	req->status = resp->status;
	if (len < sizeof(*r)) {
		req->status = -1;
		return;
	}
	if (resp->status >= 0)
		memcpy(child->probed_bar, r->probed_bar,
		       sizeof(child->probed_bar));
}

/* Learn a new function's BAR sizes and add it to the bus's list. */
struct hvpci_child *hvpci_child_new(struct hvpci_bus *bus,
				    const struct hvpci_desc *desc)
{
	struct hvpci_msg_child msg = {
		.hdr.type = HVPCI_MSG_QUERY_RESOURCE_REQS,
		.wslot = desc->wslot,
	};
	struct hvpci_child *child;
	struct hvpci_req req;
	unsigned long flags;
	int ret;

	child = kzalloc(sizeof(*child), GFP_KERNEL);
	if (!child)
		return NULL;
	child->bus = bus;
	child->desc = *desc;

	hvpci_req_init(&req, hvpci_resource_reqs_done);
	req.ctx = child;
	ret = hvpci_send_wait(bus, &msg, sizeof(msg), &req);
	if (ret || req.status < 0) {
		dev_err(&bus->hdev->device,
			"slot %#x: resource requirements query failed: %d/%#x\n",
			desc->wslot, ret, req.status);
		kfree(child);
		return NULL;
	}

	/* One reference for the list, one for the caller. */
	refcount_set(&child->refs, 2);
	spin_lock_irqsave(&bus->list_lock, flags);
	list_add_tail(&child->node, &bus->children);
	spin_unlock_irqrestore(&bus->list_lock, flags);
	return child;
}

static bool hvpci_same_function(const struct hvpci_desc *a,
				const struct hvpci_desc *b)
{
	return a->wslot == b->wslot && a->vendor == b->vendor &&
	       a->device == b->device && a->serial == b->serial;
}

static void hvpci_drop_missing(struct hvpci_bus *bus)
{
	struct hvpci_child *child, *tmp;
	unsigned long flags;
	LIST_HEAD(gone);

	spin_lock_irqsave(&bus->list_lock, flags);
	list_for_each_entry_safe(child, tmp, &bus->children, node)
		if (child->missing)
			list_move_tail(&child->node, &gone);
	spin_unlock_irqrestore(&bus->list_lock, flags);

	list_for_each_entry_safe(child, tmp, &gone, node) {
		list_del(&child->node);
		if (child->slot)
			pci_destroy_slot(child->slot);
		dev_info(&bus->hdev->device, "slot %#x (%04x:%04x) removed\n",
			 child->desc.wslot, child->desc.vendor,
			 child->desc.device);
		hvpci_child_put(child);
	}
}

static void hvpci_apply_relations(struct hvpci_bus *bus,
				  struct hvpci_relations *rel)
{
	struct hvpci_child *child;
	unsigned long flags;
	bool known;
	u32 i;

	spin_lock_irqsave(&bus->list_lock, flags);
	list_for_each_entry(child, &bus->children, node)
		child->missing = true;
	spin_unlock_irqrestore(&bus->list_lock, flags);

	for (i = 0; i < rel->count; i++) {
		known = false;
		spin_lock_irqsave(&bus->list_lock, flags);
		list_for_each_entry(child, &bus->children, node) {
			if (hvpci_same_function(&child->desc, &rel->func[i])) {
				child->missing = false;
				known = true;
			}
		}
		spin_unlock_irqrestore(&bus->list_lock, flags);

		if (known)
			continue;
		child = hvpci_child_new(bus, &rel->func[i]);
		if (!child)
			continue;
		/* Hot add: the bus went through D0 long ago. */
		if (bus->state == HVPCI_BUS_INSTALLED)
			hvpci_child_assigned(bus, child);
		hvpci_child_put(child);
	}

	hvpci_drop_missing(bus);

	switch (bus->state) {
	case HVPCI_BUS_INSTALLED:
		pci_lock_rescan_remove();
		pci_scan_child_bus(bus->bridge->bus);
		hvpci_assign_numa(bus);
		hvpci_create_slots(bus);
		pci_bus_assign_resources(bus->bridge->bus);
		pci_bus_add_devices(bus->bridge->bus);
		pci_unlock_rescan_remove();
		break;
	case HVPCI_BUS_INIT:
	case HVPCI_BUS_PROBED:
		hvpci_survey_resources(bus);
		break;
	default:
		break;
	}
}

static void hvpci_relations_work(struct work_struct *work)
{
	struct hvpci_relations_work *rw =
		container_of(work, struct hvpci_relations_work, work);
	struct hvpci_bus *bus = rw->bus;
	struct hvpci_relations *rel = NULL, *old;
	unsigned long flags;

	kfree(rw);

	spin_lock_irqsave(&bus->list_lock, flags);
	while (!list_empty(&bus->relations)) {
		old = rel;
		rel = list_first_entry(&bus->relations, struct hvpci_relations,
				       node);
		list_del(&rel->node);
		kfree(old);
	}
	spin_unlock_irqrestore(&bus->list_lock, flags);

	if (!rel)
		return;

	mutex_lock(&bus->state_lock);
	hvpci_apply_relations(bus, rel);
	mutex_unlock(&bus->state_lock);
	kfree(rel);
}

static void hvpci_copy_func(struct hvpci_desc *d, const struct hvpci_wire_func *f)
{
	d->vendor = f->vendor;
	d->device = f->device;
	d->revision = f->revision;
	d->prog_if = f->prog_if;
	d->subclass = f->subclass;
	d->base_class = f->base_class;
	d->subsystem = f->subsystem;
	d->wslot = f->wslot;
	d->serial = f->serial;
}

/* Channel callback context: copy, queue, and let the workqueue do the rest. */
void hvpci_on_relations(struct hvpci_bus *bus, const struct hvpci_in_hdr *msg,
			u32 len)
{
	const struct hvpci_in_relations2 *r2 = (const void *)msg;
	const struct hvpci_in_relations *r1 = (const void *)msg;
	bool v2 = msg->hdr.type == HVPCI_MSG_BUS_RELATIONS2;
	struct hvpci_relations *rel;
	struct hvpci_relations_work *work;
	unsigned long flags;
	bool queued;
	u32 i, count;

	if (len < sizeof(*r1)) {
		dev_err(&bus->hdev->device, "short bus relations message\n");
		return;
	}
	count = r1->count;
	if ((v2 && len < struct_size(r2, func, count)) ||
	    (!v2 && len < struct_size(r1, func, count))) {
		dev_err(&bus->hdev->device,
			"bus relations for %u functions in %u bytes\n",
			count, len);
		return;
	}
	if (bus->state == HVPCI_BUS_REMOVING)
		return;

	rel = kzalloc(struct_size(rel, func, count), GFP_ATOMIC);
	work = kzalloc(sizeof(*work), GFP_ATOMIC);
	if (!rel || !work) {
		kfree(rel);
		kfree(work);
		return;
	}
	rel->count = count;
	for (i = 0; i < count; i++) {
		if (v2) {
			hvpci_copy_func(&rel->func[i], &r2->func[i].f);
			rel->func[i].flags = r2->func[i].flags;
			rel->func[i].numa_node = r2->func[i].numa_node;
		} else {
			hvpci_copy_func(&rel->func[i], &r1->func[i]);
		}
	}

	spin_lock_irqsave(&bus->list_lock, flags);
	queued = !list_empty(&bus->relations);
	list_add_tail(&rel->node, &bus->relations);
	spin_unlock_irqrestore(&bus->list_lock, flags);

	/* A work item already queued will pick this list up. */
	if (queued) {
		kfree(work);
		return;
	}
	work->bus = bus;
	INIT_WORK(&work->work, hvpci_relations_work);
	queue_work(bus->wq, &work->work);
}

static void hvpci_eject_work(struct work_struct *work)
{
	struct hvpci_child *child = container_of(work, struct hvpci_child,
						 eject_work);
	struct hvpci_bus *bus = child->bus;
	struct hvpci_msg_eject_done msg = {
		.hdr.type = HVPCI_MSG_EJECTION_COMPLETE,
		.wslot = child->desc.wslot,
	};
	struct pci_dev *pdev;
	unsigned long flags;

	mutex_lock(&bus->state_lock);
	pdev = pci_get_domain_bus_and_slot(bus->bridge->domain_nr, 0,
					   hvpci_wslot_to_devfn(child->desc.wslot));
	if (pdev) {
		pci_lock_rescan_remove();
		pci_stop_and_remove_bus_device(pdev);
		pci_dev_put(pdev);
		pci_unlock_rescan_remove();
	}

	spin_lock_irqsave(&bus->list_lock, flags);
	list_del(&child->node);
	spin_unlock_irqrestore(&bus->list_lock, flags);
	if (child->slot)
		pci_destroy_slot(child->slot);

	hvpci_send_oneway(bus, &msg, sizeof(msg));
	dev_info(&bus->hdev->device, "slot %#x ejected\n", child->desc.wslot);

	/* The list's reference and the one taken in hvpci_on_eject(). */
	hvpci_child_put(child);
	hvpci_child_put(child);
	mutex_unlock(&bus->state_lock);
}

void hvpci_on_eject(struct hvpci_bus *bus, u32 wslot)
{
	struct hvpci_child *child;

	if (bus->state == HVPCI_BUS_REMOVING)
		return;
	child = hvpci_child_get(bus, wslot);
	if (!child)
		return;
	/* The reference from hvpci_child_get() goes with the work item. */
	INIT_WORK(&child->eject_work, hvpci_eject_work);
	queue_work(bus->wq, &child->eject_work);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvpci hot-plug layer: bus relations (which functions exist) and eject,
 * and the bus's list of functions: this file adds, looks up, unlinks and
 * frees them.
 *
 * The host sends the complete list of functions each time something
 * changes.  Lists are queued from the channel callback and handled in the
 * bus's ordered workqueue; only the newest list matters, older ones that
 * are still queued are dropped.  A function missing from the newest list
 * is gone, and its pci_dev with it, before the functions new in the list
 * are added and scanned.  An eject request removes the pci_dev at once and
 * then tells the host it is done; one that comes while the function is
 * still being added waits for that to finish.
 */
#include <linux/slab.h>

#include "hvpci.h"

struct hvpci_relations_work {
	struct work_struct work;
	struct hvpci_bus *bus;
};

/* Functions: the bus's list and the lifetime of each entry */

struct hvpci_child *hvpci_child_get(struct hvpci_bus *bus, u32 wslot)
{
	struct hvpci_child *child, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&bus->list_lock, flags);
	list_for_each_entry(child, &bus->children, node) {
		if (child->desc.f.wslot == wslot) {
			refcount_inc(&child->refs);
			found = child;
			break;
		}
	}
	spin_unlock_irqrestore(&bus->list_lock, flags);
	return found;
}

void hvpci_child_put(struct hvpci_child *child)
{
	if (refcount_dec_and_test(&child->refs))
		kfree(child);
}

/*
 * Take @child off the bus's list: the one place a function is unlinked.
 * True for the one caller that did: it then owns the list's reference.
 * Relations, eject and teardown may each try; only the first one unlinks.
 */
static bool hvpci_child_unlink(struct hvpci_bus *bus, struct hvpci_child *child)
{
	unsigned long flags;
	bool linked;

	spin_lock_irqsave(&bus->list_lock, flags);
	linked = !list_empty(&child->node);
	list_del_init(&child->node);
	spin_unlock_irqrestore(&bus->list_lock, flags);
	return linked;
}

/*
 * Free every function the bus still lists.  Only for a bus whose channel
 * callback and workqueue are stopped and whose pci_devs are gone: nothing
 * looks a function up or queues work on one any more.
 */
void hvpci_children_free(struct hvpci_bus *bus)
{
	struct hvpci_child *child;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&bus->list_lock, flags);
		child = list_first_entry_or_null(&bus->children,
						 struct hvpci_child, node);
		if (child)
			refcount_inc(&child->refs);
		spin_unlock_irqrestore(&bus->list_lock, flags);
		if (!child)
			return;
		if (hvpci_child_unlink(bus, child)) {
			if (child->slot)
				pci_destroy_slot(child->slot);
			hvpci_child_put(child);
		}
		hvpci_child_put(child);
	}
}

static const char *hvpci_resource_reqs_done(struct hvpci_req *req,
					    const void *reply, u32 len)
{
	struct hvpci_child *child = req->ctx;
	const char *why;

	if (hvpci_msg_resource_reqs(reply, len, &req->status, &child->bars,
				    &why))
		return why;
	return NULL;
}

/*
 * Learn a new function's BAR sizes and add it to the bus's list: the one
 * place a function is linked.
 */
static struct hvpci_child *
hvpci_child_new(struct hvpci_bus *bus, const struct hvpci_wire_func2 *desc)
{
	struct hvpci_msg_child msg = {
		.hdr.type = HVPCI_MSG_QUERY_RESOURCE_REQS,
		.wslot = desc->f.wslot,
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
			desc->f.wslot, ret, req.status);
		kfree(child);
		return NULL;
	}
	if (child->bars.io)
		dev_warn(&bus->hdev->device,
			 "slot %#x: I/O BARs (mask %#x) are not placed: vPCI has no I/O space\n",
			 desc->f.wslot, child->bars.io);
	INIT_LIST_HEAD(&child->node);

	/* One reference for the list, one for the caller. */
	refcount_set(&child->refs, 2);
	spin_lock_irqsave(&bus->list_lock, flags);
	list_add_tail(&child->node, &bus->children);
	spin_unlock_irqrestore(&bus->list_lock, flags);
	return child;
}

static bool hvpci_same_function(const struct hvpci_wire_func *a,
				const struct hvpci_wire_func *b)
{
	return a->wslot == b->wslot && a->vendor == b->vendor &&
	       a->device == b->device && a->serial == b->serial;
}

/*
 * Take a function off the bus: its pci_dev first (its driver lets go, its
 * interrupts are deleted while the function can still be looked up), then
 * the function itself.  Relations, eject and teardown may each get here;
 * only the first one unlinks and drops the list's reference.  Called with
 * state_lock held.
 */
static void hvpci_remove_function(struct hvpci_bus *bus,
				  struct hvpci_child *child)
{
	struct pci_dev *pdev;

	if (bus->bridge->bus) {
		pdev = pci_get_domain_bus_and_slot(bus->bridge->domain_nr, 0,
						   hvpci_wslot_to_devfn(child->desc.f.wslot));
		if (pdev) {
			pci_lock_rescan_remove();
			pci_stop_and_remove_bus_device(pdev);
			pci_dev_put(pdev);
			pci_unlock_rescan_remove();
		}
	}
	if (hvpci_child_unlink(bus, child)) {
		if (child->slot)
			pci_destroy_slot(child->slot);
		hvpci_child_put(child);
	}
}

/*
 * Functions the newest relations no longer list are gone: their pci_dev
 * goes with them, so that a function listed again at the same slot later
 * is scanned and bound afresh.  A function whose eject is queued is left
 * to the eject work: it removes it and tells the host the eject is done.
 */
static void hvpci_drop_missing(struct hvpci_bus *bus)
{
	struct hvpci_child *child, *found;
	unsigned long flags;

	for (;;) {
		found = NULL;
		spin_lock_irqsave(&bus->list_lock, flags);
		list_for_each_entry(child, &bus->children, node) {
			if (child->missing &&
			    hvpci_msg_fn_step(&child->eject_queued,
					      HVPCI_FN_UNLISTED) == HVPCI_FN_REMOVE) {
				child->missing = false;
				refcount_inc(&child->refs);
				found = child;
				break;
			}
		}
		spin_unlock_irqrestore(&bus->list_lock, flags);
		if (!found)
			return;

		hvpci_remove_function(bus, found);
		dev_info(&bus->hdev->device, "slot %#x (%04x:%04x) removed\n",
			 found->desc.f.wslot, found->desc.f.vendor,
			 found->desc.f.device);
		hvpci_child_put(found);
	}
}

/* Whether @rel lists other functions than the bus has. */
static bool hvpci_relations_changed(struct hvpci_bus *bus,
				    const struct hvpci_relations *rel)
{
	struct hvpci_child *child;
	unsigned long flags;
	u32 i, found = 0;
	bool listed;

	spin_lock_irqsave(&bus->list_lock, flags);
	list_for_each_entry(child, &bus->children, node) {
		listed = false;
		for (i = 0; i < rel->count; i++)
			if (hvpci_same_function(&child->desc.f, &rel->func[i].f))
				listed = true;
		if (!listed)
			break;
		found++;
	}
	spin_unlock_irqrestore(&bus->list_lock, flags);
	return found != rel->count;
}

static void hvpci_apply_relations(struct hvpci_bus *bus,
				  struct hvpci_relations *rel)
{
	struct hvpci_child *child;
	unsigned long flags;
	bool known;
	u32 i;

	/*
	 * Resume: the devices the PCI core is about to restore must find
	 * their functions as they were; a change is taken up as hot-plug
	 * once the bus is back (hvpci_resume()).
	 */
	if (bus->state == HVPCI_BUS_RESUMING) {
		if (hvpci_relations_changed(bus, rel))
			bus->resume_changed = true;
		hvpci_survey_resources(bus);
		return;
	}

	/* What the list names stays; everything else is gone. */
	spin_lock_irqsave(&bus->list_lock, flags);
	list_for_each_entry(child, &bus->children, node) {
		child->missing = true;
		for (i = 0; i < rel->count; i++)
			if (hvpci_same_function(&child->desc.f,
						&rel->func[i].f))
				child->missing = false;
	}
	spin_unlock_irqrestore(&bus->list_lock, flags);

	/*
	 * Before anything is added: a new function at the slot of one that
	 * went must not meet the old one's pci_dev or be found in its place.
	 */
	hvpci_drop_missing(bus);

	for (i = 0; i < rel->count; i++) {
		known = false;
		spin_lock_irqsave(&bus->list_lock, flags);
		list_for_each_entry(child, &bus->children, node) {
			if (hvpci_same_function(&child->desc.f,
						&rel->func[i].f))
				known = true;
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

/* Channel callback context: copy, queue, and let the workqueue do the rest. */
static void hvpci_on_relations(struct hvpci_bus *bus,
			       const struct hvpci_msg_in *in)
{
	struct hvpci_relations *rel;
	struct hvpci_relations_work *work;
	unsigned long flags;
	bool queued;
	u32 i;

	if (bus->state == HVPCI_BUS_REMOVING)
		return;

	rel = kzalloc(struct_size(rel, func, in->count), GFP_ATOMIC);
	work = kzalloc(sizeof(*work), GFP_ATOMIC);
	if (!rel || !work) {
		kfree(rel);
		kfree(work);
		return;
	}
	rel->count = in->count;
	for (i = 0; i < in->count; i++)
		hvpci_msg_func(in, i, &rel->func[i]);

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

static void hvpci_on_invalidate(struct hvpci_bus *bus,
				const struct hvpci_msg_in *in)
{
	struct hvpci_child *child = hvpci_child_get(bus, in->wslot);

	if (!child)
		return;
	if (child->invalidate)
		child->invalidate(child->invalidate_ctx, in->block_mask);
	hvpci_child_put(child);
}

static void hvpci_eject_work(struct work_struct *work)
{
	struct hvpci_child *child = container_of(work, struct hvpci_child,
						 eject_work);
	struct hvpci_bus *bus = child->bus;
	struct hvpci_msg_eject_done msg = {
		.hdr.type = HVPCI_MSG_EJECTION_COMPLETE,
		.wslot = child->desc.f.wslot,
	};

	mutex_lock(&bus->state_lock);
	hvpci_remove_function(bus, child);
	hvpci_send_oneway(bus, &msg, sizeof(msg));
	dev_info(&bus->hdev->device, "slot %#x ejected\n", child->desc.f.wslot);

	/* The reference taken in hvpci_on_eject(). */
	hvpci_child_put(child);
	mutex_unlock(&bus->state_lock);
}

/* What became of an eject request: see hvpci_queue_eject(). */
enum hvpci_eject_fate { HVPCI_EJECT_QUEUED, HVPCI_EJECT_REPEAT, HVPCI_EJECT_UNLISTED };

/*
 * Queue the eject work of the function at @wslot.  A repeated eject for a
 * function whose eject is already queued is ignored: queueing the work
 * again would re-init a pending work item.
 */
static enum hvpci_eject_fate hvpci_queue_eject(struct hvpci_bus *bus, u32 wslot)
{
	enum hvpci_eject_fate fate = HVPCI_EJECT_UNLISTED;
	struct hvpci_child *child, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&bus->list_lock, flags);
	list_for_each_entry(child, &bus->children, node) {
		if (child->desc.f.wslot != wslot)
			continue;
		if (hvpci_msg_fn_step(&child->eject_queued, HVPCI_FN_EJECT) ==
		    HVPCI_FN_QUEUE_EJECT) {
			refcount_inc(&child->refs);
			found = child;
			fate = HVPCI_EJECT_QUEUED;
		} else {
			fate = HVPCI_EJECT_REPEAT;
		}
		break;
	}
	spin_unlock_irqrestore(&bus->list_lock, flags);

	if (found) {
		/* The reference taken above goes with the work item. */
		INIT_WORK(&found->eject_work, hvpci_eject_work);
		queue_work(bus->wq, &found->eject_work);
	}
	return fate;
}

struct hvpci_eject_later {
	struct work_struct work;
	struct hvpci_bus *bus;
	u32 wslot;
};

/*
 * An eject for a slot with no function on the list yet: the relations work
 * may be adding it right now (the host can eject while the guest is still
 * asking about the function's resources).  This runs after that work, in
 * the same ordered workqueue: the function, if it was added, is ejected as
 * usual; if not, there is nothing to take away and the host is told so,
 * since it waits for the answer before it goes on (a bus removal, say).
 */
static void hvpci_eject_later_work(struct work_struct *work)
{
	struct hvpci_eject_later *later =
		container_of(work, struct hvpci_eject_later, work);
	struct hvpci_bus *bus = later->bus;
	struct hvpci_msg_eject_done msg = {
		.hdr.type = HVPCI_MSG_EJECTION_COMPLETE,
		.wslot = later->wslot,
	};

	kfree(later);
	if (bus->state == HVPCI_BUS_REMOVING ||
	    hvpci_queue_eject(bus, msg.wslot) != HVPCI_EJECT_UNLISTED)
		return;
	mutex_lock(&bus->state_lock);
	hvpci_send_oneway(bus, &msg, sizeof(msg));
	mutex_unlock(&bus->state_lock);
	dev_info(&bus->hdev->device, "slot %#x ejected before it was added\n",
		 msg.wslot);
}

/* Channel callback context. */
static void hvpci_on_eject(struct hvpci_bus *bus, u32 wslot)
{
	struct hvpci_eject_later *later;

	if (bus->state == HVPCI_BUS_REMOVING)
		return;
	switch (hvpci_queue_eject(bus, wslot)) {
	case HVPCI_EJECT_QUEUED:
		return;
	case HVPCI_EJECT_REPEAT:
		dev_warn_ratelimited(&bus->hdev->device,
				     "slot %#x: eject already queued, ignoring the repeat\n",
				     wslot);
		return;
	case HVPCI_EJECT_UNLISTED:
		break;
	}
	/* (a failed allocation is reported by the allocator) */
	later = kzalloc(sizeof(*later), GFP_ATOMIC);
	if (!later)
		return;
	later->bus = bus;
	later->wslot = wslot;
	INIT_WORK(&later->work, hvpci_eject_later_work);
	queue_work(bus->wq, &later->work);
}

/* The channel's callback for a checked message the host sent on its own. */
void hvpci_on_message(struct hvpci_bus *bus, const struct hvpci_msg_in *in)
{
	switch (in->type) {
	case HVPCI_MSG_BUS_RELATIONS:
	case HVPCI_MSG_BUS_RELATIONS2:
		hvpci_on_relations(bus, in);
		break;
	case HVPCI_MSG_EJECT:
		hvpci_on_eject(bus, in->wslot);
		break;
	case HVPCI_MSG_INVALIDATE_BLOCK:
		hvpci_on_invalidate(bus, in);
		break;
	}
}

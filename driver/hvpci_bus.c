// SPDX-License-Identifier: GPL-2.0
/*
 * hvpci bus layer: one Linux PCI root bus (and PCI domain) per vPCI
 * VMBus channel.
 *
 * Probe order, dictated by the host: negotiate the protocol, pick the
 * config window, learn which functions exist and their BAR sizes, enter
 * D0 (which tells the host where the config window is), allocate BAR
 * space, tell the host each function has its resources, then let the PCI
 * core scan.  Config space is reached through the config window: a write
 * to its first page selects the function, its second page is that
 * function's config space.
 */
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irqdomain.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "hvpci.h"
#include "hvpci_mmio_policy.h"

#define HVPCI_DOMAINS		(64 * 1024)
#define HVPCI_DOMAIN_INVALID	0

static DECLARE_BITMAP(hvpci_domains, HVPCI_DOMAINS);

/* Config space */

static void hvpci_window_access(struct hvpci_child *child, int where,
				int size, u32 *val, bool write)
{
	struct hvpci_bus *bus = child->bus;
	void __iomem *addr = bus->cfg + HVPCI_CFG_SPACE_OFFSET + where;
	unsigned long flags;

	spin_lock_irqsave(&bus->cfg_lock, flags);
	/*
	 * The host keeps the selection until it is written again: write it
	 * only when another function is wanted.
	 */
	if (bus->cfg_wslot != child->desc.f.wslot) {
		writel(child->desc.f.wslot, bus->cfg);
		bus->cfg_wslot = child->desc.f.wslot;
		/* The selection must land before the access it governs. */
		mb();
	}
	if (write) {
		if (size == 1)
			writeb(*val, addr);
		else if (size == 2)
			writew(*val, addr);
		else
			writel(*val, addr);
	} else {
		if (size == 1)
			*val = readb(addr);
		else if (size == 2)
			*val = readw(addr);
		else
			*val = readl(addr);
	}
	/* And complete before another CPU selects a different function. */
	mb();
	spin_unlock_irqrestore(&bus->cfg_lock, flags);
}

static u32 hvpci_extract(u32 word, int base, int where, int size)
{
	u32 v = word >> ((where - base) * 8);

	return size == 4 ? v : v & ((1U << (size * 8)) - 1);
}

/*
 * Identity registers come from the bus relations message, which is what
 * the host says the function is; interrupt pin and line read as zero (no
 * INTx behind vPCI) and there is no expansion ROM.
 */
void hvpci_cfg_read(struct hvpci_child *child, int where, int size, u32 *val)
{
	const struct hvpci_wire_func *d = &child->desc.f;

	if (where + size <= PCI_COMMAND) {
		*val = hvpci_extract(d->vendor | (u32)d->device << 16,
				     PCI_VENDOR_ID, where, size);
	} else if (where >= PCI_CLASS_REVISION &&
		   where + size <= PCI_CACHE_LINE_SIZE) {
		*val = hvpci_extract(d->revision | d->prog_if << 8 |
				     d->subclass << 16 | (u32)d->base_class << 24,
				     PCI_CLASS_REVISION, where, size);
	} else if (where >= PCI_SUBSYSTEM_VENDOR_ID &&
		   where + size <= PCI_ROM_ADDRESS) {
		*val = hvpci_extract(d->subsystem, PCI_SUBSYSTEM_VENDOR_ID,
				     where, size);
	} else if ((where >= PCI_ROM_ADDRESS &&
		    where + size <= PCI_CAPABILITY_LIST) ||
		   (where >= PCI_INTERRUPT_LINE && where + size <= PCI_MIN_GNT)) {
		*val = 0;
	} else if (where + size <= HVPCI_CFG_SPACE_LEN) {
		hvpci_window_access(child, where, size, val, false);
	} else {
		*val = ~0U;
		dev_err_ratelimited(&child->bus->hdev->device,
				    "config read at %#x beyond config space\n",
				    where);
	}
}

void hvpci_cfg_write(struct hvpci_child *child, int where, int size, u32 val)
{
	if (where >= PCI_SUBSYSTEM_VENDOR_ID &&
	    where + size <= PCI_CAPABILITY_LIST)
		return;		/* subsystem IDs and ROM are read-only */
	if (where >= PCI_COMMAND && where + size <= HVPCI_CFG_SPACE_LEN)
		hvpci_window_access(child, where, size, &val, true);
	else
		dev_err_ratelimited(&child->bus->hdev->device,
				    "config write at %#x ignored\n", where);
}

/* Reads through the window: all ones once the host has removed it. */
u16 hvpci_cfg_vendor(struct hvpci_child *child)
{
	u32 val;

	hvpci_window_access(child, PCI_VENDOR_ID, 2, &val, false);
	return val;
}

static int hvpci_pci_read(struct pci_bus *pbus, unsigned int devfn, int where,
			  int size, u32 *val)
{
	struct hvpci_child *child;

	child = hvpci_child_get(hvpci_bus_of(pbus), hvpci_devfn_to_wslot(devfn));
	if (!child)
		return PCIBIOS_DEVICE_NOT_FOUND;
	hvpci_cfg_read(child, where, size, val);
	hvpci_child_put(child);
	return PCIBIOS_SUCCESSFUL;
}

static int hvpci_pci_write(struct pci_bus *pbus, unsigned int devfn, int where,
			   int size, u32 val)
{
	struct hvpci_child *child;

	child = hvpci_child_get(hvpci_bus_of(pbus), hvpci_devfn_to_wslot(devfn));
	if (!child)
		return PCIBIOS_DEVICE_NOT_FOUND;
	hvpci_cfg_write(child, where, size, val);
	hvpci_child_put(child);
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops hvpci_pci_ops = {
	.read = hvpci_pci_read,
	.write = hvpci_pci_write,
};

/* Whether @pdev sits on a bus of this driver (not of a built-in pci-hyperv). */
bool hvpci_owns(struct pci_dev *pdev)
{
	return pdev->bus->ops == &hvpci_pci_ops;
}

/* Config blocks: the side channel used through pci-hyperv-intf. */

struct hvpci_block_read {
	void *buf;
	unsigned int len;
	unsigned int got;
};

static const char *hvpci_read_block_done(struct hvpci_req *req,
					 const void *reply, u32 len)
{
	struct hvpci_block_read *rd = req->ctx;
	const char *why;
	const u8 *bytes;

	if (hvpci_msg_read_block(reply, len, rd->len, &req->status, &bytes,
				 &rd->got, &why))
		return why;
	if (rd->got)
		memcpy(rd->buf, bytes, rd->got);
	return NULL;
}

int hvpci_read_block(struct pci_dev *pdev, void *buf, unsigned int len,
		     unsigned int block_id, unsigned int *bytes_returned)
{
	struct hvpci_bus *bus = hvpci_bus_of(pdev->bus);
	struct hvpci_msg_read_block msg = {
		.hdr.type = HVPCI_MSG_READ_BLOCK,
		.block_id = block_id,
		.wslot = hvpci_devfn_to_wslot(pdev->devfn),
		.bytes_requested = len,
	};
	struct hvpci_block_read rd = { .buf = buf, .len = len };
	struct hvpci_req req;
	int ret;

	if (!len || len > HV_CONFIG_BLOCK_SIZE_MAX)
		return -EINVAL;
	hvpci_req_init(&req, hvpci_read_block_done);
	req.ctx = &rd;
	ret = hvpci_send_wait(bus, &msg, sizeof(msg), &req);
	if (ret)
		return ret;
	if (req.status || !rd.got) {
		dev_err(&bus->hdev->device,
			"reading config block %u failed: %#x, %u bytes\n",
			block_id, req.status, rd.got);
		return -EIO;
	}
	*bytes_returned = rd.got;
	return 0;
}

int hvpci_write_block(struct pci_dev *pdev, void *buf, unsigned int len,
		      unsigned int block_id)
{
	struct hvpci_bus *bus = hvpci_bus_of(pdev->bus);
	struct {
		struct hvpci_msg_write_block m;
		u32 pad;
	} __packed msg = { };
	struct hvpci_req req;
	int ret;

	if (!len || len > HV_CONFIG_BLOCK_SIZE_MAX)
		return -EINVAL;
	msg.m.hdr.type = HVPCI_MSG_WRITE_BLOCK;
	msg.m.block_id = block_id;
	msg.m.wslot = hvpci_devfn_to_wslot(pdev->devfn);
	msg.m.byte_count = len;
	memcpy(msg.m.bytes, buf, len);

	hvpci_req_init(&req, NULL);
	/*
	 * Hosts from around 2018 check the packet size off by four bytes;
	 * the extra padding is harmless to the others, which use byte_count.
	 */
	ret = hvpci_send_wait(bus, &msg,
			      offsetof(struct hvpci_msg_write_block, bytes) +
			      len + sizeof(u32), &req);
	if (ret)
		return ret;
	if (req.status) {
		dev_err(&bus->hdev->device,
			"writing config block %u failed: %#x\n", block_id,
			req.status);
		return -EIO;
	}
	return 0;
}

int hvpci_register_invalidate(struct pci_dev *pdev, void *ctx,
			      void (*cb)(void *ctx, u64 block_mask))
{
	struct hvpci_child *child;

	child = hvpci_child_get(hvpci_bus_of(pdev->bus),
				hvpci_devfn_to_wslot(pdev->devfn));
	if (!child)
		return -ENODEV;
	child->invalidate = cb;
	child->invalidate_ctx = ctx;
	hvpci_child_put(child);
	return 0;
}

/* Resources */

/*
 * Called once the first bus relations have been read: size BAR space.
 * Sizes were checked when each function's reply came in; a function that
 * would make the bus's sums wrap gets no BAR space.
 */
void hvpci_survey_resources(struct hvpci_bus *bus)
{
	struct completion *done = xchg(&bus->survey_done, NULL);
	struct hvpci_child *child;
	unsigned long flags;
	const char *why;

	if (!done)
		return;
	if (!bus->need32 && !bus->need64) {
		spin_lock_irqsave(&bus->list_lock, flags);
		list_for_each_entry(child, &bus->children, node) {
			if (!hvpci_msg_need_add(&bus->need32, &bus->need64,
						&child->bars, &why))
				continue;
			dev_err(&bus->hdev->device,
				"slot %#x: no BAR space: %s\n",
				child->desc.f.wslot, why);
			memset(&child->bars, 0, sizeof(child->bars));
		}
		spin_unlock_irqrestore(&bus->list_lock, flags);
	}
	complete(done);
}

/*
 * Give every BAR an address inside the windows before the PCI core looks,
 * largest first so that each one is naturally aligned.
 */
static void hvpci_prepopulate_bars(struct hvpci_bus *bus)
{
	u64 next32 = bus->win32 ? bus->win32->start : 0;
	u64 next64 = bus->win64 ? bus->win64->start : 0;
	u64 step, size, *next;
	struct hvpci_child *child;
	unsigned long flags;
	u32 cmd;
	bool is64;
	int i;

	static_assert(HVPCI_MSG_BAR_MIN == PAGE_SIZE);

	spin_lock_irqsave(&bus->list_lock, flags);
	list_for_each_entry(child, &bus->children, node) {
		hvpci_cfg_read(child, PCI_COMMAND, 2, &cmd);
		hvpci_cfg_write(child, PCI_COMMAND, 2, cmd & ~PCI_COMMAND_MEMORY);
	}

	for (step = rounddown_pow_of_two(max(bus->need32, bus->need64) | 1);
	     step >= PAGE_SIZE; step >>= 1) {
		list_for_each_entry(child, &bus->children, node) {
			for (i = 0; i < HVPCI_NUM_BARS; i++) {
				size = child->bars.size[i];
				is64 = child->bars.mem64 & BIT(i);
				if (size != step)
					continue;
				next = is64 ? &next64 : &next32;
				if (!*next)
					continue;
				hvpci_cfg_write(child, PCI_BASE_ADDRESS_0 + 4 * i,
						4, lower_32_bits(*next));
				if (is64)
					hvpci_cfg_write(child,
							PCI_BASE_ADDRESS_0 + 4 * (i + 1),
							4, upper_32_bits(*next));
				*next += size;
			}
		}
	}
	spin_unlock_irqrestore(&bus->list_lock, flags);
}

static int hvpci_get_window(struct hvpci_bus *bus, int kind, u64 need,
			    struct resource **res)
{
	int ret;

	if (!need)
		return 0;
	ret = hvpci_mmio_get(bus, kind, need, rounddown_pow_of_two(need), res);
	if (ret)
		return ret;
	/* From now on a bridge window: BARs nest inside it. */
	(*res)->flags |= IORESOURCE_WINDOW;
	(*res)->flags &= ~IORESOURCE_BUSY;
	pci_add_resource(&bus->bridge->windows, *res);
	return 0;
}

/*
 * The debugfs layout reads the bus's resource pointers under the MMIO lock,
 * which hvpci_mmio_put() takes to free them: a pointer is cleared before
 * its resource goes, so a reader sees either NULL or a live resource.
 */
static void hvpci_put_window(struct resource **res)
{
	struct resource *r = *res;

	if (!r)
		return;
	WRITE_ONCE(*res, NULL);
	/* vmbus_free_mmio() only releases busy regions. */
	r->flags |= IORESOURCE_BUSY;
	hvpci_mmio_put(r);
}

static void hvpci_free_windows(struct hvpci_bus *bus)
{
	hvpci_put_window(&bus->win32);
	hvpci_put_window(&bus->win64);
}

static int hvpci_alloc_windows(struct hvpci_bus *bus)
{
	int ret;

	ret = hvpci_get_window(bus, HVPCI_MMIO_BAR32, bus->need32, &bus->win32);
	if (!ret)
		ret = hvpci_get_window(bus, HVPCI_MMIO_BAR64, bus->need64,
				       &bus->win64);
	if (ret) {
		dev_err(&bus->hdev->device,
			"no MMIO for BARs (32-bit %#llx, 64-bit %#llx bytes); consider larger VM MMIO gaps\n",
			bus->need32, bus->need64);
		hvpci_free_windows(bus);
	}
	return ret;
}

static void hvpci_free_cfg_window(struct hvpci_bus *bus)
{
	struct resource *r = bus->cfg_res;

	if (!r)
		return;
	iounmap(bus->cfg);
	bus->cfg = NULL;
	WRITE_ONCE(bus->cfg_res, NULL);
	hvpci_mmio_put(r);
}

static int hvpci_alloc_cfg_window(struct hvpci_bus *bus)
{
	int ret;

	ret = hvpci_mmio_get(bus, HVPCI_MMIO_CFG_WINDOW, HVPCI_CFG_WINDOW_LEN,
			     PAGE_SIZE, &bus->cfg_res);
	if (ret)
		return ret;
	/* Unlike the BAR windows, nothing may nest in the config window. */
	bus->cfg_res->flags |= IORESOURCE_BUSY;
	bus->cfg = ioremap(bus->cfg_res->start, HVPCI_CFG_WINDOW_LEN);
	bus->cfg_wslot = HVPCI_WSLOT_UNKNOWN;
	if (!bus->cfg) {
		hvpci_free_cfg_window(bus);
		return -ENOMEM;
	}
	return 0;
}

/* Messages to the host */

static int hvpci_wait_for(struct hvpci_bus *bus, struct completion *c,
			  unsigned long timeout)
{
	unsigned long deadline = jiffies + timeout;

	while (!wait_for_completion_timeout(c, HZ / 10)) {
		if (bus->hdev->channel->rescind)
			return -ENODEV;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
	}
	return 0;
}

static int hvpci_query_relations(struct hvpci_bus *bus)
{
	struct hvpci_msg_hdr msg = { .type = HVPCI_MSG_QUERY_BUS_RELATIONS };
	struct completion done;
	int ret;

	init_completion(&done);
	if (cmpxchg(&bus->survey_done, NULL, &done))
		return -EBUSY;
	ret = hvpci_send_oneway(bus, &msg, sizeof(msg));
	if (!ret)
		ret = hvpci_wait_for(bus, &done, hvpci_answer_timeout());
	if (ret) {
		/* Nobody may complete a stack completion that is gone. */
		xchg(&bus->survey_done, NULL);
		dev_err(&bus->hdev->device,
			"no bus relations from the host: %d\n", ret);
	}
	flush_workqueue(bus->wq);
	return ret;
}

static void hvpci_send_resources_released(struct hvpci_bus *bus)
{
	struct hvpci_msg_child msg = { .hdr.type = HVPCI_MSG_RESOURCES_RELEASED };
	struct hvpci_child *child;
	int wslot;

	for (wslot = bus->last_assigned; wslot >= 0; wslot--) {
		child = hvpci_child_get(bus, wslot);
		if (!child)
			continue;
		msg.wslot = child->desc.f.wslot;
		hvpci_child_put(child);
		if (hvpci_send_oneway(bus, &msg, sizeof(msg)))
			return;
		bus->last_assigned = wslot - 1;
	}
	bus->last_assigned = -1;
}

/* Tell the host one function has its resources; needed before its MSIs. */
int hvpci_child_assigned(struct hvpci_bus *bus, struct hvpci_child *child)
{
	union {
		struct hvpci_msg_res_assigned v1;
		struct hvpci_msg_res_assigned2 v2;
	} msg;
	bool v2 = bus->version >= HVPCI_PROTO_1_2;
	u32 wslot = child->desc.f.wslot;
	struct hvpci_req req;
	int ret;

	memset(&msg, 0, sizeof(msg));
	if (v2) {
		msg.v2.hdr.type = HVPCI_MSG_RESOURCES_ASSIGNED2;
		msg.v2.wslot = wslot;
	} else {
		msg.v1.hdr.type = HVPCI_MSG_RESOURCES_ASSIGNED;
		msg.v1.wslot = wslot;
	}
	hvpci_req_init(&req, NULL);
	ret = hvpci_send_wait(bus, &msg, v2 ? sizeof(msg.v2) : sizeof(msg.v1),
			      &req);
	if (ret)
		return ret;
	if (req.status < 0) {
		dev_err(&bus->hdev->device,
			"host refused resources for slot %#x: %#x\n", wslot,
			req.status);
		return -EPROTO;
	}
	if ((int)wslot > bus->last_assigned)
		bus->last_assigned = wslot;
	return 0;
}

static int hvpci_send_resources_assigned(struct hvpci_bus *bus)
{
	struct hvpci_child *child;
	int wslot, ret;

	for (wslot = 0; wslot < 256; wslot++) {
		child = hvpci_child_get(bus, wslot);
		if (!child)
			continue;
		ret = hvpci_child_assigned(bus, child);
		hvpci_child_put(child);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Tell the host every function's resources are released, then leave D0.
 * The releases name functions by slot, so they go out while the functions
 * are still listed; a caller that is done with them frees them afterwards.
 */
static int hvpci_bus_exit(struct hvpci_bus *bus)
{
	struct hvpci_msg_hdr msg = { .type = HVPCI_MSG_BUS_D0_EXIT };
	struct hvpci_req req;
	int ret;

	/* A rescinded or closed channel has nobody left to tell. */
	if (bus->hdev->channel->rescind || READ_ONCE(bus->closed))
		return 0;
	hvpci_send_resources_released(bus);

	hvpci_req_init(&req, NULL);
	ret = hvpci_send_wait(bus, &msg, sizeof(msg), &req);
	if (ret)
		dev_err(&bus->hdev->device, "D0 exit failed: %d\n", ret);
	return ret;
}

/*
 * D0 entry names the config window.  After a crash the host may still
 * consider the bus in use by the previous kernel and answer
 * 0xC0000184; a D0 exit followed by a second entry recovers that.
 */
static int hvpci_enter_d0(struct hvpci_bus *bus)
{
	struct hvpci_msg_d0_entry msg = {
		.hdr.type = HVPCI_MSG_BUS_D0_ENTRY,
		.mmio_base = bus->cfg_res->start,
	};
	struct hvpci_req req;
	int attempt, ret;

	for (attempt = 0; attempt < 2; attempt++) {
		/* A window the host (re)enters D0 with selects nothing known. */
		bus->cfg_wslot = HVPCI_WSLOT_UNKNOWN;
		hvpci_req_init(&req, NULL);
		ret = hvpci_send_wait(bus, &msg, sizeof(msg), &req);
		if (ret)
			return ret;
		if (req.status >= 0)
			return 0;
		/*
		 * Only the "still in D0" answer is worth a D0 exit: any other
		 * refusal (the window is in use, a bad parameter) comes back
		 * the same however often it is asked.
		 */
		if (attempt ||
		    (u32)req.status != HVPCI_STATUS_INVALID_DEV_STATE)
			break;
		dev_warn(&bus->hdev->device,
			 "D0 entry refused with status %#x, retrying after D0 exit\n",
			 req.status);
		/* The previous kernel's functions: release every one listed. */
		bus->last_assigned = 255;
		ret = hvpci_bus_exit(bus);
		if (ret)
			break;
	}
	dev_err(&bus->hdev->device,
		"host refused D0 entry with status %#x (config window %pR)\n",
		req.status, bus->cfg_res);
	return -EPROTO;
}

/* Root bus */

void hvpci_assign_numa(struct hvpci_bus *bus)
{
	struct hvpci_child *child;
	struct pci_dev *pdev;

	list_for_each_entry(pdev, &bus->bridge->bus->devices, bus_list) {
		child = hvpci_child_get(bus, hvpci_devfn_to_wslot(pdev->devfn));
		if (!child)
			continue;
		set_dev_node(&pdev->dev, 0);
		if ((child->desc.flags & HVPCI_FUNC_FLAG_NUMA) &&
		    child->desc.numa_node < num_possible_nodes())
			set_dev_node(&pdev->dev,
				     numa_map_to_online_node(child->desc.numa_node));
		hvpci_child_put(child);
	}
}

void hvpci_create_slots(struct hvpci_bus *bus)
{
	struct hvpci_child *child;
	char name[16];

	list_for_each_entry(child, &bus->children, node) {
		if (child->slot)
			continue;
		snprintf(name, sizeof(name), "%u", child->desc.f.serial);
		child->slot = pci_create_slot(bus->bridge->bus,
					      HVPCI_WSLOT_DEV(child->desc.f.wslot),
					      name, NULL);
		if (IS_ERR(child->slot)) {
			dev_warn(&bus->hdev->device,
				 "cannot create PCI slot %s\n", name);
			child->slot = NULL;
		}
	}
}

static void hvpci_remove_slots(struct hvpci_bus *bus)
{
	struct hvpci_child *child;

	list_for_each_entry(child, &bus->children, node) {
		if (child->slot) {
			pci_destroy_slot(child->slot);
			child->slot = NULL;
		}
	}
}

static int hvpci_create_root_bus(struct hvpci_bus *bus)
{
	struct pci_host_bridge *bridge = bus->bridge;
	int ret;

	bridge->dev.parent = &bus->hdev->device;
	bridge->sysdata = &bus->sysdata;
	bridge->ops = &hvpci_pci_ops;
	ret = pci_scan_root_bus_bridge(bridge);
	if (ret)
		return ret;

	pci_lock_rescan_remove();
	hvpci_assign_numa(bus);
	pci_bus_assign_resources(bridge->bus);
	hvpci_create_slots(bus);
	pci_bus_add_devices(bridge->bus);
	pci_unlock_rescan_remove();
	bus->state = HVPCI_BUS_INSTALLED;
	return 0;
}

/* The domain number comes from the instance GUID, as Windows sees it. */
static u16 hvpci_get_domain(u16 wanted)
{
	unsigned int i;
	int dom;

	if (HVPCI_CORE_DOMAINS) {
		dom = hvpci_core_domain_get(wanted);
		return dom > 0 ? dom : HVPCI_DOMAIN_INVALID;
	}
	if (!test_and_set_bit(wanted, hvpci_domains))
		return wanted;
	for_each_clear_bit(i, hvpci_domains, HVPCI_DOMAINS)
		if (!test_and_set_bit(i, hvpci_domains))
			return i;
	return HVPCI_DOMAIN_INVALID;
}

static void hvpci_put_domain(u16 dom)
{
	/* The PCI core's numbers go back with the host bridge's release. */
	if (!HVPCI_CORE_DOMAINS)
		clear_bit(dom, hvpci_domains);
}

/* Probe and remove */

/* Relations still queued when the channel closed. */
static void hvpci_drop_relations(struct hvpci_bus *bus)
{
	struct hvpci_relations *rel, *tmp;

	list_for_each_entry_safe(rel, tmp, &bus->relations, node) {
		list_del(&rel->node);
		kfree(rel);
	}
}

/*
 * Stop taking the host's relations and ejects, and let the work already
 * queued finish.  The channel stays open: that work may still talk to the
 * host, and so may the caller.
 */
static void hvpci_quiesce(struct hvpci_bus *bus)
{
	struct vmbus_channel *chan = bus->hdev->channel;

	/* No new relations or ejects are queued once this is seen. */
	tasklet_disable(&chan->callback_event);
	bus->state = HVPCI_BUS_REMOVING;
	tasklet_enable(&chan->callback_event);
	drain_workqueue(bus->wq);
}

static int hvpci_start(struct hvpci_bus *bus)
{
	int ret;

	ret = hvpci_query_relations(bus);
	if (ret)
		return ret;

	mutex_lock(&bus->state_lock);
	ret = hvpci_enter_d0(bus);
	if (ret)
		goto unlock;
	ret = hvpci_alloc_windows(bus);
	if (ret)
		goto d0_exit;
	ret = hvpci_send_resources_assigned(bus);
	if (ret)
		goto free_windows;
	hvpci_prepopulate_bars(bus);
	bus->state = HVPCI_BUS_PROBED;
	ret = hvpci_create_root_bus(bus);
	if (ret)
		goto free_windows;
	hvpci_mmio_report(bus);
	mutex_unlock(&bus->state_lock);
	return 0;

free_windows:
	hvpci_free_windows(bus);
d0_exit:
	hvpci_bus_exit(bus);
unlock:
	mutex_unlock(&bus->state_lock);
	return ret;
}

static int hvpci_probe(struct hv_device *hdev,
		       const struct hv_vmbus_device_id *id)
{
	const guid_t *g = &hdev->dev_instance;
	struct hvpci_bus *bus;
	u16 dom, wanted;
	char *name;
	int ret;

	bus = kzalloc(sizeof(*bus), GFP_KERNEL);
	if (!bus)
		return -ENOMEM;
	bus->bridge = devm_pci_alloc_host_bridge(&hdev->device, 0);
	if (!bus->bridge) {
		ret = -ENOMEM;
		goto free_bus;
	}
	bus->hdev = hdev;
	bus->state = HVPCI_BUS_INIT;
	bus->last_assigned = -1;
	bus->closed = true;
	mutex_init(&bus->state_lock);
	spin_lock_init(&bus->cfg_lock);
	spin_lock_init(&bus->list_lock);
	INIT_LIST_HEAD(&bus->children);
	INIT_LIST_HEAD(&bus->relations);
	INIT_LIST_HEAD(&bus->node);

	wanted = g->b[5] << 8 | g->b[4];
	dom = hvpci_get_domain(wanted);
	if (dom == HVPCI_DOMAIN_INVALID) {
		dev_err(&hdev->device, "no free PCI domain number\n");
		ret = -ENOSPC;
		goto free_bus;
	}
	if (dom != wanted)
		dev_info(&hdev->device, "PCI domain %04x is taken, using %04x\n",
			 wanted, dom);
	bus->bridge->domain_nr = dom;
	bus->sysdata.domain = dom;

	bus->wq = alloc_ordered_workqueue("hvpci_%04x", 0, dom);
	if (!bus->wq) {
		ret = -ENOMEM;
		goto put_domain;
	}

	hv_set_drvdata(hdev, bus);
	bus->on_message = hvpci_on_message;
	ret = hvpci_channel_open(bus);
	if (ret)
		goto destroy_wq;
	ret = hvpci_negotiate(bus, false);
	if (ret)
		goto close;

	/* The MMIO policy comes first: nothing is allocated before it. */
	ret = hvpci_mmio_setup(bus);
	if (ret)
		goto close;
	ret = hvpci_alloc_cfg_window(bus);
	if (ret)
		goto mmio_gone;

	name = kasprintf(GFP_KERNEL, "%pUL", g);
	if (!name) {
		ret = -ENOMEM;
		goto free_cfg;
	}
	bus->fwnode = irq_domain_alloc_named_fwnode(name);
	kfree(name);
	if (!bus->fwnode) {
		ret = -ENOMEM;
		goto free_cfg;
	}
	ret = hvpci_irq_domain_create(bus);
	if (ret)
		goto free_fwnode;

	ret = hvpci_start(bus);
	if (ret)
		goto stop;
	return 0;

stop:
	/* Relations or an eject may still be queued: let them finish. */
	hvpci_quiesce(bus);
	hvpci_irq_domain_remove(bus);
free_fwnode:
	irq_domain_free_fwnode(bus->fwnode);
free_cfg:
	hvpci_free_cfg_window(bus);
mmio_gone:
	hvpci_mmio_bus_gone(bus);
close:
	/* Queued work sends on the channel: it must be done before the close. */
	hvpci_quiesce(bus);
	hvpci_channel_close(bus);
destroy_wq:
	destroy_workqueue(bus->wq);
	/* What the host reported before the probe gave up. */
	hvpci_drop_relations(bus);
	hvpci_children_free(bus);
put_domain:
	hvpci_put_domain(dom);
free_bus:
	kfree(bus);
	return ret;
}

void hvpci_remove(struct hv_device *hdev)
{
	struct hvpci_bus *bus = hv_get_drvdata(hdev);

	hvpci_quiesce(bus);
	if (bus->bridge->bus) {
		pci_lock_rescan_remove();
		pci_stop_root_bus(bus->bridge->bus);
		hvpci_remove_slots(bus);
		pci_remove_root_bus(bus->bridge->bus);
		pci_unlock_rescan_remove();
	}

	/*
	 * The functions are still listed: their releases go out first.  A
	 * failed D0 exit is logged there; the bus goes away regardless.
	 */
	mutex_lock(&bus->state_lock);
	hvpci_bus_exit(bus);
	mutex_unlock(&bus->state_lock);
	hvpci_channel_close(bus);
	destroy_workqueue(bus->wq);
	hvpci_drop_relations(bus);
	hvpci_children_free(bus);

	hvpci_mmio_bus_gone(bus);
	hvpci_free_cfg_window(bus);
	hvpci_free_windows(bus);
	hvpci_irq_domain_remove(bus);
	irq_domain_free_fwnode(bus->fwnode);
	hvpci_put_domain(bus->bridge->domain_nr);
	kfree(bus);
}

/*
 * Reboot and kexec: the drivers of the functions have shut down; leave the
 * host's view clean (every function's resources released, D0 exit) so that
 * the next kernel's D0 entry is accepted at once instead of refused as
 * still in D0.  The bus and its devices stay as they are.  A crash kexec
 * (kdump) runs no shutdown: there the next kernel's D0 retry recovers.
 */
static void hvpci_shutdown(struct hv_device *hdev)
{
	struct hvpci_bus *bus = hv_get_drvdata(hdev);

	hvpci_quiesce(bus);
	mutex_lock(&bus->state_lock);
	hvpci_bus_exit(bus);
	mutex_unlock(&bus->state_lock);
}

/*
 * Hibernation (freeze, and the boot kernel's quiesce before it jumps into
 * the image): as the in-tree driver does, the devices stay as they are and
 * the host is told their resources are released and the bus leaves D0;
 * the channel closes, since VMBus is torn down after this.  The config
 * and BAR windows are kept for resume.
 */
static int hvpci_suspend(struct hv_device *hdev)
{
	struct hvpci_bus *bus = hv_get_drvdata(hdev);
	int ret;

	hvpci_quiesce(bus);
	mutex_lock(&bus->state_lock);
	ret = hvpci_bus_exit(bus);
	if (ret) {
		/* Hibernation is aborted and the bus carries on. */
		bus->state = HVPCI_BUS_INSTALLED;
		mutex_unlock(&bus->state_lock);
		return ret;
	}
	mutex_unlock(&bus->state_lock);
	hvpci_channel_close(bus);
	return 0;
}

/*
 * Thaw, restore: the same protocol version, the host's view of the same
 * functions rebuilt (relations, D0 entry with the same config window,
 * resources assigned), and every MSI/MSI-X vector in use created again
 * before the PCI core writes the messages back into the devices.  While
 * RESUMING, relations do not add or remove functions; a change is asked
 * for again once the bus is back, and arrives as hot-plug.
 */
static int hvpci_resume(struct hv_device *hdev)
{
	struct hvpci_bus *bus = hv_get_drvdata(hdev);
	struct hvpci_msg_hdr query = { .type = HVPCI_MSG_QUERY_BUS_RELATIONS };
	int ret;

	bus->state = HVPCI_BUS_RESUMING;
	bus->resume_changed = false;
	ret = hvpci_channel_open(bus);
	if (ret)
		return ret;
	ret = hvpci_negotiate(bus, true);
	if (ret)
		goto close;
	ret = hvpci_query_relations(bus);
	if (ret)
		goto close;

	mutex_lock(&bus->state_lock);
	ret = hvpci_enter_d0(bus);
	if (ret)
		goto unlock;
	ret = hvpci_send_resources_assigned(bus);
	if (ret)
		goto d0_exit;
	hvpci_irq_restore(bus);
	bus->state = HVPCI_BUS_INSTALLED;
	mutex_unlock(&bus->state_lock);

	if (bus->resume_changed) {
		dev_info(&hdev->device,
			 "functions changed while hibernated: asking the host again\n");
		hvpci_send_oneway(bus, &query, sizeof(query));
	}
	return 0;

d0_exit:
	hvpci_bus_exit(bus);
unlock:
	mutex_unlock(&bus->state_lock);
close:
	bus->state = HVPCI_BUS_REMOVING;
	hvpci_channel_close(bus);
	dev_err(&hdev->device, "resume failed: %d\n", ret);
	return ret;
}

static const struct hv_vmbus_device_id hvpci_id_table[] = {
	{ HV_PCIE_GUID, },	/* 44C4F61D-4444-4400-9D52-802E27EDE19F */
	{ },
};
MODULE_DEVICE_TABLE(vmbus, hvpci_id_table);

struct hv_driver hvpci_driver = {
	.name = HVPCI_NAME,
	.id_table = hvpci_id_table,
	.probe = hvpci_probe,
	.remove = HVPCI_REMOVE(hvpci_remove),
	.shutdown = hvpci_shutdown,
	.suspend = hvpci_suspend,
	.resume = hvpci_resume,
};

void hvpci_domains_init(void)
{
	set_bit(HVPCI_DOMAIN_INVALID, hvpci_domains);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvpci: Hyper-V virtual PCI front end.  Driver-internal state shared by
 * the layers: channel (hvpci_channel.c), bus (hvpci_bus.c), interrupts
 * (hvpci_irq.c), hot-plug (hvpci_hotplug.c) and MMIO glue (hvpci_mmio.c).
 */
#ifndef HVPCI_H
#define HVPCI_H

#include <linux/completion.h>
#include <linux/hyperv.h>
#include <linux/list.h>
#include <linux/msi.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "hvpci_kapi.h"
#include "hvpci_msg.h"
#include "hvpci_wire.h"

/*
 * The VMBus driver's name: the in-tree one's where hvpci replaces the
 * pci-hyperv module; its own where pci-hyperv is built in, so that both
 * can be registered and driver_override picks one (README.md).
 */
#if IS_BUILTIN(CONFIG_PCI_HYPERV)
#define HVPCI_NAME		"hvpci"
#else
#define HVPCI_NAME		"hv_pci"
#endif

enum hvpci_bus_state {
	HVPCI_BUS_INIT = 0,	/* channel open, asking what is there */
	HVPCI_BUS_PROBED,	/* resources known, root bus not yet scanned */
	HVPCI_BUS_INSTALLED,	/* root bus exists */
	HVPCI_BUS_REMOVING,	/* no new work: going away or hibernating */
	HVPCI_BUS_RESUMING,	/* channel open again, the same functions */
};

struct hvpci_bus;

/*
 * A function.  @desc is its bus relations entry as the host sent it (1.1
 * hosts leave flags and numa_node zero), checked by hvpci_msg.c.
 */
struct hvpci_child {
	struct list_head node;		/* in bus->children, under list_lock */
	refcount_t refs;
	struct hvpci_bus *bus;
	struct hvpci_wire_func2 desc;
	struct hvpci_bars bars;		/* checked by hvpci_msg.c */
	struct pci_slot *slot;
	bool missing;
	bool eject_queued;		/* under list_lock; never cleared */
	struct work_struct eject_work;
	void (*invalidate)(void *ctx, u64 block_mask);
	void *invalidate_ctx;
};

/* A pending bus relations message, newest wins. */
struct hvpci_relations {
	struct list_head node;
	u32 count;
	struct hvpci_wire_func2 func[];
};

struct hvpci_bus {
#ifdef CONFIG_X86
	struct pci_sysdata sysdata;	/* bus->sysdata points here */
#endif
	struct pci_host_bridge *bridge;
	struct hv_device *hdev;
	struct fwnode_handle *fwnode;
	u32 version;

	struct mutex state_lock;	/* state, relations work, eject */
	enum hvpci_bus_state state;

	struct resource *cfg_res;
	void __iomem *cfg;
	spinlock_t cfg_lock;		/* function select + access is one step */
	u32 cfg_wslot;			/* function the slot register selects */

	u64 need32;			/* total size of 32-bit BARs */
	u64 need64;			/* total size of 64-bit BARs */
	struct resource *win32;
	struct resource *win64;
	struct completion *survey_done;

	spinlock_t list_lock;		/* children, pending relations */
	struct list_head children;
	struct list_head relations;
	struct workqueue_struct *wq;
	int last_assigned;		/* highest wslot told RESOURCES_ASSIGNED */
	bool resume_changed;		/* relations at resume differ: ask again */

	struct hvpci_rq_table rq;	/* request ids (hvpci_kapi.h) */
	bool closed;			/* channel closed: senders get -ENODEV */
	struct msi_domain_info msi_info;	/* before MSI parent domains */
	struct irq_domain *irq_domain;
	bool irq_stalled;		/* a create interrupt timed out */

	struct list_head node;		/* in the module's bus list */

	/* The channel hands every checked message from the host here. */
	void (*on_message)(struct hvpci_bus *bus,
			   const struct hvpci_msg_in *in);
};

static inline struct hvpci_bus *hvpci_bus_of(struct pci_bus *pbus)
{
	return container_of(pbus->sysdata, struct hvpci_bus, sysdata);
}

/* No function: reserved bits set, so no slot the host may name. */
#define HVPCI_WSLOT_UNKNOWN	(~0U)

static inline u32 hvpci_devfn_to_wslot(unsigned int devfn)
{
	return PCI_SLOT(devfn) | (PCI_FUNC(devfn) << 5);
}

static inline unsigned int hvpci_wslot_to_devfn(u32 wslot)
{
	return PCI_DEVFN(HVPCI_WSLOT_DEV(wslot), HVPCI_WSLOT_FN(wslot));
}

/* hvpci_channel.c: requests, completions, incoming messages */

/* What a request's status reads as when the host's reply was refused. */
#define HVPCI_STATUS_BAD_REPLY		((s32)0xffffffff)

/*
 * One request in flight.  @handle runs in the channel callback with the
 * completion's data (@reply, @len bytes: NULL, 0 when the packet itself
 * was refused); it decodes it with hvpci_msg.c and returns the reason it
 * refused it, or NULL.  The default one stores the status.
 */
struct hvpci_req {
	const char *(*handle)(struct hvpci_req *req, const void *reply,
			      u32 len);
	struct completion done;
	s32 status;
	void *ctx;
};

void hvpci_req_init(struct hvpci_req *req,
		    const char *(*handle)(struct hvpci_req *req,
					  const void *reply, u32 len));
int hvpci_send_wait(struct hvpci_bus *bus, void *msg, u32 len,
		    struct hvpci_req *req);
int hvpci_send_poll(struct hvpci_bus *bus, void *msg, u32 len,
		    struct hvpci_req *req, bool (*gone)(void *ctx), void *ctx);
int hvpci_send_oneway(struct hvpci_bus *bus, void *msg, u32 len);
unsigned long hvpci_answer_timeout(void);
void hvpci_channel_callback(void *context);
int hvpci_negotiate(struct hvpci_bus *bus, bool same);
int hvpci_channel_open(struct hvpci_bus *bus);
void hvpci_channel_close(struct hvpci_bus *bus);

/* hvpci_bus.c */
void hvpci_cfg_read(struct hvpci_child *child, int where, int size, u32 *val);
void hvpci_cfg_write(struct hvpci_child *child, int where, int size, u32 val);
u16 hvpci_cfg_vendor(struct hvpci_child *child);
void hvpci_survey_resources(struct hvpci_bus *bus);
void hvpci_assign_numa(struct hvpci_bus *bus);
void hvpci_create_slots(struct hvpci_bus *bus);
int hvpci_child_assigned(struct hvpci_bus *bus, struct hvpci_child *child);
int hvpci_read_block(struct pci_dev *pdev, void *buf, unsigned int len,
		     unsigned int block_id, unsigned int *bytes_returned);
int hvpci_write_block(struct pci_dev *pdev, void *buf, unsigned int len,
		      unsigned int block_id);
int hvpci_register_invalidate(struct pci_dev *pdev, void *ctx,
			      void (*cb)(void *ctx, u64 block_mask));
void hvpci_domains_init(void);
bool hvpci_owns(struct pci_dev *pdev);
void hvpci_remove(struct hv_device *hdev);
extern struct hv_driver hvpci_driver;

/* hvpci_irq.c */
int hvpci_irq_domain_create(struct hvpci_bus *bus);
void hvpci_irq_domain_remove(struct hvpci_bus *bus);
void hvpci_irq_release(struct hvpci_bus *bus, struct irq_data *data);
int hvpci_irq_prepare(struct pci_dev *pdev);
void hvpci_irq_restore(struct hvpci_bus *bus);
extern struct irq_chip hvpci_msi_chip;

/* hvpci_hotplug.c: the functions on a bus and their lifetime */
struct hvpci_child *hvpci_child_get(struct hvpci_bus *bus, u32 wslot);
void hvpci_child_put(struct hvpci_child *child);
void hvpci_children_free(struct hvpci_bus *bus);
void hvpci_on_message(struct hvpci_bus *bus, const struct hvpci_msg_in *in);

/* hvpci_mmio.c: the MMIO policy applied to VMBus allocations */
int hvpci_mmio_setup(struct hvpci_bus *bus);
int hvpci_mmio_get(struct hvpci_bus *bus, int kind, u64 len, u64 align,
		   struct resource **res);
void hvpci_mmio_put(struct resource *res);
void hvpci_mmio_report(struct hvpci_bus *bus);
void hvpci_mmio_bus_gone(struct hvpci_bus *bus);
int hvpci_mmio_init(void);
void hvpci_mmio_exit(void);

#endif /* HVPCI_H */

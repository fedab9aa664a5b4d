/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvpci kernel API adaptation: every difference between the kernels hvpci
 * builds on (Debian's 5.10 to 7.x) lives here and in hvpci_kapi.c.  The
 * rest of the driver is written against the newest kernel API; for older
 * kernels this file supplies thin shims, chosen by what kapi/probe.sh
 * found the kernel's headers to offer (HVPCI_HAVE_<NAME>, from the compile
 * test kapi/<name>.c, one per API), never by version number.
 */
#ifndef HVPCI_KAPI_H
#define HVPCI_KAPI_H

/* Written by "make" in driver/ (kapi/probe.sh) before kbuild runs. */
#include "hvpci_kapi_conf.h"

#include <linux/hyperv.h>
#include <linux/interrupt.h>
#include <linux/irqnr.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/pci_ids.h>
#include <linux/screen_info.h>
#include <asm/mshyperv.h>

struct hvpci_bus;
struct hvpci_req;

/*
 * hv_driver.remove: void since 6.3.  Before, it returned an int that VMBus
 * ignored; HVPCI_REMOVE() names a wrapper with that signature.
 */
#ifdef HVPCI_HAVE_VOID_REMOVE
#define HVPCI_REMOVE(fn)	fn
#else
int hvpci_remove_int(struct hv_device *hdev);
#define HVPCI_REMOVE(fn)	hvpci_remove_int
#endif

/*
 * PCI domain numbers.  Where the PCI core hands them out for emulated host
 * bridges, it also gives a bridge's number back when the bridge is
 * released, and warns about a number it never handed out: there hvpci
 * takes its numbers from the core and frees none itself.  Before, hvpci
 * keeps its own table (hvpci_bus.c).
 */
#ifdef HVPCI_HAVE_PCI_EMUL_DOMAIN_NR
#define HVPCI_CORE_DOMAINS	true
static inline int hvpci_core_domain_get(u32 wanted)
{
	return pci_bus_find_emul_domain_nr(wanted, 1, U16_MAX);
}
#else
#define HVPCI_CORE_DOMAINS	false
static inline int hvpci_core_domain_get(u32 wanted)
{
	return -EOPNOTSUPP;
}
#endif

/* PCI ids of the Hyper-V synthetic video device (pci_ids.h since 5.15). */
#ifndef PCI_VENDOR_ID_MICROSOFT
#define PCI_VENDOR_ID_MICROSOFT		0x1414
#endif
#ifndef PCI_DEVICE_ID_HYPERV_VIDEO
#define PCI_DEVICE_ID_HYPERV_VIDEO	0x5353
#endif

/* Holding the channel tasklet off from atomic context. */
#ifndef HVPCI_HAVE_TASKLET_DISABLE_IN_ATOMIC
/* Before 5.13 tasklet_disable() waited by spinning, so atomic callers could use it. */
#define tasklet_disable_in_atomic(t)	tasklet_disable(t)
#endif

/* How many interrupt numbers there are (nr_irqs before 6.13). */
#ifndef HVPCI_HAVE_IRQ_GET_NR_IRQS
static inline unsigned int irq_get_nr_irqs(void)
{
	return nr_irqs;
}
#endif

/* Hypercall status words. */
#ifndef HVPCI_HAVE_HV_RESULT_SUCCESS
static inline bool hv_result_success(u64 status)
{
	return (status & HV_HYPERCALL_RESULT_MASK) == HV_STATUS_SUCCESS;
}
#endif

/*
 * The per-CPU hypercall input page, with interrupts off.  5.10 declares
 * hyperv_pcpu_input_arg with __percpu on the wrong level of indirection
 * (sparse alone sees it; the compiler cannot be asked); this names the
 * type it has everywhere else.
 */
static inline void *hvpci_hv_input_page(void)
{
	return *this_cpu_ptr((__force void * __percpu *)hyperv_pcpu_input_arg);
}

/* PCI data of an MSI descriptor. */
static inline bool hvpci_msi_desc_is_msix(const struct msi_desc *desc)
{
#ifdef HVPCI_HAVE_MSI_DESC_PCI
	return desc->pci.msi_attrib.is_msix;
#else
	return desc->msi_attrib.is_msix;
#endif
}

/* The framebuffer the boot loader or firmware told this kernel about. */
#ifdef HVPCI_HAVE_SYSFB_PRIMARY_DISPLAY
#include <linux/sysfb.h>
#define hvpci_screen_info()	(&sysfb_primary_display.screen)
#else
#define hvpci_screen_info()	(&screen_info)
#endif

/*
 * VMBus request ids.  Where the kernel has the requestor API (it maps a
 * request's address to a transaction id, hands the id to the sender and
 * lets the sender take the request back), these are that API on the bus's
 * channel.  Before it (5.10), hvpci_kapi.c keeps an equivalent table per
 * bus and VMBus passes the ids through unchanged.
 *
 * hvpci_rq_lock()/hvpci_rq_unlock() hold the table while a completion runs,
 * so that a sender taking its request back waits for that to finish.
 */
#define HVPCI_RQ_SLOTS		64
#define HVPCI_RQ_ANY		U64_MAX
#define HVPCI_RQ_NONE		0

#ifdef HVPCI_HAVE_VMBUS_REQUESTOR
struct hvpci_rq_table {
};

#define hvpci_rq_lock(chan, rq, flags)	lock_requestor(chan, flags)

static inline void hvpci_rq_unlock(struct vmbus_channel *chan,
				   struct hvpci_rq_table *rq,
				   unsigned long flags)
{
	unlock_requestor(chan, flags);
}

static inline int hvpci_rq_setup(struct vmbus_channel *chan,
				 struct hvpci_rq_table *rq)
{
	chan->next_request_id_callback = vmbus_next_request_id;
	chan->request_addr_callback = vmbus_request_addr;
	chan->rqstor_size = HVPCI_RQ_SLOTS;
	return 0;
}

static inline int hvpci_rq_send(struct vmbus_channel *chan,
				struct hvpci_rq_table *rq, void *msg, u32 len,
				u64 addr, u64 *trans_id)
{
	return vmbus_sendpacket_getid(chan, msg, len, addr, trans_id,
				      VM_PKT_DATA_INBAND,
				      VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
}

/* Table locked: the address @trans_id stands for, if it is @addr or ANY. */
static inline u64 __hvpci_rq_take(struct vmbus_channel *chan,
				  struct hvpci_rq_table *rq, u64 trans_id,
				  u64 addr)
{
	u64 got = __vmbus_request_addr_match(chan, trans_id, addr);

	return got == VMBUS_RQST_ERROR ? HVPCI_RQ_NONE : got;
}

static inline void hvpci_rq_forget(struct vmbus_channel *chan,
				   struct hvpci_rq_table *rq, u64 trans_id,
				   u64 addr)
{
	vmbus_request_addr_match(chan, trans_id, addr);
}
#else
struct hvpci_rq_table {
	spinlock_t lock;	/* slots, next generation */
	u64 id[HVPCI_RQ_SLOTS];	/* 0: free */
	u64 addr[HVPCI_RQ_SLOTS];
	u32 gen;
};

#define hvpci_rq_lock(chan, rq, flags)	spin_lock_irqsave(&(rq)->lock, flags)

static inline void hvpci_rq_unlock(struct vmbus_channel *chan,
				   struct hvpci_rq_table *rq,
				   unsigned long flags)
{
	spin_unlock_irqrestore(&rq->lock, flags);
}

int hvpci_rq_setup(struct vmbus_channel *chan, struct hvpci_rq_table *rq);
int hvpci_rq_send(struct vmbus_channel *chan, struct hvpci_rq_table *rq,
		  void *msg, u32 len, u64 addr, u64 *trans_id);
u64 __hvpci_rq_take(struct vmbus_channel *chan, struct hvpci_rq_table *rq,
		    u64 trans_id, u64 addr);
void hvpci_rq_forget(struct vmbus_channel *chan, struct hvpci_rq_table *rq,
		     u64 trans_id, u64 addr);
#endif

/*
 * The MSI irq domain of a bus, over the x86 vector domain: an MSI parent
 * domain where the kernel has them for PCI host bridges (the PCI core then
 * builds each device's domain on top and masks at the device itself), a
 * PCI/MSI domain of our own before.  Either way hvpci_msi_chip
 * (hvpci_irq.c) is hvpci's level and hvpci_irq_release() is called for
 * every interrupt freed.
 */
struct irq_domain *hvpci_msi_domain_create(struct hvpci_bus *bus,
					   struct fwnode_handle *fwnode);
/* Masking at the device: the chip does it where the PCI core does not. */
void hvpci_msi_mask(struct irq_data *data);
void hvpci_msi_unmask(struct irq_data *data);

#endif /* HVPCI_KAPI_H */

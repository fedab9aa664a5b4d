// SPDX-License-Identifier: GPL-2.0
/*
 * hvpci MMIO glue: applies the MMIO policy (hvpci_mmio_policy.c) to the
 * MMIO this driver takes for config windows and BAR space.
 *
 * For each allocation the policy sees the VMBus ranges, its guard, what
 * hvpci already holds (its map) and a snapshot of what everyone else
 * holds there (the busy regions of iomem_resource), and picks a span.
 * Exactly that span is requested.  When someone took it meanwhile, or
 * it would nest inside a region that is not a whole-range container
 * (another bus's bridge window), what is in the way joins the snapshot
 * and the policy picks again.  Nothing but the chosen span is ever
 * requested, not even for a moment: the framebuffer, the vTPM and every
 * other device's MMIO stay free for their drivers.
 *
 * vmbus_allocate_mmio() takes the first free aligned spot of a VMBus
 * range, so the only way to keep it off a framebuffer nobody holds yet (a
 * kdump kernel's) would be to hold the framebuffer.  It is used only for
 * BAR windows in ranges free of the guard and the vTPM hole, and kept
 * only where it chose the policy's span (see hvpci_take_vmbus()).
 */
#include <linux/acpi.h>
#include <linux/debugfs.h>
#include <linux/efi.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/screen_info.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "hvpci.h"
#include "hvpci_mmio_policy.h"

/* Picks per allocation; each failed one adds to what is in the way. */
#define HVPCI_MMIO_TRIES	16

static DEFINE_MUTEX(hvpci_mmio_lock);	/* everything below */
static struct hvpci_mmio_map *hvpci_map;
static LIST_HEAD(hvpci_buses);
static struct dentry *hvpci_debugfs;

/* The policy's table of taken spans; it grows under hvpci_mmio_lock. */
void *hvpci_mmio_alloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

void hvpci_mmio_free(void *p)
{
	kfree(p);
}

/* What others hold, claimed into the map for one allocation. */
struct hvpci_others {
	struct hvpci_span *span;
	unsigned int nr;
	unsigned int max;
	int err;
};

struct hvpci_acpi_ranges {
	struct hvpci_span span[HVPCI_MAX_RANGES];
	unsigned int nr;
	bool overflow;
};

static acpi_status hvpci_acpi_range(struct acpi_resource *res, void *ctx)
{
	struct hvpci_acpi_ranges *r = ctx;
	u64 start, end;
	unsigned int i;

	switch (res->type) {
	case ACPI_RESOURCE_TYPE_ADDRESS32:
		start = res->data.address32.address.minimum;
		end = res->data.address32.address.maximum;
		break;
	case ACPI_RESOURCE_TYPE_ADDRESS64:
		start = res->data.address64.address.minimum;
		end = res->data.address64.address.maximum;
		break;
	default:
		return AE_OK;
	}
	if (end < start)
		return AE_OK;
	for (i = 0; i < r->nr; i++)
		if (r->span[i].start == start &&
		    r->span[i].len == end - start + 1)
			return AE_OK;
	if (r->nr == HVPCI_MAX_RANGES) {
		r->overflow = true;
		return AE_OK;
	}
	r->span[r->nr].start = start;
	r->span[r->nr].len = end - start + 1;
	r->nr++;
	return AE_OK;
}

/*
 * The ranges VMBus allocates from: the _CRS of the VMBus ACPI device and
 * of its nearest ancestor that has any, as the VMBus driver reads them.
 */
static int hvpci_read_ranges(struct hv_device *hdev,
			     struct hvpci_acpi_ranges *r)
{
	struct acpi_device *adev = ACPI_COMPANION(hdev->device.parent);
	acpi_handle handle, parent;

	/*
	 * Older kernels hang VMBus children off the VMBus acpi_device itself,
	 * whose own fwnode they leave unset: find that device by its _HID.
	 */
	if (!adev) {
		adev = acpi_dev_get_first_match_dev("VMBUS", NULL, -1);
		if (!adev)
			adev = acpi_dev_get_first_match_dev("VMBus", NULL, -1);
		if (!adev)
			return -ENODEV;
		handle = adev->handle;
		acpi_dev_put(adev);
	} else {
		handle = adev->handle;
	}
	acpi_walk_resources(handle, METHOD_NAME__CRS, hvpci_acpi_range, r);
	while (ACPI_SUCCESS(acpi_get_parent(handle, &parent)) &&
	       parent != ACPI_ROOT_OBJECT) {
		handle = parent;
		acpi_walk_resources(handle, METHOD_NAME__CRS, hvpci_acpi_range,
				    r);
		if (r->nr)
			break;
	}
	return r->overflow ? -E2BIG : 0;
}

/* The framebuffer this kernel was told about, if any. */
static void hvpci_known_fb(u64 *start, u64 *len)
{
	const struct screen_info *si = hvpci_screen_info();
	struct pci_dev *vga;

	*start = si->lfb_base;
	if (si->capabilities & VIDEO_CAPABILITY_64BIT_BASE)
		*start |= (u64)si->ext_lfb_base << 32;
	*len = si->lfb_size;
	if (*start)
		return;

	/* Gen1: the synthetic video device's BAR is the framebuffer. */
	vga = pci_get_device(PCI_VENDOR_ID_MICROSOFT,
			     PCI_DEVICE_ID_HYPERV_VIDEO, NULL);
	if (vga) {
		if (pci_resource_flags(vga, 0) & IORESOURCE_MEM) {
			*start = pci_resource_start(vga, 0);
			*len = pci_resource_len(vga, 0);
		}
		pci_dev_put(vga);
	}
}

static int hvpci_others_add(struct hvpci_others *o, u64 start, u64 len)
{
	struct hvpci_span *tab;
	int ret;

	if (o->nr == o->max) {
		unsigned int max = o->max ? 2 * o->max : 16;

		tab = kmalloc_array(max, sizeof(*tab), GFP_KERNEL);
		if (!tab)
			return -ENOMEM;
		if (o->nr)
			memcpy(tab, o->span, o->nr * sizeof(*tab));
		kfree(o->span);
		o->span = tab;
		o->max = max;
	}
	ret = hvpci_mmio_claim(hvpci_map, start, len);
	if (ret)
		return -ENOMEM;
	o->span[o->nr].start = start;
	o->span[o->nr].len = len;
	o->nr++;
	return 0;
}

static int hvpci_others_one(struct resource *res, void *arg)
{
	struct hvpci_others *o = arg;

	o->err = hvpci_others_add(o, res->start, resource_size(res));
	return o->err;
}

/* The busy regions of iomem_resource in [start, start + len). */
static int hvpci_others_in(struct hvpci_others *o, u64 start, u64 len)
{
	unsigned int before = o->nr;

	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_MEM | IORESOURCE_BUSY,
			    start, start + len - 1, o, hvpci_others_one);
	if (o->err)
		return o->err;
	return o->nr - before;
}

/* The snapshot: every busy region in the VMBus ranges. */
static int hvpci_others_snapshot(struct hvpci_others *o)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; ret >= 0 && i < hvpci_map->nr_low; i++)
		ret = hvpci_others_in(o, hvpci_map->low[i].start,
				      hvpci_map->low[i].len);
	for (i = 0; ret >= 0 && i < hvpci_map->nr_high; i++)
		ret = hvpci_others_in(o, hvpci_map->high[i].start,
				      hvpci_map->high[i].len);
	return ret < 0 ? ret : 0;
}

/* Back to hvpci's own spans only. */
static void hvpci_others_forget(struct hvpci_others *o)
{
	while (o->nr--)
		hvpci_mmio_release(hvpci_map, o->span[o->nr].start,
				   o->span[o->nr].len);
	kfree(o->span);
	memset(o, 0, sizeof(*o));
}

static int hvpci_build_map(struct hvpci_bus *bus)
{
	struct device *dev = &bus->hdev->device;
	struct hvpci_acpi_ranges r = { };
	struct hvpci_mmio_input in = { };
	struct hvpci_others o = { };
	struct hvpci_span todo[HVPCI_MAX_GUARDS * 4];
	u64 guarded = 0, free_left = 0;
	char *text;
	int i, n, ret;

	ret = hvpci_read_ranges(bus->hdev, &r);
	if (ret) {
		dev_err(dev, "cannot read the VMBus MMIO ranges from ACPI: %d\n",
			ret);
		return ret;
	}
	in.ranges = r.span;
	in.nr_ranges = r.nr;
	in.boot = efi_enabled(EFI_BOOT) ? HVPCI_BOOT_EFI : HVPCI_BOOT_LEGACY;
	hvpci_known_fb(&in.fb_start, &in.fb_len);

	hvpci_map = kzalloc(sizeof(*hvpci_map), GFP_KERNEL);
	text = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!hvpci_map || !text) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = hvpci_mmio_map_init(hvpci_map, &in);
	if (ret) {
		dev_err(dev, "VMBus MMIO ranges rejected: %s\n",
			hvpci_mmio_strerror(ret));
		ret = -EINVAL;
		goto fail;
	}

	/* Tell a person how much of the guard its drivers already hold. */
	for (i = 0; i < hvpci_map->nr_guard; i++)
		guarded += hvpci_map->guard[i].len;
	n = hvpci_others_snapshot(&o);
	if (!n)
		n = hvpci_mmio_guard_todo(hvpci_map, todo, ARRAY_SIZE(todo));
	for (i = 0; i < n; i++)
		free_left += todo[i].len;
	hvpci_others_forget(&o);

	hvpci_mmio_describe(hvpci_map, text, PAGE_SIZE);
	dev_info(dev, "MMIO layout (%s boot, screen_info fb %#llx+%#llx): %s\n",
		 in.boot == HVPCI_BOOT_EFI ? "EFI" : "legacy", in.fb_start,
		 in.fb_len, text);
	if (n >= 0 && free_left < guarded)
		dev_info(dev, "%llu KiB of the framebuffer guard already held by others\n",
			 (guarded - free_left) >> 10);
	kfree(text);
	return 0;

fail:
	kfree(text);
	kfree(hvpci_map);
	hvpci_map = NULL;
	return ret;
}

int hvpci_mmio_setup(struct hvpci_bus *bus)
{
	int ret = 0;

	mutex_lock(&hvpci_mmio_lock);
	if (!hvpci_map)
		ret = hvpci_build_map(bus);
	if (!ret)
		list_add_tail(&bus->node, &hvpci_buses);
	mutex_unlock(&hvpci_mmio_lock);
	return ret;
}

void hvpci_mmio_bus_gone(struct hvpci_bus *bus)
{
	mutex_lock(&hvpci_mmio_lock);
	list_del_init(&bus->node);
	mutex_unlock(&hvpci_mmio_lock);
}

static void hvpci_no_room(struct hvpci_bus *bus, int kind, u64 len)
{
	char *text = kzalloc(PAGE_SIZE, GFP_KERNEL);

	if (!text)
		return;
	hvpci_mmio_describe_failure(hvpci_map, kind, len, text, PAGE_SIZE);
	dev_err(&bus->hdev->device, "%s\n", text);
	kfree(text);
}

/* Windows VMBus allocated, freed through VMBus. */
struct hvpci_vmbus_span {
	struct list_head node;
	u64 start;
};

static LIST_HEAD(hvpci_vmbus_spans);

/* The VMBus range (of the policy's map) that holds @start. */
static const struct hvpci_span *hvpci_range_of(u64 start)
{
	const struct hvpci_span *tab = hvpci_map->low;
	unsigned int i, n = hvpci_map->nr_low;

	if (start >= HVPCI_SZ_4G) {
		tab = hvpci_map->high;
		n = hvpci_map->nr_high;
	}
	for (i = 0; i < n; i++)
		if (start >= tab[i].start && start - tab[i].start < tab[i].len)
			return &tab[i];
	return NULL;
}

/*
 * A region hvpci's may nest in: the root of the tree, or one that holds
 * the whole VMBus range (a root bus window), never a piece of someone
 * else's.
 */
static bool hvpci_nest_ok(const struct resource *parent, u64 start)
{
	const struct hvpci_span *range = hvpci_range_of(start);

	if (parent == &iomem_resource)
		return true;
	return range && parent->start <= range->start &&
	       parent->end >= range->start + range->len - 1;
}

/*
 * BAR windows are bridge windows, not busy in iomem_resource, so only
 * VMBus's private record of its allocations keeps a later
 * vmbus_allocate_mmio() caller (hyperv_drm's VRAM) out of them.  Where
 * VMBus's own first fit is free to run, in a range that holds no part of
 * the guard or the vTPM hole, it allocates the window; kept only when it
 * chose the policy's span, freed at once otherwise.
 */
static int hvpci_take_vmbus(struct hvpci_bus *bus, u64 plan, u64 len,
			    u64 align, struct resource **res)
{
	const struct hvpci_span *range = hvpci_range_of(plan);
	struct hvpci_vmbus_span *v;
	struct resource *r;

	if (!range || hvpci_mmio_in_guard(hvpci_map, range->start, range->len) ||
	    (range->start < HVPCI_SZ_4G &&
	     range->start + range->len > HVPCI_VTPM_START))
		return -ENOENT;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	if (vmbus_allocate_mmio(&r, bus->hdev, range->start,
				range->start + range->len - 1, len, align,
				false)) {
		kfree(v);
		return -ENOENT;
	}
	if (r->start != plan || !hvpci_nest_ok(r->parent, plan)) {
		vmbus_free_mmio(r->start, len);
		kfree(v);
		return -ENOENT;
	}
	v->start = plan;
	list_add(&v->node, &hvpci_vmbus_spans);
	*res = r;
	return 0;
}

/* Give back a span; true when VMBus allocated it. */
static bool hvpci_vmbus_put(u64 start, u64 len)
{
	struct hvpci_vmbus_span *v;

	list_for_each_entry(v, &hvpci_vmbus_spans, node) {
		if (v->start != start)
			continue;
		list_del(&v->node);
		kfree(v);
		vmbus_free_mmio(start, len);
		return true;
	}
	return false;
}

/*
 * Request exactly [plan, plan + len).  On failure, what is in the way
 * joins @o, so that the next pick avoids it.
 */
static int hvpci_take(struct hvpci_bus *bus, struct hvpci_others *o,
		      int kind, u64 plan, u64 len, u64 align,
		      struct resource **res)
{
	struct resource *r;
	u64 pstart, plen;
	int ret;

	if (kind != HVPCI_MMIO_CFG_WINDOW) {
		ret = hvpci_take_vmbus(bus, plan, len, align, res);
		if (ret != -ENOENT)
			return ret;
	}
	r = request_mem_region_exclusive(plan, len,
					 dev_name(&bus->hdev->device));
	if (r && hvpci_nest_ok(r->parent, plan)) {
		*res = r;
		return 0;
	}
	if (r) {
		pstart = r->parent->start;
		plen = resource_size(r->parent);
		release_mem_region(plan, len);
		ret = hvpci_others_add(o, pstart, plen);
		return ret ? ret : -EBUSY;
	}
	/* Taken since the snapshot, or by a region that is not busy. */
	ret = hvpci_others_in(o, plan, len);
	if (!ret)
		ret = hvpci_others_add(o, plan, len);
	return ret < 0 ? ret : -EBUSY;
}

/* Where the policy wants @kind; a bus's 32-bit BARs leave room for its 64-bit. */
static int hvpci_pick(struct hvpci_bus *bus, int kind, u64 len, u64 align,
		      u64 *plan)
{
	struct hvpci_mmio_req req[] = {
		{ .kind = kind, .len = len, .align = align },
		{ .kind = HVPCI_MMIO_BAR64, .len = bus->need64 },
	};

	if (kind == HVPCI_MMIO_BAR32 && bus->need64) {
		req[1].align = rounddown_pow_of_two(bus->need64);
		if (!hvpci_mmio_place_set(hvpci_map, req, ARRAY_SIZE(req))) {
			*plan = req[0].start;
			return 0;
		}
	}
	return hvpci_mmio_place(hvpci_map, kind, len, align, plan);
}

/*
 * Allocate @len bytes of VMBus MMIO for @kind (a hvpci_mmio_kind) where
 * the policy places it: high first where the policy allows it, else low
 * MMIO outside the guard and the vTPM hole.
 */
int hvpci_mmio_get(struct hvpci_bus *bus, int kind, u64 len, u64 align,
		   struct resource **res)
{
	struct hvpci_others o = { };
	unsigned int tries;
	u64 plan;
	int ret;

	*res = NULL;
	mutex_lock(&hvpci_mmio_lock);
	ret = hvpci_others_snapshot(&o);
	for (tries = 0; !ret && tries < HVPCI_MMIO_TRIES; tries++) {
		ret = hvpci_pick(bus, kind, len, align, &plan);
		if (ret) {
			hvpci_no_room(bus, kind, len);
			ret = -ENOSPC;
			break;
		}
		ret = hvpci_take(bus, &o, kind, plan, len, align, res);
		if (ret == -EBUSY) {
			ret = 0;
			continue;
		}
		if (!ret && hvpci_mmio_claim(hvpci_map, plan, len)) {
			if (!hvpci_vmbus_put(plan, len))
				release_mem_region(plan, len);
			*res = NULL;
			ret = -ENOMEM;
		}
		break;
	}
	if (!ret && !*res) {
		dev_err(&bus->hdev->device,
			"%s of %#llx bytes: every place picked was taken meanwhile\n",
			hvpci_mmio_kind_name(kind), len);
		ret = -EBUSY;
	}
	hvpci_others_forget(&o);
	mutex_unlock(&hvpci_mmio_lock);
	return ret;
}

void hvpci_mmio_put(struct resource *res)
{
	u64 start = res->start, len = resource_size(res);

	mutex_lock(&hvpci_mmio_lock);
	if (!hvpci_vmbus_put(start, len))
		release_mem_region(start, len);
	if (hvpci_map)
		hvpci_mmio_release(hvpci_map, start, len);
	mutex_unlock(&hvpci_mmio_lock);
}

static int hvpci_res_text(char *buf, size_t size, const char *what,
			  const struct resource *res)
{
	if (!res)
		return scnprintf(buf, size, "%s none", what);
	return scnprintf(buf, size, "%s [mem %#llx-%#llx] (%s)", what,
			 (u64)res->start, (u64)res->end,
			 res->start >= HVPCI_SZ_4G ? "high" : "low");
}

static void hvpci_bus_line(struct hvpci_bus *bus, char *buf, size_t size)
{
	int n;

	n = scnprintf(buf, size, "domain %04x:", bus->bridge->domain_nr);
	n += hvpci_res_text(buf + n, size - n, " config window", bus->cfg_res);
	n += hvpci_res_text(buf + n, size - n, "; 32-bit BARs", bus->win32);
	hvpci_res_text(buf + n, size - n, "; 64-bit BARs", bus->win64);
}

/* The one dmesg line per bus. */
void hvpci_mmio_report(struct hvpci_bus *bus)
{
	char line[256];

	hvpci_bus_line(bus, line, sizeof(line));
	dev_info(&bus->hdev->device, "%s\n", line);
}

static int hvpci_layout_show(struct seq_file *m, void *unused)
{
	struct hvpci_bus *bus;
	char *text;

	text = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	mutex_lock(&hvpci_mmio_lock);
	if (hvpci_map) {
		hvpci_mmio_describe(hvpci_map, text, PAGE_SIZE);
		seq_printf(m, "%s\n", text);
	} else {
		seq_puts(m, "no vPCI bus probed yet\n");
	}
	list_for_each_entry(bus, &hvpci_buses, node) {
		hvpci_bus_line(bus, text, PAGE_SIZE);
		seq_printf(m, "%s\n", text);
	}
	mutex_unlock(&hvpci_mmio_lock);
	kfree(text);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvpci_layout);

int hvpci_mmio_init(void)
{
	hvpci_debugfs = debugfs_create_dir("hvpci", NULL);
	debugfs_create_file("layout", 0444, hvpci_debugfs, NULL,
			    &hvpci_layout_fops);
	return 0;
}

void hvpci_mmio_exit(void)
{
	debugfs_remove_recursive(hvpci_debugfs);
	if (hvpci_map)
		hvpci_mmio_map_free(hvpci_map);
	kfree(hvpci_map);
	hvpci_map = NULL;
}

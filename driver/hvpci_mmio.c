// SPDX-License-Identifier: GPL-2.0
/*
 * hvpci MMIO glue: applies the MMIO policy (hvpci_mmio_policy.c) to the
 * allocations this driver makes through vmbus_allocate_mmio().
 *
 * vmbus_allocate_mmio() hands out the first free, aligned spot of the
 * VMBus ranges and knows nothing of a framebuffer it has not reserved
 * itself.  Before a low allocation, the framebuffer guard and the vTPM
 * hole are therefore claimed in iomem_resource, which makes every
 * candidate there fail; the claims are dropped right after.  They are not
 * kept between allocations so that a framebuffer driver loaded later can
 * still put its VRAM into the framebuffer area, as it may with the VMBus
 * driver's own framebuffer reservation.  Parts of those areas that
 * someone already holds are left alone: held is as good as claimed.
 *
 * Every result is checked against the policy before it is used.
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

#define HVPCI_MAX_BLOCKS	512

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

struct hvpci_blocks {
	struct resource *res[HVPCI_MAX_BLOCKS];
	unsigned int nr;
	u64 held;		/* bytes someone else already holds */
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

/* Claim what is free of [start, start + len), halving around what is not. */
static int hvpci_block(struct hvpci_blocks *b, u64 start, u64 len)
{
	struct resource *res;
	u64 half;
	int ret;

	if (b->nr == HVPCI_MAX_BLOCKS)
		return -ENOSPC;
	res = request_mem_region(start, len, "hvpci reserved");
	if (res) {
		b->res[b->nr++] = res;
		return 0;
	}
	if (len <= PAGE_SIZE) {
		b->held += len;
		return 0;
	}
	half = round_down(len / 2, PAGE_SIZE);
	if (!half)
		half = PAGE_SIZE;
	ret = hvpci_block(b, start, half);
	if (!ret)
		ret = hvpci_block(b, start + half, len - half);
	return ret;
}

static void hvpci_unblock(struct hvpci_blocks *b)
{
	while (b->nr--)
		release_mem_region(b->res[b->nr]->start,
				   resource_size(b->res[b->nr]));
	b->nr = 0;
}

/* Claim the guard and the vTPM hole; partial failure leaves gaps only. */
static int hvpci_block_forbidden(struct hvpci_blocks *b)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < hvpci_map->nr_guard; i++)
		ret = hvpci_block(b, hvpci_map->guard[i].start,
				  hvpci_map->guard[i].len);
	if (!ret)
		ret = hvpci_block(b, HVPCI_VTPM_START,
				  HVPCI_SZ_4G - HVPCI_VTPM_START);
	return ret;
}

static int hvpci_build_map(struct hvpci_bus *bus)
{
	struct device *dev = &bus->hdev->device;
	struct hvpci_acpi_ranges r = { };
	struct hvpci_mmio_input in = { };
	struct hvpci_blocks *b;
	char *text;
	int ret;

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
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	text = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!hvpci_map || !b || !text) {
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

	/* Probe the guard once, to tell a person who holds it. */
	hvpci_block_forbidden(b);
	hvpci_unblock(b);

	hvpci_mmio_describe(hvpci_map, text, PAGE_SIZE);
	dev_info(dev, "MMIO layout (%s boot, screen_info fb %#llx+%#llx): %s\n",
		 in.boot == HVPCI_BOOT_EFI ? "EFI" : "legacy", in.fb_start,
		 in.fb_len, text);
	if (b->held)
		dev_info(dev, "%llu KiB of the framebuffer guard and vTPM hole already held by others\n",
			 b->held >> 10);
	kfree(text);
	kfree(b);
	return 0;

fail:
	kfree(text);
	kfree(b);
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

/*
 * One attempt at the spot the policy planned, high or low.  The guard is
 * blocked in both cases: screen_info may place a framebuffer above 4 GiB.
 */
static int hvpci_try(struct hvpci_bus *bus, int kind, u64 plan, u64 len,
		     u64 align, struct resource **res)
{
	u64 min = HVPCI_SZ_4G, max = U64_MAX;
	struct hvpci_blocks *b;
	int ret;

	if (plan < HVPCI_SZ_4G) {
		min = 0;
		max = HVPCI_SZ_4G - 1;
	}
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	ret = hvpci_block_forbidden(b);
	if (ret) {
		hvpci_unblock(b);
		kfree(b);
		return ret;
	}
	ret = vmbus_allocate_mmio(res, bus->hdev, min, max, len, align, false);
	hvpci_unblock(b);
	kfree(b);
	if (ret)
		return ret;

	ret = hvpci_mmio_check(hvpci_map, kind, (*res)->start, len);
	if (!ret)
		ret = hvpci_mmio_claim(hvpci_map, (*res)->start, len);
	if (ret) {
		dev_err(&bus->hdev->device,
			"VMBus offered %pR for the %s: %s\n", *res,
			hvpci_mmio_kind_name(kind), hvpci_mmio_strerror(ret));
		vmbus_free_mmio((*res)->start, len);
		*res = NULL;
		return -EBUSY;
	}
	if ((*res)->start != plan)
		dev_dbg(&bus->hdev->device,
			"%s planned at %#llx, placed at %pR\n",
			hvpci_mmio_kind_name(kind), plan, *res);
	return 0;
}

/*
 * Allocate @len bytes of VMBus MMIO for @kind (a hvpci_mmio_kind).  High
 * first where the policy allows it; when the high ranges cannot give it,
 * low MMIO outside the guard and the vTPM hole.
 */
int hvpci_mmio_get(struct hvpci_bus *bus, int kind, u64 len, u64 align,
		   struct resource **res)
{
	u64 plan;
	int ret;

	*res = NULL;
	mutex_lock(&hvpci_mmio_lock);
	ret = hvpci_mmio_place(hvpci_map, kind, len, align, &plan);
	if (!ret) {
		ret = hvpci_try(bus, kind, plan, len, align, res);
		/* High space taken outside this driver: try low. */
		if (ret && plan >= HVPCI_SZ_4G &&
		    !hvpci_mmio_place(hvpci_map, HVPCI_MMIO_BAR32, len, align,
				      &plan))
			ret = hvpci_try(bus, kind, plan, len, align, res);
	}
	if (ret) {
		hvpci_no_room(bus, kind, len);
		ret = -ENOSPC;
	}
	mutex_unlock(&hvpci_mmio_lock);
	return ret;
}

void hvpci_mmio_put(struct resource *res)
{
	u64 start = res->start, len = resource_size(res);

	mutex_lock(&hvpci_mmio_lock);
	vmbus_free_mmio(start, len);
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

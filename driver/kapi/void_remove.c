// SPDX-License-Identifier: GPL-2.0
/* hv_driver.remove returns void (Linux 6.3; int before, which VMBus ignored). */
#include <linux/hyperv.h>

static void hvpci_probe_remove(struct hv_device *hdev)
{
}

static struct hv_driver hvpci_probe_drv __maybe_unused = {
	.remove = hvpci_probe_remove,
};

// SPDX-License-Identifier: GPL-2.0
/* The boot framebuffer in sysfb_primary_display (7.x; screen_info before). */
#include <linux/sysfb.h>

static __maybe_unused const struct screen_info *hvpci_probe_si(void)
{
	return &sysfb_primary_display.screen;
}

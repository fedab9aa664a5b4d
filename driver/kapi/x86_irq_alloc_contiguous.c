// SPDX-License-Identifier: GPL-2.0
/* x86 multi-MSI asks for contiguous vectors unless told not to (gone by 6.12). */
#include <asm/irqdomain.h>

static unsigned long hvpci_probe_contig __maybe_unused =
	X86_IRQ_ALLOC_CONTIGUOUS_VECTORS;

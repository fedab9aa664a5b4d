/*
 * Hyper-V virtual PCI bus: config blocks, the VF <-> PF side channel
 *
 * A VF driver that has no other way to reach its physical function's
 * driver on the host (mlx5 is the one in Linux) exchanges small blocks
 * with it over vPCI: READ_BLOCK and WRITE_BLOCK from the guest, and
 * INVALIDATE_BLOCK from the host when the PF side has changed blocks
 * (a bit per block id in a 64-bit mask).  A block is at most 128 bytes.
 *
 * The stand-in plays the PF side with one store per function: 64 blocks of
 * 128 bytes, zero until written.  The guest's writes land in it and its
 * reads come from it; the host (a test, through the write-only
 * "config-block" property) writes a block and announces it with
 * INVALIDATE_BLOCK, as a PF driver does.  A block id past the mask, a size
 * of 0 or over 128 bytes, or a write whose bytes do not fit the packet is
 * refused with STATUS_INVALID_PARAMETER.  The store belongs to the
 * function: it is freed when the function leaves the bus, and outlives
 * guest reboots, as the PF driver's state would.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "vpci-internal.h"
#include "trace.h"

#define VPCI_BLOCK_STORE_SIZE   (VPCI_CFG_BLOCKS * VPCI_CFG_BLOCK_MAX)

static bool vpci_block_args_ok(uint32_t id, uint32_t len)
{
    return id < VPCI_CFG_BLOCKS && len && len <= VPCI_CFG_BLOCK_MAX;
}

static uint8_t *vpci_block_at(HvVpciFunc *f, uint32_t id)
{
    if (!f->cfg_blocks) {
        f->cfg_blocks = g_malloc0(VPCI_BLOCK_STORE_SIZE);
    }
    return f->cfg_blocks + id * VPCI_CFG_BLOCK_MAX;
}

/* Hex of the bytes, for the trace (at most 256 digits) */
static char *vpci_block_hex(const uint8_t *bytes, uint32_t len)
{
    GString *s = g_string_sized_new(len * 2 + 1);
    uint32_t i;

    for (i = 0; i < len; i++) {
        g_string_append_printf(s, "%02x", bytes[i]);
    }
    return g_string_free(s, false);
}

uint32_t vpci_block_read(HvVpci *v, HvVpciFunc *f, uint32_t id, uint32_t len,
                         uint8_t *out)
{
    if (!vpci_block_args_ok(id, len)) {
        trace_vpci_block_read(v->bus_index, f->pdev->devfn, id, len,
                              VPCI_STATUS_INVALID_PARAMETER);
        return VPCI_STATUS_INVALID_PARAMETER;
    }
    memcpy(out, vpci_block_at(f, id), len);
    trace_vpci_block_read(v->bus_index, f->pdev->devfn, id, len,
                          VPCI_STATUS_SUCCESS);
    return VPCI_STATUS_SUCCESS;
}

uint32_t vpci_block_write(HvVpci *v, HvVpciFunc *f, uint32_t id,
                          const uint8_t *bytes, uint32_t len)
{
    g_autofree char *hex = NULL;

    if (!vpci_block_args_ok(id, len)) {
        trace_vpci_block_write(v->bus_index, f->pdev->devfn, id, len,
                               VPCI_STATUS_INVALID_PARAMETER, "");
        return VPCI_STATUS_INVALID_PARAMETER;
    }
    /* a shorter write leaves the rest of the block as it was */
    memcpy(vpci_block_at(f, id), bytes, len);
    hex = vpci_block_hex(bytes, len);
    trace_vpci_block_write(v->bus_index, f->pdev->devfn, id, len,
                           VPCI_STATUS_SUCCESS, hex);
    return VPCI_STATUS_SUCCESS;
}

void vpci_block_forget(HvVpciFunc *f)
{
    g_free(f->cfg_blocks);
    f->cfg_blocks = NULL;
}

/*
 * The host side writes a block: "DEVFN:ID:HEX", DEVFN the function's PCI
 * device/function number on the bus (0 for the first), ID the block, HEX
 * its new bytes (2 to 256 hex digits).  The guest is told with
 * INVALIDATE_BLOCK; a guest that has not opened the bus, or whose ring is
 * full, is not, and the setter fails so that the test knows.
 */
void vpci_block_host_write(HvVpci *v, const char *spec, Error **errp)
{
    g_auto(GStrv) part = g_strsplit(spec, ":", 3);
    uint8_t bytes[VPCI_CFG_BLOCK_MAX];
    VpciInvalidateBlock msg = { .type = VPCI_MSG_INVALIDATE_BLOCK };
    unsigned int devfn, id;
    HvVpciFunc *f;
    size_t hexlen, i;

    if (g_strv_length(part) != 3 ||
        qemu_strtoui(part[0], NULL, 0, &devfn) ||
        qemu_strtoui(part[1], NULL, 0, &id)) {
        error_setg(errp, "hv-vpci: config-block wants DEVFN:ID:HEX, not '%s'",
                   spec);
        return;
    }
    hexlen = strlen(part[2]);
    if (devfn >= VPCI_MAX_FUNCTIONS || !v->funcs[devfn].pdev) {
        error_setg(errp, "hv-vpci: no function at devfn %u", devfn);
        return;
    }
    if (!vpci_block_args_ok(id, hexlen / 2) || hexlen % 2) {
        error_setg(errp, "hv-vpci: config-block wants a block id below %u "
                   "and 1 to %u bytes in hex", VPCI_CFG_BLOCKS,
                   VPCI_CFG_BLOCK_MAX);
        return;
    }
    for (i = 0; i < hexlen / 2; i++) {
        char pair[3] = { part[2][2 * i], part[2][2 * i + 1], 0 };
        unsigned int byte;

        if (!g_ascii_isxdigit(pair[0]) || !g_ascii_isxdigit(pair[1]) ||
            qemu_strtoui(pair, NULL, 16, &byte)) {
            error_setg(errp, "hv-vpci: config-block: '%s' is not hex",
                       part[2]);
            return;
        }
        bytes[i] = byte;
    }

    f = &v->funcs[devfn];
    memcpy(vpci_block_at(f, id), bytes, hexlen / 2);
    msg.wslot = VPCI_WSLOT_FROM_DEVFN(devfn);
    msg.block_mask = 1ull << id;
    if (v->state < VPCI_BUS_NEGOTIATED || !vpci_send_inband(v, &msg,
                                                            sizeof(msg))) {
        trace_vpci_block_invalidate(v->bus_index, devfn, msg.block_mask,
                                    false);
        error_setg(errp, "hv-vpci: block %u of devfn %u written, but the "
                   "guest could not be told (bus not open, or ring full)",
                   id, devfn);
        return;
    }
    trace_vpci_block_invalidate(v->bus_index, devfn, msg.block_mask, true);
}

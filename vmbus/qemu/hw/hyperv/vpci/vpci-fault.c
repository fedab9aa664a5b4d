/*
 * Hyper-V virtual PCI bus: host faults on demand
 *
 * A failing or hostile host, for testing a guest's vPCI front end.  The
 * "faults" property holds a plan: a list separated by "/", one entry
 * per opening of the channel (each probe of the bus by the guest's
 * driver), so a guest that loads and unloads its driver in a loop meets
 * each entry in turn, and a plan that alternates faults with "none" gives
 * every faulty probe a clean one after it.  An entry is "none" or
 * STEP:KIND:
 *
 *   STEP   version    QUERY_PROTOCOL_VERSION
 *          relations  QUERY_BUS_RELATIONS (the answer is the relations
 *                     packet; it carries no status)
 *          resources  QUERY_RESOURCE_REQUIREMENTS
 *          d0-entry   BUS_D0_ENTRY
 *          assigned   RESOURCES_ASSIGNED (any form)
 *          interrupt  CREATE_INTERRUPT (any form)
 *          released   RESOURCES_RELEASED
 *          d0-exit    BUS_D0_EXIT
 *   KIND   error      answered with STATUS_UNSUCCESSFUL, not acted on
 *          drop       never answered, not acted on
 *          late       acted on and answered VPCI_FAULT_LATE_MS later
 *          twice      acted on, the answer sent twice
 *          eject      the host ejects the bus's first function, then the
 *                     message is handled as usual
 *          rescind    the host removes the whole bus, as a device_del of
 *                     it does (each function the guest knows ejected,
 *                     then the channel offer rescinded), then the message
 *                     is handled as usual; the bus is gone once the guest
 *                     has released the channel
 *
 * The first message of the entry's step in that opening takes the fault;
 * later ones are served as usual.  The plan can be changed at run time
 * with qom-set; the new one starts over at the next opening.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "hw/qdev-core.h"
#include "vpci-internal.h"
#include "trace.h"

static const struct {
    const char *name;
    uint32_t types[3];
} vpci_fault_steps[] = {
    [VPCI_FAULT_STEP_VERSION] = { "version",
        { VPCI_MSG_QUERY_PROTOCOL_VERSION } },
    [VPCI_FAULT_STEP_RELATIONS] = { "relations",
        { VPCI_MSG_QUERY_BUS_RELATIONS } },
    [VPCI_FAULT_STEP_RESOURCES] = { "resources",
        { VPCI_MSG_QUERY_RESOURCE_REQS } },
    [VPCI_FAULT_STEP_D0_ENTRY] = { "d0-entry", { VPCI_MSG_BUS_D0_ENTRY } },
    [VPCI_FAULT_STEP_ASSIGNED] = { "assigned",
        { VPCI_MSG_RESOURCES_ASSIGNED, VPCI_MSG_RESOURCES_ASSIGNED2,
          VPCI_MSG_RESOURCES_ASSIGNED3 } },
    [VPCI_FAULT_STEP_INTERRUPT] = { "interrupt",
        { VPCI_MSG_CREATE_INTERRUPT, VPCI_MSG_CREATE_INTERRUPT2,
          VPCI_MSG_CREATE_INTERRUPT3 } },
    [VPCI_FAULT_STEP_RELEASED] = { "released",
        { VPCI_MSG_RESOURCES_RELEASED } },
    [VPCI_FAULT_STEP_D0_EXIT] = { "d0-exit", { VPCI_MSG_BUS_D0_EXIT } },
};

static const char *const vpci_fault_kinds[] = {
    [VPCI_FAULT_NONE] = "none",
    [VPCI_FAULT_ERROR] = "error",
    [VPCI_FAULT_DROP] = "drop",
    [VPCI_FAULT_LATE] = "late",
    [VPCI_FAULT_TWICE] = "twice",
    [VPCI_FAULT_EJECT] = "eject",
    [VPCI_FAULT_RESCIND] = "rescind",
};

/* One plan entry: "none" or STEP:KIND.  False when it is neither. */
static bool vpci_fault_parse_one(const char *s, int *step, VpciFaultKind *kind)
{
    g_auto(GStrv) parts = g_strsplit(s, ":", -1);
    int i;

    *step = -1;
    *kind = VPCI_FAULT_NONE;
    if (!strcmp(s, "none")) {
        return true;
    }
    if (g_strv_length(parts) != 2) {
        return false;
    }
    for (i = 0; i < ARRAY_SIZE(vpci_fault_steps); i++) {
        if (!strcmp(parts[0], vpci_fault_steps[i].name)) {
            *step = i;
        }
    }
    for (i = VPCI_FAULT_ERROR; i < ARRAY_SIZE(vpci_fault_kinds); i++) {
        if (!strcmp(parts[1], vpci_fault_kinds[i])) {
            *kind = i;
        }
    }
    if (*step < 0 || *kind == VPCI_FAULT_NONE) {
        return false;
    }
    /* the relations packet has no status to make an error of */
    return !(*step == VPCI_FAULT_STEP_RELATIONS && *kind == VPCI_FAULT_ERROR);
}

bool vpci_fault_set_plan(HvVpci *v, const char *plan, Error **errp)
{
    g_auto(GStrv) entries = g_strsplit(plan, "/", -1);
    int i, step;
    VpciFaultKind kind;

    for (i = 0; plan[0] && entries[i]; i++) {
        if (!vpci_fault_parse_one(entries[i], &step, &kind)) {
            error_setg(errp, "hv-vpci: fault plan entry '%s' is not 'none' "
                       "or STEP:KIND (steps: version, relations, resources, "
                       "d0-entry, assigned, interrupt, released, d0-exit; "
                       "kinds: error, drop, late, twice, eject, rescind; no "
                       "relations:error)", entries[i]);
            return false;
        }
    }
    g_free(v->fault_plan);
    v->fault_plan = g_strdup(plan);
    v->fault_openings = 0;
    v->fault_step = -1;
    return true;
}

void vpci_fault_arm(HvVpci *v)
{
    g_auto(GStrv) entries = NULL;
    VpciFaultKind kind = VPCI_FAULT_NONE;
    int step = -1;
    unsigned n = v->fault_openings++;

    v->fault_step = -1;
    if (!v->fault_plan || !v->fault_plan[0]) {
        return;
    }
    entries = g_strsplit(v->fault_plan, "/", -1);
    if (n >= g_strv_length(entries)) {
        return;
    }
    vpci_fault_parse_one(entries[n], &step, &kind);
    v->fault_step = step;
    v->fault_kind = kind;
    trace_vpci_fault_armed(v->bus_index, n, entries[n]);
}

VpciFaultKind vpci_fault_peek(HvVpci *v, uint32_t type)
{
    int i;

    if (v->fault_step < 0) {
        return VPCI_FAULT_NONE;
    }
    for (i = 0; i < ARRAY_SIZE(vpci_fault_steps[0].types); i++) {
        uint32_t t = vpci_fault_steps[v->fault_step].types[i];

        if (t && t == type) {
            return v->fault_kind;
        }
    }
    return VPCI_FAULT_NONE;
}

void vpci_fault_consume(HvVpci *v, uint32_t type)
{
    VpciFaultKind kind = vpci_fault_peek(v, type);

    if (kind == VPCI_FAULT_NONE) {
        return;
    }
    trace_vpci_fault(v->bus_index, type, vpci_fault_kinds[kind]);
    v->fault_step = -1;
    if (kind == VPCI_FAULT_EJECT) {
        int devfn;

        for (devfn = 0; devfn < VPCI_MAX_FUNCTIONS; devfn++) {
            HvVpciFunc *f = &v->funcs[devfn];
            Error *err = NULL;

            if (!f->pdev || !f->reported || f->eject_sent) {
                continue;
            }
            /* as a device_del of the function would */
            qdev_unplug(DEVICE(f->pdev), &err);
            if (err) {
                trace_vpci_fault_eject_failed(v->bus_index, devfn,
                                              error_get_pretty(err));
                error_free(err);
            }
            break;
        }
    }
    if (kind == VPCI_FAULT_RESCIND) {
        Error *err = NULL;

        /* as a device_del of the bus would (vpci_vmdev_unplug_request) */
        qdev_unplug(DEVICE(v), &err);
        if (err) {
            trace_vpci_fault_rescind_failed(v->bus_index,
                                            error_get_pretty(err));
            error_free(err);
        }
    }
}

static void vpci_fault_late_fire(void *opaque)
{
    HvVpci *v = opaque;
    VMBusChanReq *req = v->fault_late_req;

    v->fault_late_req = NULL;
    if (req) {
        vpci_answer_late(v, req);
        vmbus_free_req(req);
    }
}

void vpci_fault_hold(HvVpci *v, VMBusChanReq *req)
{
    /* one at a time (an entry faults one message): answer an older one now */
    vpci_fault_late_fire(v);
    v->fault_late_req = req;
    timer_mod(v->fault_timer,
              qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + VPCI_FAULT_LATE_MS);
}

void vpci_fault_reset(HvVpci *v)
{
    if (v->fault_timer) {
        timer_del(v->fault_timer);
    }
    if (v->fault_late_req) {
        /* the channel went away: nobody is left to answer */
        vmbus_free_req(v->fault_late_req);
        v->fault_late_req = NULL;
    }
    v->fault_step = -1;
}

void vpci_fault_init(HvVpci *v)
{
    v->fault_step = -1;
    v->fault_timer = timer_new_ms(QEMU_CLOCK_VIRTUAL, vpci_fault_late_fire, v);
}

void vpci_fault_finalize(HvVpci *v)
{
    vpci_fault_reset(v);
    timer_free(v->fault_timer);
    v->fault_timer = NULL;
    g_free(v->fault_plan);
    v->fault_plan = NULL;
}

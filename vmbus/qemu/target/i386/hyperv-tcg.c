/*
 * Hyper-V enlightenments under TCG for the hvpci stand-in
 *
 * With KVM the kernel implements the guest-facing half of Hyper-V: CPUID
 * leaves, synthetic MSRs, the hypercall page and SynIC interrupts.  Under
 * TCG nothing did, so a guest never learned it was on Hyper-V.  This file is
 * that half for TCG; the device half (SynIC pages, message staging, VMBus)
 * stays in hw/hyperv.
 *
 * Scope is what a Linux guest needs for VMBus:
 *  - hypercall page, guest OS id (partition wide, as on Hyper-V)
 *  - VP index, time reference count
 *  - SynIC control, message and event-flag pages, EOM, SINT0..15
 *  - HvPostMessage, HvSignalEvent, HvRetargetDeviceInterrupt
 * Everything else in the synthetic MSR range raises #GP, and CPUID
 * advertises nothing beyond this list.
 *
 * The hypercall page holds "out HV_TCG_HCALL_PORT, al; ret".  The port write
 * reaches hv_hcall_port_write() in the calling vCPU's thread with its
 * registers in env, which is all a hypercall needs.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qemu/queue.h"
#include "qapi/error.h"
#include "cpu.h"
#include "exec/address-spaces.h"
#include "exec/cpu-common.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/i386/apic.h"
#include "hw/hyperv/hyperv.h"
#include "hw/hyperv/hv-tcg.h"
#include "migration/blocker.h"
#include "sysemu/reset.h"
#include "sysemu/tcg.h"
#include "hyperv-tcg.h"
#include "kvm/hyperv.h"
#include "trace.h"

/* I/O port the hypercall page writes to; unused by PC machines */
#define HV_TCG_HCALL_PORT           0xe6

/* Hypercall input value (RCX) fields */
#define HV_HCALL_CODE_MASK          0xffffull
#define HV_HCALL_VARHEAD_SHIFT      17
#define HV_HCALL_VARHEAD_MASK       0x3ffull
#define HV_HCALL_REP_COUNT_SHIFT    32
#define HV_HCALL_REP_COUNT_MASK     0xfffull
#define HV_HCALL_REP_START_SHIFT    48
#define HV_HCALL_REP_START_MASK     0xfffull

#define HV_STATUS_ACCESS_DENIED     6

/* HV_X64_MSR_HYPERCALL fields */
#define HV_HYPERCALL_LOCKED         (1ull << 1)
#define HV_HYPERCALL_PAGE_MASK      (~0xfffull)

/* HV_X64_MSR_REFERENCE_TSC enable bit */
#define HV_REFERENCE_TSC_ENABLE     (1ull << 0)

/* HV_X64_MSR_SINTx fields */
#define HV_SINT_VECTOR_MASK         0xffull
#define HV_SINT_AUTO_EOI            (1ull << 17)
#define HV_SINT_FIRST_VECTOR        16

/* Synthetic MSRs live here; the ones we do not know raise #GP */
#define HV_TCG_MSR_FIRST            0x40000000u
#define HV_TCG_MSR_LAST             0x400001ffu

#define HV_TCG_CPUID_LAST           HV_CPUID_IMPLEMENT_LIMITS

/* Enlightenments implemented here; any other hv-* flag is refused */
#define HV_TCG_SUPPORTED_FEATURES   (BIT(HYPERV_FEAT_RELAXED) | \
                                     BIT(HYPERV_FEAT_VPINDEX) | \
                                     BIT(HYPERV_FEAT_SYNIC) |   \
                                     BIT(HYPERV_FEAT_TIME))

/* What vmbus-bridge turns on when the command line asked for nothing */
#define HV_TCG_VMBUS_FEATURES       HV_TCG_SUPPORTED_FEATURES

/* Fixed entry point of the hypercall page: endbr64; out imm8, al; ret */
static const uint8_t hv_hcall_stub[] = {
    0xf3, 0x0f, 0x1e, 0xfa,
    0xe6, HV_TCG_HCALL_PORT,
    0xc3,
};

typedef struct HvRetargetHandlerEntry {
    HvRetargetInterruptHandler handler;
    void *opaque;
    QLIST_ENTRY(HvRetargetHandlerEntry) link;
} HvRetargetHandlerEntry;

/*
 * Partition-wide state.  Hyper-V keeps the guest OS id and the hypercall page
 * per partition: Linux writes them once, from whichever vCPU loads the code,
 * and then calls through the page from every vCPU.
 */
typedef struct HvTcgPartition {
    bool initialized;
    uint64_t guest_os_id;
    uint64_t hypercall;
    uint64_t reference_tsc;
    MemoryRegion hcall_port;
    QLIST_HEAD(, HvRetargetHandlerEntry) retarget_handlers;
    /* this state and the vCPUs' SynIC MSRs are in no migration stream */
    Error *migration_blocker;
} HvTcgPartition;

static HvTcgPartition hv_partition;

static inline bool hv_cpu_enabled(X86CPU *cpu)
{
    return cpu->hyperv_features & HV_TCG_SUPPORTED_FEATURES;
}

static inline bool hv_cpu_has(X86CPU *cpu, int feat)
{
    return hyperv_feat_enabled(cpu, feat);
}

static uint32_t hv_vp(X86CPU *cpu)
{
    return hyperv_vp_index(CPU(cpu));
}

/*
 * MSR helpers run without the BQL under MTTCG; what touches the memory map,
 * guest RAM or the SynIC routes takes it here.
 */
static bool hv_bql_take(void)
{
    if (qemu_mutex_iothread_locked()) {
        return false;
    }
    qemu_mutex_lock_iothread();
    return true;
}

static void hv_bql_release(bool taken)
{
    if (taken) {
        qemu_mutex_unlock_iothread();
    }
}

/* ---------------------------------------------------------------- CPUID */

bool hyperv_tcg_cpuid(X86CPU *cpu, uint32_t index,
                      uint32_t *eax, uint32_t *ebx,
                      uint32_t *ecx, uint32_t *edx)
{
    if (!tcg_enabled() || !hv_cpu_enabled(cpu) ||
        index < HV_CPUID_VENDOR_AND_MAX_FUNCTIONS || index > 0x400000ff) {
        return false;
    }

    *eax = *ebx = *ecx = *edx = 0;
    switch (index) {
    case HV_CPUID_VENDOR_AND_MAX_FUNCTIONS:
        *eax = HV_TCG_CPUID_LAST;
        *ebx = cpu->hyperv_vendor_id[0];
        *ecx = cpu->hyperv_vendor_id[1];
        *edx = cpu->hyperv_vendor_id[2];
        break;
    case HV_CPUID_INTERFACE:
        *eax = cpu->hyperv_interface_id[0];
        break;
    case HV_CPUID_VERSION:
        *eax = cpu->hyperv_ver_id_build;
        *ebx = (uint32_t)cpu->hyperv_ver_id_major << 16 |
               cpu->hyperv_ver_id_minor;
        *ecx = cpu->hyperv_ver_id_sp;
        *edx = (uint32_t)cpu->hyperv_ver_id_sb << 24 |
               (cpu->hyperv_ver_id_sn & 0xffffff);
        break;
    case HV_CPUID_FEATURES:
        *eax = HV_HYPERCALL_AVAILABLE;
        if (hv_cpu_has(cpu, HYPERV_FEAT_VPINDEX)) {
            *eax |= HV_VP_INDEX_AVAILABLE;
        }
        if (hv_cpu_has(cpu, HYPERV_FEAT_TIME)) {
            *eax |= HV_TIME_REF_COUNT_AVAILABLE;
        }
        if (hv_cpu_has(cpu, HYPERV_FEAT_SYNIC)) {
            *eax |= HV_SYNIC_AVAILABLE;
            *ebx |= HV_POST_MESSAGES | HV_SIGNAL_EVENTS;
        }
        break;
    case HV_CPUID_ENLIGHTMENT_INFO:
        /*
         * QEMU's APIC does not implement auto-EOI, so ask the guest to EOI
         * SynIC interrupts itself.
         */
        *eax = HV_DEPRECATING_AEOI_RECOMMENDED;
        if (hv_cpu_has(cpu, HYPERV_FEAT_RELAXED)) {
            *eax |= HV_RELAXED_TIMING_RECOMMENDED;
        }
        *ebx = cpu->hyperv_spinlock_attempts;
        break;
    case HV_CPUID_IMPLEMENT_LIMITS:
        *eax = MIN(cpu->hyperv_limits[0], HV_TCG_MAX_VPS);
        *ebx = MIN(cpu->hyperv_limits[0], HV_TCG_MAX_VPS);
        break;
    default:
        break;
    }
    return true;
}

/* ------------------------------------------------------- hypercall page */

/* Is the page at @gpa guest RAM (not MMIO, ROM or a hole)? */
static bool hv_gpa_is_ram_page(hwaddr gpa)
{
    hwaddr xlat, len = TARGET_PAGE_SIZE;
    MemoryRegion *mr;

    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(&address_space_memory, gpa, &xlat, &len,
                                 true, MEMTXATTRS_UNSPECIFIED);
    return memory_region_is_ram(mr) && !mr->readonly &&
           !memory_region_is_rom(mr) && len >= TARGET_PAGE_SIZE;
}

/*
 * Put the hypercall code at the page the guest chose.  Only over RAM: a
 * page written over a device's MMIO would be 4 KiB of register writes.
 */
static bool hv_write_hypercall_page(uint64_t msr)
{
    hwaddr gpa = msr & HV_HYPERCALL_PAGE_MASK;
    uint8_t page[TARGET_PAGE_SIZE];
    MemTxResult res;

    if (!hv_gpa_is_ram_page(gpa)) {
        qemu_log_mask(LOG_GUEST_ERROR, "hyperv-tcg: hypercall page at 0x%"
                      HWADDR_PRIx " is not guest RAM; not enabled\n", gpa);
        trace_hyperv_tcg_hypercall_page(gpa, false);
        return false;
    }
    /* int3 after the stub, so a call into the rest of the page stops */
    memset(page, 0xcc, sizeof(page));
    memcpy(page, hv_hcall_stub, sizeof(hv_hcall_stub));
    res = address_space_write(&address_space_memory, gpa,
                              MEMTXATTRS_UNSPECIFIED, page, sizeof(page));
    trace_hyperv_tcg_hypercall_page(gpa, res == MEMTX_OK);
    return res == MEMTX_OK;
}

static void hv_set_hypercall_msr(uint64_t val)
{
    if (hv_partition.hypercall & HV_HYPERCALL_LOCKED) {
        return;
    }
    /* the page cannot be enabled before the guest said who it is */
    if (!hv_partition.guest_os_id) {
        val &= ~(uint64_t)HV_HYPERCALL_ENABLE;
    }
    if ((val & HV_HYPERCALL_ENABLE) && !hv_write_hypercall_page(val)) {
        val &= ~(uint64_t)HV_HYPERCALL_ENABLE;
    }
    hv_partition.hypercall = val;
}

/* ------------------------------------------------------------ hypercalls */

void hyperv_tcg_add_retarget_handler(HvRetargetInterruptHandler handler,
                                     void *opaque)
{
    HvRetargetHandlerEntry *e = g_new0(HvRetargetHandlerEntry, 1);

    e->handler = handler;
    e->opaque = opaque;
    QLIST_INSERT_HEAD(&hv_partition.retarget_handlers, e, link);
}

void hyperv_tcg_remove_retarget_handler(HvRetargetInterruptHandler handler,
                                        void *opaque)
{
    HvRetargetHandlerEntry *e, *next;

    QLIST_FOREACH_SAFE(e, &hv_partition.retarget_handlers, link, next) {
        if (e->handler == handler && e->opaque == opaque) {
            QLIST_REMOVE(e, link);
            g_free(e);
        }
    }
}

static uint64_t hv_present_vp_mask(void)
{
    CPUState *cs;
    uint64_t mask = 0;

    CPU_FOREACH(cs) {
        if (hyperv_vp_index(cs) < HV_TCG_MAX_VPS) {
            mask |= 1ull << hyperv_vp_index(cs);
        }
    }
    return mask;
}

/*
 * Input layout (TLFS): partition id, device id, a 16-byte interrupt entry
 * (source, reserved, MSI address, MSI data), 8 reserved bytes, then the
 * target: vector, flags and either a 64-bit VP mask or a generic VP set
 * (format, valid bank mask, banks) whose tail is the variable header.
 */
#define HV_RETARGET_FIXED_SIZE      56
#define HV_VPSET_SPARSE_4K          0
#define HV_VPSET_ALL                1

static uint16_t hv_hcall_retarget(X86CPU *cpu, uint64_t control,
                                  uint64_t in_gpa, bool fast)
{
    unsigned varhead = (control >> HV_HCALL_VARHEAD_SHIFT) &
                       HV_HCALL_VARHEAD_MASK;
    HvRetargetInterruptRequest req = { .caller_vp = hv_vp(cpu) };
    HvRetargetHandlerEntry *e;
    uint8_t buf[HV_RETARGET_FIXED_SIZE + 8 * HV_HCALL_VARHEAD_MASK];
    size_t len = HV_RETARGET_FIXED_SIZE + 8 * varhead;
    uint16_t status = HV_STATUS_INVALID_PARAMETER;

    if (fast) {
        return HV_STATUS_INVALID_HYPERCALL_INPUT;
    }
    if (in_gpa & 7) {
        return HV_STATUS_INVALID_ALIGNMENT;
    }
    if (address_space_read(&address_space_memory, in_gpa,
                           MEMTXATTRS_UNSPECIFIED, buf, len) != MEMTX_OK) {
        return HV_STATUS_INSUFFICIENT_MEMORY;
    }

    req.partition_id = ldq_le_p(buf);
    req.device_id = ldq_le_p(buf + 8);
    req.source = ldl_le_p(buf + 16);
    req.msi_address = ldl_le_p(buf + 24);
    req.msi_data = ldl_le_p(buf + 28);
    req.vector = ldl_le_p(buf + 40);
    req.flags = ldl_le_p(buf + 44);

    if (req.partition_id != HV_PARTITION_ID_SELF ||
        req.source != HV_INTERRUPT_SOURCE_MSI) {
        return HV_STATUS_INVALID_PARAMETER;
    }

    if (req.flags & HV_DEVICE_INTERRUPT_TARGET_PROCESSOR_SET) {
        uint64_t format = ldq_le_p(buf + 48);
        uint64_t banks, bank0 = 0;

        if (varhead < 1) {
            return HV_STATUS_INVALID_HYPERCALL_INPUT;
        }
        banks = ldq_le_p(buf + 56);
        if (format == HV_VPSET_ALL) {
            req.vp_mask = hv_present_vp_mask();
        } else if (format == HV_VPSET_SPARSE_4K) {
            /* one bank covers every VP index the stand-in hands out */
            if (banks & ~1ull) {
                return HV_STATUS_INVALID_PARAMETER;
            }
            if (banks & 1) {
                if (varhead < 2) {
                    return HV_STATUS_INVALID_HYPERCALL_INPUT;
                }
                bank0 = ldq_le_p(buf + 64);
            }
            req.vp_mask = bank0;
        } else {
            return HV_STATUS_INVALID_PARAMETER;
        }
    } else {
        req.vp_mask = ldq_le_p(buf + 48);
    }
    if (req.vp_mask & ~hv_present_vp_mask()) {
        status = HV_STATUS_INVALID_PARAMETER;
        goto out;
    }

    QLIST_FOREACH(e, &hv_partition.retarget_handlers, link) {
        if (e->handler(e->opaque, &req, &status)) {
            break;
        }
    }
out:
    trace_hyperv_tcg_retarget(req.device_id, req.vector, req.vp_mask, status);
    return status;
}

static uint16_t hv_hypercall(X86CPU *cpu, uint64_t control,
                             uint64_t in, uint64_t out)
{
    uint16_t code = control & HV_HCALL_CODE_MASK;
    bool fast = control & HV_HYPERCALL_FAST;
    bool rep = (control >> HV_HCALL_REP_COUNT_SHIFT) & HV_HCALL_REP_COUNT_MASK;
    bool varhead = (control >> HV_HCALL_VARHEAD_SHIFT) & HV_HCALL_VARHEAD_MASK;

    switch (code) {
    case HV_POST_MESSAGE:
        if (!hv_cpu_has(cpu, HYPERV_FEAT_SYNIC)) {
            return HV_STATUS_ACCESS_DENIED;
        }
        if (rep || varhead) {
            return HV_STATUS_INVALID_HYPERCALL_INPUT;
        }
        /* a message does not fit two registers: no fast form without XMM */
        return hyperv_hcall_post_message(in, fast);
    case HV_SIGNAL_EVENT:
        if (!hv_cpu_has(cpu, HYPERV_FEAT_SYNIC)) {
            return HV_STATUS_ACCESS_DENIED;
        }
        if (rep || varhead) {
            return HV_STATUS_INVALID_HYPERCALL_INPUT;
        }
        return hyperv_hcall_signal_event(in, fast);
    case HV_RETARGET_DEVICE_INTERRUPT:
        if (rep) {
            return HV_STATUS_INVALID_HYPERCALL_INPUT;
        }
        return hv_hcall_retarget(cpu, control, in, fast);
    default:
        return HV_STATUS_INVALID_HYPERCALL_CODE;
    }
}

static uint64_t hv_hcall_port_read(void *opaque, hwaddr addr, unsigned size)
{
    return ~0ull;
}

/*
 * The hypercall page's OUT lands here.  TCG has synced the guest registers
 * into env before the I/O helper and reloads them afterwards, so the status
 * written to RAX is what the guest sees after RET.
 */
static void hv_hcall_port_write(void *opaque, hwaddr addr, uint64_t data,
                                unsigned size)
{
    CPUState *cs = current_cpu;
    X86CPU *cpu;
    CPUX86State *env;
    uint64_t control, in, out, result;
    uint16_t status;

    if (!cs) {
        return;
    }
    cpu = X86_CPU(cs);
    env = &cpu->env;
    if (!hv_cpu_enabled(cpu) ||
        !(hv_partition.hypercall & HV_HYPERCALL_ENABLE)) {
        /* a stray OUT to this port from a guest without Hyper-V */
        return;
    }

    if (env->hflags & HF_CS64_MASK) {
        control = env->regs[R_ECX];
        in = env->regs[R_EDX];
        out = env->regs[R_R8];
    } else {
        control = (uint64_t)(uint32_t)env->regs[R_EDX] << 32 |
                  (uint32_t)env->regs[R_EAX];
        in = (uint64_t)(uint32_t)env->regs[R_EBX] << 32 |
             (uint32_t)env->regs[R_ECX];
        out = (uint64_t)(uint32_t)env->regs[R_EDI] << 32 |
              (uint32_t)env->regs[R_ESI];
    }

    if (env->hflags & HF_CPL_MASK) {
        status = HV_STATUS_ACCESS_DENIED;
    } else {
        status = hv_hypercall(cpu, control, in, out);
    }
    trace_hyperv_tcg_hypercall(hv_vp(cpu), control & HV_HCALL_CODE_MASK,
                               !!(control & HV_HYPERCALL_FAST), in, status);

    result = status;
    if (env->hflags & HF_CS64_MASK) {
        env->regs[R_EAX] = result;
    } else {
        env->regs[R_EAX] = (uint32_t)result;
        env->regs[R_EDX] = (uint32_t)(result >> 32);
    }
}

static const MemoryRegionOps hv_hcall_port_ops = {
    .read = hv_hcall_port_read,
    .write = hv_hcall_port_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

static void hv_partition_reset(void *opaque)
{
    hv_partition.guest_os_id = 0;
    hv_partition.hypercall = 0;
    hv_partition.reference_tsc = 0;
}

static bool hv_partition_init(Error **errp)
{
    if (hv_partition.initialized) {
        return true;
    }
    /*
     * The guest OS id, the hypercall MSR and the vCPUs' SynIC state live
     * here and in CPUX86State fields that only KVM's vmstate sections
     * carry; VMBus's own state is not complete either.  A migration or
     * savevm would lose hypercalls silently: refuse it instead.
     */
    error_setg(&hv_partition.migration_blocker, "Hyper-V enlightenments "
               "under TCG (hvpci stand-in) do not support migration or "
               "snapshots");
    if (migrate_add_blocker(hv_partition.migration_blocker, errp) < 0) {
        error_free(hv_partition.migration_blocker);
        hv_partition.migration_blocker = NULL;
        return false;
    }
    hv_partition.initialized = true;
    QLIST_INIT(&hv_partition.retarget_handlers);
    memory_region_init_io(&hv_partition.hcall_port, NULL, &hv_hcall_port_ops,
                          NULL, "hyperv-hypercall", 1);
    memory_region_add_subregion(get_system_io(), HV_TCG_HCALL_PORT,
                                &hv_partition.hcall_port);
    qemu_register_reset(hv_partition_reset, NULL);
    return true;
}

/* ----------------------------------------------------------------- SynIC */

static void hv_synic_remap(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    bool enable = env->msr_hv_synic_control & HV_SYNIC_ENABLE;
    hwaddr msg = (env->msr_hv_synic_msg_page & HV_SIMP_ENABLE) ?
                 (env->msr_hv_synic_msg_page & TARGET_PAGE_MASK) : 0;
    hwaddr evt = (env->msr_hv_synic_evt_page & HV_SIEFP_ENABLE) ?
                 (env->msr_hv_synic_evt_page & TARGET_PAGE_MASK) : 0;

    bool taken = hv_bql_take();

    /* the pages move in the memory map */
    hyperv_synic_update(CPU(cpu), enable, msg, evt);
    hv_bql_release(taken);
}

static void hv_synic_acked(X86CPU *cpu)
{
    bool taken = hv_bql_take();

    hyperv_synic_eom(CPU(cpu));
    hv_bql_release(taken);
}

int hyperv_tcg_deliver_sint(CPUState *cs, uint32_t sint)
{
    X86CPU *cpu = X86_CPU(cs);
    CPUX86State *env = &cpu->env;
    uint64_t val;
    uint8_t vector;

    if (sint >= HV_SINT_COUNT) {
        return -EINVAL;
    }
    val = qatomic_read(&env->msr_hv_synic_sint[sint]);
    vector = val & HV_SINT_VECTOR_MASK;
    if (!(qatomic_read(&env->msr_hv_synic_control) & HV_SYNIC_ENABLE) ||
        (val & HV_SINT_MASKED)) {
        trace_hyperv_tcg_sint(hyperv_vp_index(cs), sint, vector, 0);
        return 0;
    }
    trace_hyperv_tcg_sint(hyperv_vp_index(cs), sint, vector, 1);
    /* fixed delivery, physical destination: this vCPU's local APIC */
    apic_deliver_irq(cpu->apic_id, 0, 0, vector, 0);
    return 0;
}

#ifndef CONFIG_KVM
/*
 * kvm/hyperv.c provides this in KVM builds; machine.c calls it after
 * migration to map the SynIC pages again.
 */
void hyperv_x86_synic_update(X86CPU *cpu)
{
    hv_synic_remap(cpu);
}
#endif

/* ------------------------------------------------------------------ MSRs */

static bool hv_msr_is_synic(uint32_t msr)
{
    return (msr >= HV_X64_MSR_SCONTROL && msr <= HV_X64_MSR_EOM) ||
           (msr >= HV_X64_MSR_SINT0 && msr <= HV_X64_MSR_SINT15);
}

HvTcgMsrResult hyperv_tcg_rdmsr(X86CPU *cpu, uint32_t msr, uint64_t *val)
{
    CPUX86State *env = &cpu->env;

    if (!tcg_enabled() || !hv_cpu_enabled(cpu) ||
        msr < HV_TCG_MSR_FIRST || msr > HV_TCG_MSR_LAST) {
        return HV_TCG_MSR_NOT_OURS;
    }
    if (hv_msr_is_synic(msr) && !hv_cpu_has(cpu, HYPERV_FEAT_SYNIC)) {
        goto gp;
    }

    switch (msr) {
    case HV_X64_MSR_GUEST_OS_ID:
        *val = hv_partition.guest_os_id;
        break;
    case HV_X64_MSR_HYPERCALL:
        *val = hv_partition.hypercall;
        break;
    case HV_X64_MSR_VP_INDEX:
        if (!hv_cpu_has(cpu, HYPERV_FEAT_VPINDEX)) {
            goto gp;
        }
        *val = hv_vp(cpu);
        break;
    case HV_X64_MSR_TIME_REF_COUNT:
        if (!hv_cpu_has(cpu, HYPERV_FEAT_TIME)) {
            goto gp;
        }
        /* 100 ns units since the VM started */
        *val = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) / 100;
        /* read at every clock read: too hot to trace */
        return HV_TCG_MSR_DONE;
    case HV_X64_MSR_REFERENCE_TSC:
        /* not advertised; kexec cleanup still reads and clears it */
        *val = hv_partition.reference_tsc;
        break;
    case HV_X64_MSR_APIC_ASSIST_PAGE:
        /*
         * Not advertised.  Linux 6.1 registers a VP assist page on every
         * vCPU regardless; nothing here writes to it.
         */
        *val = env->msr_hv_vapic;
        break;
    case HV_X64_MSR_SCONTROL:
        *val = env->msr_hv_synic_control;
        break;
    case HV_X64_MSR_SVERSION:
        *val = HV_SYNIC_VERSION;
        break;
    case HV_X64_MSR_SIEFP:
        *val = env->msr_hv_synic_evt_page;
        break;
    case HV_X64_MSR_SIMP:
        *val = env->msr_hv_synic_msg_page;
        break;
    case HV_X64_MSR_EOM:
        *val = 0;
        break;
    case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT15:
        *val = env->msr_hv_synic_sint[msr - HV_X64_MSR_SINT0];
        break;
    default:
        goto gp;
    }
    trace_hyperv_tcg_rdmsr(hv_vp(cpu), msr, *val);
    return HV_TCG_MSR_DONE;
gp:
    trace_hyperv_tcg_msr_gp(hv_vp(cpu), msr, 0);
    return HV_TCG_MSR_GP;
}

HvTcgMsrResult hyperv_tcg_wrmsr(X86CPU *cpu, uint32_t msr, uint64_t val)
{
    CPUX86State *env = &cpu->env;
    unsigned sint;
    bool taken;

    if (!tcg_enabled() || !hv_cpu_enabled(cpu) ||
        msr < HV_TCG_MSR_FIRST || msr > HV_TCG_MSR_LAST) {
        return HV_TCG_MSR_NOT_OURS;
    }
    if (hv_msr_is_synic(msr) && !hv_cpu_has(cpu, HYPERV_FEAT_SYNIC)) {
        goto gp;
    }
    trace_hyperv_tcg_wrmsr(hv_vp(cpu), msr, val);

    switch (msr) {
    case HV_X64_MSR_GUEST_OS_ID:
        taken = hv_bql_take();
        hv_partition.guest_os_id = val;
        if (!val) {
            hv_partition.hypercall &= ~(uint64_t)HV_HYPERCALL_ENABLE;
        }
        hv_bql_release(taken);
        break;
    case HV_X64_MSR_HYPERCALL:
        taken = hv_bql_take();
        hv_set_hypercall_msr(val);
        hv_bql_release(taken);
        break;
    case HV_X64_MSR_REFERENCE_TSC:
        if (val & HV_REFERENCE_TSC_ENABLE) {
            goto gp;
        }
        hv_partition.reference_tsc = val;
        break;
    case HV_X64_MSR_APIC_ASSIST_PAGE:
        env->msr_hv_vapic = val;
        break;
    case HV_X64_MSR_SCONTROL:
        /* read by SINT delivery from other threads */
        qatomic_set(&env->msr_hv_synic_control, val);
        hv_synic_remap(cpu);
        break;
    case HV_X64_MSR_SIEFP:
        env->msr_hv_synic_evt_page = val;
        hv_synic_remap(cpu);
        break;
    case HV_X64_MSR_SIMP:
        env->msr_hv_synic_msg_page = val;
        hv_synic_remap(cpu);
        break;
    case HV_X64_MSR_EOM:
        /* the guest freed a slot: let the stalled senders retry */
        hv_synic_acked(cpu);
        break;
    case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT15:
        sint = msr - HV_X64_MSR_SINT0;
        if (!(val & HV_SINT_MASKED) &&
            (val & HV_SINT_VECTOR_MASK) < HV_SINT_FIRST_VECTOR) {
            goto gp;
        }
        qatomic_set(&env->msr_hv_synic_sint[sint], val);
        if (!(val & HV_SINT_MASKED)) {
            /* messages may have queued up while it was masked */
            hv_synic_acked(cpu);
        }
        break;
    default:
        /* VP index, time reference count, version: read-only */
        goto gp;
    }
    return HV_TCG_MSR_DONE;
gp:
    trace_hyperv_tcg_msr_gp(hv_vp(cpu), msr, 1);
    return HV_TCG_MSR_GP;
}

/* ------------------------------------------------------ vCPU life cycle */

static bool hv_tcg_enable_cpu(X86CPU *cpu, Error **errp)
{
    if (!hv_partition_init(errp)) {
        return false;
    }
    if (hv_cpu_has(cpu, HYPERV_FEAT_SYNIC) &&
        !object_resolve_path_component(OBJECT(cpu), "synic")) {
        hyperv_synic_add(CPU(cpu));
    }
    hyperv_tcg_cpu_reset(cpu);
    trace_hyperv_tcg_enable(hv_vp(cpu), cpu->hyperv_features);
    return true;
}

void hyperv_tcg_cpu_realize(X86CPU *cpu, Error **errp)
{
    uint64_t extra;

    if (!tcg_enabled() || !cpu->hyperv_features) {
        return;
    }
    extra = cpu->hyperv_features & ~HV_TCG_SUPPORTED_FEATURES;
    if (extra) {
        error_setg(errp, "Hyper-V enlightenments 0x%" PRIx64 " are not "
                   "implemented under TCG", extra);
        error_append_hint(errp, "Under TCG only hv-relaxed, hv-vpindex, "
                          "hv-synic and hv-time are available.\n");
        return;
    }
    if (hv_cpu_has(cpu, HYPERV_FEAT_SYNIC) &&
        !hv_cpu_has(cpu, HYPERV_FEAT_VPINDEX)) {
        error_setg(errp, "Hyper-V synthetic interrupt controller "
                   "(hv-synic) requires hv-vpindex");
        return;
    }
    if (CPU(cpu)->cpu_index >= HV_TCG_MAX_VPS) {
        error_setg(errp, "Hyper-V under TCG supports at most %d vCPUs",
                   HV_TCG_MAX_VPS);
        return;
    }
    hv_tcg_enable_cpu(cpu, errp);
}

void hyperv_tcg_cpu_reset(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    int i;

    if (!tcg_enabled() || !hv_cpu_enabled(cpu)) {
        return;
    }
    env->msr_hv_synic_control = 0;
    env->msr_hv_synic_msg_page = 0;
    env->msr_hv_synic_evt_page = 0;
    for (i = 0; i < HV_SINT_COUNT; i++) {
        env->msr_hv_synic_sint[i] = HV_SINT_MASKED;
    }
    if (current_cpu == CPU(cpu)) {
        /*
         * The vCPU resets itself only on an INIT, which the guest can send
         * at any time (a kdump kernel bringing up the CPUs does): VMBus
         * keeps its SINT routes to this VP then.
         */
        trace_hyperv_tcg_init(hv_vp(cpu));
        hyperv_synic_init_reset(CPU(cpu));
        return;
    }
    /* a machine reset: devices with SINT routes were reset before the vCPUs */
    hyperv_synic_reset(CPU(cpu));
}

bool hyperv_tcg_prepare_vmbus(Error **errp)
{
    CPUState *cs;
    bool any = false;

    if (!tcg_enabled()) {
        return true;
    }
    CPU_FOREACH(cs) {
        any |= hv_cpu_enabled(X86_CPU(cs));
    }
    if (any) {
        /* the command line chose; vmbus-bridge checks SynIC itself */
        return true;
    }
    CPU_FOREACH(cs) {
        X86CPU *cpu = X86_CPU(cs);

        if (cs->cpu_index >= HV_TCG_MAX_VPS) {
            error_setg(errp, "Hyper-V under TCG supports at most %d vCPUs",
                       HV_TCG_MAX_VPS);
            return false;
        }
        cpu->hyperv_features |= HV_TCG_VMBUS_FEATURES;
        if (!hv_tcg_enable_cpu(cpu, errp)) {
            return false;
        }
    }
    return true;
}

/*
 * Hyper-V enlightenments under TCG: stubs for builds without CONFIG_HYPERV
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hyperv-tcg.h"
#include "kvm/hyperv.h"

bool hyperv_tcg_cpuid(X86CPU *cpu, uint32_t index,
                      uint32_t *eax, uint32_t *ebx,
                      uint32_t *ecx, uint32_t *edx)
{
    return false;
}

HvTcgMsrResult hyperv_tcg_rdmsr(X86CPU *cpu, uint32_t msr, uint64_t *val)
{
    return HV_TCG_MSR_NOT_OURS;
}

HvTcgMsrResult hyperv_tcg_wrmsr(X86CPU *cpu, uint32_t msr, uint64_t val)
{
    return HV_TCG_MSR_NOT_OURS;
}

void hyperv_tcg_cpu_realize(X86CPU *cpu, Error **errp)
{
}

void hyperv_tcg_cpu_reset(X86CPU *cpu)
{
}

#ifndef CONFIG_KVM
void hyperv_x86_synic_update(X86CPU *cpu)
{
}
#endif

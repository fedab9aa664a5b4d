/*
 * Hyper-V enlightenments under TCG: hooks for the x86 CPU model
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef TARGET_I386_HYPERV_TCG_H
#define TARGET_I386_HYPERV_TCG_H

#include "cpu.h"

/* Return values of hyperv_tcg_rdmsr() and hyperv_tcg_wrmsr() */
typedef enum HvTcgMsrResult {
    HV_TCG_MSR_NOT_OURS,    /* not a synthetic MSR of an enabled vCPU */
    HV_TCG_MSR_DONE,
    HV_TCG_MSR_GP,          /* raise #GP(0) */
} HvTcgMsrResult;

/* CPUID leaves 0x40000000..0x400000ff; false when not ours */
bool hyperv_tcg_cpuid(X86CPU *cpu, uint32_t index,
                      uint32_t *eax, uint32_t *ebx,
                      uint32_t *ecx, uint32_t *edx);

HvTcgMsrResult hyperv_tcg_rdmsr(X86CPU *cpu, uint32_t msr, uint64_t *val);
HvTcgMsrResult hyperv_tcg_wrmsr(X86CPU *cpu, uint32_t msr, uint64_t val);

/* From x86_cpu_realizefn(), after the vCPU got its index */
void hyperv_tcg_cpu_realize(X86CPU *cpu, Error **errp);
/* From x86_cpu_reset() */
void hyperv_tcg_cpu_reset(X86CPU *cpu);

#endif

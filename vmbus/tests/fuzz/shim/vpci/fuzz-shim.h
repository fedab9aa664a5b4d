/*
 * QEMU types and calls the vPCI code uses, reduced to what the fuzz harness
 * needs.  The harness (fuzz_vpci_msg.c) implements the functions.
 */
#ifndef FUZZ_SHIM_H
#define FUZZ_SHIM_H

#include "qemu/osdep.h"

/* error-report.h, log.h */
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
#define LOG_GUEST_ERROR 1
#define qemu_log_mask(mask, ...) do { } while (0)

/* qapi/error.h */
typedef struct Error Error;
#define error_setg(errp, ...) do { (void)(errp); } while (0)
const char *error_get_pretty(const Error *err);
void error_free(Error *err);

/* PCI */
typedef uint64_t pcibus_t;
#define PCI_NUM_REGIONS         7
#define PCI_BAR_UNMAPPED        (~(pcibus_t)0)
#define PCI_COMMAND             0x04
#define PCI_COMMAND_MASTER      0x4
#define PCI_FUNC(devfn)         ((devfn) & 0x07)
typedef struct PCIIORegion {
    pcibus_t addr;
    pcibus_t size;
    uint8_t type;
    MemoryRegion *memory;
} PCIIORegion;
typedef struct BusState { void *parent; } BusState;
typedef struct PCIBus { BusState qbus; } PCIBus;
typedef struct PCIDevice {
    uint8_t devfn;
    uint8_t config[256];
    PCIIORegion io_regions[PCI_NUM_REGIONS];
    PCIBus *bus;
} PCIDevice;
typedef struct PCIHostState { int unused; } PCIHostState;
typedef struct MSIMessage { uint64_t address; uint32_t data; } MSIMessage;
static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}
static inline PCIBus *pci_get_bus(PCIDevice *d)
{
    return d->bus;
}
#define BUS(b) (&(b)->qbus)

/* CPUs: VP index = cpu_index; the harness has FUZZ_NR_CPUS of them */
typedef struct CPUState { int cpu_index; } CPUState;
typedef struct X86CPU { CPUState parent; uint32_t apic_id; } X86CPU;
CPUState *qemu_get_cpu(int index);
#define X86_CPU(cs) ((X86CPU *)(cs))

/* memory */
typedef struct AddressSpace { int unused; } AddressSpace;
extern AddressSpace address_space_memory;
#define MEMTXATTRS_UNSPECIFIED 0
void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          int attrs, void *result);

/* hyperv-proto.h */
#define HV_STATUS_SUCCESS               0
#define HV_STATUS_INVALID_PARAMETER     5

/* VMBus */
#include "fuzz-vmbus-chan.h"
struct VMBusDevice { int unused; };

/*
 * The real vpci-irq.c's vpci_irq_delete, renamed by the Makefile; the
 * harness's vpci_irq_delete wraps it with an ownership check.
 */
struct HvVpci;
struct HvVpciFunc;
uint32_t fuzz_real_irq_delete(struct HvVpci *v, struct HvVpciFunc *f,
                              uint64_t address, uint32_t data);

#endif

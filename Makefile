# hvpci — top-level entry points. `make help` lists them.
#
# Two commands set up a fresh Debian 12 machine and use it:
#   make kdump-check   the main job: the kdump NVMe check in the default VM
#   make check         every test: static, unit, fuzz smoke, runner self-test,
#                      end-to-end scenarios on each kernel in KERNELS
# Both run `setup` first (Debian packages, guest kernels, stand-in QEMU), which
# caches its slow results in $(HVPCI_CACHE) and reuses them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Guest kernels: the newest Debian cloud kernel and 6.1.0-50, the last one
# without the June 2026 vmbus_reserve_fb() fix. Override: make check KERNELS=...
DEFAULT_KERNEL := $(shell . scripts/lib/common.sh && default_kernel_version)
KERNELS ?= $(DEFAULT_KERNEL) 6.1.0-50
export HVPCI_KERNELS := $(KERNELS)
# The other kernel lines: make check builds the driver against each and runs
# the core pair of scenarios (tests/run-all.sh, suite "lines") on them:
# 5.10 without the fallback, 6.12 (trixie), 7.x with pci-hyperv built in.
LINE_KERNELS ?= 5.10.0-43 6.12.117+deb13 7.3.4+deb13
export HVPCI_LINE_KERNELS := $(LINE_KERNELS)
# The kernel table (make kernel-table): every line, before and after the fix.
MATRIX_KERNELS ?= 5.10.0-43 5.10.0-46 6.1.0-50 $(DEFAULT_KERNEL) 6.12.95+deb12 6.12.117+deb13 7.3.4+deb13
export HVPCI_MATRIX_KERNELS := $(MATRIX_KERNELS)

.PHONY: help setup check kdump-check scenarios list-scenarios bench clean kernel-table soak

help:
	@echo "make kdump-check   main job: kdump NVMe check in the default VM (runs setup;"
	@echo "                   KERNEL=6.1.0-50 for a kernel without the hv_vmbus fix;"
	@echo "                   IMAGE=FILE checks your own GPT/UEFI image, left untouched)"
	@echo "make check         all tests, closing with 'N passed, N failed' (runs setup)"
	@echo "make setup         Debian packages, guest kernels ($(KERNELS)), stand-in QEMU"
	@echo "make scenarios S='boot ...'  run chosen end-to-end scenarios"
	@echo "make list-scenarios          list scenario names"
	@echo "make kernel-table  core scenarios x both drivers on every kernel line"
	@echo "                   (MATRIX_KERNELS='...' to choose; one per CI machine)"
	@echo "make bench         benchmarks (figures and ratios, not pass/fail)"
	@echo "make soak          the race-prone scenarios ROUNDS times (default 100),"
	@echo "                   failure rate per scenario, logs and host traces kept"
	@echo "make clean         remove build/ (the cache in \$$HVPCI_CACHE stays)"
	@echo "make deb           the hvpci-dkms Debian package: build/hvpci-dkms_<version>_all.deb"

setup:
	@scripts/setup-host.sh --kernels "$(KERNELS) $(LINE_KERNELS)"

kernel-table:
	@scripts/setup-host.sh --kernels "$(MATRIX_KERNELS)"
	@tests/e2e/kernel-table.sh

check: setup
	@tests/run-all.sh

# The main job runs on one kernel: KERNEL=6.1.0-50 shows the bug hvpci fixes.
KERNEL ?= $(DEFAULT_KERNEL)
# IMAGE=FILE checks your own GPT/UEFI image instead (FILE is only read).
kdump-check:
	@scripts/setup-host.sh --kernels "$(KERNEL)"
	@if [ -n "$(IMAGE)" ]; then scripts/kdump-check.sh --image "$(IMAGE)"; \
	else scripts/kdump-check.sh --kernel "$(KERNEL)"; fi

scenarios: setup
	@tests/e2e/run.sh $(S)

list-scenarios:
	@tests/e2e/run.sh --list

# ROUNDS=N (default 3), BENCH=policy,size,probe,fio,phases to choose
bench: setup
	@tests/bench/run.sh --rounds "$(or $(ROUNDS),3)" $(if $(BENCH),--only "$(BENCH)")

# ROUNDS=N (default 100), S='NAME@DRIVER ...' to choose (tests/e2e/soak.sh)
soak: setup
	@tests/e2e/soak.sh --rounds "$(or $(ROUNDS),100)" $(S)

# The package a fleet installs (packaging/README.md); needs debhelper, dh-dkms.
.PHONY: deb
deb:
	@packaging/build-deb.sh

clean:
	rm -rf build

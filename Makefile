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

.PHONY: help setup check kdump-check scenarios list-scenarios bench clean

help:
	@echo "make kdump-check   main job: kdump NVMe check in the default VM (runs setup;"
	@echo "                   KERNEL=6.1.0-50 for a kernel without the hv_vmbus fix)"
	@echo "make check         all tests, closing with 'N passed, N failed' (runs setup)"
	@echo "make setup         Debian packages, guest kernels ($(KERNELS)), stand-in QEMU"
	@echo "make scenarios S='boot ...'  run chosen end-to-end scenarios"
	@echo "make list-scenarios          list scenario names"
	@echo "make bench         benchmarks (figures and ratios, not pass/fail)"
	@echo "make clean         remove build/ (the cache in \$$HVPCI_CACHE stays)"
	@echo "make deb           the hvpci-dkms Debian package: build/hvpci-dkms_<version>_all.deb"

setup:
	@scripts/setup-host.sh --kernels "$(KERNELS)"

check: setup
	@tests/run-all.sh

# The main job runs on one kernel: KERNEL=6.1.0-50 shows the bug hvpci fixes.
KERNEL ?= $(DEFAULT_KERNEL)
kdump-check:
	@scripts/setup-host.sh --kernels "$(KERNEL)"
	@scripts/kdump-check.sh --kernel "$(KERNEL)"

scenarios: setup
	@tests/e2e/run.sh $(S)

list-scenarios:
	@tests/e2e/run.sh --list

bench:
	@if [ -f tests/bench/Makefile ]; then $(MAKE) -s -C tests/bench run; \
	else echo "no benchmarks yet"; fi

# The package a fleet installs (packaging/README.md); needs debhelper, dh-dkms.
.PHONY: deb
deb:
	@packaging/build-deb.sh

clean:
	rm -rf build

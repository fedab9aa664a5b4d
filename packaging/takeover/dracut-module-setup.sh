#!/bin/bash
# dracut module of hvpci-dkms (modules.d/90hvpci): puts the hvpci module that
# DKMS built for the kernel into the image, also in host-only mode; where
# pci-hyperv is built in (module hvpci), loads it early with rd.driver.pre.
helper=/usr/share/hvpci-dkms/hvpci-takeover

# shellcheck disable=SC2154 # kernel comes from dracut
check() {
	[ -x "$helper" ] && "$helper" module "$kernel" >/dev/null || return 255
	return 0
}

depends() {
	return 0
}

installkernel() {
	local mod
	mod=$("$helper" module "$kernel") || return 0
	hostonly='' instmods "$mod"
}

install() {
	if "$helper" takeover "$kernel"; then
		# shellcheck disable=SC2154 # initdir comes from dracut
		mkdir -p "$initdir/etc/cmdline.d"
		echo "rd.driver.pre=hvpci" >"$initdir/etc/cmdline.d/90hvpci.conf"
	fi
}

# shellcheck shell=bash
# What the kernel lines are known to do, as facts with their sources, for
# scenarios to expect. Sourced by run.sh after scripts/lib/common.sh; the
# scenario's kernel is KVER and its vPCI driver DRIVER.

# vpci_protocol_expected: the vPCI protocol the driver in use agrees with a
# host that offers up to 1.4. hvpci asks for 1.4 first on every kernel. The
# in-tree driver of 5.10 knows versions up to 1.3 (its pci_protocol_versions[]
# gained 1.4 in 5.12, for arm64); 6.1 and later ask for 1.4.
vpci_protocol_expected() {
	if [ "${DRIVER:-stock}" = stock ]; then
		case ${KVER:?} in
		5.10.*) echo 0x10003 ; return 0 ;;
		esac
	fi
	echo 0x10004
}

# kernel_line [VER]: the kernel line of VER (default KVER): 5.10, 6.1, 7.3 ...
kernel_line() {
	local v=${1:-$KVER}
	v=${v%%-*}
	v=${v%%+*}
	printf '%s\n' "${v%.*}"
}

# kernel_debian_release [VER]: the Debian release whose own userland goes
# with VER in a guest of its line: 5.10 bullseye (11), 6.1 and the +deb12
# backports bookworm (12), +deb13 trixie (13).
kernel_debian_release() {
	case ${1:-$KVER} in
	5.10.*) echo bullseye ;;
	*+deb13*) echo trixie ;;
	*) echo bookworm ;;
	esac
}

# hyperv_fb_keeps_screen_info [VER]: VER's hyperv_fb leaves the boot
# framebuffer in screen_info when it takes the Gen2 framebuffer over, so a
# KEXEC_FILE_LOAD crash kernel (the kernel hands its own screen_info on) is
# told where the framebuffer is. Up to 6.8 hyperv_fb cleared it on Gen2; the
# upstream change "fbdev/hyperv_fb: Do not clear global screen_info" (6.9)
# stopped that. Observed here: 6.1 and 5.10 crash kernels see no efifb after
# kexec -p -s, 6.12.117+deb13's sees it at 0x80000000.
hyperv_fb_keeps_screen_info() {
	local major minor
	IFS=. read -r major minor <<<"$(kernel_line "${1:-}")"
	[ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 9 ]; }
}

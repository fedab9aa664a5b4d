# shellcheck shell=bash
# Helpers shared by scripts/kdump-check.sh --image and scripts/image/*.

# guestfs_ready: libguestfs-tools and a kernel for its appliance. supermin
# builds the appliance from a kernel in the host's /boot; Debian only
# recommends one (linux-image-amd64), so a machine without a kernel there
# (a fresh cloud or CI VM booted from outside its disk) gets Debian's
# generic one.
guestfs_ready() {
	apt_install libguestfs-tools
	compgen -G '/boot/vmlinuz-*' >/dev/null || apt_install linux-image-amd64
}

# guestfs_env CMD...: run a libguestfs tool (guestfish, virt-*) with its
# appliance under TCG. This machine's /dev/kvm cannot run the appliance's
# kernel, and the tools abort on it unless told to use TCG.
# Its appliance is cached in $HVPCI_CACHE/guestfs, which libguestfs will
# not create (it refuses to start without it).
guestfs_env() {
	local cachedir=${LIBGUESTFS_CACHEDIR:-$HVPCI_CACHE/guestfs}
	mkdir -p "$cachedir"
	LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg \
		LIBGUESTFS_CACHEDIR=$cachedir "$@"
}

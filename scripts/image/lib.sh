# shellcheck shell=bash
# Helpers shared by scripts/kdump-check.sh --image and scripts/image/*.

# guestfs_env CMD...: run a libguestfs tool (guestfish, virt-*) with its
# appliance under TCG. This machine's /dev/kvm cannot run the appliance's
# kernel, and the tools abort on it unless told to use TCG.
guestfs_env() {
	LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg \
		LIBGUESTFS_CACHEDIR=${LIBGUESTFS_CACHEDIR:-$HVPCI_CACHE/guestfs} "$@"
}

# shellcheck shell=bash
# Host-side helpers for kdump scenarios: the guest's root disk image, and
# checks on what the kdump kernel left on it, read with e2fsprogs' debugfs
# (no loop mounts, so no root-only kernel features are needed).

# make_root_disk IMAGE SIZE: an empty ext4 file system labelled hvpci-root.
make_root_disk() {
	rm -f "$1"
	truncate -s "$2" "$1"
	mkfs.ext4 -q -F -L hvpci-root "$1"
}

# disk_file_size IMAGE PATH: size in bytes of PATH inside the file system,
# or nothing when it does not exist.
disk_file_size() {
	debugfs -R "stat $2" "$1" 2>/dev/null | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -n 1
}

# expect_kdump_file IMAGE PATH: PATH exists on the disk and is a dump in
# makedumpfile's compressed kdump format (signature "KDUMP   ").
expect_kdump_file() {
	local size sig
	size=$(disk_file_size "$1" "$2")
	if [ -z "$size" ]; then
		echo "no $2 on the guest's disk: the kdump kernel saved no dump" >&2
		return 1
	fi
	sig=$(debugfs -R "cat $2" "$1" 2>/dev/null | head -c 8)
	if [ "$sig" != "KDUMP   " ]; then
		echo "$2 ($size bytes) is not a compressed kdump file (signature: '$sig')" >&2
		return 1
	fi
	echo "dump $2: $size bytes, kdump signature ok" >&2
}

# expect_no_file IMAGE PATH: PATH does not exist on the disk.
expect_no_file() {
	if [ -n "$(disk_file_size "$1" "$2")" ]; then
		echo "$2 exists on the guest's disk but should not" >&2
		return 1
	fi
}

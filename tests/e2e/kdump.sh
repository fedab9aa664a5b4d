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
# makedumpfile's compressed kdump format (signature "KDUMP   "), either as
# is or in the flattened form makedumpfile writes to a pipe (kdump-tools),
# which must then rebuild with "makedumpfile -R" into a kdump file.
expect_kdump_file() {
	local size sig tmp
	size=$(disk_file_size "$1" "$2")
	if [ -z "$size" ]; then
		echo "no $2 on the guest's disk: the kdump kernel saved no dump" >&2
		return 1
	fi
	sig=$(debugfs -R "cat $2" "$1" 2>/dev/null | head -c 12)
	case $sig in
	"KDUMP   "*) ;;
	makedumpfile)
		# makedumpfile will not write over an existing file: give it a new name.
		tmp=$(mktemp -d)
		if ! debugfs -R "cat $2" "$1" 2>/dev/null | makedumpfile -R "$tmp/vmcore" >/dev/null 2>&1 ||
			[ "$(head -c 8 "$tmp/vmcore")" != "KDUMP   " ]; then
			rm -rf "$tmp"
			echo "$2 ($size bytes) is a flattened dump that makedumpfile -R cannot rebuild" >&2
			return 1
		fi
		rm -rf "$tmp"
		;;
	*)
		echo "$2 ($size bytes) is not a kdump file (starts with: '$sig')" >&2
		return 1
		;;
	esac
	echo "dump $2: $size bytes, valid kdump file" >&2
}

# expect_no_file IMAGE PATH: PATH does not exist on the disk.
expect_no_file() {
	if [ -n "$(disk_file_size "$1" "$2")" ]; then
		echo "$2 exists on the guest's disk but should not" >&2
		return 1
	fi
}

# disk_as_raw DISK OUT: a raw copy of a (qcow2) disk, for debugfs.
disk_as_raw() {
	qemu-img convert -O raw "$1" "$2"
}

# find_dump IMAGE: the path of the newest kdump-tools dump on the disk
# (/var/crash/<stamp>/dump.<stamp>), or nothing.
find_dump() {
	local d
	d=$(debugfs -R "ls -p /var/crash" "$1" 2>/dev/null |
		awk -F/ '$6 ~ /^[0-9]+$/ { print $6 }' | sort | tail -n 1)
	[ -n "$d" ] || return 0
	debugfs -R "ls -p /var/crash/$d" "$1" 2>/dev/null |
		awk -F/ -v d="$d" '$6 ~ /^dump\./ { print "/var/crash/" d "/" $6 }' | head -n 1
}

#!/usr/bin/env bash
# Put the kernel's checkpatch.pl (with the data files it reads) from
# Debian's linux-source-6.1 package into the cache, and print its path.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

case ${1:-} in
-h | --help)
	cat <<EOF
Usage: $(basename "$0")

Install linux-source-6.1 if needed, extract scripts/checkpatch.pl,
spelling.txt and const_structs.checkpatch into \$HVPCI_CACHE/checkpatch,
and print the path of checkpatch.pl.
EOF
	exit 0
	;;
"") ;;
*) usage_error "unknown argument: $1" ;;
esac

dir=$HVPCI_CACHE/checkpatch
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	apt_install linux-source-6.1 perl
	tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-6.1*.tar.xz' | sort -V | tail -n 1)
	[ -n "$tarball" ] || die "linux-source-6.1 is installed but /usr/src has no tarball"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	top=$(basename "$tarball" .tar.xz)
	tar -xJf "$tarball" -C "$tmp" "$top/scripts/checkpatch.pl" \
		"$top/scripts/spelling.txt" "$top/scripts/const_structs.checkpatch"
	mkdir -p "$dir"
	rm -rf "$dir/scripts"
	mv "$tmp/$top/scripts" "$dir/scripts"
	say "checkpatch.pl from $(basename "$tarball") in $dir"
fi
printf '%s\n' "$dir/scripts/checkpatch.pl"
